// sync-back in the work repository: the branch moved, switched to, and
// put back.

package stage

import (
	"context"
	"fmt"
	"strings"

	"github.com/git-stage/git-stage/gitcmd"
)

// workHead reads what the work repository's HEAD is on now: the branch
// it names (refs/heads/...), or when detached its commit.
func (j *syncJob) workHead(ctx context.Context, a *App) string {
	ctx = context.WithoutCancel(ctx)
	if on, err := a.Git.Output(ctx, j.work, "symbolic-ref", "-q", "HEAD"); err == nil {
		return strings.TrimSpace(string(on))
	}
	oid, _ := a.Git.Output(ctx, j.work, "rev-parse", "--verify", "-q", "HEAD")
	return strings.TrimSpace(string(oid))
}

// workBranchTip reads where the work branch is now ("" when it is not).
func (j *syncJob) workBranchTip(ctx context.Context, a *App) string {
	tip, _ := a.Git.Output(context.WithoutCancel(ctx), j.work, "rev-parse", "--verify", "-q", "refs/heads/"+j.branch)
	return strings.TrimSpace(string(tip))
}

// checkMoved follows the move of the work branch. When git failed,
// where the branch is is read back: an interrupted merge may already
// have moved it (a post-merge hook runs after), and someone may have
// committed there meanwhile.
func (j *syncJob) checkMoved(a *App) func(context.Context, []byte, error) error {
	return func(ctx context.Context, _ []byte, err error) error {
		if err == nil {
			j.workMoved = true
			return nil
		}
		switch tip := j.workBranchTip(ctx, a); tip {
		case j.head:
			j.workMoved = true
		case j.workTip:
		default:
			return fmt.Errorf("%s in %s changed while sync-back ran (it is at %s now, not %s): %w", j.branch, j.work, short(tip), short(j.workTip), err)
		}
		return err
	}
}

// replacedStep makes sure that what --force's reset replaced is what the
// checks saw, or saved: the reset cannot be leased, so a commit made in the
// work repository between the check (in the backup's transaction) and the
// reset would be left to the reflog. The branch's reflog says what the
// reset replaced; anything else than the checked tip is saved under
// refs/staging-sync/backup/, and the undo puts it back.
func (j *syncJob) replacedStep(a *App) *step {
	return &step{
		git: &gitcmd.Cmd{Dir: j.work, Args: []string{"rev-parse", "--verify", "-q", "refs/heads/" + j.branch + "@{1}"}},
		check: func(ctx context.Context, out []byte, err error) error {
			was := strings.TrimSpace(string(out))
			if err != nil || was == "" || was == j.workTip {
				return nil // no reflog to tell: the check stands
			}
			j.workWas = was
			r := gitcmd.Ref{Name: j.backupRef(j.branch, a.stamp()), OID: was}
			if _, err := a.Git.Output(ctx, j.work, "update-ref", r.Name, r.OID, ""); err != nil {
				return fmt.Errorf("%s in %s changed while sync-back ran (it was at %s, not %s) and could not be saved: %w", j.branch, j.work, short(was), short(j.workTip), err)
			}
			j.backups = append(j.backups, r)
			j.saved(a, r)
			a.warnf("%s in %s changed while sync-back ran: the reset replaced %s, not %s; both are saved", j.branch, j.work, short(was), short(j.workTip))
			return nil
		},
	}
}

// putBackStep undoes the move of the work branch: back to where it was,
// while it is still at the staging HEAD, keeping uncommitted changes.
func (j *syncJob) putBackStep(a *App) *step {
	return &step{
		desc: fmt.Sprintf("put %s in %s back at %s", j.branch, j.work, short(j.workTip)),
		do: func(ctx context.Context) error {
			if !j.workMoved {
				return nil
			}
			back := j.workTip
			if j.workWas != "" {
				back = j.workWas
			}
			tip := j.workBranchTip(ctx, a)
			if tip != j.head {
				return fmt.Errorf("%s in %s moved on to %s after sync-back moved it; it is left there", j.branch, j.work, short(tip))
			}
			cmd := []string{"reset", "--quiet", "--keep", back}
			if on, _ := a.Git.Output(ctx, j.work, "symbolic-ref", "-q", "HEAD"); strings.TrimSpace(string(on)) != "refs/heads/"+j.branch {
				cmd = []string{"update-ref", "refs/heads/" + j.branch, back, j.head}
			}
			if _, err := a.Git.Output(ctx, j.work, cmd...); err != nil {
				return fmt.Errorf("%s in %s is left at %s (%w); put it back with: git -C %s %s",
					j.branch, j.work, short(j.head), err, gitcmd.Quote(j.work), gitcmd.QuoteArgs(cmd))
			}
			j.workMoved = false
			return nil
		},
	}
}

// switchStep switches the work repository to the branch (--auto-checkout),
// and says so; its undo switches back.
func (j *syncJob) switchStep(a *App) *step {
	back := []string{"switch", "--quiet", j.fromBranch}
	if j.fromBranch == "" {
		back = []string{"switch", "--quiet", "--detach", j.fromOID}
	}
	return &step{
		git: &gitcmd.Cmd{Dir: j.work, Args: []string{"switch", "--quiet", j.branch}},
		check: func(ctx context.Context, _ []byte, err error) error {
			// A failing post-checkout hook fails git switch after it
			// switched: where HEAD is is read back.
			if err == nil || j.workHead(ctx, a) == "refs/heads/"+j.branch {
				j.switched = true
				a.infof("switched %s from %s to %q", j.work, j.from(), j.branch)
			}
			return err
		},
		undo: &step{
			desc: fmt.Sprintf("switch %s back to %s", j.work, j.from()),
			do: func(ctx context.Context) error {
				if !j.switched {
					return nil
				}
				from := "refs/heads/" + j.fromBranch
				if j.fromBranch == "" {
					from = j.fromOID
				}
				if _, err := a.Git.Output(ctx, j.work, back...); err != nil && j.workHead(ctx, a) != from {
					return fmt.Errorf("%s is left on %q (%w); switch back with: git -C %s %s", j.work, j.branch, err, gitcmd.Quote(j.work), gitcmd.QuoteArgs(back))
				}
				j.switched = false
				a.infof("switched %s back to %s", j.work, j.from())
				return nil
			},
		},
	}
}
