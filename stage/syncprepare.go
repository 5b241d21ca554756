// sync-back's checks: everything it decides before it changes anything.

package stage

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/git-stage/git-stage/gitcmd"
)

func (a *App) prepareSync(ctx context.Context, s Settings, o SyncBackOptions, l *located) (_ *syncJob, err error) {
	m := l.m
	j := &syncJob{located: l, staging: m.StagingPath, work: m.WorkPath, remote: m.Remote, branch: m.BaseBranch, temp: m.TempBranch, unlock: func() {}}
	defer func() {
		if err != nil {
			j.unlock()
		}
	}()
	if o.WorkName != "" {
		root := s.WorkRoot
		if root == "" {
			root = m.WorkRoot
		}
		if cwdRelative(o.WorkName) {
			root = s.Cwd
		}
		j.work = AbsPath(o.WorkName, root)
	}
	if o.Remote != "" {
		j.remote = o.Remote
	}
	if o.Branch != "" {
		j.branch = o.Branch
	}
	if o.TempBranch != "" {
		j.temp = o.TempBranch
	}
	if err := checkRemoteName(j.remote); err != nil {
		return nil, err
	}
	if err := checkBranchName(j.branch); err != nil {
		return nil, err
	}
	if err := checkBranchName(j.temp); err != nil {
		return nil, err
	}
	if o.Squash && (o.Force || o.ReviewBranch != "") {
		return nil, &Error{Usage: true, Msg: "--squash goes with neither --force nor --review-branch",
			Hint: "--squash lands one commit as a fast-forward of the newest base; --review-branch pushes the copy as it is"}
	}
	if o.Force {
		o.Rebase = false // --force moves the branch to the staging HEAD as it is
	}
	if j.temp == j.branch {
		return nil, &Error{Usage: true, Msg: fmt.Sprintf("the temp branch and the branch to update are both %q", j.branch),
			Hint: "the temp branch is deleted at the end; name another with --temp-branch"}
	}
	if err := a.checkTopLevel(ctx, j.staging, "staging copy"); err != nil {
		return nil, err
	}
	if err := a.checkTopLevel(ctx, j.work, "work repository"); err != nil {
		return nil, err
	}
	// A half-finished rebase, merge... is never published, whatever
	// --allow-dirty-* says.
	if err := checkNoOperation(j.staging, "staging copy"); err != nil {
		return nil, err
	}
	if o.ReviewBranch == "" {
		if err := checkNoOperation(j.work, "work repository"); err != nil {
			return nil, err
		}
		// One landing at a time into the work repository; this run's
		// checks see what the one before it left.
		if !o.DryRun {
			unlock, err := a.lockWork(ctx, j.work, !o.NoWait)
			if err != nil {
				return nil, err
			}
			j.unlock = unlock
		}
	}

	// Both repositories, the remote's two branches and the work
	// repository's refs, read at once: the calls touch different things,
	// and on a large tree the two status calls are most of sync-back's own
	// time. Named from outside the copy, the gate's commands are read
	// there beside them (see settleGate).
	track := "refs/remotes/" + j.remote + "/"
	var sst, wst *gitcmd.Status
	var werr, ferr, rerr error
	var remoteRefs, refs []gitcmd.Ref
	var wg sync.WaitGroup
	if o.ReviewBranch == "" {
		wg.Go(func() { wst, werr = a.Git.Status(ctx, j.work) })
		wg.Go(func() { remoteRefs, ferr = j.listRemote(ctx, a) })
		wg.Go(func() { refs, rerr = j.readWorkRefs(ctx, a) })
	}
	switch {
	case o.NoVerify:
	case inRepoAt(s.Cwd, j.staging):
		j.gateRead = s.PreSync
	default:
		wg.Go(func() { j.gateRead, j.gateErr = a.readGateIn(ctx, j.staging) })
	}
	sst, err = a.Git.Status(ctx, j.staging)
	wg.Wait()
	if err != nil {
		return nil, wrap(err, "", "read the state of %s", j.staging)
	}
	if sst.Unborn() {
		return nil, refuse("commit something in the copy first", "staging copy %s has no commits", j.staging)
	}
	if sst.Dirty() {
		if !o.AllowDirtyStage {
			return nil, refuse("commit them in the copy, or pass --allow-dirty-stage (they are not synced)",
				"staging copy %s has uncommitted changes (%s)", j.staging, changeList(sst.Changes))
		}
		a.warnf("%s has uncommitted changes; they are not synced", j.staging)
	}
	j.head = sst.OID
	if o.ReviewBranch != "" {
		if err := a.prepareReview(ctx, j, o); err != nil {
			return nil, err
		}
		return j, a.checkGitlinks(ctx, j, "--not", "--branches", "--remotes="+j.remote)
	}
	if werr != nil {
		return nil, wrap(werr, "", "read the state of %s", j.work)
	}
	elsewhere := wst.Detached || wst.Branch != j.branch
	// A branch that is not checked out is moved in place: the work tree,
	// whatever it holds, is left alone.
	if wst.Dirty() && !o.AllowDirtyWork && (!elsewhere || o.AutoCheckout) {
		return nil, refuse(j.workDirtyHint(wst),
			"work repository %s has uncommitted changes (%s)", j.work, changeList(wst.Changes))
	}
	if elsewhere {
		j.fromBranch, j.fromOID = wst.Branch, wst.OID
		on := j.from()
		if !o.AutoCheckout {
			if wt := checkedOutIn(j.work, j.branch); wt != "" {
				return nil, refuse(fmt.Sprintf("sync into that worktree: git staging sync-back %s --work-name %s", gitcmd.Quote(j.name), gitcmd.Quote(wt)),
					"%s is checked out in another worktree of %s (%s): moving it there would leave that worktree's files behind", j.branch, j.work, wt)
			}
			j.inPlace = true
		} else if wst.Dirty() {
			return nil, refuse("commit or stash them; --auto-checkout switches only a clean work tree",
				"cannot switch %s from %s to %q: it has uncommitted changes (%s)", j.work, on, j.branch, changeList(wst.Changes))
		} else {
			j.switchTo = true
		}
	}

	if ferr != nil {
		return nil, wrap(ferr, "check the remote's URL, the network and your credentials", "cannot reach remote %q", j.remote)
	}
	if rerr != nil {
		return nil, rerr
	}
	// A dry run never fetches; and a remote without the branch is refused
	// below, from its listing.
	_, listed := gitcmd.Find(remoteRefs, track+j.branch)
	known := o.DryRun || !listed
	if !known {
		if known, err = j.remoteKnown(ctx, a, refs, remoteRefs); err != nil {
			return nil, err
		}
	}
	if !known {
		// The remote moved past what the work repository has: its commits
		// are fetched, and the refs read again.
		if err := j.fetchRemote(ctx, a); err != nil {
			return nil, wrap(err, "check that the branch is on the remote, and the remote's URL, the network and your credentials",
				"cannot fetch %s from remote %q", j.branch, j.remote)
		}
		if refs, err = j.readWorkRefs(ctx, a); err != nil {
			return nil, err
		}
	} else {
		refs = slices.DeleteFunc(refs, func(r gitcmd.Ref) bool { return strings.HasPrefix(r.Name, track) })
		refs = append(refs, remoteRefs...)
	}
	var ok bool
	if j.workTip, ok = gitcmd.Find(refs, "refs/heads/"+j.branch); !ok {
		return nil, refuse("create it there, or choose the branch with --branch", "branch %q does not exist in %s", j.branch, j.work)
	}
	if j.remoteTip, ok = gitcmd.Find(refs, track+j.branch); !ok {
		return nil, refuse("push it first", "branch %q does not exist on remote %q", j.branch, j.remote)
	}
	j.tempAt, _ = gitcmd.Find(refs, track+j.temp)
	j.tempBefore = j.tempAt
	if err := j.checkTempOwned(o); err != nil {
		return nil, err
	}
	// The staging commits are compared in the work repository with the
	// copy's object store lent to it; they are fetched only by the run.
	j.objects = objectsEnv(j.staging)
	if o.DryRun {
		if err := j.checkListed(ctx, a, j.remoteTip, j.branch); err != nil {
			return nil, err
		}
		if err := j.checkListed(ctx, a, j.tempAt, j.temp); err != nil {
			return nil, err
		}
	}
	j.workRefs = refs
	if j.switchTo && j.fromBranch == "" {
		// A detached HEAD's own commits would be reachable only from the
		// reflog once the work repository switches: they are saved first.
		n, err := a.count(ctx, j.work, nil, wst.OID, "--not", "--branches", "--tags", "--glob="+backupPrefix+"*")
		if err != nil {
			return nil, err
		}
		if n > 0 {
			j.backups = append(j.backups, gitcmd.Ref{Name: j.backupRef("HEAD", a.stamp()), OID: wst.OID})
		}
	}
	j.origHead = j.head
	if o.Rebase || o.Squash {
		if err := a.planRebase(ctx, j, o); err != nil {
			return nil, err
		}
	}
	if j.rebase != nil || j.nothingReason != "" {
		// Rebased onto the newest of both branches, the copy lands as a
		// fast-forward of each; or --rebase or --squash found nothing the
		// base lacks. Only the temp branch is left to check.
		if j.nothingReason == "" {
			j.mode = modeFastForward
		}
		if err := a.checkTemp(ctx, j, o.Force); err != nil {
			return nil, err
		}
	} else if err := a.decide(ctx, j, o.Force); err != nil {
		return nil, err
	}
	switch {
	case j.mode == "":
	case o.Squash:
		j.mode = modeSquash
		j.squashBackup = j.backupRef("squashed/"+j.name, a.stamp())
		j.backups = append(j.backups, gitcmd.Ref{Name: j.squashBackup, OID: j.head})
	case j.rebase != nil:
		j.mode = modeRebase
	}
	if j.rebase != nil && j.mode != "" {
		flag := "--rebase"
		if o.Squash {
			flag = "--squash"
		}
		if err := checkRebaseClean(sst, j.staging, flag); err != nil {
			return nil, err
		}
	}
	if err := a.checkGitlinks(ctx, j, "--not", j.workTip, j.remoteTip); err != nil {
		return nil, err
	}
	return j, a.planWorkSubmodules(ctx, j, wst)
}

// checkListed refuses a dry run against a commit the remote lists that
// neither repository has: it cannot be compared without a fetch.
func (j *syncJob) checkListed(ctx context.Context, a *App, oid, branch string) error {
	if oid == "" {
		return nil
	}
	missing, err := a.Git.MissingObjects(ctx, j.work, j.objects, []string{oid})
	if err != nil {
		return wrap(err, "", "look for %s in %s", short(oid), j.work)
	}
	if missing[oid] {
		return refuse(fmt.Sprintf("fetch it to preview against it: git -C %s fetch %s", gitcmd.Quote(j.work), j.remote),
			"%s on remote %q is at %s, which neither repository has yet; a dry run does not fetch", branch, j.remote, short(oid))
	}
	return nil
}

// checkTempOwned refuses a --temp-branch that is a branch of the remote
// other than a temp branch recorded for this copy: the run would move it,
// and delete it at the end.
func (j *syncJob) checkTempOwned(o SyncBackOptions) error {
	if j.tempAt == "" {
		return nil
	}
	if o.TempBranch == "" && !strings.HasPrefix(j.temp, TempPrefix) {
		// Only a hand-edited config records such a temp branch.
		return refuse("name a new temp branch with --temp-branch, or record a "+TempPrefix+" one in the config",
			"temp branch %s recorded for %q in %s is a branch of %s outside %s: sync-back does not move or delete it", j.temp, j.name, j.store.Path, j.remote, TempPrefix)
	}
	if o.TempBranch == "" || strings.HasPrefix(j.temp, TempPrefix) && (j.temp == j.m.TempBranch || slices.Contains(j.m.Leftovers, j.temp)) {
		return nil
	}
	return refuse("name a new branch with --temp-branch (sync-back creates and deletes it), or leave it out to use the copy's own",
		"temp branch %s is a branch of %s that is not a temp branch of %q", j.temp, j.remote, j.name)
}

// listRemote lists the remote's branch and temp branch in one round trip,
// named as the work repository's remote-tracking refs of them.
func (j *syncJob) listRemote(ctx context.Context, a *App) ([]gitcmd.Ref, error) {
	listed, err := a.Git.LsRemote(ctx, j.work, j.remote, "refs/heads/"+j.branch, "refs/heads/"+j.temp)
	var refs []gitcmd.Ref
	for _, r := range listed {
		if name, ok := strings.CutPrefix(r.Name, "refs/heads/"); ok && (name == j.branch || name == j.temp) {
			refs = append(refs, gitcmd.Ref{Name: "refs/remotes/" + j.remote + "/" + name, OID: r.OID})
		}
	}
	return refs, err
}

// readWorkRefs reads the work repository's branch, its remote-tracking
// refs of the branch and of the temp branch, and the backups.
func (j *syncJob) readWorkRefs(ctx context.Context, a *App) ([]gitcmd.Ref, error) {
	track := "refs/remotes/" + j.remote + "/"
	refs, err := a.Git.ForEachRef(ctx, j.work, "refs/heads/"+j.branch, track+j.branch, track+j.temp, backupPrefix)
	if err != nil {
		return nil, wrap(err, "", "read the branches of %s", j.work)
	}
	return refs, nil
}

// remoteKnown reports whether what the remote lists needs no fetch: its
// branch is where the work repository's remote-tracking ref says, and its
// temp branch is where that ref says too (both absent included), or, with
// no such ref, at the staging HEAD or at a commit the work repository
// has. Every commit the run then compares, saves or pushes back is at
// hand, and no remote-tracking ref a fetch would write says anything else.
// Only a temp branch at a commit no ref listed holds costs a look into the
// work repository's objects (one `git cat-file`).
func (j *syncJob) remoteKnown(ctx context.Context, a *App, refs, remote []gitcmd.Ref) (bool, error) {
	track := "refs/remotes/" + j.remote + "/"
	same := func(name string) bool {
		local, _ := gitcmd.Find(refs, name)
		listed, _ := gitcmd.Find(remote, name)
		return local == listed
	}
	if !same(track + j.branch) {
		return false, nil
	}
	if same(track + j.temp) {
		return true, nil
	}
	if _, tracked := gitcmd.Find(refs, track+j.temp); tracked {
		return false, nil
	}
	tip, _ := gitcmd.Find(remote, track+j.temp)
	if tip == j.head || slices.ContainsFunc(refs, func(r gitcmd.Ref) bool { return r.OID == tip }) {
		return true, nil
	}
	missing, err := a.Git.MissingObjects(ctx, j.work, nil, []string{tip})
	if err != nil {
		return false, wrap(err, "", "look for %s in %s", short(tip), j.work)
	}
	return !missing[tip], nil
}

// fetchRemote fetches the remote's branch and temp branch into the work
// repository's remote-tracking refs (pruning the temp branch's when the
// remote no longer has it).
func (j *syncJob) fetchRemote(ctx context.Context, a *App) error {
	track := "refs/remotes/" + j.remote + "/"
	_, err := a.Git.Run(ctx, gitcmd.Cmd{Dir: j.work, Tee: a.Progress, Args: []string{
		"fetch", "--prune", "--no-tags", a.progressArg(), j.remote,
		"+refs/heads/" + j.branch + ":" + track + j.branch,
		// A pattern, so that a temp branch already deleted is no error.
		"+refs/heads/" + j.temp + "*:" + track + j.temp + "*",
	}})
	return err
}
