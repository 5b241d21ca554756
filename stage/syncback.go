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
	WorkName        string // another work repository: relative to the work root, or absolute
	Branch          string // "" for the recorded base branch
	TempBranch      string // "" for the copy's temp branch
	Remote          string // "" for the recorded remote
	AutoCheckout    bool
	Force           bool
	AllowDirtyStage bool
	AllowDirtyWork  bool
	DryRun          bool // print the plan, change nothing
	// ReviewBranch, when set, is the remote branch the staging HEAD goes
	// to instead of the base branch (%n: the staging name).
	ReviewBranch string
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
	tempAt               string // the temp branch on the remote as far as we know; "" when absent
	switchTo             bool   // the work repository switches to branch first
	mode                 string // modeFastForward, modeForce, or "" when there is nothing to sync
	nothingReason        string
	workRefs             []gitcmd.Ref // the branch, its tracking refs, and the backups
	backups              []gitcmd.Ref
	objects              []string // git's environment lending the copy's objects to the work repository
	review, reviewTip    string   // the review branch, and its tip on the remote ("" when absent)
	workMoved            bool     // the work branch was moved (the final push may still fail)
}

// SyncBack brings the staging copy's commits home through the remote: it
// pushes the staging HEAD to the temp branch, fast-forwards the work
// branch to it, and pushes that branch while deleting the temp branch, in
// one atomic push. Every check runs first. Once the temp branch is pushed,
// it is deleted on every way out: success, failure, Ctrl-C, SIGTERM.
func (a *App) SyncBack(ctx context.Context, s Settings, o SyncBackOptions) error {
	l, err := a.locate(ctx, s, o.Name)
	if err != nil {
		return err
	}
	unlock, err := l.lock(o.DryRun)
	if err != nil {
		return err
	}
	defer unlock()
	j, err := a.prepareSync(ctx, s, o, l)
	if err != nil {
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
	forced := ""
	if j.mode == modeForce {
		forced = " (forced)"
	}
	return fmt.Sprintf("%s %q%s: %s %s..%s in %s and on %s", verb, j.name, forced, j.branch, short(j.workTip), short(j.head), j.work, j.remote)
}

func (a *App) prepareSync(ctx context.Context, s Settings, o SyncBackOptions, l *located) (*syncJob, error) {
	m := l.m
	j := &syncJob{located: l, staging: m.StagingPath, work: m.WorkPath, remote: m.Remote, branch: m.BaseBranch, temp: m.TempBranch}
	if o.WorkName != "" {
		root := s.WorkRoot
		if root == "" {
			root = m.WorkRoot
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
	sst, err := a.Git.Status(ctx, j.staging)
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
		return j, a.prepareReview(ctx, j, o)
	}
	if werr != nil {
		return nil, wrap(werr, "", "read the state of %s", j.work)
	}
	if wst.Dirty() && !o.AllowDirtyWork {
		return nil, refuse("commit or stash them, or pass --allow-dirty-work (they are kept)",
			"work repository %s has uncommitted changes (%s)", j.work, changeList(wst.Changes))
	}
	if wst.Detached || wst.Branch != j.branch {
		on := "a detached HEAD"
		if !wst.Detached {
			on = strconv.Quote(wst.Branch)
		}
		if !o.AutoCheckout {
			return nil, refuse(fmt.Sprintf("check out %s there, or pass --auto-checkout", j.branch),
				"work repository %s is on %s, not %q", j.work, on, j.branch)
		}
		if wst.Dirty() {
			return nil, refuse("commit or stash them; --auto-checkout switches only a clean work tree",
				"cannot switch %s from %s to %q: it has uncommitted changes (%s)", j.work, on, j.branch, changeList(wst.Changes))
		}
		j.switchTo = true
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
	// The staging commits are compared in the work repository with the
	// copy's object store lent to it; they are fetched only by the run.
	j.objects = objectsEnv(j.staging)
	if o.DryRun {
		missing, err := a.Git.MissingObjects(ctx, j.work, j.objects, []string{j.remoteTip})
		if err != nil {
			return nil, wrap(err, "", "look for %s in %s", short(j.remoteTip), j.work)
		}
		if missing[j.remoteTip] {
			return nil, refuse(fmt.Sprintf("fetch it to preview against it: git -C %s fetch %s", gitcmd.Quote(j.work), j.remote),
				"%s on remote %q is at %s, which neither repository has yet; a dry run does not fetch", j.branch, j.remote, short(j.remoteTip))
		}
	}
	j.workRefs = refs
	return j, a.decide(ctx, j, o.Force)
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

// backupPrefix is where --force saves the tips it moves.
const backupPrefix = "refs/staging-sync/backup/"

// backupRef names a backup of branch: <prefix><branch>-<stamp>, or with
// -2, -3... when that is taken.
func (j *syncJob) backupRef(branch, stamp string) string {
	return FreeName(backupPrefix+branch+"-"+stamp, func(name string) bool {
		_, taken := gitcmd.Find(j.workRefs, name)
		return taken || slices.ContainsFunc(j.backups, func(r gitcmd.Ref) bool { return r.Name == name })
	})
}

// decide picks the mode: fast-forward when the staging HEAD contains both
// the work branch and the remote's branch; nothing to sync when it brings
// nothing new; else a refusal, or with --force a reset.
func (a *App) decide(ctx context.Context, j *syncJob, force bool) error {
	if j.head == j.workTip && j.head == j.remoteTip {
		j.nothingReason = fmt.Sprintf("%s in %s and on %s are already at the staging HEAD (%s)", j.branch, j.work, j.remote, short(j.head))
		return nil
	}
	missing, err := a.count(ctx, j.work, j.objects, j.workTip, j.remoteTip, "--not", j.head)
	if err != nil {
		return err
	}
	if missing == 0 {
		j.mode = modeFastForward
		return nil
	}
	fresh, err := a.count(ctx, j.work, j.objects, j.head, "--not", j.workTip, j.remoteTip)
	if err != nil {
		return err
	}
	if fresh == 0 && !force {
		j.nothingReason = fmt.Sprintf("every commit of the staging HEAD (%s) is already in %s of %s or on %s", short(j.head), j.branch, j.work, j.remote)
		return nil
	}
	behindWork, err := a.count(ctx, j.work, j.objects, j.workTip, "--not", j.head)
	if err != nil {
		return err
	}
	behindRemote, err := a.count(ctx, j.work, j.objects, j.remoteTip, "--not", j.head)
	if err != nil {
		return err
	}
	if !force {
		var lacks []string
		if behindWork > 0 {
			lacks = append(lacks, fmt.Sprintf("%d commit(s) of %s in %s", behindWork, j.branch, j.work))
		}
		if behindRemote > 0 {
			lacks = append(lacks, fmt.Sprintf("%d of %s/%s", behindRemote, j.remote, j.branch))
		}
		return refuse(fmt.Sprintf("bring them into the copy first (in it: git fetch %s && git rebase %s/%s), or pass --force to move %s to the staging HEAD (old tips are saved under refs/staging-sync/backup/)",
			j.remote, j.remote, j.branch, j.branch),
			"cannot fast-forward %s to the staging HEAD (%s, %d new commit(s)): it lacks %s",
			j.branch, short(j.head), fresh, strings.Join(lacks, " and "))
	}
	j.mode = modeForce
	stamp := a.Now().UTC().Format("20060102150405")
	if behindWork > 0 {
		j.backups = append(j.backups, gitcmd.Ref{Name: j.backupRef(j.branch, stamp), OID: j.workTip})
	}
	if behindRemote > 0 && j.remoteTip != j.workTip {
		j.backups = append(j.backups, gitcmd.Ref{Name: j.backupRef(j.remote+"/"+j.branch, stamp), OID: j.remoteTip})
	}
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
		if j.tempAt == "" {
			return nil
		}
		// Nothing to sync, but still clean up.
		cmd := deleteTempsCmd(j.work, j.remote, []gitcmd.Ref{{Name: j.temp, OID: j.tempAt}})
		return []*step{{git: &cmd, check: func(ctx context.Context, out []byte, err error) error {
			gone, err := tempDeleted(ctx, out, err)
			return j.settleTemp(ctx, a, gone, err)
		}}}
	}
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
			if err = checkPush(ctx, out, err); err == nil {
				j.tempAt = j.head
			}
			return err
		},
		finish: true,
		undo:   j.deleteTempStep(a),
	}
	fetch := &step{git: &gitcmd.Cmd{Dir: j.work, Args: []string{
		"fetch", "--quiet", "--no-tags", "--no-write-fetch-head", j.staging, j.head}}}
	steps := []*step{fetch, push}
	if j.sameRemote() {
		push.git.Dir, push.background = j.staging, true
		steps = []*step{push, fetch}
	}

	// 2. The work branch, moved to the staging HEAD, once the commits are
	// on the remote.
	first := len(steps)
	if j.switchTo {
		steps = append(steps, &step{git: &gitcmd.Cmd{Dir: j.work, Args: []string{"switch", "--quiet", j.branch}}})
	}
	// Whether the work branch moved is read back when git failed: an
	// interrupted merge may already have moved it (a post-merge hook runs
	// after), and the message must not say nothing changed.
	moved := func(ctx context.Context, _ []byte, err error) error {
		if err == nil {
			j.workMoved = true
			return nil
		}
		if tip, rerr := a.Git.Output(context.WithoutCancel(ctx), j.work, "rev-parse", "--verify", "-q", "refs/heads/"+j.branch); rerr == nil &&
			strings.TrimSpace(string(tip)) != j.workTip {
			j.workMoved = true
		}
		return err
	}
	if j.mode == modeForce {
		if len(j.backups) > 0 {
			var b strings.Builder
			for _, r := range j.backups {
				fmt.Fprintf(&b, "create %s %s\n", r.Name, r.OID)
			}
			steps = append(steps, &step{git: &gitcmd.Cmd{Dir: j.work, Args: []string{"update-ref", "--stdin"}, Stdin: []byte(b.String())},
				check: func(_ context.Context, _ []byte, err error) error {
					if err == nil {
						for _, r := range j.backups {
							fmt.Fprintf(a.Stderr, "saved %s (%s) as %s\n", strings.TrimPrefix(r.Name, backupPrefix), short(r.OID), r.Name)
						}
					}
					return err
				}})
		}
		if j.workTip != j.head {
			// --keep: uncommitted changes are kept, and the reset refused
			// if they touch a file the reset would change.
			steps = append(steps, &step{git: &gitcmd.Cmd{Dir: j.work, Args: []string{"reset", "--quiet", "--keep", j.head}}, check: moved})
		}
	} else if j.workTip != j.head {
		steps = append(steps, &step{git: &gitcmd.Cmd{Dir: j.work, Args: []string{"merge", "--quiet", "--ff-only", j.head}}, check: moved})
	}

	// 3. The branch onto the remote and the temp branch off it, at once.
	var leases []string
	if j.mode == modeForce {
		leases = append(leases, "--force-with-lease="+ref+":"+j.remoteTip)
	}
	steps = append(steps, j.landStep(a, leases, ref+":"+ref, j.head))
	steps[first].waits = true

	// 4. The record.
	return append(steps, j.recordStep(a, j.branch, nil))
}

// sameRemote reports whether the copy's remote of the sync is the work
// repository's: the same URLs to fetch from and push to, as their config
// files say (read without git; false when they cannot be read so, or the
// copy has no such remote, as with sync-back --remote).
func (j *syncJob) sameRemote() bool {
	prefix := "remote." + j.remote + "."
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
	copyURLs, ok := urls(j.staging)
	workURLs, workOK := urls(j.work)
	return ok && workOK && len(workURLs) > 0 && slices.Equal(copyURLs, workURLs)
}

// landStep pushes refspec with leases and, when the temp branch is on the
// remote (at tempAt), deletes it in the same atomic push. An old server
// without atomic pushes gets the two in turn.
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
		check: func(ctx context.Context, out []byte, err error) error {
			if err != nil && tempAt != "" && strings.Contains(gitcmd.StderrOf(err), "does not support --atomic push") {
				// An old server: the branch first, then the temp branch.
				a.warnf("%s does not support atomic pushes; pushing %s, then deleting %s", j.remote, target, j.temp)
				out, err = a.Git.Run(ctx, gitcmd.Cmd{Dir: j.work, Tee: a.Progress, Args: pushArgs(a, append(leases, j.remote, refspec)...)})
				if err = checkPush(ctx, out, err); err != nil {
					return err
				}
				return j.deleteTempStep(a).do(ctx)
			}
			if err = checkPush(ctx, out, err); err == nil {
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
			gone, err := a.deleteTemp(ctx, j.work, j.remote, j.temp, j.tempAt)
			return j.settleTemp(ctx, a, gone, err)
		},
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
	switch {
	case undoIncomplete(err):
		return "see above for what is left; run sync-back again once the cause is fixed"
	case j.workMoved:
		return fmt.Sprintf("%s in %s now holds the staging commits but %s does not; run sync-back again once the cause is fixed to finish",
			j.branch, j.work, j.remote)
	default:
		return syncUndone
	}
}
