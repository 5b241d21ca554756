package stage

import (
	"context"
	"path/filepath"
	"strings"

	"github.com/git-stage/git-stage/gitcmd"
)

// submodule is one submodule of the staged commit.
type submodule struct {
	name, path string
}

// submodules lists the submodules of commit in work (from its
// .gitmodules), split into those the work repository has initialised and
// cloned (their objects are local) and the others. It starts no process
// when the work tree has no .gitmodules.
func (a *App) submodules(ctx context.Context, work, commit string, urls map[string]string) (local, skipped []submodule, err error) {
	if ok, _ := exists(filepath.Join(work, ".gitmodules")); !ok {
		return nil, nil, nil
	}
	out, err := a.Git.Output(ctx, work, "config", "-z", "--blob", commit+":.gitmodules", "--get-regexp", `^submodule\..*\.path$`)
	if gitcmd.ExitCode(err) == 1 {
		return nil, nil, nil // the staged commit has no submodules
	}
	if err != nil {
		return nil, nil, wrap(err, "", "read the submodules of %s", work)
	}
	modules := filepath.Join(commonGitDir(work), "modules")
	for _, rec := range strings.Split(string(out), "\x00") {
		key, path, ok := strings.Cut(rec, "\n")
		if !ok {
			continue
		}
		name := strings.TrimSuffix(strings.TrimPrefix(key, "submodule."), ".path")
		sm := submodule{name: name, path: path}
		cloned, _ := exists(filepath.Join(modules, filepath.FromSlash(name), "HEAD"))
		if _, initialised := urls[strings.ToLower(name)]; initialised && cloned {
			local = append(local, sm)
		} else {
			skipped = append(skipped, sm)
		}
	}
	return local, skipped, nil
}

// submoduleSteps initialise the copy's submodules that the work repository
// has, and check them out at the commits the copy records, cloned from
// the work repository's own submodule repositories (hard links where the
// file system allows; nothing downloaded, no alternates). Their URLs are
// then set back to the real ones, as .gitmodules gives them.
func (j *cloneJob) submoduleSteps(a *App) []*step {
	if len(j.subs) == 0 {
		return nil
	}
	paths := []string{"--"}
	from := []string{"-c", "protocol.file.allow=always"}
	modules := filepath.Join(commonGitDir(j.work), "modules")
	for _, sm := range j.subs {
		paths = append(paths, sm.path)
		from = append(from, "-c", "submodule."+sm.name+".url="+filepath.Join(modules, filepath.FromSlash(sm.name)))
	}
	return []*step{
		{git: &gitcmd.Cmd{Dir: j.tmp, Args: append([]string{"submodule", "--quiet", "init"}, paths...)}},
		{git: &gitcmd.Cmd{Dir: j.tmp, Tee: a.Progress, Args: append(append(from, "submodule", "--quiet", "update", "--no-recommend-shallow"), paths...)}},
		{git: &gitcmd.Cmd{Dir: j.tmp, Args: append([]string{"submodule", "--quiet", "sync"}, paths...)}},
	}
}
