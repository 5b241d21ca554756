package stage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/git-stage/git-stage/gitcmd"
)

// Sync modes that rewrite the copy's commits before they land, as the
// config records them.
const (
	modeRebase = "rebase"
	modeSquash = "squash"
)

// A plan cannot know the commits a rebase or a squash makes (their ids
// depend on the clock): it names them by these words, where the run
// shows their ids.
const (
	rebasedHead  = "REBASED"
	squashCommit = "SQUASHED"
)

// rebase is the copy's HEAD rebased, inside the copy, onto a newer tip of
// its base: sync-back --rebase and --squash, and update.
type rebase struct {
	name, copy, work string
	onto             string   // the base's newest tip, taken from the work repository's objects
	orig             string   // the copy's HEAD before
	tracking         []string // refspecs the fetch also updates in the copy (its remote-tracking ref of the base)
	done             bool     // the rebase went through
	halfway          bool     // it was interrupted halfway, its state left in the copy
	result           string   // the copy's HEAD after it (rebasedHead in a plan)
	branch           string   // the base branch, for messages
}

// newestBase is the newer of the work branch and the remote's branch:
// the one that contains the other. Diverged, they are refused: landing
// on either would leave out the other's commits.
func (a *App) newestBase(ctx context.Context, work string, env []string, workTip, remoteTip, branch, remote string) (string, error) {
	if workTip == remoteTip {
		return workTip, nil
	}
	out, err := a.Git.Run(ctx, gitcmd.Cmd{Dir: work, Env: env, Args: []string{"rev-list", "--left-right", "--count", workTip + "..." + remoteTip}})
	if err != nil {
		return "", wrap(err, "", "compare commits in %s", work)
	}
	var own, theirs int
	if _, err := fmt.Sscan(string(out), &own, &theirs); err != nil {
		return "", fmt.Errorf("cannot read git rev-list's counts %q in %s", out, work)
	}
	switch {
	case own > 0 && theirs > 0:
		return "", refuse(fmt.Sprintf("settle them in the work repository first (there: git pull --rebase %s %s, then git push), then run this again", remote, branch),
			"%s in %s and %s/%s have diverged (%d and %d commit(s) of their own): there is no one tip to rebase onto", branch, work, remote, branch, own, theirs)
	case own > 0:
		return workTip, nil
	default:
		return remoteTip, nil
	}
}

// checkRebaseClean refuses a copy with changes to tracked files: a
// rebase rewrites its branch and checks out every commit it makes.
func checkRebaseClean(st *gitcmd.Status, copy, why string) error {
	var tracked []gitcmd.Change
	for _, c := range st.Changes {
		if c.Kind != '?' && c.Kind != '!' {
			tracked = append(tracked, c)
		}
	}
	if len(tracked) == 0 {
		return nil
	}
	return refuse("commit or stash them in the copy first",
		"staging copy %s has uncommitted changes (%s): %s rewrites its commits", copy, changeList(tracked), why)
}

// steps bring onto into the copy from the work repository's objects
// (nothing is downloaded), rebase the copy's HEAD onto it, and read
// where that left HEAD. The rebase stops on a conflict with the copy in
// git's own rebase state, for the user to continue or abort; a failure
// after it puts the copy back.
func (r *rebase) steps(a *App) []*step {
	fetch := &step{git: &gitcmd.Cmd{Dir: r.copy, Args: append([]string{
		"fetch", "--quiet", "--no-tags", "--no-write-fetch-head", r.work, r.onto}, r.tracking...)}}
	reb := &step{
		// Only HEAD moves, whatever rebase.updateRefs says: the undo
		// puts back HEAD, and no other branch of the copy is the run's.
		git: &gitcmd.Cmd{Dir: r.copy, Tee: a.Progress, Args: []string{"rebase", "--quiet", "--no-update-refs", r.onto}},
		check: func(ctx context.Context, _ []byte, err error) error {
			if err == nil {
				r.done = true
				return nil
			}
			if op := gitcmd.InProgress(r.copy); op != nil && op.Name == "rebase" {
				if ctx.Err() != nil || gitcmd.Interrupted(err) {
					// Stopped halfway by Ctrl-C: the undo aborts it.
					r.halfway = true
					return err
				}
				return r.conflict(ctx, a, err) // not undone: the user finishes or aborts it
			}
			return err
		},
		undo: r.putBackStep(a),
	}
	// Where the rebase left HEAD, and where it started from (ORIG_HEAD):
	// a commit made in the copy after the checks was rebased too, and
	// the undo puts the copy back there, that commit included.
	head := &step{
		git: &gitcmd.Cmd{Dir: r.copy, Args: []string{"rev-parse", "HEAD", "ORIG_HEAD"}},
		check: func(_ context.Context, out []byte, err error) error {
			result, orig, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
			r.result = result
			if err == nil && orig != "" {
				r.orig = orig
				reb.undo.desc = r.putBackDesc()
			}
			return err
		},
		planned: func() { r.result = rebasedHead },
	}
	return []*step{fetch, reb, head}
}

// nothingLeft are the steps of a sync whose rebase left none of the
// copy's commits (git rebase dropped them, their changes being on the
// base already in other commits): nothing lands, no empty squash commit
// either; the copy stays rebased, the temp branch is cleaned up.
func (j *syncJob) nothingLeft(a *App) []*step {
	j.mode = ""
	j.nothingReason = fmt.Sprintf("rebased onto %s (%s), the staging copy has no change of its own left: %s in %s and on %s hold its changes already",
		j.branch, short(j.rebase.onto), j.branch, j.work, j.remote)
	// The squashed commits' backup: nothing is squashed (nor fetched).
	j.backups = slices.DeleteFunc(j.backups, func(r gitcmd.Ref) bool { return r.Name == j.squashBackup })
	return j.steps(a)
}

// conflictError is a rebase that stopped on a conflict: the copy is left
// in git's rebase state.
type conflictError struct {
	msg, hint string
	err       error
}

func (e *conflictError) Error() string { return e.msg }
func (e *conflictError) Unwrap() error { return e.err }

// conflict names the files a stopped rebase left in conflict, and both
// ways out.
func (r *rebase) conflict(ctx context.Context, a *App, err error) error {
	out, _ := a.Git.Run(context.WithoutCancel(ctx), gitcmd.Cmd{Dir: r.copy, Shown: true,
		Args: []string{"diff", "--name-only", "--diff-filter=U", "-z"}})
	var files []string
	for _, f := range strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00") {
		if f != "" {
			files = append(files, gitcmd.Quote(f))
		}
	}
	where := "a commit git could not apply"
	if len(files) > 0 {
		where = "a conflict in " + listSome(files, 10)
	}
	return &conflictError{
		msg: fmt.Sprintf("rebasing %q onto %s (%s) stopped on %s", r.name, r.branch, short(r.onto), where),
		hint: fmt.Sprintf("the copy %s is in the middle of the rebase; nothing was pushed, the work repository and the remote are unchanged. "+
			"Resolve the files there, git add them and run git rebase --continue, then run this again; or run git rebase --abort to put the copy back as it was",
			gitcmd.Quote(r.copy)),
		err: err,
	}
}

// putBackDesc says what putBackStep does, naming where the copy goes.
func (r *rebase) putBackDesc() string {
	return fmt.Sprintf("put %s back at %s", r.copy, short(r.orig))
}

// putBackStep undoes the rebase, once it went through, when a later
// step fails: the copy's HEAD goes back to where it was, while it is
// still where the rebase left it.
func (r *rebase) putBackStep(a *App) *step {
	return &step{
		desc: r.putBackDesc(),
		do: func(ctx context.Context) error {
			if r.halfway {
				if _, err := a.Git.Output(ctx, r.copy, "rebase", "--abort"); err != nil && gitcmd.InProgress(r.copy) != nil {
					return fmt.Errorf("%s is left in the middle of a rebase (%w); put it back with: git -C %s rebase --abort", r.copy, err, gitcmd.Quote(r.copy))
				}
				r.halfway = false
				return nil
			}
			if !r.done || gitcmd.InProgress(r.copy) != nil {
				return nil
			}
			out, err := a.Git.Output(ctx, r.copy, "rev-parse", "--verify", "HEAD")
			now := strings.TrimSpace(string(out))
			if err != nil || r.result != "" && now != r.result {
				return fmt.Errorf("%s moved on to %s after the rebase; it is left there (it was at %s before)", r.copy, short(now), short(r.orig))
			}
			if _, err := a.Git.Output(ctx, r.copy, "reset", "--quiet", "--keep", r.orig); err != nil {
				return fmt.Errorf("%s is left rebased (%w); put it back with: git -C %s reset --keep %s", r.copy, err, gitcmd.Quote(r.copy), r.orig)
			}
			r.done = false
			return nil
		},
	}
}

// conflictHint is the hint of err when it is a rebase stopped on a
// conflict (ok true): how to finish or abort it.
func conflictHint(err error) (hint string, ok bool) {
	var c *conflictError
	if errors.As(err, &c) {
		return c.hint, true
	}
	return "", false
}

// planRebase decides, for sync-back --rebase or --squash, what the copy's
// HEAD is rebased onto (nothing when it holds the base already), and for
// --squash what the one commit is made on, and its message. It runs
// before decide, which then holds the landing to a fast-forward of the
// rebased HEAD.
func (a *App) planRebase(ctx context.Context, j *syncJob, o SyncBackOptions) error {
	base, err := a.newestBase(ctx, j.work, nil, j.workTip, j.remoteTip, j.branch, j.remote)
	if err != nil {
		return err
	}
	cs, holds, err := a.rebaseCommits(ctx, j.work, j.objects, base, j.head, j.staging, j.remote, j.branch)
	if err != nil {
		return err
	}
	if holds && !o.Squash {
		return nil // a fast-forward as it is
	}
	if len(cs) == 0 {
		// Already on the base, all of them (or the copy is only behind).
		j.mode = ""
		j.nothingReason = fmt.Sprintf("%s in %s and on %s already hold every commit of the staging HEAD (%s)", j.branch, j.work, j.remote, short(j.head))
		return nil
	}
	if !holds {
		j.rebase = &rebase{name: j.name, copy: j.staging, work: j.work, onto: base, orig: j.head, branch: j.branch}
		if j.sameRemote() {
			// The copy learns where the remote's branch is, as a fetch
			// there would tell it.
			j.rebase.tracking = []string{"+" + j.remoteTip + ":refs/remotes/" + j.remote + "/" + j.branch}
		}
	}
	if o.Squash {
		j.squashBase, j.squashMsg = base, o.Message
		if j.squashMsg == "" {
			j.squashMsg = squashMessage(j.name, cs)
		}
		j.squashed = len(cs)
		// Signed as git commit would sign it in the copy: git
		// commit-tree does not read commit.gpgSign.
		out, err := a.Git.Run(ctx, gitcmd.Cmd{Dir: j.staging, Args: []string{"config", "--type=bool", "--get", "commit.gpgSign"}})
		if err != nil && gitcmd.ExitCode(err) != 1 {
			return wrap(err, "", "read commit.gpgSign from the git config of %s", j.staging)
		}
		j.squashSign = strings.TrimSpace(string(out)) == "true"
	}
	return nil
}

// rebaseCommits are the commits of head that git rebase onto base would
// carry, oldest first: no merges, and none whose change base already has
// (cherry-picked, or landed before), but every commit that was empty to
// begin with, as git rebase keeps them. holds says whether head already
// contains base (it is then a boundary of the range): no rebase needed.
// When a rebase is needed, a merge commit it would drop that holds
// changes of its own is refused (checkMerges, in the copy).
func (a *App) rebaseCommits(ctx context.Context, dir string, env []string, base, head, copy, remote, branch string) (cs []commit, holds bool, err error) {
	if base == head {
		return nil, true, nil
	}
	out, err := a.Git.Run(ctx, gitcmd.Cmd{Dir: dir, Env: env, Args: []string{"log", "--no-show-signature", "--reverse",
		"--right-only", "--cherry-mark", "--boundary", "--shortstat", "--format=%x00%m %H %T%x01%P%x01%s", base + "..." + head}})
	if err != nil {
		return nil, false, wrap(err, "", "list commits in %s", dir)
	}
	var merges []mergeCommit
	trees := map[string]string{}
	for _, rec := range strings.Split(string(out), "\x00")[1:] {
		line, stat, _ := strings.Cut(rec, "\n")
		mark, rest, _ := strings.Cut(line, " ")
		oid, rest, _ := strings.Cut(rest, " ")
		tree, rest, _ := strings.Cut(rest, "\x01")
		parents, subject, _ := strings.Cut(rest, "\x01")
		trees[oid] = tree
		switch {
		case mark == "-":
			holds = holds || oid == base
		case strings.Contains(parents, " "):
			merges = append(merges, mergeCommit{commit{oid, subject}, tree, strings.Fields(parents)})
		case mark == "=" && strings.TrimSpace(stat) != "":
			// its change is on the base already
		default:
			cs = append(cs, commit{oid, subject})
		}
	}
	if !holds {
		err = a.checkMerges(ctx, copy, remote, branch, merges)
	} else if len(cs) == 0 && trees[head] != trees[base] {
		// Only merges, but one of them changed something of its own:
		// they are what a squash of head lands.
		for _, m := range merges {
			cs = append(cs, m.commit)
		}
	}
	return cs, holds, err
}

// mergeCommit is a merge commit of the copy, its tree and its parents.
type mergeCommit struct {
	commit
	tree    string
	parents []string
}

// checkMerges refuses a rebase that would drop a merge commit holding
// changes of its own: a conflict resolution, or an edit made in the
// merge. git rebase leaves every merge commit out and replays the
// commits under it; what the merge itself changed would be lost, and
// nobody told. A merge whose tree is what merging its parents makes
// (git merge-tree, run in the copy) drops out as git rebase drops it.
func (a *App) checkMerges(ctx context.Context, copy, remote, branch string, merges []mergeCommit) error {
	for _, m := range merges {
		if len(m.parents) == 2 {
			out, err := a.Git.Run(ctx, gitcmd.Cmd{Dir: copy, Args: []string{"merge-tree", "--write-tree", "--no-messages", m.parents[0], m.parents[1]}})
			if tree, _, _ := strings.Cut(string(out), "\n"); err == nil && tree == m.tree {
				continue
			}
			if err != nil && gitcmd.ExitCode(err) != 1 {
				return wrap(err, "", "merge the parents of %s in %s", short(m.oid), copy)
			}
		}
		return refuse(fmt.Sprintf("merge the base into the copy instead (in it: git pull --no-rebase %s %s), then run this again: the copy then lands as it is", remote, branch),
			"the staging copy's merge commit %s has changes of its own (a conflict resolved, or an edit made in the merge): a rebase drops merge commits, and would lose them", m)
	}
	return nil
}
