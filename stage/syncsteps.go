// sync-back's plan: the steps that land the staging HEAD, and their undo.

package stage

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/git-stage/git-stage/gitcmd"
)

// steps are sync-back's changes, in order.
func (j *syncJob) steps(a *App) []*step {
	if j.mode == modeReview {
		return j.reviewSteps(a)
	}
	if j.mode == "" {
		// Nothing to sync, but what --force saves is saved, and the temp
		// branch is still cleaned up.
		steps := j.backupSteps(a)
		if j.tempAt == "" {
			return steps
		}
		cmd := deleteTempsCmd(j.work, j.remote, []gitcmd.Ref{{Name: j.temp, OID: j.tempAt}})
		return append(steps, &step{git: &cmd, check: func(ctx context.Context, out []byte, err error) error {
			done, err := leasedPushDone(ctx, out, err)
			return j.settleTemp(ctx, a, done, err)
		}})
	}
	if j.rebase == nil && j.mode != modeSquash {
		return j.landSteps(a)
	}
	// 0. The copy rebased onto the base's newest tip, and squashed: the
	// landing that follows names the commits these steps make, so it is
	// planned once they ran (a dry run names them REBASED and SQUASHED).
	var steps []*step
	if j.rebase != nil {
		steps = j.rebase.steps(a)
	}
	return append(steps, &step{later: func() []*step {
		if j.rebase != nil {
			j.head = j.rebase.result
			if j.head == j.rebase.onto {
				return j.nothingLeft(a)
			}
		}
		if j.mode != modeSquash {
			return j.landSteps(a)
		}
		return []*step{j.squashStep(a), {later: func() []*step { return j.landSteps(a) }}}
	}})
}

// landSteps land the staging HEAD as a fast-forward (or with --force a
// reset) of the branch, through the temp branch.
func (j *syncJob) landSteps(a *App) []*step {
	ref := "refs/heads/" + j.branch
	temp := "refs/heads/" + j.temp

	// 1. The staging HEAD on the temp branch, re-created if it was deleted,
	// but never over a value this run has not seen; and the staging
	// commits into the work repository, fetched from the copy (no ref is
	// written there). When the copy's remote is the work repository's,
	// the push goes from the copy, as a plain `git push` there would,
	// while the fetch runs; else from the work repository, after it.
	push := &step{
		git: a.push(gitcmd.Push{Dir: j.work, Remote: j.remote,
			Leases: []gitcmd.Lease{{Ref: temp, Expect: j.tempAt}}, Refspecs: []string{j.head + ":" + temp}}),
		check: func(ctx context.Context, out []byte, err error) error {
			if j.tempPushed = outcomeOf(out, err, temp); j.tempPushed == pushed {
				j.tempAt = j.head
			}
			return checkPush(ctx, out, err)
		},
		finish: true,
		// The first undo registered runs last: once everything else is
		// back, the backups are no longer needed.
		undo: j.restoreTempStep(a).then(j.dropBackups(a)),
	}
	fetch := &step{git: &gitcmd.Cmd{Dir: j.work, Args: []string{
		"fetch", "--quiet", "--no-tags", "--no-write-fetch-head", j.staging, j.head}}}
	if j.mode == modeSquash {
		// The squashed commits too: their backup ref is made there.
		fetch.git.Args = append(fetch.git.Args, j.origHead)
	}
	steps := []*step{fetch, push}
	if j.sameRemote() {
		push.git.Dir = j.staging
		steps = []*step{{beside: [][]*step{{push}, {fetch}}}}
	}
	steps = append(j.gateSteps(a), steps...)

	// 2. The work branch, moved to the staging HEAD, once the commits are
	// on the remote; what it replaces saved first.
	steps = append(steps, j.backupSteps(a)...)
	if j.switchTo {
		steps = append(steps, j.switchStep(a))
	}
	if j.workTip != j.head {
		// --keep: uncommitted changes are kept, and the reset refused if
		// they touch a file the reset would change.
		move := []string{"merge", "--quiet", "--ff-only", j.head}
		switch {
		case j.inPlace:
			// Leased: a commit made there meanwhile is not replaced.
			move = []string{"update-ref", "-m", "sync-back: " + j.mode, "refs/heads/" + j.branch, j.head, j.workTip}
		case j.mode == modeForce:
			// The reset writes the branch's reflog even where the
			// repository keeps none: its entry is how replacedStep
			// learns what the reset replaced.
			move = []string{"-c", "core.logAllRefUpdates=always", "reset", "--quiet", "--keep", j.head}
		}
		steps = append(steps, &step{git: &gitcmd.Cmd{Dir: j.work, Args: move}, check: j.checkMoved(a), undo: j.putBackStep(a)})
		if j.mode == modeForce && !j.inPlace {
			steps = append(steps, j.replacedStep(a))
		}
	}

	// 3. The branch onto the remote and the temp branch off it, at once.
	// The staging HEAD itself is pushed, not the work branch, which
	// someone may have moved on since.
	var leases []gitcmd.Lease
	if j.mode == modeForce {
		leases = append(leases, gitcmd.Lease{Ref: ref, Expect: j.remoteTip})
	}
	steps = append(steps, j.landStep(a, leases, j.head+":"+ref, j.head))

	// 4. The record; then the copy on the squash commit that landed, its
	// remote-tracking ref of the branch, and the work repository's
	// submodules the sync moved.
	steps = append(steps, j.recordStep(a, j.branch, nil))
	if j.mode == modeSquash {
		steps = append(steps, j.resetCopyStep(a))
	}
	steps = append(steps, j.trackLandedSteps()...)
	return append(steps, j.workSubmoduleSteps(a)...)
}

// from names what the work repository is on before it switches.
func (j *syncJob) from() string {
	if j.fromBranch == "" {
		return fmt.Sprintf("a detached HEAD (%s)", short(j.fromOID))
	}
	return strconv.Quote(j.fromBranch)
}

// backupSteps save, before anything moves, what the run will replace or
// leave unreachable (one transaction). With --force it also checks that
// the work branch is still where the checks saw it: a commit made there
// meanwhile is not replaced, and the run stops.
func (j *syncJob) backupSteps(a *App) []*step {
	verify := j.mode == modeForce && j.workTip != j.head
	if len(j.backups) == 0 && !verify {
		return nil
	}
	var b strings.Builder
	if verify {
		fmt.Fprintf(&b, "verify refs/heads/%s %s\n", j.branch, j.workTip)
	}
	for _, r := range j.backups {
		fmt.Fprintf(&b, "create %s %s\n", r.Name, r.OID)
	}
	return []*step{{git: &gitcmd.Cmd{Dir: j.work, Args: []string{"update-ref", "--stdin"}, Stdin: []byte(b.String())},
		check: func(ctx context.Context, _ []byte, err error) error {
			if err != nil {
				if tip := j.workBranchTip(ctx, a); tip != j.workTip {
					return fmt.Errorf("%s in %s changed while sync-back ran (it is at %s now, not %s): nothing is replaced",
						j.branch, j.work, short(tip), short(j.workTip))
				}
				return err
			}
			j.backedUp = true
			for _, r := range j.backups {
				j.saved(a, r)
			}
			return nil
		}}}
}

// saved says that the run saved r.
func (j *syncJob) saved(a *App, r gitcmd.Ref) {
	fmt.Fprintf(a.Stderr, "saved %s (%s) as %s\n", strings.TrimPrefix(r.Name, backupPrefix), short(r.OID), r.Name)
}

// dropBackups deletes the backups the run made, once the undo has put
// back what they keep (the work branch, the HEAD it switched from, the
// temp branch): the failure then truly changed nothing. While any of
// those is not back, they stay, and say so.
func (j *syncJob) dropBackups(a *App) func(context.Context) error {
	return func(ctx context.Context) error {
		if !j.backedUp || len(j.backups) == 0 {
			return nil
		}
		if j.workMoved || j.switched || j.tempAt != j.tempBefore {
			for _, r := range j.backups {
				a.warnf("kept %s (%s): what it saved is not back in place", r.Name, short(r.OID))
			}
			return nil
		}
		var b strings.Builder
		for _, r := range j.backups {
			fmt.Fprintf(&b, "delete %s %s\n", r.Name, r.OID)
		}
		if _, err := a.Git.Run(ctx, gitcmd.Cmd{Dir: j.work, Args: []string{"update-ref", "--stdin"}, Stdin: []byte(b.String())}); err != nil {
			return fmt.Errorf("the backups this run made are left in %s (%w)", j.work, err)
		}
		j.backedUp = false
		return nil
	}
}

// landStep pushes refspec with leases and, when the temp branch is on the
// remote (at tempAt), deletes it in the same atomic push. An old server
// without atomic pushes gets the two in turn. Once it went through, the
// sync is done: what the steps before it did is kept, whatever follows.
func (j *syncJob) landStep(a *App, leases []gitcmd.Lease, refspec, tempAt string) *step {
	temp := "refs/heads/" + j.temp
	target := strings.TrimPrefix(strings.SplitN(refspec, ":", 2)[1], "refs/heads/")
	alone := gitcmd.Push{Dir: j.work, Remote: j.remote, Leases: leases, Refspecs: []string{refspec}, Progress: a.Progress}
	land := alone
	if tempAt != "" {
		land.Atomic = true
		land.Leases = append([]gitcmd.Lease{{Ref: temp, Expect: tempAt}}, leases...)
		land.Refspecs = []string{refspec, ":" + temp}
	}
	return &step{
		git:    a.push(land),
		finish: true,
		lands:  true,
		check: func(ctx context.Context, out []byte, err error) error {
			// No ref was pushed or refused: it may be the --atomic that
			// the remote does not take.
			if err != nil && tempAt != "" && len(gitcmd.ParsePush(out)) == 0 && a.Git.AtomicUnsupported(ctx, land) {
				// An old server: the branch first, then the temp branch.
				a.warnf("%s does not support atomic pushes; pushing %s, then deleting %s", j.remote, target, j.temp)
				out, err = a.Git.Run(ctx, alone.Cmd())
				j.noteProtected(out, err)
				if err = checkPush(ctx, out, err); err != nil {
					return err
				}
				j.landed = true
				// The sync is done: a temp branch left behind is
				// recorded and reported, not a failure.
				if err := j.deleteTempStep(a).do(ctx); err != nil {
					a.warnf("%v", err)
				}
				return nil
			}
			j.noteProtected(out, err)
			if err = checkPush(ctx, out, err); err == nil {
				j.landed = true
				j.tempAt = ""
			}
			return err
		},
	}
}

// recordStep records the sync in the mapping; edit, when set, records more.
func (j *syncJob) recordStep(a *App, branch string, edit func(*Mapping)) *step {
	return &step{
		desc:    fmt.Sprintf("record the sync of %q in %s", j.name, j.store.Path),
		records: true,
		do: func(ctx context.Context) error {
			sync := &Sync{Time: a.Now().UTC().Truncate(1e9), Commit: j.head, Branch: branch, TempBranch: j.temp, Mode: j.mode}
			return j.store.Update(ctx, func(c *Config) error {
				m := c.Stagings[j.name]
				if m == nil {
					return refuse("clone the copy again to record it", "the mapping of %q was removed meanwhile", j.name)
				}
				m.LastSync = sync
				m.Leftovers = slices.DeleteFunc(m.Leftovers, func(t string) bool { return t == j.temp })
				if edit != nil {
					edit(m)
				}
				return nil
			})
		},
	}
}
