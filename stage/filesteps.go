// Steps that change files and directories rather than repositories.

package stage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"

	"github.com/git-stage/git-stage/gitcmd"
)

// renameStep moves from to to; its undo moves it back, but only if the
// move happened.
func renameStep(from, to string) *step {
	moved := false
	return &step{
		desc: "mv " + gitcmd.Quote(from) + " " + gitcmd.Quote(to),
		do: func(context.Context) error {
			if err := os.Rename(from, to); err != nil {
				return err
			}
			moved = true
			return nil
		},
		undo: &step{desc: "mv " + gitcmd.Quote(to) + " " + gitcmd.Quote(from), do: func(context.Context) error {
			if !moved {
				return nil
			}
			return os.Rename(to, from)
		}},
	}
}

// randomSuffix is 12 random hex digits, for the names of directories
// made beside a copy.
func randomSuffix() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}
