package stage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/git-stage/git-stage/gitcmd"
)

// The gate before landing: the stage.preSync commands run in the staging
// copy once everything is decided (after any rebase or squash) and
// before sync-back pushes anything. One that fails stops the run: nothing
// is pushed, so the work repository and the remote are as they were.

// settleGate settles the stage.preSync commands, as git reads its config
// in the copy: the global and system config, the copy's own with its
// includes, and `git -c`. Run inside the copy, the settings' one `git
// config` call read them there already; run from elsewhere, one more
// read them in the copy, beside the checks (see prepareSync). None are
// used when the gate is skipped (--no-verify) or there is nothing to sync.
func (j *syncJob) settleGate(o SyncBackOptions) error {
	if o.NoVerify || j.mode == "" {
		return nil
	}
	if j.gateErr != nil {
		return j.gateErr
	}
	j.gate = hookCommands(j.gateRead)
	return nil
}

// readGateIn reads every stage.preSync value as git reads it in dir.
func (a *App) readGateIn(ctx context.Context, dir string) ([]string, error) {
	out, err := a.Git.Output(ctx, dir, "config", "-z", "--get-regexp", `^stage\.presync$`)
	if err != nil && gitcmd.ExitCode(err) != 1 {
		return nil, wrap(err, "", "read stage.preSync from the git config of %s", dir)
	}
	var values []string
	for _, rec := range bytes.Split(out, []byte{0}) {
		if _, v, ok := strings.Cut(string(rec), "\n"); ok {
			values = append(values, v)
		}
	}
	return values, nil
}

// hookCommands are a multi-valued key's commands, in order: an empty
// value drops the ones before it, as an empty credential.helper does, so
// that a repository can replace the global list rather than only add to
// it.
func hookCommands(values []string) []string {
	var out []string
	for _, v := range values {
		if v == "" {
			out = nil
			continue
		}
		out = append(out, v)
	}
	return out
}

// inRepoAt reports whether dir is in the work tree (or the git
// directory) of the repository whose top level is top, and not in a
// repository nested in it (a submodule): git run in dir reads top's
// config. It starts no git process.
func inRepoAt(dir, top string) bool {
	for cur := filepath.Clean(dir); ; {
		if ok, _ := exists(filepath.Join(cur, ".git")); ok {
			return samePath(cur, top)
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return false
		}
		cur = parent
	}
}

// gateSteps run the gate's commands in the copy, in order (runInCopy);
// the first that fails stops the run. A dry run lists them.
func (j *syncJob) gateSteps(a *App) []*step {
	var steps []*step
	for _, c := range j.gate {
		steps = append(steps, &step{
			desc: "run in " + gitcmd.Quote(j.staging) + ": " + c,
			do: func(ctx context.Context) error {
				if err := a.runInCopy(ctx, j.work, j.staging, c); err != nil {
					return &gateError{fmt.Errorf("pre-sync command %q failed in %s (%w)", c, j.staging, err)}
				}
				return nil
			},
		})
	}
	return steps
}

// gateError is a gate command that failed.
type gateError struct{ err error }

func (e *gateError) Error() string { return e.err.Error() }
func (e *gateError) Unwrap() error { return e.err }

// gateFailed reports whether err is the gate stopping the run.
func gateFailed(err error) bool {
	var g *gateError
	return errors.As(err, &g)
}

// gateHint is the hint of a run the gate stopped.
const gateHint = "nothing was pushed: the work repository and the remote are unchanged; fix what the command found and run sync-back again, or skip the gate with --no-verify"
