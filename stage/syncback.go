package stage

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/git-stage/git-stage/gitcmd"
)

// SyncBackOptions are sync-back's arguments and flags.
type SyncBackOptions struct {
	Name            string // "" for the staging copy containing Cwd
	WorkName        string // another work repository: relative to the work root, to Cwd (./, ../), or absolute
	Branch          string // "" for the recorded base branch
	TempBranch      string // "" for the copy's temp branch
	Remote          string // "" for the recorded remote
	AutoCheckout    bool
	Force           bool
	AllowDirtyStage bool
	AllowDirtyWork  bool
	DryRun          bool // print the plan, change nothing
	NoWait          bool // refuse at once when another sync-back is landing in the work repository
	NoVerify        bool // skip the stage.preSync gate
	// ReviewBranch, when set, is the remote branch the staging HEAD goes
	// to instead of the base branch (%n: the staging name).
	ReviewBranch string
	// Rebase rebases the copy's commits, inside the copy, onto the base's
	// newest tip when the base moved, then lands them as a fast-forward.
	Rebase bool
	// Squash lands the copy's commits as one commit (rebased as with
	// Rebase when the base moved), with Message or a summary of their
	// subjects as its message.
	Squash  bool
	Message string
}

// Sync modes, as the config records them.
const (
	modeFastForward = "fast-forward"
	modeForce       = "force"
)

// syncJob is everything sync-back decided before changing anything.
type syncJob struct {
	*located
	staging, work        string
	remote, branch, temp string
	head                 string // the staging HEAD: what is synced
	workTip              string // the work branch before the sync
	remoteTip            string // the remote's branch, fetched now
	tempBefore           string // the temp branch on the remote before the run; "" when absent
	tempAt               string // the temp branch on the remote as far as we know; "" when absent
	tempPushed           pushOutcome
	switchTo             bool   // the work repository switches to branch first, from:
	inPlace              bool   // the branch is not checked out there: it is moved with update-ref, from:
	fromBranch, fromOID  string // the branch it is on ("" when detached), and its commit
	switched             bool   // it did switch
	workMoved            bool   // the run moved the work branch
	workWas              string // from where: workTip, unless a commit came in between
	backedUp             bool   // the backups are made
	mode                 string // modeFastForward, modeForce, modeRebase, modeSquash, modeReview, or "" when there is nothing to sync
	nothingReason        string
	workRefs             []gitcmd.Ref    // the branch, its tracking refs, and the backups
	backups              []gitcmd.Ref    // refs the run creates first, to keep what it replaces
	objects              []string        // git's environment lending the copy's objects to the work repository
	review, reviewTip    string          // the review branch, and its tip on the remote ("" when absent)
	landed               bool            // the final push went through: the sync is done but for its record
	submodules           []workSubmodule // the work repository's submodules the sync moves
	origHead             string          // the staging HEAD before a rebase or squash
	rebase               *rebase         // the copy rebased onto the base's newest tip first; nil when not
	squashBase           string          // --squash: the commit the squash commit is made on
	squashMsg            string          // and its message
	squashed             int             // how many commits it squashes
	squashSign           bool            // and it is signed (commit.gpgSign in the copy)
	squashBackup         string          // the backup ref keeping them, in the work repository
	preSquash            string          // the copy's HEAD the squash commit was made of
	unlock               func()          // lets go of the work repository's landing lock
	gate                 []string        // the stage.preSync commands, run before the first push
}

// SyncBack brings the staging copy's commits home through the remote: it
// pushes the staging HEAD to the temp branch, fast-forwards the work
// branch to it, and pushes that branch while deleting the temp branch, in
// one atomic push. Every check runs first. Once the temp branch is pushed,
// it is deleted on every way out: success, failure, Ctrl-C, SIGTERM.
func (a *App) SyncBack(ctx context.Context, s Settings, o SyncBackOptions) error {
	l, unlock, err := a.locateLocked(ctx, s, o.Name, o.DryRun)
	if err != nil {
		return err
	}
	defer unlock()
	j, err := a.prepareSync(ctx, s, o, l)
	if err != nil {
		return checksInterrupted(ctx, err, syncUndone, "sync-back of %q failed", l.name)
	}
	defer j.unlock()
	if err := a.readGate(ctx, j, s, o); err != nil {
		return checksInterrupted(ctx, err, syncUndone, "sync-back of %q failed", l.name)
	}
	if o.DryRun {
		a.preview(j.steps(a))
		a.infof("dry run: %s; nothing changed", j.summary("would sync"))
		return nil
	}

	if err := a.execute(ctx, j.steps(a)); err != nil {
		return wrap(err, j.failureHint(err), "sync-back of %q failed", j.name)
	}
	if ctx.Err() != nil && j.mode != "" {
		a.warnf("interrupted while the final push was under way; it went through, so the sync is complete")
	}
	a.infof("%s", j.summary("synced"))
	return nil
}

// summary says what the sync did, or with verb "would sync" what it would do.
func (j *syncJob) summary(verb string) string {
	if j.mode == "" {
		return "nothing to sync: " + j.nothingReason
	}
	if j.mode == modeReview {
		return fmt.Sprintf("%s %q for review: %s on %s (%s) is at %s; open a pull request from %s into %s",
			verb, j.name, j.review, j.remote, j.url(), short(j.head), j.review, j.branch)
	}
	how := ""
	switch {
	case j.mode == modeForce:
		how = " (forced)"
	case j.mode == modeSquash && j.rebase != nil:
		how = fmt.Sprintf(" (rebased onto %s, then %d commit(s) squashed into one; they are kept as %s)", short(j.rebase.onto), j.squashed, j.squashBackup)
	case j.mode == modeSquash:
		how = fmt.Sprintf(" (%d commit(s) squashed into one; they are kept as %s)", j.squashed, j.squashBackup)
	case j.rebase != nil:
		how = fmt.Sprintf(" (rebased onto %s)", short(j.rebase.onto))
	}
	stays := ""
	if j.inPlace {
		stays = fmt.Sprintf("; %s stays on %s", j.work, j.from())
	}
	return fmt.Sprintf("%s %q%s: %s %s..%s in %s and on %s%s", verb, j.name, how, j.branch, short(j.workTip), short(j.head), j.work, j.remote, stays)
}

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

	// Both repositories and the remote, read at once: the three calls
	// touch different things, and on a large tree the two status calls
	// are most of sync-back's own time.
	track := "refs/remotes/" + j.remote + "/"
	var sst, wst *gitcmd.Status
	var werr, ferr error
	var remoteRefs []gitcmd.Ref
	var wg sync.WaitGroup
	if o.ReviewBranch == "" {
		wg.Go(func() { wst, werr = a.Git.Status(ctx, j.work) })
		wg.Go(func() { remoteRefs, ferr = j.readRemote(ctx, a, o.DryRun) })
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
		return nil, wrap(ferr, "check that the branch is on the remote, and the remote's URL, the network and your credentials",
			"cannot fetch %s from remote %q", j.branch, j.remote)
	}
	refs, err := a.Git.ForEachRef(ctx, j.work, "refs/heads/"+j.branch, track+j.branch, track+j.temp, backupPrefix)
	if err != nil {
		return nil, wrap(err, "", "read the branches of %s", j.work)
	}
	if o.DryRun {
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
			"temp branch %s recorded for %q in %s is a branch of %s outside %s: sync-back does not move or delete it", j.temp, j.name, j.config, j.remote, TempPrefix)
	}
	if o.TempBranch == "" || strings.HasPrefix(j.temp, TempPrefix) && (j.temp == j.m.TempBranch || slices.Contains(j.m.Leftovers, j.temp)) {
		return nil
	}
	return refuse("name a new branch with --temp-branch (sync-back creates and deletes it), or leave it out to use the copy's own",
		"temp branch %s is a branch of %s that is not a temp branch of %q", j.temp, j.remote, j.name)
}

// readRemote reads the remote's branch and temp branch in one round trip:
// fetched into the work repository's remote-tracking refs, or for a dry
// run, which changes nothing, only listed (returned as remote-tracking
// refs).
func (j *syncJob) readRemote(ctx context.Context, a *App, dryRun bool) ([]gitcmd.Ref, error) {
	track := "refs/remotes/" + j.remote + "/"
	if dryRun {
		refs, err := a.Git.LsRemote(ctx, j.work, j.remote, "refs/heads/"+j.branch, "refs/heads/"+j.temp)
		for i := range refs {
			refs[i].Name = track + strings.TrimPrefix(refs[i].Name, "refs/heads/")
		}
		return refs, err
	}
	_, err := a.Git.Run(ctx, gitcmd.Cmd{Dir: j.work, Tee: a.Progress, Args: []string{
		"fetch", "--prune", "--no-tags", a.progressArg(), j.remote,
		"+refs/heads/" + j.branch + ":" + track + j.branch,
		// A pattern, so that a temp branch already deleted is no error.
		"+refs/heads/" + j.temp + "*:" + track + j.temp + "*",
	}})
	return nil, err
}

// backupPrefix is where a run saves the commits it would otherwise leave
// to the reflog: the tips --force replaces, a detached HEAD's commits
// before --auto-checkout switches, a temp branch's commits the staging
// HEAD lacks. The loss rule counts these refs as safe.
const backupPrefix = "refs/staging-sync/backup/"

// backupRef names a backup of branch: <prefix><branch>-<stamp>, or with
// -2, -3... when that is taken.
func (j *syncJob) backupRef(branch, stamp string) string {
	return FreeName(backupPrefix+branch+"-"+stamp, func(name string) bool {
		_, taken := gitcmd.Find(j.workRefs, name)
		return taken || slices.ContainsFunc(j.backups, func(r gitcmd.Ref) bool { return r.Name == name })
	})
}

// decide picks the mode: fast-forward when the staging HEAD contains the
// work branch, the remote's branch and the temp branch; nothing to sync
// when the work branch and the remote's branch both contain it already;
// else a refusal, or with --force a reset. The old tips that --force
// replaces, and commits of the temp branch that the sync would delete
// (the user's pushes the copy no longer holds), are saved first.
func (a *App) decide(ctx context.Context, j *syncJob, force bool) error {
	var tips []string
	for _, t := range []string{j.workTip, j.remoteTip, j.tempAt} {
		if t != "" && t != j.head && !slices.Contains(tips, t) {
			tips = append(tips, t)
		}
	}
	lacking := 0
	if len(tips) > 0 {
		var err error
		if lacking, err = a.count(ctx, j.work, j.objects, append(tips, "--not", j.head)...); err != nil {
			return err
		}
	}
	nothing := func(how string) {
		j.mode = ""
		j.nothingReason = fmt.Sprintf("%s in %s and on %s %s the staging HEAD (%s)", j.branch, j.work, j.remote, how, short(j.head))
	}
	j.mode = modeFastForward
	if j.head == j.workTip && j.head == j.remoteTip {
		nothing("are already at")
	}
	if lacking == 0 {
		return nil
	}

	behind := func(tip string) (int, error) {
		if tip == j.head {
			return 0, nil
		}
		return a.count(ctx, j.work, j.objects, tip, "--not", j.head)
	}
	behindWork, err := behind(j.workTip)
	if err != nil {
		return err
	}
	behindRemote, err := behind(j.remoteTip)
	if err != nil {
		return err
	}
	if behindWork > 0 || behindRemote > 0 {
		// The copy lacks commits of the branch: it is only behind when
		// both the branch and the remote's branch hold the staging HEAD.
		ahead, err := a.count(ctx, j.work, j.objects, j.head, "--not", j.workTip)
		if err != nil {
			return err
		}
		aheadRemote, err := a.count(ctx, j.work, j.objects, j.head, "--not", j.remoteTip)
		if err != nil {
			return err
		}
		switch {
		case ahead == 0 && aheadRemote == 0:
			nothing("already hold")
		case !force:
			fresh, err := a.count(ctx, j.work, j.objects, j.head, "--not", j.workTip, j.remoteTip)
			if err != nil {
				return err
			}
			var lacks []string
			if behindWork > 0 {
				lacks = append(lacks, fmt.Sprintf("%d commit(s) of %s in %s", behindWork, j.branch, j.work))
			}
			if behindRemote > 0 {
				lacks = append(lacks, fmt.Sprintf("%d of %s/%s", behindRemote, j.remote, j.branch))
			}
			news := ""
			if fresh > 0 {
				news = fmt.Sprintf(", %d new commit(s)", fresh)
			}
			// Work and remote diverged: neither --rebase nor update can
			// help before they are settled, and the refusal says so.
			if _, err := a.newestBase(ctx, j.work, nil, j.workTip, j.remoteTip, j.branch, j.remote); err != nil {
				return err
			}
			discard, err := a.count(ctx, j.work, j.objects, j.workTip, j.remoteTip, "--not", j.head)
			if err != nil {
				return err
			}
			return refuse(fmt.Sprintf("land it rebased onto them: git staging sync-back --rebase (or first, without landing: git staging update %s); "+
				"--force would instead take those %d commit(s) off %s, in %s and on %s (keeping them only under refs/staging-sync/backup/)",
				gitcmd.Quote(j.name), discard, j.branch, j.work, j.remote),
				"cannot fast-forward %s to the staging HEAD (%s%s): it lacks %s",
				j.branch, short(j.head), news, strings.Join(lacks, " and "))
		default:
			j.mode = modeForce
			if behindWork > 0 {
				j.backups = append(j.backups, gitcmd.Ref{Name: j.backupRef(j.branch, a.stamp()), OID: j.workTip})
			}
			if behindRemote > 0 && j.remoteTip != j.workTip {
				j.backups = append(j.backups, gitcmd.Ref{Name: j.backupRef(j.remote+"/"+j.branch, a.stamp()), OID: j.remoteTip})
			}
		}
	}

	return a.checkTemp(ctx, j, force)
}

// checkTemp refuses, or with --force saves, commits of the temp branch
// that the sync would delete: those neither the staging HEAD nor the
// branch holds (the user's pushes the copy no longer has).
func (a *App) checkTemp(ctx context.Context, j *syncJob, force bool) error {
	if j.tempAt == "" || j.tempAt == j.head {
		return nil
	}
	cs, err := a.logCommits(ctx, gitcmd.Cmd{Dir: j.work, Env: j.objects, Args: []string{j.tempAt, "--not", j.head, j.workTip, j.remoteTip}})
	if err != nil {
		return wrap(err, "", "list commits in %s", j.work)
	}
	var lost []string
	for _, c := range cs {
		lost = append(lost, c.String())
	}
	if len(lost) == 0 {
		return nil
	}
	if !force {
		return refuse(fmt.Sprintf("bring them into the copy (in it: git pull --rebase %s %s), or pass --force to save them under refs/staging-sync/backup/ and sync anyway", gitcmd.Quote(j.remote), gitcmd.Quote(j.temp)),
			"temp branch %s on %s holds %d commit(s) that the staging HEAD lacks (%s)", j.temp, j.remote, len(lost), strings.Join(lost, ", "))
	}
	j.backups = append(j.backups, gitcmd.Ref{Name: j.backupRef(j.remote+"/"+j.temp, a.stamp()), OID: j.tempAt})
	return nil
}

// count runs `git rev-list --count` on commit ids, with env added to git's
// environment.
func (a *App) count(ctx context.Context, dir string, env []string, revs ...string) (int, error) {
	out, err := a.Git.Run(ctx, gitcmd.Cmd{Dir: dir, Env: env, Args: append([]string{"rev-list", "--count"}, revs...)})
	if err != nil {
		return 0, wrap(err, "", "compare commits in %s", dir)
	}
	return strconv.Atoi(strings.TrimSpace(string(out)))
}

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
		git: &gitcmd.Cmd{Dir: j.work, Tee: a.Progress, Args: pushArgs(a,
			"--force-with-lease="+temp+":"+j.tempAt, j.remote, j.head+":"+temp)},
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
		push.git.Dir, push.background = j.staging, true
		steps = []*step{push, fetch}
	}
	steps = append(j.gateSteps(a), steps...)

	// 2. The work branch, moved to the staging HEAD, once the commits are
	// on the remote; what it replaces saved first.
	first := len(steps)
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
	var leases []string
	if j.mode == modeForce {
		leases = append(leases, "--force-with-lease="+ref+":"+j.remoteTip)
	}
	steps = append(steps, j.landStep(a, leases, j.head+":"+ref, j.head))
	steps[first].waits = true

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

// landStep pushes refspec with leases and, when the temp branch is on the
// remote (at tempAt), deletes it in the same atomic push. An old server
// without atomic pushes gets the two in turn. Once it went through, the
// sync is done: what the steps before it did is kept, whatever follows.
func (j *syncJob) landStep(a *App, leases []string, refspec, tempAt string) *step {
	temp := "refs/heads/" + j.temp
	target := strings.TrimPrefix(strings.SplitN(refspec, ":", 2)[1], "refs/heads/")
	args := append([]string{}, leases...)
	if tempAt != "" {
		args = append([]string{"--atomic", "--force-with-lease=" + temp + ":" + tempAt}, args...)
	}
	args = append(args, j.remote, refspec)
	if tempAt != "" {
		args = append(args, ":"+temp)
	}
	return &step{
		git:    &gitcmd.Cmd{Dir: j.work, Tee: a.Progress, Args: pushArgs(a, args...)},
		finish: true,
		lands:  true,
		check: func(ctx context.Context, out []byte, err error) error {
			// No ref was pushed or refused: it may be the --atomic that
			// the remote does not take.
			if err != nil && tempAt != "" && len(gitcmd.ParsePush(out)) == 0 &&
				a.Git.AtomicUnsupported(ctx, j.work, append([]string{"--porcelain"}, args...)) {
				// An old server: the branch first, then the temp branch.
				a.warnf("%s does not support atomic pushes; pushing %s, then deleting %s", j.remote, target, j.temp)
				out, err = a.Git.Run(ctx, gitcmd.Cmd{Dir: j.work, Tee: a.Progress, Args: pushArgs(a, append(leases, j.remote, refspec)...)})
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
		desc:    fmt.Sprintf("record the sync of %q in %s", j.name, j.config),
		records: true,
		do: func(ctx context.Context) error {
			sync := &Sync{Time: a.Now().UTC().Truncate(1e9), Commit: j.head, Branch: branch, TempBranch: j.temp, Mode: j.mode}
			return j.store().Update(ctx, func(c *Config) error {
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
	if _, err := a.Git.Output(context.WithoutCancel(ctx), j.staging, args...); err != nil {
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
	return j.store().Update(ctx, func(c *Config) error {
		if m := c.Stagings[j.name]; m != nil && !slices.Contains(m.Leftovers, j.temp) {
			m.Leftovers = append(m.Leftovers, j.temp)
		}
		return nil
	})
}

// syncUndone is the hint of a sync-back that failed and left nothing.
const syncUndone = "nothing changed in the work repository or on the remote; run sync-back again once the cause is fixed"

// failureHint says where a failed sync-back left things.
func (j *syncJob) failureHint(err error) string {
	if hint, ok := conflictHint(err); ok {
		return hint
	}
	switch {
	case j.landed && j.mode == modeReview:
		return fmt.Sprintf("the push itself is done: review branch %s on %s is at %s; only its record in %s is missing",
			j.review, j.remote, short(j.head), j.config)
	case j.landed:
		return fmt.Sprintf("the sync itself is done: %s in %s and on %s are at %s; only its record in %s is missing",
			j.branch, j.work, j.remote, short(j.head), j.config)
	case undoIncomplete(err):
		return "see above for what is left; run sync-back again once the cause is fixed"
	case gateFailed(err):
		return gateHint
	default:
		return syncUndone
	}
}
