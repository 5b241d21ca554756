package stage

import (
	"errors"
	"strings"
)

// CheckRefFormat reports whether name is a valid full reference name by the
// rules of `git check-ref-format` (without options): the name must have at
// least two components, and no component may break the rules below.
func CheckRefFormat(name string) error {
	if name == "@" {
		return errors.New("is the single character '@'")
	}
	if name == "" || strings.HasPrefix(name, "/") || strings.HasSuffix(name, "/") {
		return errors.New("begins or ends with '/'")
	}
	if strings.HasSuffix(name, ".") {
		return errors.New("ends with '.'")
	}
	if !strings.Contains(name, "/") {
		return errors.New("has only one component")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if badRefByte(c) {
			return errors.New("contains a character git forbids (control, space, ~ ^ : ? * [ \\)")
		}
		if c == '.' && i+1 < len(name) && name[i+1] == '.' {
			return errors.New("contains '..'")
		}
		if c == '@' && i+1 < len(name) && name[i+1] == '{' {
			return errors.New("contains '@{'")
		}
	}
	for _, comp := range strings.Split(name, "/") {
		switch {
		case comp == "":
			return errors.New("contains '//'")
		case strings.HasPrefix(comp, "."):
			return errors.New("has a component that begins with '.'")
		case strings.HasSuffix(comp, ".lock"):
			return errors.New("has a component that ends with '.lock'")
		}
	}
	return nil
}

func badRefByte(c byte) bool {
	return c < 0x20 || c == 0x7f || strings.IndexByte(" ~^:?*[\\", c) >= 0
}
