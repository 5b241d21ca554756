package gitcmd

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ConfigEntry is one variable of a git config file: its key as git
// prints it (section and name lower-cased, a subsection as written) and
// its value; NoValue for a bare "name" line (a boolean true).
type ConfigEntry struct {
	Key, Value string
	NoValue    bool
}

// ParseBool reads a config value as git reads a boolean, for the
// spellings git-stage accepts: a bare name (noValue) is true; true, yes,
// on and 1, and false, no, off, 0 and the empty value, in any case, are
// what they say. ok is false for any other value.
func ParseBool(value string, noValue bool) (b, ok bool) {
	if noValue {
		return true, true
	}
	switch strings.ToLower(value) {
	case "true", "yes", "on", "1":
		return true, true
	case "false", "no", "off", "0", "":
		return false, true
	}
	return false, false
}

// errUnsupported marks a config this reader leaves to git.
var errUnsupported = errors.New("left to git")

// ParseConfigFile parses the text of a git config file as git does, for
// the syntax git-stage needs: sections with or without a subsection,
// variables with or without a value, quoting, escapes, comments and
// continuation lines. Includes, and anything it cannot read exactly,
// make it fail, so that the caller asks git instead.
func ParseConfigFile(data string) ([]ConfigEntry, error) {
	p := &configParser{s: data}
	return p.parse()
}

type configParser struct {
	s       string
	i       int
	section string // "name" or "name.subsection", as git prints keys
	out     []ConfigEntry
}

func (p *configParser) fail(what string) error {
	line := strings.Count(p.s[:min(p.i, len(p.s))], "\n") + 1
	return fmt.Errorf("line %d: %s: %w", line, what, errUnsupported)
}

func (p *configParser) peek() (byte, bool) {
	if p.i < len(p.s) {
		return p.s[p.i], true
	}
	return 0, false
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' }

func isKeyChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-'
}

func (p *configParser) parse() ([]ConfigEntry, error) {
	if strings.HasPrefix(p.s, "\xef\xbb\xbf") {
		p.i = 3 // a UTF-8 byte order mark, as git skips it
	}
	for {
		// Blank space and comments between entries.
		for {
			c, ok := p.peek()
			if !ok {
				return p.out, nil
			}
			switch {
			case isSpace(c) || c == '\n' || c == '\r':
				p.i++
				continue
			case c == '#' || c == ';':
				for p.i < len(p.s) && p.s[p.i] != '\n' {
					p.i++
				}
				continue
			}
			break
		}
		c, _ := p.peek()
		switch {
		case c == '[':
			if err := p.header(); err != nil {
				return nil, err
			}
		case isKeyChar(c) && c != '-' && !(c >= '0' && c <= '9'):
			if err := p.variable(); err != nil {
				return nil, err
			}
		default:
			return nil, p.fail(fmt.Sprintf("unexpected %q", c))
		}
	}
}

// header reads [section], [section "subsection"] or [section.subsection].
func (p *configParser) header() error {
	p.i++ // '['
	start := p.i
	for p.i < len(p.s) && (isKeyChar(p.s[p.i]) || p.s[p.i] == '.') {
		p.i++
	}
	name := strings.ToLower(p.s[start:p.i])
	if name == "" {
		return p.fail("empty section name")
	}
	c, _ := p.peek()
	switch {
	case c == ']':
		p.i++
		if dot := strings.IndexByte(name, '.'); dot >= 0 {
			// The old [section.subsection]: the subsection is lower-cased.
			if dot == 0 || dot == len(name)-1 {
				return p.fail("bad section name")
			}
		}
		p.section = name
	case isSpace(c):
		if strings.Contains(name, ".") {
			return p.fail("bad section name")
		}
		for p.i < len(p.s) && isSpace(p.s[p.i]) {
			p.i++
		}
		if c, _ := p.peek(); c != '"' {
			return p.fail("expected a quoted subsection")
		}
		p.i++
		var sub strings.Builder
		for {
			c, ok := p.peek()
			if !ok || c == '\n' {
				return p.fail("unterminated subsection")
			}
			p.i++
			if c == '"' {
				break
			}
			if c == '\\' {
				c, ok = p.peek()
				if !ok || c == '\n' {
					return p.fail("bad escape in subsection")
				}
				p.i++
			}
			sub.WriteByte(c)
		}
		if c, _ := p.peek(); c != ']' {
			return p.fail("expected ]")
		}
		p.i++
		p.section = name + "." + sub.String()
	default:
		return p.fail("bad section header")
	}
	if name == "include" || name == "includeif" || strings.HasPrefix(p.section, "includeif.") {
		return p.fail("includes")
	}
	return nil
}

// variable reads name [= value] to the end of its (continued) line.
func (p *configParser) variable() error {
	if p.section == "" {
		return p.fail("variable outside a section")
	}
	start := p.i
	for p.i < len(p.s) && isKeyChar(p.s[p.i]) {
		p.i++
	}
	key := p.section + "." + strings.ToLower(p.s[start:p.i])
	for p.i < len(p.s) && isSpace(p.s[p.i]) {
		p.i++
	}
	c, ok := p.peek()
	if c == '\r' && strings.HasPrefix(p.s[p.i:], "\r\n") {
		c = '\n'
	}
	if !ok || c == '\n' {
		// No value: a boolean true, which git prints without a value.
		p.out = append(p.out, ConfigEntry{Key: key, NoValue: true})
		return nil
	}
	if c != '=' {
		return p.fail("expected =")
	}
	p.i++
	v, err := p.value()
	if err != nil {
		return err
	}
	p.out = append(p.out, ConfigEntry{Key: key, Value: v})
	return nil
}

// value reads a value as git's parse_value does: leading space skipped,
// inner space kept, trailing space dropped, unless quoted.
func (p *configParser) value() (string, error) {
	var b strings.Builder
	quoted, space := false, 0
	for p.i < len(p.s) && isSpace(p.s[p.i]) {
		p.i++
	}
	for {
		c, ok := p.peek()
		if !ok {
			if quoted {
				return "", p.fail("unterminated quote")
			}
			return b.String(), nil
		}
		p.i++
		switch {
		case c == '\n':
			if quoted {
				return "", p.fail("unterminated quote")
			}
			return b.String(), nil
		case c == '\r' && !quoted:
			if n, _ := p.peek(); n == '\n' {
				continue
			}
			return "", p.fail("a lone carriage return")
		case !quoted && (c == ';' || c == '#'):
			for p.i < len(p.s) && p.s[p.i] != '\n' {
				p.i++
			}
			continue
		case !quoted && isSpace(c):
			space++
			continue
		}
		if space > 0 {
			if b.Len() > 0 {
				b.WriteString(strings.Repeat(" ", space))
			}
			space = 0
		}
		switch c {
		case '\\':
			e, ok := p.peek()
			if !ok {
				return "", p.fail("bad escape")
			}
			p.i++
			switch e {
			case '\n':
				continue // a continuation line
			case '\r':
				if n, _ := p.peek(); n == '\n' {
					p.i++
					continue
				}
				return "", p.fail("bad escape")
			case 't':
				b.WriteByte('\t')
			case 'b':
				b.WriteByte('\b')
			case 'n':
				b.WriteByte('\n')
			case '\\', '"':
				b.WriteByte(e)
			default:
				return "", p.fail("bad escape")
			}
		case '"':
			quoted = !quoted
		default:
			b.WriteByte(c)
		}
	}
}

// configFiles are the files `git config` without a scope reads from the
// directory dir, in order (system, global, local), as far as this package
// can tell them without running git; ok is false when it cannot (a
// ceiling directory, a bare repository, worktree config), and the caller
// should ask git. Where the system file is depends on how git was built:
// the places it may be are returned apart, to be read only for whether
// they matter.
func configFiles(dir string, env func(string) string) (files, maybeSystem []string, ok bool) {
	if env("GIT_CEILING_DIRECTORIES") != "" || env("GIT_DISCOVERY_ACROSS_FILESYSTEM") != "" {
		return nil, nil, false
	}
	if env("GIT_CONFIG_NOSYSTEM") == "" {
		if sys := env("GIT_CONFIG_SYSTEM"); sys != "" {
			files = append(files, sys)
		} else {
			maybeSystem = systemConfigs(env("PATH"))
		}
	}
	if g := env("GIT_CONFIG_GLOBAL"); g != "" {
		files = append(files, g)
	} else {
		home := env("HOME")
		xdg := env("XDG_CONFIG_HOME")
		if xdg == "" && home != "" {
			xdg = filepath.Join(home, ".config")
		}
		if xdg != "" {
			files = append(files, filepath.Join(xdg, "git", "config"))
		}
		if home != "" {
			files = append(files, filepath.Join(home, ".gitconfig"))
		}
	}
	gitDir, common, ok := findGitDir(dir)
	if !ok {
		return nil, nil, false
	}
	if gitDir != "" {
		files = append(files, filepath.Join(common, "config"))
		// config.worktree counts only with extensions.worktreeConfig:
		// left to git.
		if _, err := os.Stat(filepath.Join(gitDir, "config.worktree")); err == nil {
			return nil, nil, false
		}
	}
	return files, maybeSystem, true
}

// systemConfigs are the places git's system config may be: /etc/gitconfig
// for a git installed in /usr, <prefix>/etc/gitconfig for one in
// <prefix>/bin.
func systemConfigs(path string) []string {
	out := []string{"/etc/gitconfig"}
	for _, dir := range filepath.SplitList(path) {
		if fi, err := os.Stat(filepath.Join(dir, "git")); err == nil && !fi.IsDir() {
			if prefix := filepath.Dir(filepath.Clean(dir)); prefix != "/usr" && prefix != "/" {
				out = append(out, filepath.Join(prefix, "etc", "gitconfig"))
			}
			break
		}
	}
	return out
}

// ReadConfig returns the entries of the config files dir sees, in git's
// order, with keys under prefix only; ok is false when it cannot read
// them exactly (includes, syntax it does not handle, a system config that
// may or may not be git's and sets such keys), and the caller should ask
// git. It knows neither `git -c` nor safe.directory: never use it for
// settings, which come from `git config` itself; only to compare two
// repositories' own remotes, where a miss means "ask no further".
func ReadConfig(dir, prefix string, env func(string) string) (entries []ConfigEntry, ok bool) {
	files, maybeSystem, ok := configFiles(dir, env)
	if !ok {
		return nil, false
	}
	read := func(f string) ([]ConfigEntry, bool) {
		data, err := os.ReadFile(f)
		if errors.Is(err, os.ErrNotExist) {
			return nil, true
		}
		if err != nil {
			return nil, false
		}
		parsed, err := ParseConfigFile(string(data))
		if err != nil {
			return nil, false
		}
		var out []ConfigEntry
		for _, e := range parsed {
			if strings.HasPrefix(e.Key, prefix) {
				out = append(out, e)
			}
		}
		return out, true
	}
	for _, f := range maybeSystem {
		if found, ok := read(f); !ok || len(found) > 0 {
			return nil, false
		}
	}
	for _, f := range files {
		found, ok := read(f)
		if !ok {
			return nil, false
		}
		entries = append(entries, found...)
	}
	return entries, true
}
