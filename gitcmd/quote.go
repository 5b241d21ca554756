package gitcmd

import (
	"fmt"
	"os"
	"strings"
)

// Quote returns s as a POSIX shell word.
func Quote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@%_+=:,./-^", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// QuoteArgs quotes each argument and joins them with spaces.
func QuoteArgs(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = Quote(a)
	}
	return strings.Join(q, " ")
}

// AlternateObjects is the GIT_ALTERNATE_OBJECT_DIRECTORIES entry that lends
// git the object directories dirs. git splits the variable at ':' and reads
// an entry that begins with '"' as a C-style quoted path: an entry that
// holds a ':', a quote, a backslash or a control character is quoted so.
func AlternateObjects(dirs ...string) string {
	quoted := make([]string, len(dirs))
	for i, d := range dirs {
		quoted[i] = d
		if strings.ContainsFunc(d, func(r rune) bool { return r == ':' || r == '"' || r == '\\' || r < ' ' || r == 0x7f }) {
			quoted[i] = cQuote(d)
		}
	}
	return "GIT_ALTERNATE_OBJECT_DIRECTORIES=" + strings.Join(quoted, string(os.PathListSeparator))
}

// cQuote quotes s as git's C-style paths are quoted: in double quotes,
// with '"' and '\' escaped, and other control bytes as octal escapes.
func cQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < ' ' || c == 0x7f:
			fmt.Fprintf(&b, "\\%03o", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
