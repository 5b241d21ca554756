// Steps started before the run reaches them.

package stage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/git-stage/git-stage/gitcmd"
)

// early is a step's git command started before the run reaches the step,
// beside the checks that decide whether it runs at all: clone builds the
// copy while the remote is asked. Whoever started it discards it unless
// the run reached its step, which then owns what it made (its undo is
// armed as for any step).
type early struct {
	cmd     gitcmd.Cmd
	cancel  context.CancelFunc
	done    chan struct{}
	stderr  bytes.Buffer // what it printed, shown when reached if show
	show    bool         // a Tee command, or one -v shows the stderr of
	out     []byte
	err     error
	reached bool
}

// startEarly starts cmds, one after another, each only once the one
// before it succeeded. Each is traced (-v) when its step is reached, and
// what it prints is held until then, so that the output reads as if it
// ran only then: -v changes what is shown, not when git runs. Discarding
// one stops them all.
func (a *App) startEarly(ctx context.Context, cmds ...gitcmd.Cmd) []*early {
	ctx, cancel := context.WithCancel(ctx)
	es := make([]*early, len(cmds))
	for i, c := range cmds {
		es[i] = &early{cmd: c, done: make(chan struct{}), show: c.Tee || a.Git.Trace != nil}
		es[i].cancel = cancel
	}
	go func() {
		defer cancel() // once all ran: nothing is left to stop
		var failed error
		for _, e := range es {
			if failed != nil {
				e.err = fmt.Errorf("not run: %w", failed)
			} else {
				run := e.cmd
				run.Shown, run.Tee, run.Stderr = true, false, &e.stderr
				e.out, e.err = a.Git.Run(ctx, run)
				failed = e.err
			}
			close(e.done)
		}
	}()
	return es
}

// result waits for the command, then shows what it printed (its
// progress), where it would have appeared had it run only now, and
// gives its output as Run would have.
func (e *early) result(w io.Writer) ([]byte, error) {
	e.reached = true
	<-e.done
	if e.show && w != nil {
		w.Write(e.stderr.Bytes())
		if g := (*gitcmd.Error)(nil); errors.As(e.err, &g) {
			g.StderrShown = true
		}
	}
	return e.out, e.err
}

// discard stops the command, unless its step was reached, and waits for
// it to end. It reports whether the caller must remove what it made.
func (e *early) discard() bool {
	if e == nil || e.reached {
		return false
	}
	e.cancel()
	<-e.done
	return true
}
