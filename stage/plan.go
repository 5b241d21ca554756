package stage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/git-stage/git-stage/gitcmd"
)

// A step is one change a command makes. A command decides all of its
// changes as a list of steps before it makes any; execute runs them in
// order and undoes them on failure. Steps are data (a git command, or a
// described Go action) so that what runs can also be shown.
type step struct {
	// git is the command to run, or nil for a step done in Go.
	git *gitcmd.Cmd
	// check, when set, decides the step's outcome from git's stdout and
	// error (a push reports its rejected refs on stdout); it may finish the
	// job another way.
	check func(ctx context.Context, stdout []byte, err error) error
	// desc says what a Go step does; do does it.
	desc string
	do   func(ctx context.Context) error
	// finish lets the step run to its end when the run is interrupted: a
	// push that the remote may already be applying is waited for (up to
	// cleanupTimeout), so that its undo sees what it did and is not raced
	// by it.
	finish bool
	// records marks bookkeeping of what the steps before it did: it runs
	// even after an interrupt, once they all succeeded, so that a push
	// that finished is not left unrecorded.
	records bool
	// undo reverses the step. It is armed before the step starts, because
	// a git command that was interrupted may still have taken effect, so it
	// must tolerate a step that did nothing.
	undo *step
}

func (s *step) String() string {
	if s.git != nil {
		return s.git.String()
	}
	return s.desc
}

// preview prints steps as the plan of a dry run, instead of running them:
// each git command as it would run, with its repository and its input, and
// each change made in Go by its description. It is the very list execute
// would run, so the preview cannot drift from the run.
func (a *App) preview(steps []*step) {
	for _, s := range steps {
		if s.git != nil {
			fmt.Fprint(a.Stdout, s.git.Show())
		} else {
			fmt.Fprintln(a.Stdout, s.desc)
		}
	}
}

// cleanupTimeout bounds the undo work after a failure or interrupt.
const cleanupTimeout = 2 * time.Minute

// execute runs steps in order. When one fails, or ctx is cancelled (Ctrl-C,
// SIGTERM), the undo of every step started so far runs in reverse order on
// a fresh context, so an interrupt cannot skip the cleanup.
func (a *App) execute(ctx context.Context, steps []*step) error {
	var undos []*step
	for _, s := range steps {
		if err := interrupted(ctx); err != nil && !s.records {
			return &runError{err: err, undo: a.rollback(undos)}
		}
		if s.undo != nil {
			undos = append(undos, s.undo)
		}
		if err := a.runStep(ctx, s); err != nil {
			return &runError{err: err, undo: a.rollback(undos)}
		}
	}
	return nil
}

func (a *App) rollback(undos []*step) []error {
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	var errs []error
	for i := len(undos) - 1; i >= 0; i-- {
		if err := a.runStep(ctx, undos[i]); err != nil {
			errs = append(errs, fmt.Errorf("could not undo (%s): %w", undos[i], err))
		}
	}
	return errs
}

// runError is a step that failed, and what could not be undone after it.
type runError struct {
	err  error
	undo []error
}

func (e *runError) Error() string {
	msgs := []string{e.err.Error()}
	for _, u := range e.undo {
		msgs = append(msgs, u.Error())
	}
	return strings.Join(msgs, "; ")
}

func (e *runError) Unwrap() error { return e.err }

// undoIncomplete reports whether err is a run whose undo did not finish.
func undoIncomplete(err error) bool {
	var r *runError
	return errors.As(err, &r) && len(r.undo) > 0
}

// errInterrupted is a run stopped by Ctrl-C or SIGTERM.
var errInterrupted = errors.New("interrupted")

func interrupted(ctx context.Context) error {
	if ctx.Err() != nil {
		return errInterrupted
	}
	return nil
}

func (a *App) runStep(ctx context.Context, s *step) error {
	if s.finish || s.records {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
	}
	if s.git == nil {
		if a.Trace != nil {
			fmt.Fprintf(a.Trace, "+ %s\n", s.desc)
		}
		return s.do(ctx)
	}
	out, err := a.Git.Run(ctx, *s.git)
	if s.check != nil {
		err = s.check(ctx, out, err)
	}
	return err
}
