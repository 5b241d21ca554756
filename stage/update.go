package stage

import (
	"context"
	"fmt"
	"sync"

	"github.com/git-stage/git-stage/gitcmd"
)

// UpdateOptions are update's arguments and flags.
type UpdateOptions struct {
	Name   string // "" for the staging copy containing Cwd
	DryRun bool
}

// updateJob is everything update decided before changing anything.
type updateJob struct {
	*located
	r        *rebase
	head     string // the copy's HEAD
	upToDate string // why there is nothing to do; "" when there is
	commits  int    // the copy's own commits the rebase carries
	unlock   func() // lets go of the work repository's landing lock
}

// Update brings a staging copy up to date with its base: its commits are
// rebased, inside the copy, onto the base's newest tip (the remote's
// branch or the work branch, whichever contains the other), taken from
// the work repository's objects. Nothing lands: the work repository and
// the remote are left alone. A conflict stops with the copy in git's own
// rebase state.
func (a *App) Update(ctx context.Context, s Settings, o UpdateOptions) error {
	l, unlock, err := a.locateLocked(ctx, s, o.Name, o.DryRun)
	if err != nil {
		return err
	}
	defer unlock()
	j, err := a.prepareUpdate(ctx, l, o.DryRun)
	if err != nil {
		return checksInterrupted(ctx, err, "nothing changed", "update of %q failed", l.name)
	}
	defer j.unlock()
	if j.upToDate != "" {
		a.infof("%q is up to date: %s", j.name, j.upToDate)
		return nil
	}
	ran, err := a.runPlan(ctx, o.DryRun, j.r.steps(a), func() string {
		return fmt.Sprintf("would rebase %d commit(s) of %q onto %s (%s)", j.commits, j.name, j.r.branch, short(j.r.onto))
	}, func(err error) error {
		hint, ok := conflictHint(err)
		if !ok {
			hint = "nothing changed; run update again once the cause is fixed"
		}
		return wrap(err, hint, "update of %q failed", j.name)
	})
	if !ran {
		return err
	}
	a.infof("updated %q: rebased %d commit(s) onto %s (%s); HEAD is at %s", j.name, j.commits, j.r.branch, short(j.r.onto), short(j.r.result))
	return nil
}

// prepareUpdate runs update's checks and decides what the rebase is, or
// that the copy is up to date. Outside a dry run it takes the work
// repository's landing lock first (j.unlock lets go of it; on an error
// it is let go already), and fetches into the copy the remote's tip
// when neither repository has it: the only change before the plan runs.
func (a *App) prepareUpdate(ctx context.Context, l *located, dryRun bool) (_ *updateJob, err error) {
	m := l.m
	copy, work, remote, branch := m.StagingPath, m.WorkPath, m.Remote, m.BaseBranch
	if err := a.checkTopLevel(ctx, copy, "staging copy"); err != nil {
		return nil, err
	}
	if err := a.checkTopLevel(ctx, work, "work repository"); err != nil {
		return nil, err
	}
	if err := checkNoOperation(copy, "staging copy"); err != nil {
		return nil, err
	}
	// A landing into the work repository under way has moved its branch,
	// not yet the remote's: the copy waits for it to end, either way, as
	// another sync-back would, rather than take that half-landed tip.
	unlock := func() {}
	if !dryRun {
		var err error
		if unlock, err = a.lockWork(ctx, work, true); err != nil {
			return nil, err
		}
	}
	defer func() {
		if err != nil {
			unlock()
		}
	}()

	// The copy, the work branch and the remote's branch, read at once;
	// the remote is listed, and nothing is written anywhere.
	var st *gitcmd.Status
	var listed, refs []gitcmd.Ref
	var serr, lerr, rerr error
	var wg sync.WaitGroup
	wg.Go(func() { st, serr = a.Git.Status(ctx, copy) })
	wg.Go(func() { listed, lerr = a.Git.LsRemote(ctx, work, remote, "refs/heads/"+branch) })
	refs, rerr = a.Git.ForEachRef(ctx, work, "refs/heads/"+branch)
	wg.Wait()
	if serr != nil {
		return nil, wrap(serr, "", "read the state of %s", copy)
	}
	if st.Unborn() {
		return nil, refuse("commit something in the copy first", "staging copy %s has no commits", copy)
	}
	if rerr != nil {
		return nil, wrap(rerr, "", "read the branches of %s", work)
	}
	if lerr != nil {
		return nil, wrap(lerr, "check the remote's URL, the network and your credentials", "cannot list %s on remote %q", branch, remote)
	}
	workTip, ok := gitcmd.Find(refs, "refs/heads/"+branch)
	if !ok {
		return nil, refuse("create it there, or make the copy again from another branch", "branch %q does not exist in %s", branch, work)
	}
	remoteTip, ok := gitcmd.Find(listed, "refs/heads/"+branch)
	if !ok {
		return nil, refuse("push it first", "branch %q does not exist on remote %q", branch, remote)
	}

	j := &updateJob{located: l, head: st.OID, unlock: unlock}
	env := objectsEnv(copy)
	missing, err := a.Git.MissingObjects(ctx, work, env, []string{remoteTip})
	if err != nil {
		return nil, wrap(err, "", "look for %s in %s", short(remoteTip), work)
	}
	if missing[remoteTip] {
		// Someone pushed what neither repository has: the copy fetches
		// it (and only it) from the remote.
		if dryRun {
			return nil, refuse(fmt.Sprintf("fetch it to preview against it: git -C %s fetch %s", gitcmd.Quote(copy), remote),
				"%s on remote %q is at %s, which neither repository has yet; a dry run does not fetch", branch, remote, short(remoteTip))
		}
		if _, err := a.Git.Run(ctx, gitcmd.Cmd{Dir: copy, Tee: a.Progress, Args: []string{
			"fetch", "--no-tags", a.progressArg(), remote, "+refs/heads/" + branch + ":refs/remotes/" + remote + "/" + branch}}); err != nil {
			return nil, wrap(err, "check the remote's URL, the network and your credentials", "cannot fetch %s from remote %q", branch, remote)
		}
	}
	onto, err := a.newestBase(ctx, work, env, workTip, remoteTip, branch, remote)
	if err != nil {
		return nil, err
	}
	cs, holds, err := a.rebaseCommits(ctx, work, env, onto, j.head, copy, remote, branch)
	if err != nil {
		return nil, err
	}
	if holds {
		j.upToDate = fmt.Sprintf("it holds %s (%s), the newest of %s in %s and on %s", branch, short(onto), branch, work, remote)
		return j, nil
	}
	j.commits = len(cs)
	if err := checkRebaseClean(st, copy, "update"); err != nil {
		return nil, err
	}
	j.r = &rebase{name: l.name, copy: copy, work: work, onto: onto, orig: j.head, branch: branch}
	if !missing[remoteTip] && sameRemote(copy, work, remote) {
		j.r.tracking = []string{"+" + remoteTip + ":refs/remotes/" + remote + "/" + branch}
	}
	return j, nil
}
