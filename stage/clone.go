package stage

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/git-stage/git-stage/gitcmd"
)

// cloneUndone is the hint of a clone that failed and left nothing.
const cloneUndone = "nothing was changed: no staging directory, no temp branch, config untouched"

// CloneOptions are clone's arguments and flags.
type CloneOptions struct {
	Project        string  // relative to the work root, to Cwd (./, ../), or absolute; "" for the repository at Cwd
	AsName         *string // nil: derived from the project
	Force          int     // 1: replace a copy with no unique work; 2: replace whatever it holds
	Branch         string
	AllowDirtyWork bool
	Remote         string
	Copy           []string // more stage.copy patterns
	NoCopy         bool     // copy no untracked files
	DryRun         bool     // print the plan, change nothing
	JSON           bool     // print the result as a JSON object (CloneResult)
}

// cloneJob is everything clone decided before changing anything.
type cloneJob struct {
	name     string
	work     string
	workRoot string
	target   string // the staging copy's directory
	tmp      string // where the copy is built before it is moved to target
	aside    string // where a replaced copy waits until the new one is in place
	store    *Store
	replace  bool // something is at target and --force replaces it

	remote   string
	url      string
	pushURLs []string
	branch   string
	commit   string
	temp     string
	workRefs []gitcmd.Ref // work's branches and remote-tracking refs
	listed   string       // the remote's branch, as clone listed it
	now      time.Time    // the time the temp branch is named after

	copyObjects bool // the copy is on another file system: its objects are copied, not hard-linked

	early      []*early    // the copy's clone, and its checkout, started while the checks run
	tempPushed pushOutcome // what the push of the temp branch did

	leftovers []string    // temp branches of a replaced mapping still on the remote
	copies    []string    // untracked paths of the work tree copied into the copy
	subs      []submodule // submodules checked out from the work repository's
	postClone []string    // commands run in the finished copy
	partial   [][2]string // the work repository's partial clone settings, for the copy
	lfs       string      // the work repository's LFS objects, for the copy; "" without git-lfs

	unfinished []*leftover // hidden directories of this copy that dead runs left
	unlock     func()      // releases the copy's lock
	lockMade   []string    // what taking the lock made (directories, lock file): removed unless the run keeps it
	keep       bool        // the run made a copy, or left something to clean up
}

// Clone makes a staging copy of a work repository. Every check runs first
// (the copy's repository, links to the work repository's objects in a
// hidden directory, is made meanwhile, and removed if a check refuses);
// then the copy is built beside its final place, its temp branch is
// pushed, and only then is it moved into place and recorded. A failure or
// interrupt at any point undoes all of it.
func (a *App) Clone(ctx context.Context, s Settings, o CloneOptions) error {
	a.json = o.JSON
	j, err := a.prepareClone(ctx, s, o)
	if err != nil {
		return err
	}
	defer j.release()
	defer j.discardEarly()
	post := a.postCloneSteps(j.work, j.target, j.postClone)
	steps := j.steps(a)
	if o.DryRun {
		// The plan shows the post-clone commands too, which a real run
		// runs once the copy is made and its path printed.
		steps = append(steps, post...)
	} else {
		if err := j.lock(); err != nil {
			return err
		}
		// Another run may have made the copy while this one was checking.
		if there, _ := exists(j.target); there != j.replace {
			return refuse("run clone again", "staging directory %s changed while clone was checking", j.target)
		}
	}
	ran, err := a.runPlan(ctx, o.DryRun, steps, func() string {
		a.removeCloneLeftovers(ctx, j, true)
		return fmt.Sprintf("would stage %s (%s at %s) as %q at %s", j.work, j.branch, short(j.commit), j.name, j.target)
	}, func(err error) error {
		hint := cloneUndone
		if undoIncomplete(err) {
			hint = "the cleanup above did not finish; remove what it names by hand"
		}
		j.keep = undoIncomplete(err) // leftovers are found beside the lock files
		return wrap(err, hint, "clone of %s failed", j.work)
	})
	if !ran {
		if err == nil && o.JSON {
			return writeJSON(a.Stdout, j.result(true))
		}
		return err
	}
	j.keep = true
	if j.aside != "" {
		if err := os.RemoveAll(j.aside); err != nil {
			a.warnf("could not delete the replaced copy at %s: %v", j.aside, err)
		}
	}
	a.removeCloneLeftovers(ctx, j, false)
	a.infof("staged %s (%s at %s) as %q", j.work, j.branch, short(j.commit), j.name)
	a.infof("temp branch %s on %s; a plain `git push` in the copy goes there", j.temp, j.remote)
	for _, l := range j.leftovers {
		// It may hold the replaced copy's only record of a commit (the
		// loss rule counted it): prune, not a plain delete, is the way.
		a.infof("note: temp branch %s of the replaced copy is still on %s, recorded as leftover; `git staging prune` deletes it once no commit would be lost",
			l, j.remote)
	}
	// The copy is made: its path is the result, even if a post-clone
	// command then fails.
	if o.JSON {
		defer writeJSON(a.Stdout, j.result(false))
	} else {
		defer fmt.Fprintln(a.Stdout, j.target)
	}
	for _, p := range post {
		if err := a.runStep(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// startEarly starts the copy's clone while the checks run, as the plan
// would run it once they pass: for the branch HEAD names (or --branch),
// at commit, the branch's tip as the work repository's refs list it.
// Its remote-tracking refs and remote URL are set, and the files checked
// out, after it, unless the checkout needs the remote (a partial clone's
// blobs, LFS objects). Only where the plan's
// clone is its first change (the directory it goes into is there) and no
// git gc is running in the work repository (the plan waits for one
// first). The copy is a hidden directory that prepareClone and Clone
// remove unless the run reaches it; the checkout runs no hook (the
// post-checkout hook runs once the checks passed: see steps).
func (j *cloneJob) startEarly(ctx context.Context, a *App, branch, commit, url string, needsRemote bool) {
	if there, _ := exists(filepath.Dir(j.tmp)); !there || gcRunning(filepath.Join(gitcmd.CommonGitDir(j.work), "gc.pid")) {
		return
	}
	cmds := []gitcmd.Cmd{*j.cloneCmd(a, branch)}
	if !needsRemote && commit != "" && url != "" {
		// The remote's tip is not listed yet: where the work repository
		// does not track the branch, the refs are written again.
		refs, setURL := j.trackingCmds(branch, "", url)
		cmds = append(cmds, refs, setURL, j.unbornHead(branch), j.checkoutCmd(a, branch, commit))
	}
	j.early = a.startEarly(ctx, cmds...)
}

// unbornHead points the copy's HEAD at a branch it does not have (the
// usual name of branch's temp branch), so that the checkout after it
// starts from no commit, as git clone's does.
func (j *cloneJob) unbornHead(branch string) gitcmd.Cmd {
	return gitcmd.Cmd{Dir: j.tmp, Args: []string{"symbolic-ref", "HEAD", "refs/heads/" + TempBranch(j.name, branch, j.now)}}
}

// checkoutCmd checks out the copy's files, its branch set to commit (-B),
// running no hook.
func (j *cloneJob) checkoutCmd(a *App, branch, commit string) gitcmd.Cmd {
	return gitcmd.Cmd{Dir: j.tmp, Tee: a.Progress, Args: []string{"-c", "core.hooksPath=/dev/null",
		"checkout", "--force", a.progressArg(), "-B", branch, commit, "--"}}
}

// earlyIs reports whether the i-th command started early is c.
func (j *cloneJob) earlyIs(i int, c gitcmd.Cmd) bool {
	return i < len(j.early) && slices.Equal(j.early[i].cmd.Args, c.Args) && bytes.Equal(j.early[i].cmd.Stdin, c.Stdin)
}

// earlyStep is the i-th command started early, when there is one.
func (j *cloneJob) earlyStep(i int) *early {
	if i < len(j.early) {
		return j.early[i]
	}
	return nil
}

// lock takes the copy's lock, unless the run holds it.
func (j *cloneJob) lock() (err error) {
	if j.unlock == nil {
		j.unlock, j.lockMade, err = lockCopy(j.store.Path, j.target, j.name)
	}
	return err
}

// release releases the copy's lock, if the run took it. A run that made
// no copy leaves nothing it created: the lock file (removed while held,
// see tryLock) and the directories made for it go, but for those another
// run has put something in.
func (j *cloneJob) release() {
	if j.unlock == nil {
		return
	}
	if !j.keep {
		removeCreated(j.lockMade)
	}
	j.unlock()
	j.unlock = nil
}

// discardEarly stops the early clone and removes what it made, unless the
// run reached its step (whose undo then owns it).
func (j *cloneJob) discardEarly() {
	if j.stopEarly() {
		os.RemoveAll(j.tmp)
	}
	j.early = nil
}

// stopEarly stops the commands started early that the run did not reach,
// and waits for them; it reports whether the clone was one of them (then
// the copy's directory is no step's to remove).
func (j *cloneJob) stopEarly() (cloneUnreached bool) {
	for i, e := range j.early {
		if e.discard() && i == 0 {
			cloneUnreached = true
		}
	}
	return cloneUnreached
}
