package gitcmd

import "testing"

// TestMasked: control characters become text; tabs and other text stay.
func TestMasked(t *testing.T) {
	for in, want := range map[string]string{
		"plain\ttext, ünïcode":        "plain\ttext, ünïcode",
		"\x1b[31mred\x1b]0;title\x07": "^[[31mred^[]0;title^G",
		"a\rb\nc\x7f\x00":             "a^Mb^Jc^?^@",
		"\u009b2J csi":                "^[[2J csi",
	} {
		if got := Masked(in); got != want {
			t.Errorf("Masked(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestErrorMasked: an error's message, which warnings print too, shows
// the control characters of git's reason line as text.
func TestErrorMasked(t *testing.T) {
	e := &Error{Args: []string{"fetch"}, ExitCode: 128, Stderr: "fatal: unable to access: \x1b]0;owned\x07\n"}
	if got, want := e.Error(), "git fetch failed (exit status 128): unable to access: ^[]0;owned^G"; got != want {
		t.Errorf("Error = %q, want %q", got, want)
	}
	if got, want := e.Reason(), "unable to access: ^[]0;owned^G"; got != want {
		t.Errorf("Reason = %q, want %q", got, want)
	}
}
