// clone's checks: everything it decides before it makes anything.

package stage

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/git-stage/git-stage/gitcmd"
)

func (a *App) prepareClone(ctx context.Context, s Settings, o CloneOptions) (_ *cloneJob, err error) {
	store := s.store()
	j := &cloneJob{store: store, remote: o.Remote, now: a.Now()}
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
	default:
		if j.work = ProjectPath(o.Project, j.workRoot, s.Cwd); j.work == "" {
			return nil, &Error{Usage: true,
				Msg:  fmt.Sprintf("project %q is relative, and no work root is set", o.Project),
				Hint: "set the work root with --work-root DIR, GIT_STAGE_WORK_ROOT=DIR, or git config --global stage.workRoot DIR; or give the project's path from here (starting with ./ or ../) or its absolute path"}
		}
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
	cfg, err := j.store.Load()
	if err != nil {
		return nil, err
	}
	if err := checkNameFree(cfg, j.store.Path, j.name, j.target); err != nil {
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
		if err := a.checkCopyMark(ctx, j.target, j.name, j.store.Path); err != nil {
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
		remote = j.listRemote(ctx, a, old, guess, j.replace && o.Force == 1)
		j.workRefs, refsErr = a.Git.ForEachRef(ctx, j.work, "refs/heads/", "refs/remotes/"+j.remote+"/")
		if !o.DryRun && guess != "" {
			commit, _ := gitcmd.Find(j.workRefs, "refs/heads/"+guess)
			needsRemote := len(wc.partial.copySettings(j.remote, j.work)) > 0 || lfsObjects(j.work, wc.lfsFilter) != ""
			url := ""
			if urls, err := wc.remote(j.remote, remoteFrom); err == nil {
				url = urls.url
			}
			j.startEarly(ctx, a, guess, commit, url, needsRemote)
		}
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
	j.temp = FreeName(j.firstTemp(), func(t string) bool {
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
	if j.early != nil && !j.earlyIs(0, *j.cloneCmd(a, j.branch)) {
		j.discardEarly()
	}
	if refs, url := j.trackingCmds(j.branch, j.listed, j.url); len(j.early) > 1 &&
		(!j.earlyIs(1, refs) || !j.earlyIs(2, url) || !j.earlyIs(3, j.unbornHead(j.branch)) || !j.earlyIs(4, j.checkoutCmd(a, j.branch, j.commit))) {
		// The files of another commit (the branch moved meanwhile), or
		// refs that need the remote's listing: the copy is made again.
		j.discardEarly()
	}
	return j, nil
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
	if within(j.store.Path, j.target) {
		return refuse("pick another name with --as-name",
			"the config file %s is inside the staging directory %s", j.store.Path, j.target)
	}
	for _, own := range []string{j.store.Path + configLockSuffix, filepath.Join(filepath.Dir(j.store.Path), lockDirName)} {
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
