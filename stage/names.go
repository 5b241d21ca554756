package stage

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// TempPrefix is the namespace of git-stage's temporary remote branches.
const TempPrefix = "staging-sync/"

// maxRefComponent bounds each component taken from a staging name, so a
// long name cannot make a loose ref file name longer than file systems allow.
const maxRefComponent = 100

// git-stage's own files, beside the config file and the copies: no
// staging name may use them (reservedPart).
const (
	// lockDirName is the directory of the copies' locks, beside the
	// config file.
	lockDirName = ".staging_sync.locks"
	// configLockSuffix makes the name of the config file's lock.
	configLockSuffix = ".lock"
	// newDirMarker and oldDirMarker name the hidden directories beside a
	// copy (besideDir): one clone builds, one clone or remove sets aside.
	newDirMarker = ".git-stage-new-"
	oldDirMarker = ".git-stage-old-"
)

// besideDir names a hidden directory next to dir, unique to the run:
// .<base of dir><marker><12 hex>.
func besideDir(dir, marker string) string {
	return filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+marker+randomSuffix())
}

// reservedPart returns the first part of a clean staging name that is a
// name git-stage uses for its own files: the config file (and its lock
// and temp files, which start with its name or a dot before it), the
// lock directory, and the directories of besideDir.
func reservedPart(name string) (string, bool) {
	for _, comp := range strings.Split(name, "/") {
		for _, own := range []string{ConfigFileName, lockDirName} {
			if strings.HasPrefix(comp, own) || strings.HasPrefix(comp, "."+own) {
				return comp, true
			}
		}
		if strings.Contains(comp, newDirMarker) || strings.Contains(comp, oldDirMarker) {
			return comp, true
		}
	}
	return "", false
}

// maxNameComponent is the longest part of a staging name: the file
// system's 255 bytes, less what clone adds for its hidden build directory
// (".<name>.git-stage-new-<12 hex>").
const maxNameComponent = 255 - len(".") - len(newDirMarker) - 12

// CleanName checks a staging name and returns its canonical form: a clean,
// slash-separated path relative to the staging root.
func CleanName(name string) (string, error) {
	const hint = "a staging name is a relative path inside the staging root, such as apps/backend"
	switch {
	case name == "":
		return "", refuse(hint, "staging name is empty")
	case !utf8.ValidString(name):
		return "", refuse(hint, "staging name %q is not valid UTF-8", name)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "", refuse(hint, "staging name %q contains a control character", name)
	case strings.HasPrefix(name, "/"):
		return "", refuse(hint, "staging name %q is absolute", name)
	}
	for rest := name; rest != ""; {
		var comp string
		comp, rest, _ = strings.Cut(rest, "/")
		switch comp {
		case "..":
			return "", refuse(hint, "staging name %q escapes the staging root (..)", name)
		case ".git":
			return "", refuse(hint, "staging name %q names a .git directory", name)
		}
		// Most file systems take 255 bytes per name; leave room for the
		// hidden directory clone builds beside it.
		if len(comp) > maxNameComponent {
			return "", refuse(hint, "staging name %q... has a part longer than %d bytes", name[:40], maxNameComponent)
		}
	}
	clean := path.Clean(name)
	if clean == "." {
		return "", refuse(hint, "staging name %q is the staging root itself", name)
	}
	return clean, nil
}

// stampLayout is the time in the names of temp branches and backup refs:
// YYYYMMDDHHMMSS, UTC.
const stampLayout = "20060102150405"

// TempBranch names the temporary remote branch of a staging copy:
// staging-sync/<name>-<base>-<YYYYMMDDHHMMSS> (UTC), with every character of
// name that git forbids in a ref replaced by '-'. A name changed so is
// followed by the first 8 hex digits of its SHA-256, so that two names
// that differ only there ("a b", "a-b") never race for one branch.
func TempBranch(name, base string, now time.Time) string {
	clean := sanitizeRef(name)
	if clean != name {
		sum := sha256.Sum256([]byte(name))
		clean += "-" + hex.EncodeToString(sum[:4])
	}
	return TempPrefix + clean + "-" + sanitizeRef(base) + "-" + now.UTC().Format(stampLayout)
}

// FreeName returns the first of name, name-2, name-3... that is not
// taken: temp branches and backup refs never reuse a name.
func FreeName(name string, taken func(string) bool) string {
	candidate := name
	for n := 2; taken(candidate); n++ {
		candidate = name + "-" + strconv.Itoa(n)
	}
	return candidate
}

// sanitizeRef turns s into a sequence of ref components that
// `git check-ref-format` accepts, replacing what it rejects with '-'.
func sanitizeRef(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteByte('-')
		case size == 1 && badRefByte(s[i]):
			b.WriteByte('-')
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	s = strings.ReplaceAll(b.String(), "@{", "-{")
	for strings.Contains(s, "..") {
		s = strings.ReplaceAll(s, "..", ".-")
	}
	var comps []string
	for _, c := range strings.Split(s, "/") {
		if c == "" {
			continue
		}
		c = truncateUTF8(c, maxRefComponent)
		if strings.HasPrefix(c, ".") {
			c = "-" + c[1:]
		}
		for strings.HasSuffix(c, ".lock") || strings.HasSuffix(c, ".") {
			c = c[:strings.LastIndexByte(c, '.')] + "-" + strings.TrimPrefix(c[strings.LastIndexByte(c, '.'):], ".")
		}
		comps = append(comps, c)
	}
	if len(comps) == 0 {
		return "-"
	}
	return strings.Join(comps, "/")
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

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

// checkRemoteName refuses a remote name git would not accept, or one that
// could be read as an option.
func checkRemoteName(remote string) error {
	if remote == "" || strings.HasPrefix(remote, "-") || CheckRefFormat("refs/remotes/"+remote+"/x") != nil {
		return &Error{Msg: fmt.Sprintf("invalid remote name %q", remote), Hint: "name a remote of the work repository, such as origin", Usage: true}
	}
	return nil
}

// checkBranchName refuses a branch name git would not accept, or one that
// could be read as an option.
func checkBranchName(branch string) error {
	if branch == "" || strings.HasPrefix(branch, "-") || CheckRefFormat("refs/heads/"+branch) != nil {
		return &Error{Msg: fmt.Sprintf("invalid branch name %q", branch), Hint: "name a branch such as main", Usage: true}
	}
	return nil
}

// ReviewBranchName expands a review branch pattern: %n is the staging
// name, %% a percent sign.
func ReviewBranchName(pattern, name string) string {
	var b strings.Builder
	for i := 0; i < len(pattern); i++ {
		if pattern[i] == '%' && i+1 < len(pattern) {
			switch pattern[i+1] {
			case 'n':
				b.WriteString(name)
				i++
				continue
			case '%':
				b.WriteByte('%')
				i++
				continue
			}
		}
		b.WriteByte(pattern[i])
	}
	return b.String()
}
