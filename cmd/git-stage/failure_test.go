package main

import (
	"strings"
	"testing"

	"github.com/git-stage/git-stage/stage"
)

// TestPrintFailureMasks: a failure's message can hold a server's words
// (the reason a remote gave for a refused ref): its control characters
// are shown as text, not sent to the terminal.
func TestPrintFailureMasks(t *testing.T) {
	var b strings.Builder
	printFailure(&b, "git-stage", &stage.Error{Msg: "the remote rejected refs/heads/main (\x1b]0;owned\x07declined)", Hint: "retry\x1b[2J"})
	want := "git-stage: the remote rejected refs/heads/main (^[]0;owned^Gdeclined)\nhint: retry^[[2J\n"
	if b.String() != want {
		t.Errorf("printFailure printed %q, want %q", b.String(), want)
	}
}
