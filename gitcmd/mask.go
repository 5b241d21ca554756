package gitcmd

import "strings"

// Masked is s with its control characters shown as text, as newer git
// shows a remote's ("^[" for ESC, "^G" for BEL, "^?" for DEL; a C1
// control as the ESC sequence it stands for, U+009B as "^[["): a
// server's words, or a reason it gave for a refused ref, cannot recolour,
// retitle or clear the terminal they are shown on, nor type into it.
// Tabs stay.
func Masked(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case !isControl(r):
			b.WriteRune(r)
		case r >= 0x80:
			b.WriteString("^[")
			b.WriteRune(r - 0x40)
		default:
			b.WriteByte('^')
			b.WriteRune(r ^ 0x40)
		}
	}
	return b.String()
}

func isControl(r rune) bool {
	return r < ' ' && r != '\t' || r == 0x7f || r >= 0x80 && r <= 0x9f
}
