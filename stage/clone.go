package stage

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
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
}

// cloneJob is everything clone decided before changing anything.
type cloneJob struct {
	name     string
	work     string
	workRoot string
	target   string // the staging copy's directory
	tmp      string // where the copy is built before it is moved to target
	aside    string // where a replaced copy waits until the new one is in place
	config   string
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

	early      *early      // the copy's clone, started while the checks run
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
	j, err := a.prepareClone(ctx, s, o)
	if err != nil {
		return err
	}
	defer j.release()
	defer j.discardEarly()
	post := a.postCloneSteps(j.work, j.target, j.postClone)
	if o.DryRun {
		a.preview(append(j.steps(a), post...))
		a.removeCloneLeftovers(ctx, j, true)
		a.infof("dry run: would stage %s (%s at %s) as %q at %s; nothing changed", j.work, j.branch, short(j.commit), j.name, j.target)
		return nil
	}
	if err := j.lock(); err != nil {
		return err
	}
	// Another run may have made the copy while this one was checking.
	if there, _ := exists(j.target); there != j.replace {
		return refuse("run clone again", "staging directory %s changed while clone was checking", j.target)
	}

	if err := a.execute(ctx, j.steps(a)); err != nil {
		hint := cloneUndone
		if undoIncomplete(err) {
			hint = "the cleanup above did not finish; remove what it names by hand"
		}
		j.keep = undoIncomplete(err) // leftovers are found beside the lock files
		return wrap(err, hint, "clone of %s failed", j.work)
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
	defer fmt.Fprintln(a.Stdout, j.target)
	for _, p := range post {
		if err := a.runStep(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

func (a *App) prepareClone(ctx context.Context, s Settings, o CloneOptions) (_ *cloneJob, err error) {
	j := &cloneJob{config: s.Config(), remote: o.Remote, now: a.Now()}
	defer func() {
		if err != nil {
			j.discardEarly()
			j.release()
			err = checksInterrupted(ctx, err, cloneUndone, "clone of %s failed", cmp.Or(j.work, s.Cwd))
		}
	}()
	if j.remote != "" {
		if err := checkRemoteName(j.remote); err != nil {
			return nil, err
		}
	}
	if o.Branch != "" {
		if err := checkBranchName(o.Branch); err != nil {
			return nil, err
		}
	}

	// The work repository.
	j.workRoot = s.WorkRoot
	switch {
	case o.Project == "":
		var ok bool
		if j.work, ok = a.topHere(ctx, s.Cwd); !ok {
			return nil, refuse("run clone inside the repository to stage, or name it",
				"%s is not inside a git work tree", s.Cwd)
		}
		if j.workRoot == "" {
			j.workRoot = filepath.Dir(j.work)
		}
	case filepath.IsAbs(o.Project) || o.Project == "~" || strings.HasPrefix(o.Project, "~/") || cwdRelative(o.Project):
		j.work = AbsPath(o.Project, s.Cwd)
	default:
		if j.workRoot == "" {
			return nil, &Error{Usage: true,
				Msg:  fmt.Sprintf("project %q is relative, and no work root is set", o.Project),
				Hint: "set the work root with --work-root DIR, GIT_STAGE_WORK_ROOT=DIR, or git config --global stage.workRoot DIR; or give the project's path from here (starting with ./ or ../) or its absolute path"}
		}
		j.work = AbsPath(o.Project, j.workRoot)
	}
	if err := a.checkTopLevel(ctx, j.work, "project"); err != nil {
		return nil, err
	}
	if name, m := a.copyOf(ctx, j.work); m != nil {
		return nil, refuse("to stage its work repository, run: git staging clone --as-name <name> "+gitcmd.Quote(m.WorkPath),
			"%s is staging copy %q of %s; clone would make a copy of the copy", j.work, name, m.WorkPath)
	}
	if j.workRoot == "" {
		j.workRoot = filepath.Dir(j.work)
	}

	// The staging name and directory.
	name := defaultName(j.work, j.workRoot)
	if o.AsName != nil {
		name = *o.AsName
	}
	if j.name, err = CleanName(name); err != nil {
		return nil, err
	}
	if part, ok := reservedPart(j.name); ok {
		return nil, refuse("pick another name with --as-name",
			"staging name %q uses %q, a name git-stage keeps for its own files", j.name, part)
	}
	j.target = filepath.Join(s.StagingRoot, filepath.FromSlash(j.name))
	cfg, err := s.store().Load()
	if err != nil {
		return nil, err
	}
	if err := checkNameFree(cfg, j.config, j.name, j.target); err != nil {
		return nil, err
	}
	if err := j.checkPlace(cfg); err != nil {
		return nil, err
	}
	if j.replace, err = exists(j.target); err != nil {
		return nil, wrap(err, "", "inspect %s", j.target)
	}
	if j.replace && o.Force == 0 {
		return nil, refuse("pick another name with --as-name, or replace it with --force",
			"staging directory %s already exists", j.target)
	}
	// --force replaces only this mapping's copy; a directory that is no
	// repository is left to the loss rule (replaced when empty).
	if isRepo, _ := exists(filepath.Join(j.target, ".git")); j.replace && o.Force == 1 && isRepo {
		if err := a.checkCopyMark(ctx, j.target, j.name, j.config); err != nil {
			return nil, wrap(err, "pick another name with --as-name, or discard it with -ff (--force --force)",
				"staging directory %s is not the copy of staging name %q", j.target, j.name)
		}
	}

	// The copy's lock, held from before its hidden build directory is
	// made (by the clone started early, where the directory it goes into
	// is there; else once the checks pass) until the run ends: such a
	// directory whose lock is free was left by a run that died.
	if there, _ := exists(filepath.Dir(j.target)); there && !o.DryRun {
		if err := j.lock(); err != nil {
			return nil, err
		}
	}

	// The work repository's state: branch, commit, cleanliness. The status
	// of a large tree is clone's longest check, so the remote is asked at
	// the same time, for the branch HEAD names (checked against the
	// status below), and the config and branches are read meanwhile.
	old := cfg.Stagings[j.name]
	j.tmp = besideDir(j.target, newDirMarker)
	j.copyObjects = !sameDevice(filepath.Join(gitcmd.CommonGitDir(j.work), "objects"), filepath.Dir(j.tmp))
	guess := cmp.Or(o.Branch, gitcmd.HeadBranch(j.work))
	var st *gitcmd.Status
	var stErr error
	stDone := make(chan struct{})
	go func() {
		defer close(stDone)
		st, stErr = a.Git.Status(ctx, j.work)
	}()
	// The remote: --remote, else the branch's own, else stage.remote,
	// else origin (settled again below for the branch status finds).
	wc, wcErr := a.readWorkConfig(ctx, j.work)
	var remoteFrom string
	if wcErr == nil && o.Remote == "" {
		j.remote, remoteFrom = wc.defaultRemote(guess, s.Remote)
	}
	var remote func(string) ([]gitcmd.Ref, error)
	var refsErr error
	if wcErr == nil && wc.remotes[j.remote] != nil {
		if !o.DryRun && a.Trace == nil && guess != "" {
			j.startEarly(ctx, a, guess)
		}
		remote = j.listRemote(ctx, a, old, guess, j.replace && o.Force == 1)
		j.workRefs, refsErr = a.Git.ForEachRef(ctx, j.work, "refs/heads/", "refs/remotes/"+j.remote+"/")
	}
	<-stDone
	if err := stErr; err != nil {
		return nil, wrap(err, "", "read the state of %s", j.work)
	}
	if st.Unborn() {
		return nil, refuse("commit something first", "work repository %s has no commits", j.work)
	}
	j.branch, j.commit = st.Branch, st.OID
	if o.Branch == "" && st.Detached {
		return nil, refuse("check out a branch, or name one with --branch",
			"HEAD of %s is detached", j.work)
	}
	if wcErr != nil {
		return nil, wcErr
	}
	if o.Remote == "" && o.Branch == "" && j.branch != guess {
		// HEAD names another branch than its file said: its remote.
		if r, from := wc.defaultRemote(j.branch, s.Remote); r != j.remote || remote == nil {
			j.remote, remoteFrom = r, from
			remote = j.listRemote(ctx, a, old, "", j.replace && o.Force == 1)
			j.workRefs, refsErr = a.Git.ForEachRef(ctx, j.work, "refs/heads/", "refs/remotes/"+j.remote+"/")
		}
	}
	urls, err := wc.remote(j.remote, remoteFrom)
	if err != nil {
		return nil, err
	}
	if err := checkRemoteName(j.remote); err != nil {
		return nil, err
	}
	if refsErr != nil {
		return nil, wrap(refsErr, "", "read the branches of %s", j.work)
	}
	j.url, j.pushURLs, j.postClone = urls.url, urls.pushURLs, wc.postClone
	j.partial = wc.partial.copySettings(j.remote, j.work)
	j.lfs = lfsObjects(j.work, wc.lfsFilter)
	if !o.NoCopy {
		if j.copies, err = a.untrackedMatching(ctx, j.work, append(wc.copy, o.Copy...)); err != nil {
			return nil, err
		}
	}
	// Untracked files that are copied are carried into the copy: they do
	// not make the work tree dirty.
	st.Changes = slices.DeleteFunc(st.Changes, func(c gitcmd.Change) bool {
		return c.Kind == '?' && slices.ContainsFunc(j.copies, func(p string) bool {
			return c.Path == p || strings.HasPrefix(c.Path, strings.TrimSuffix(p, "/")+"/")
		})
	})
	if st.Dirty() {
		if !o.AllowDirtyWork {
			return nil, refuse("commit or stash them, or pass --allow-dirty-work (they are not carried into the copy)",
				"work repository %s has uncommitted changes (%s)", j.work, changeList(st.Changes))
		}
		a.warnf("%s has uncommitted changes; they are not carried into the copy", j.work)
	}
	if o.Branch != "" {
		j.branch = o.Branch
		var ok bool
		if j.commit, ok = gitcmd.Find(j.workRefs, "refs/heads/"+j.branch); !ok {
			return nil, refuse("name a local branch of the work repository",
				"branch %q does not exist in %s", j.branch, j.work)
		}
	}

	// Submodules: those the work repository has come from its own copies.
	var skipped []submodule
	if j.subs, skipped, err = a.submodules(ctx, j.work, j.commit, wc.submoduleURLs); err != nil {
		return nil, err
	}
	for _, sm := range skipped {
		a.infof("submodule %s is not initialised in %s; it is left uninitialised in the copy", sm.path, j.work)
	}

	// The remote, in one round trip: the base branch must be there, and the
	// temp branch must not be. Asked already, unless the branch was not the
	// one HEAD named.
	remoteRefs, err := remote(j.branch)
	if err != nil {
		return nil, wrap(err, "check the remote's URL, the network and your credentials",
			"cannot reach remote %q (%s)", j.remote, j.url)
	}
	var ok bool
	if j.listed, ok = gitcmd.Find(remoteRefs, "refs/heads/"+j.branch); !ok {
		return nil, refuse(fmt.Sprintf("push it first: git -C %s push -u %s %s", gitcmd.Quote(j.work), j.remote, j.branch),
			"branch %q does not exist on remote %q", j.branch, j.remote)
	}
	// An existing directory is replaced only when nothing would be lost
	// (the remote's branches, all of them listed, count as safe places).
	if j.replace {
		if o.Force == 1 {
			c := lossCheck{work: j.work, remote: j.remote, heads: remoteRefs}
			lost, err := a.lossOf(ctx, c, j.target, nil, "discard it anyway with -ff (--force --force)")
			if err != nil {
				return nil, err
			}
			if len(lost) > 0 {
				return nil, refuse("sync it back or save it first, or discard it with -ff (--force --force)",
					"staging directory %s holds work that would be lost: %s", j.target, strings.Join(lost, "; "))
			}
		} else {
			verb := "discarding"
			if o.DryRun {
				verb = "would discard"
			}
			a.warnf("%s %s (-ff)", verb, j.target)
		}
		j.aside = besideDir(j.target, oldDirMarker)
	}
	if err := a.cloneLeftovers(ctx, j, cfg, o.Force, o.DryRun); err != nil {
		return nil, err
	}
	j.temp = FreeName(TempBranch(j.name, j.branch, j.now), func(t string) bool {
		_, ok := gitcmd.Find(remoteRefs, "refs/heads/"+t)
		return ok
	})
	if old != nil {
		j.leftovers = append(j.leftovers, old.Leftovers...)
		if _, ok := gitcmd.Find(remoteRefs, "refs/heads/"+old.TempBranch); ok && old.TempBranch != "" {
			j.leftovers = append(j.leftovers, old.TempBranch)
		}
	}
	// The copy started early is the one the plan makes only if the
	// checks settled on what it was started with.
	if j.early != nil && !slices.Equal(j.early.cmd.Args, j.cloneCmd(a, j.branch, j.temp).Args) {
		j.discardEarly()
	}
	return j, nil
}

// startEarly starts the copy's clone while the checks run, as the plan
// would run it once they pass: for the branch HEAD names (or --branch)
// and the temp branch name, which is free unless the remote says
// otherwise. Only where the plan's clone is its first change (the
// directory it goes into is there) and no git gc is running in the work
// repository (the plan waits for one first). The copy is a hidden
// directory that prepareClone and Clone remove unless the run reaches it.
func (j *cloneJob) startEarly(ctx context.Context, a *App, branch string) {
	if there, _ := exists(filepath.Dir(j.tmp)); !there || gcRunning(filepath.Join(gitcmd.CommonGitDir(j.work), "gc.pid")) {
		return
	}
	j.early = a.startEarly(ctx, *j.cloneCmd(a, branch, TempBranch(j.name, branch, j.now)))
}

// lock takes the copy's lock, unless the run holds it.
func (j *cloneJob) lock() (err error) {
	if j.unlock == nil {
		j.unlock, j.lockMade, err = lockCopy(j.config, j.target, j.name)
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
	if j.early.discard() {
		os.RemoveAll(j.tmp)
	}
	j.early = nil
}

// listRemote starts listing, on the remote, branch, the temp branch names
// for it, and the old mapping's temp branch; or all its branches, for the
// loss rule. The function it returns gives
// the listing for the branch clone settles on, listing again if that is
// another one.
func (j *cloneJob) listRemote(ctx context.Context, a *App, old *Mapping, branch string, all bool) func(string) ([]gitcmd.Ref, error) {
	list := func(branch string) ([]gitcmd.Ref, error) {
		if all {
			return a.Git.LsRemote(ctx, j.work, j.remote)
		}
		patterns := []string{"refs/heads/" + branch, "refs/heads/" + TempBranch(j.name, branch, j.now) + "*"}
		if old != nil && old.TempBranch != "" {
			patterns = append(patterns, "refs/heads/"+old.TempBranch)
		}
		return a.Git.LsRemote(ctx, j.work, j.remote, patterns...)
	}
	if branch == "" {
		return list
	}
	var refs []gitcmd.Ref
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		refs, err = list(branch)
	}()
	return func(settled string) ([]gitcmd.Ref, error) {
		<-done
		if settled != branch {
			return list(settled)
		}
		return refs, err
	}
}

// checkPlace refuses a staging directory that would overlap the work
// repository, the config file, or another staging copy.
func (j *cloneJob) checkPlace(cfg *Config) error {
	if within(j.target, j.work) {
		return refuse("keep staging copies outside it, for instance: git config --global stage.root "+suggestRoot(j.workRoot),
			"staging directory %s would be inside the work repository %s", j.target, j.work)
	}
	if within(j.work, j.target) {
		return refuse("pick another name with --as-name",
			"the work repository %s is inside the staging directory %s", j.work, j.target)
	}
	if within(j.config, j.target) {
		return refuse("pick another name with --as-name",
			"the config file %s is inside the staging directory %s", j.config, j.target)
	}
	for _, own := range []string{j.config + configLockSuffix, filepath.Join(filepath.Dir(j.config), lockDirName)} {
		if within(own, j.target) || within(j.target, own) {
			return refuse("pick another name with --as-name",
				"staging directory %s would overlap git-stage's own file %s", j.target, own)
		}
	}
	for name, m := range cfg.Stagings {
		if name != j.name && (within(j.target, m.StagingPath) || within(m.StagingPath, j.target)) {
			return refuse("pick another name with --as-name",
				"staging directory %s would overlap staging copy %q at %s", j.target, name, m.StagingPath)
		}
	}
	return nil
}

// suggestRoot proposes a staging root beside the work root, written as a
// shell word ("~/staging" under the home directory).
func suggestRoot(workRoot string) string {
	root := filepath.Join(filepath.Dir(workRoot), "staging")
	if home, err := os.UserHomeDir(); err == nil {
		if rel, err := filepath.Rel(home, root); err == nil && rel != ".." && !strings.HasPrefix(rel, "../") {
			return "~/" + gitcmd.Quote(filepath.ToSlash(rel))
		}
	}
	return gitcmd.Quote(root)
}

// defaultName is the project's path relative to the work root, or its
// directory name when it is not under the work root.
func defaultName(work, workRoot string) string {
	if rel, err := filepath.Rel(physical(workRoot), physical(work)); err == nil &&
		rel != "." && rel != ".." && !strings.HasPrefix(rel, "../") {
		return filepath.ToSlash(rel)
	}
	return filepath.Base(work)
}

// steps are clone's changes, in order.
func (j *cloneJob) steps(a *App) []*step {
	var steps []*step
	parent := filepath.Dir(j.target)
	if there, _ := exists(parent); !there {
		var created []string
		steps = append(steps, &step{
			desc: "mkdir -p " + gitcmd.Quote(parent),
			do: func(context.Context) (err error) {
				created, err = mkdirTracked(parent)
				return err
			},
			undo: &step{desc: "remove the directories made for " + gitcmd.Quote(parent), do: func(context.Context) error {
				removeCreated(created)
				return nil
			}},
		})
	}

	// The copy, from the work repository's objects (hard links where the
	// file system allows): nothing is downloaded from the remote.
	steps = append(steps, a.waitForGCStep(j.work))
	steps = append(steps, &step{git: j.cloneCmd(a, j.branch, j.temp), early: j.early, undo: removeAllStep(j.tmp)})
	// Its refs (a transaction that also checks HEAD, so not beside the
	// checkout, which moves HEAD); then its remote and the temp branch
	// while the files are checked out: the push costs no time.
	steps = append(steps, &step{git: &gitcmd.Cmd{Dir: j.tmp, Args: []string{"update-ref", "--stdin"}, Stdin: j.refUpdates()}})
	background := []*step{{git: &gitcmd.Cmd{Dir: j.tmp, Args: []string{"config", "remote." + j.remote + ".url", j.url}}}}
	if len(j.partial) > 0 || j.lfs != "" {
		// The checkout may fetch blobs (a partial clone) or LFS objects
		// the work repository lacks: from the remote, whose URL is set first.
		steps = append(append(steps, background...), partialSteps(j.tmp, j.partial)...)
		background = nil
	}
	for _, u := range j.pushURLs {
		background = append(background, &step{git: &gitcmd.Cmd{Dir: j.tmp, Args: []string{"config", "--add", "remote." + j.remote + ".pushurl", u}}})
	}
	background = append(background, &step{
		git: &gitcmd.Cmd{Dir: j.tmp, Tee: a.Progress, Args: pushArgs(a,
			"--force-with-lease=refs/heads/"+j.temp+":", j.remote,
			"refs/heads/"+j.branch+":refs/heads/"+j.temp)},
		check: func(ctx context.Context, out []byte, err error) error {
			j.tempPushed = outcomeOf(out, err, "refs/heads/"+j.temp)
			return checkPush(ctx, out, err)
		},
		finish: true,
		// Only a temp branch this run created is deleted: another clone
		// may have taken the name meanwhile, at the same commit.
		undo: &step{desc: fmt.Sprintf("delete temp branch %s from %s", j.temp, j.remote), do: func(ctx context.Context) error {
			switch j.tempPushed {
			case notPushed:
				return nil
			case maybePushed:
				a.warnf("temp branch %s may have reached %s; if it is there, delete it with: git -C %s push %s --delete %s",
					j.temp, j.remote, gitcmd.Quote(j.work), j.remote, j.temp)
				return nil
			}
			_, err := a.moveTemp(ctx, j.work, j.remote, j.temp, j.commit, "")
			return err
		}},
	})
	for _, s := range background {
		s.background = true
	}
	steps = append(steps, background...)
	// The files: checked out from an unborn HEAD (the temp branch's name,
	// which the copy has no branch of), so that a post-checkout hook sees
	// what git clone and git worktree add give it: no old commit.
	checkout := []*step{{git: &gitcmd.Cmd{Dir: j.tmp, Tee: a.Progress, Args: []string{"checkout", "--force", a.progressArg(), j.branch, "--"}}}}
	if j.lfs != "" {
		checkout = lfsSteps(a, j.tmp, j.remote, j.lfs, checkout[0])
	}
	steps = append(steps, &step{git: &gitcmd.Cmd{Dir: j.tmp, Args: []string{"symbolic-ref", "HEAD", "refs/heads/" + j.temp}}})
	steps = append(steps, checkout...)
	if len(j.copies) > 0 {
		steps = append(steps, a.copyStep(j.work, j.tmp, j.copies))
	}
	// Submodules write the copy's config, as the steps beside do.
	if subs := j.submoduleSteps(a); len(subs) > 0 {
		subs[0].waits = true
		steps = append(steps, subs...)
	}

	// Into place, once the steps in the background (in the new copy) are done.
	first := len(steps)
	if j.replace {
		steps = append(steps, renameStep(j.target, j.aside))
	}
	steps = append(steps, renameStep(j.tmp, j.target))
	steps[first].waits = true

	m := &Mapping{
		StagingPath: j.target,
		WorkPath:    j.work,
		WorkRoot:    j.workRoot,
		Remote:      j.remote,
		RemoteURL:   j.url,
		BaseBranch:  j.branch,
		BaseCommit:  j.commit,
		TempBranch:  j.temp,
		Created:     a.Now().UTC().Truncate(1e9),
		Leftovers:   j.leftovers,
	}
	store := &Store{Path: j.config}
	steps = append(steps, &step{
		desc: fmt.Sprintf("record %q in %s", j.name, j.config),
		do: func(ctx context.Context) error {
			return store.Update(ctx, func(c *Config) error {
				c.Stagings[j.name] = m
				return nil
			})
		},
	})
	return steps
}

// cloneCmd makes the copy of branch, whose temp branch is temp, from the
// work repository's objects (hard links on one file system, else copies:
// with --local, git would rather fail than copy), with no files checked
// out.
func (j *cloneJob) cloneCmd(a *App, branch, temp string) *gitcmd.Cmd {
	args := []string{"clone", "--local"}
	if j.copyObjects {
		args = append(args, "--no-hardlinks")
	}
	return &gitcmd.Cmd{Dir: filepath.Dir(j.tmp), Tee: a.Progress, Args: append(args,
		// The copy's branch tracks the remote's base branch (git clone
		// sets branch.<b>.remote and .merge): git status and git pull
		// work in the copy.
		"--no-checkout", "--origin="+j.remote, "--branch="+branch, a.progressArg(),
		// A plain `git push` in the copy goes to the temp branch,
		// whatever push.default says: a configured push refspec wins.
		"--config=remote."+j.remote+".push=refs/heads/"+branch+":refs/heads/"+temp,
		// Where the copy's mapping lives, for commands run inside it.
		"--config=stage.config="+j.config,
		"--config=stage.name="+j.name,
		"--", j.work, j.tmp,
	)}
}

// refUpdates makes the copy's remote-tracking refs say what the work
// repository knows of the remote, instead of naming the work repository's
// local branches as `git clone` does, and verifies that the copy's branch
// is the commit preflight saw.
func (j *cloneJob) refUpdates() []byte {
	prefix := "refs/remotes/" + j.remote + "/"
	tracking := map[string]bool{}
	for _, r := range j.workRefs {
		if strings.HasPrefix(r.Name, prefix) {
			tracking[r.Name] = true
		}
	}
	// The upstream of the copy's branch, which the work repository does
	// not track (a single-branch clone of another branch): as listed, when
	// that is a commit the work repository has at one of its tips.
	listed := !tracking[prefix+j.branch] && slices.ContainsFunc(j.workRefs, func(r gitcmd.Ref) bool { return r.OID == j.listed })
	var b strings.Builder
	for _, r := range j.workRefs {
		if name, ok := strings.CutPrefix(r.Name, "refs/heads/"); ok && !tracking[prefix+name] && !(listed && name == j.branch) {
			fmt.Fprintf(&b, "delete %s%s\n", prefix, name)
		}
	}
	fmt.Fprintf(&b, "option no-deref\ndelete %sHEAD\n", prefix)
	for _, r := range j.workRefs {
		if strings.HasPrefix(r.Name, prefix) && r.Name != prefix+"HEAD" {
			fmt.Fprintf(&b, "update %s %s\n", r.Name, r.OID)
		}
	}
	if listed {
		fmt.Fprintf(&b, "update %s%s %s\n", prefix, j.branch, j.listed)
	}
	fmt.Fprintf(&b, "verify refs/heads/%s %s\n", j.branch, j.commit)
	return []byte(b.String())
}
