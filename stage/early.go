// Steps started before the run reaches them.

package stage

import (
	"bytes"
	"context"
	"errors"
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

// startEarly starts c. It is traced (-v) when its step is reached, and
// what it prints is held until then, so that the output reads as if it
// ran only then: -v changes what is shown, not when git runs.
func (a *App) startEarly(ctx context.Context, c gitcmd.Cmd) *early {
	e := &early{cmd: c, done: make(chan struct{})}
	ctx, e.cancel = context.WithCancel(ctx)
	run := c
	run.Shown, run.Tee, run.Stderr = true, false, &e.stderr
	e.show = c.Tee || a.Git.Trace != nil
	go func() {
		defer close(e.done)
		e.out, e.err = a.Git.Run(ctx, run)
	}()
	return e
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
