package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/git-stage/git-stage/gitcmd"
	"github.com/git-stage/git-stage/stage"
)

// printFailure prints a command's failure: its message on one line, then
// git's and the remote's own lines that say why (a hook's "tests
// failing", a host's "protected branch"), indented, then each line of the
// hint; passwords redacted, control characters (a server's escapes)
// masked.
func printFailure(w io.Writer, name string, err error) {
	fmt.Fprintf(w, "%s: %s\n", name, printable(oneLine(err.Error())))
	var d interface{ Details() []string }
	if errors.As(err, &d) {
		for _, l := range d.Details() {
			fmt.Fprintf(w, "  %s\n", printable(l))
		}
	}
	if hint := stage.HintOf(err); hint != "" {
		for _, l := range strings.Split(hint, "\n") {
			fmt.Fprintf(w, "hint: %s\n", printable(l))
		}
	}
}

// printable is s with URLs' passwords redacted and control characters
// masked: the message, a hint or a reason may quote a server.
func printable(s string) string { return gitcmd.Masked(gitcmd.Redact(s)) }
