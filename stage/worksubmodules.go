package stage

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/git-stage/git-stage/gitcmd"
)

// workSubmodule is a submodule of the work repository, checked out there,
// whose commit the sync changes.
type workSubmodule struct {
	path     string
	from, to string // the commit its superproject records before and after the sync
	kept     string // why it is left as it is; "" when it is checked out at to
}

// planWorkSubmodules finds the work repository's submodules that the sync
// moves: those checked out there (initialised and populated, as `git pull
// --recurse-submodules` updates) whose commit the staging HEAD records
// differently than the work tree's HEAD. Each is checked out at its new
// commit once the sync is done, unless it holds something of its own that
// the checkout would set aside: uncommitted changes, another commit than
// its superproject records, or commits on a detached HEAD that no ref of
// it reaches, which would be left to its reflog. It starts no process when
// the work repository has no submodules.
func (a *App) planWorkSubmodules(ctx context.Context, j *syncJob, wst *gitcmd.Status) error {
	if j.mode == "" || j.mode == modeReview || j.inPlace || !hasSubmodules(j.work) {
		return nil
	}
	populated := populatedSubmodules(j.work)
	if len(populated) == 0 {
		return nil
	}
	// The staging HEAD is read with the copy's objects lent: it is
	// fetched only by the run.
	out, err := a.Git.Run(ctx, gitcmd.Cmd{Dir: j.work, Env: j.objects, Args: append([]string{"--literal-pathspecs",
		"diff-tree", "-r", "-z", "--no-renames", "--ignore-submodules=none", wst.OID, j.head, "--"}, populated...)})
	if err != nil {
		return wrap(err, "", "read which submodules of %s the sync moves", j.work)
	}
	for _, sm := range parseMovedGitlinks(out) {
		if sm.kept, err = a.submoduleKept(ctx, j.work, sm, wst); err != nil {
			return err
		}
		j.submodules = append(j.submodules, sm)
	}
	return nil
}

// parseMovedGitlinks reads `git diff-tree -r -z` output: the entries that
// are a submodule before and after.
func parseMovedGitlinks(out []byte) []workSubmodule {
	var subs []workSubmodule
	recs := strings.Split(string(out), "\x00")
	for i := 0; i+1 < len(recs); i += 2 {
		f := strings.Fields(strings.TrimPrefix(recs[i], ":"))
		if len(f) == 5 && f[0] == "160000" && f[1] == "160000" {
			subs = append(subs, workSubmodule{path: recs[i+1], from: f[2], to: f[3]})
		}
	}
	return subs
}

// submoduleKept says why the work repository's submodule sm is left as it
// is, or "" when checking it out at its new commit sets nothing aside.
func (a *App) submoduleKept(ctx context.Context, work string, sm workSubmodule, wst *gitcmd.Status) (string, error) {
	for _, c := range wst.Changes {
		if c.Path != sm.path || len(c.Sub) != 4 || c.Sub[0] != 'S' {
			continue
		}
		switch {
		case c.Sub[2] == 'M':
			return "it has uncommitted changes", nil
		case c.Sub[1] == 'C':
			return "it is not at the commit its superproject records", nil
		}
	}
	// What status may not show (submodule.<name>.ignore): where HEAD is,
	// and on a detached HEAD, what only it reaches.
	dir := filepath.Join(work, filepath.FromSlash(sm.path))
	out, err := a.Git.Output(ctx, dir, "rev-parse", "HEAD", "--symbolic-full-name", "HEAD")
	if err != nil {
		return "", wrap(err, "", "read the HEAD of submodule %s in %s", sm.path, work)
	}
	head, ref, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	if head != sm.from {
		return "it is not at the commit its superproject records", nil
	}
	if ref != "HEAD" {
		return "", nil // on a branch, which keeps its commits
	}
	own, err := a.logCommits(ctx, gitcmd.Cmd{Dir: dir, Args: []string{"HEAD", "--not", "--branches", "--tags", "--remotes"}})
	if err != nil {
		return "", wrap(err, "", "check the commits of submodule %s in %s", sm.path, work)
	}
	if len(own) == 0 {
		return "", nil
	}
	var names []string
	for _, c := range own {
		names = append(names, c.String())
	}
	return fmt.Sprintf("its detached HEAD holds %d commit(s) that no branch, tag or remote-tracking branch of it reaches (%s)",
		len(own), strings.Join(names, ", ")), nil
}

// populatedSubmodules lists the submodules of the work tree top (paths
// from its .gitmodules, slash separated) that are checked out there.
func populatedSubmodules(top string) []string {
	return gitmodulesPaths(top, func(dotGit string) bool {
		ok, _ := exists(dotGit)
		return ok
	})
}

// workSubmoduleSteps check the moved submodules out at their new commits,
// once the sync is done, as `git pull --recurse-submodules` does after its
// merge: `git submodule update --recursive --checkout`, which fetches a
// commit the submodule lacks from its remote, and refuses to overwrite
// changes. Those left as they are are said. Nothing here is undone: the
// sync stands, and a submodule that could not be checked out is left where
// it was, with the command that finishes the job.
func (j *syncJob) workSubmoduleSteps(a *App) []*step {
	var steps []*step
	var paths []string
	for _, sm := range j.submodules {
		if sm.kept == "" {
			paths = append(paths, sm.path)
			continue
		}
		msg := fmt.Sprintf("submodule %s in %s is left as it is, not checked out at %s: %s; once that is dealt with: %s",
			sm.path, j.work, short(sm.to), sm.kept, j.submoduleUpdate(sm.path))
		steps = append(steps, &step{desc: "warning: " + msg, afterwards: true, do: func(context.Context) error {
			a.warnf("%s", msg)
			return nil
		}})
	}
	if len(paths) == 0 {
		return steps
	}
	return append(steps, &step{
		git:        &gitcmd.Cmd{Dir: j.work, Tee: a.Progress, Args: append([]string{"submodule", "update", "--recursive", "--checkout", "--"}, paths...)},
		afterwards: true,
		check: func(_ context.Context, _ []byte, err error) error {
			if err != nil {
				what := "submodule"
				if len(paths) > 1 {
					what += "s"
				}
				return fmt.Errorf("the sync is done, but %s %s in %s may not be checked out at the commit(s) it records (%w); finish with: %s",
					what, strings.Join(paths, ", "), j.work, err, j.submoduleUpdate(paths...))
			}
			for _, sm := range j.submodules {
				if sm.kept == "" {
					a.infof("checked out submodule %s at %s in %s", sm.path, short(sm.to), j.work)
				}
			}
			return nil
		},
	})
}

// submoduleUpdate is the command that checks the work repository's
// submodules at paths out where its HEAD records them.
func (j *syncJob) submoduleUpdate(paths ...string) string {
	return "git -C " + gitcmd.Quote(j.work) + " submodule update --recursive -- " + gitcmd.QuoteArgs(paths)
}

// workDirtyHint is the hint of sync-back's refusal of a work repository
// with uncommitted changes st: commit or stash them; but when every change
// is a submodule at another commit than HEAD records (as a bump an older
// sync-back landed leaves it), committing them could undo the bump, and
// the hint says how to check them out where HEAD records them.
func (j *syncJob) workDirtyHint(st *gitcmd.Status) string {
	const usual = "commit or stash them, or pass --allow-dirty-work (they are kept)"
	var paths []string
	for _, c := range st.Changes {
		switch {
		case c.Kind == '!':
		case c.Kind == '1' && c.XY == ".M" && c.Sub == "SC..":
			paths = append(paths, c.Path)
		default:
			return usual
		}
	}
	if len(paths) == 0 {
		return usual
	}
	return fmt.Sprintf("the submodules are not at the commits HEAD records: to check them out there (as git pull --recurse-submodules would): %s; to keep theirs, commit them",
		j.submoduleUpdate(paths...))
}
