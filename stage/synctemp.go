// sync-back and the temp branch: whose remote pushes it, how it is put
// back or deleted, and a leftover recorded.

package stage

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/git-stage/git-stage/gitcmd"
)

// sameRemote reports whether the copy's remote of the sync is the work
// repository's (see sameRemote).
func (j *syncJob) sameRemote() bool { return sameRemote(j.staging, j.work, j.remote) }

// sameRemote reports whether remote is the same in the copy and in the
// work repository: the same URLs to fetch from and push to, as their
// config files say (read without git; false when they cannot be read so,
// or the copy has no such remote, as with sync-back --remote).
func sameRemote(copy, work, remote string) bool {
	prefix := "remote." + remote + "."
	urls := func(dir string) ([]string, bool) {
		entries, ok := gitcmd.ReadConfig(dir, prefix, os.Getenv)
		var out []string
		for _, e := range entries {
			if e.Key == prefix+"url" || e.Key == prefix+"pushurl" {
				out = append(out, e.Key+"="+e.Value)
			}
		}
		return out, ok
	}
	copyURLs, ok := urls(copy)
	workURLs, workOK := urls(work)
	return ok && workOK && len(workURLs) > 0 && slices.Equal(copyURLs, workURLs)
}

// deleteTempStep deletes the temp branch from the remote, while it still
// points where this run last knew it. One that cannot be deleted, or has
// moved, is recorded in the config as a leftover and reported.
func (j *syncJob) deleteTempStep(a *App) *step {
	return &step{
		desc: fmt.Sprintf("delete temp branch %s from %s", j.temp, j.remote),
		do: func(ctx context.Context) error {
			if j.tempAt == "" {
				return nil
			}
			done, err := a.moveTemp(ctx, j.work, j.remote, j.temp, j.tempAt, "")
			return j.settleTemp(ctx, a, done, err)
		},
	}
}

// restoreTempStep undoes the run's push to the temp branch, and only
// that: one the run created is deleted, one it moved goes back to where
// it was (the user's own push), each only while it is where the run put
// it.
func (j *syncJob) restoreTempStep(a *App) *step {
	what := "delete temp branch %s from %s"
	if j.tempBefore != "" {
		what = "put temp branch %s on %s back at " + short(j.tempBefore)
	}
	return &step{
		desc: fmt.Sprintf(what, j.temp, j.remote),
		do: func(ctx context.Context) error {
			if j.tempPushed == notPushed || j.tempBefore == j.head {
				return nil
			}
			done, err := a.moveTemp(ctx, j.work, j.remote, j.temp, j.head, j.tempBefore)
			if done {
				j.tempAt = j.tempBefore
				j.untrackPush(ctx, a)
				return nil
			}
			if err == nil && j.tempPushed == maybePushed {
				return nil // the push never reached it
			}
			j.tempAt = j.head
			return j.settleTemp(ctx, a, false, err)
		},
	}
}

// untrackPush puts the copy's remote-tracking ref of the temp branch back
// where the branch is again, when the run's push from the copy moved it:
// git status in the copy then tells the truth about the remote.
func (j *syncJob) untrackPush(ctx context.Context, a *App) {
	if !j.sameRemote() {
		return
	}
	ref := "refs/remotes/" + j.remote + "/" + j.temp
	args := []string{"update-ref", ref, j.tempBefore, j.head}
	if j.tempBefore == "" {
		args = []string{"update-ref", "-d", ref, j.head}
	}
	ctx = context.WithoutCancel(ctx)
	if _, err := a.Git.Output(ctx, j.staging, args...); err != nil {
		// A push that never moved it (a pre-push hook in the copy
		// refused it) left it where it belongs.
		if at, _ := a.Git.Output(ctx, j.staging, "rev-parse", "--verify", "-q", ref); strings.TrimSpace(string(at)) == j.tempBefore {
			return
		}
		a.warnf("%s in %s still says the temp branch is at %s: %v", ref, j.staging, short(j.head), err)
	}
}

// settleTemp follows the deletion of the temp branch: one that is gone is
// forgotten, one that is not is recorded as leftover and reported.
func (j *syncJob) settleTemp(ctx context.Context, a *App, gone bool, err error) error {
	if gone {
		j.tempAt = ""
		return nil
	}
	if rerr := j.recordLeftover(ctx); rerr != nil {
		return fmt.Errorf("temp branch %s is left on %s and could not be recorded: %w", j.temp, j.remote, rerr)
	}
	if err != nil {
		return fmt.Errorf("temp branch %s is left on %s (recorded as leftover): %w", j.temp, j.remote, err)
	}
	a.warnf("temp branch %s changed on %s since git-stage pushed it; it is left there and recorded as leftover", j.temp, j.remote)
	return nil
}

func (j *syncJob) recordLeftover(ctx context.Context) error {
	return j.store.Update(ctx, func(c *Config) error {
		if m := c.Stagings[j.name]; m != nil && !slices.Contains(m.Leftovers, j.temp) {
			m.Leftovers = append(m.Leftovers, j.temp)
		}
		return nil
	})
}
