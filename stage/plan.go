package stage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
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
	// lands marks the step that completes the job (sync-back's final
	// push): once it succeeds, what the steps before it did is kept, and
	// their undo is dropped, whatever follows.
	lands bool
	// afterwards marks a step that tidies up once the job is done (the
	// work repository's submodules checked out where the sync moved its
	// branch): its failure, an interrupt before it included, is reported
	// as a warning (its check says what is left to do), not as the run's.
	afterwards bool
	// undo reverses the step. It is armed before the step starts, because
	// a git command that was interrupted may still have taken effect, so it
	// must tolerate a step that did nothing.
	undo *step
	// beside, when set, makes the step a group of lanes that run side by
	// side, each lane's steps one after another (a push while the files
	// are checked out); the steps after the group start once every lane
	// is done. Reaching the group shows (-v) all its steps, lane after
	// lane, so the trace is in plan order. The first failure stops the
	// other lanes. A group has no command of its own.
	beside [][]*step
	// early is the step's git command, started before the run: reaching
	// the step waits for it instead of starting it.
	early *early
	// later, when set, makes the step a place holder for steps planned
	// only when the run (or the preview) reaches it, because they name
	// commits that the steps before them make (a rebase, a squash). The
	// steps it returns run in its place, before the steps after it, as
	// if they had been planned with the others. Its other fields are
	// not read.
	later func() []*step
	// planned, in a preview, stands in for what check learns at run
	// time: it sets the placeholder words (rebasedHead, squashCommit)
	// that the steps planned later name a made commit by.
	planned func()
}

// then is the Go step s followed, once it succeeded, by more.
func (s *step) then(more func(context.Context) error) *step {
	return &step{desc: s.desc, do: func(ctx context.Context) error {
		if err := s.do(ctx); err != nil {
			return err
		}
		return more(ctx)
	}}
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
		if s.later != nil {
			a.preview(s.later())
			continue
		}
		if s.beside != nil {
			for _, lane := range s.beside {
				a.preview(lane)
			}
			continue
		}
		if s.git != nil {
			fmt.Fprint(a.planOut(), s.git.Show())
		} else {
			fmt.Fprintln(a.planOut(), gitcmd.Redact(s.desc))
		}
		if s.planned != nil {
			s.planned()
		}
	}
}

// runPlan is the skeleton of every command that changes something: under
// --dry-run it prints the steps instead of running them, says what the
// run would do (wouldDo; "" for nothing to say) and that nothing changed,
// and reports ran false; else it executes them, and a failure comes back
// wrapped by failed, which says where the run left things.
func (a *App) runPlan(ctx context.Context, dryRun bool, steps []*step, wouldDo func() string, failed func(error) error) (ran bool, err error) {
	if dryRun {
		a.preview(steps)
		if what := wouldDo(); what != "" {
			a.infof("dry run: %s; nothing changed", what)
		} else {
			a.infof("dry run: nothing changed")
		}
		return false, nil
	}
	if err := a.execute(ctx, steps); err != nil {
		return false, failed(err)
	}
	return true, nil
}

// cleanupTimeout bounds the undo work after a failure or interrupt.
const cleanupTimeout = 2 * time.Minute

// execute runs steps in order, the lanes of a group side by side. When
// one fails, or ctx is cancelled (Ctrl-C, SIGTERM), the undo of every
// step started so far runs in reverse order on a fresh context, so an
// interrupt cannot skip the cleanup.
func (a *App) execute(ctx context.Context, steps []*step) error {
	var undos []*step
	fail := func(err error) error {
		// A step that Ctrl-C or SIGTERM stopped (a fetch beside the
		// push the user was waiting for), or a git that died of an
		// interrupt signal, is the interrupt, and said so.
		if ctx.Err() != nil && errors.Is(err, context.Canceled) || gitcmd.Interrupted(err) {
			err = errInterrupted
		}
		return &runError{err: err, undo: a.rollback(undos)}
	}
	for i := 0; i < len(steps); i++ {
		s := steps[i]
		if s.later != nil {
			if err := interrupted(ctx); err != nil {
				return fail(err)
			}
			steps = append(s.later(), steps[i+1:]...)
			i = -1
			continue
		}
		if s.beside != nil {
			if err := interrupted(ctx); err != nil {
				return fail(err)
			}
			for _, lane := range s.beside {
				for _, t := range lane {
					if t.undo != nil {
						undos = append(undos, t.undo)
					}
					a.show(t)
				}
			}
			if err := a.runGroup(ctx, s.beside); err != nil {
				return fail(err)
			}
			continue
		}
		if err := interrupted(ctx); err != nil && !s.records {
			if s.afterwards {
				a.skipAfterwards(ctx, s, err)
				continue
			}
			return fail(err)
		}
		if s.undo != nil {
			undos = append(undos, s.undo)
		}
		if err := a.runStep(ctx, s); err != nil {
			if s.afterwards {
				a.warnf("%v", err)
				continue
			}
			return fail(err)
		}
		if s.lands {
			undos = nil
		}
	}
	return nil
}

// runGroup runs lanes side by side, each lane's steps (shown already) one
// after another. The first failure stops the other lanes (a step under
// way that must finish, a push, still does) and is the one reported.
func (a *App) runGroup(ctx context.Context, lanes [][]*step) error {
	gctx, stop := context.WithCancel(ctx)
	defer stop()
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	for _, lane := range lanes {
		wg.Go(func() {
			for _, s := range lane {
				err := interrupted(gctx)
				if err == nil {
					err = a.runShownStep(gctx, s)
				}
				if err != nil {
					mu.Lock()
					if first == nil {
						first = err
						stop()
					}
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	return first
}

// skipAfterwards reports an afterwards step that an interrupt kept from
// running, as its check would its failure; one without a check is
// skipped quietly.
func (a *App) skipAfterwards(ctx context.Context, s *step, err error) {
	if s.check == nil {
		return
	}
	if err = s.check(ctx, nil, err); err != nil {
		a.warnf("%v", err)
	}
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

// checksInterrupted is err, a check's failure, unless Ctrl-C or SIGTERM
// stopped the checks (a git command killed halfway fails in its own
// words, "cannot reach the remote"), or a git died of an interrupt
// signal: then it is the interrupt, said as what was being done, and
// that nothing changed.
func checksInterrupted(ctx context.Context, err error, hint, format string, args ...any) error {
	if err != nil && (ctx.Err() != nil || gitcmd.Interrupted(err)) {
		return wrap(errInterrupted, hint, format, args...)
	}
	return err
}

func interrupted(ctx context.Context) error {
	if ctx.Err() != nil {
		return errInterrupted
	}
	return nil
}

func (a *App) runStep(ctx context.Context, s *step) error {
	a.show(s)
	return a.runShownStep(ctx, s)
}

// show traces s (-v): when it is reached, which for a step of a group is
// when the group starts.
func (a *App) show(s *step) {
	switch {
	case a.Trace == nil:
	case s.git == nil:
		fmt.Fprintf(a.Trace, "+ %s\n", gitcmd.Redact(s.desc))
	default:
		fmt.Fprint(a.Trace, "+ ", s.git.Show())
	}
}

// runShownStep runs s, which show has traced.
func (a *App) runShownStep(ctx context.Context, s *step) error {
	if s.finish || s.records {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
	}
	if s.git == nil {
		return s.do(ctx)
	}
	var out []byte
	var err error
	if s.early != nil {
		out, err = s.early.result(a.Git.Stderr)
	} else {
		c := *s.git
		c.Shown = true
		out, err = a.Git.Run(ctx, c)
	}
	if s.check != nil {
		err = s.check(ctx, out, err)
	}
	return err
}
