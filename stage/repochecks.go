// Checks of the repositories a command acts on: a work tree's top level,
// an operation stopped halfway, where a branch is checked out.

package stage

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/git-stage/git-stage/gitcmd"
)

// checkTopLevel makes sure dir is the top level of a non-bare repository.
// The common case costs no git process: the top level of a work tree holds
// .git (a directory, or a file for worktrees and submodules). Only when it
// does not is git asked, to say precisely what dir is.
func (a *App) checkTopLevel(ctx context.Context, dir, what string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return refuse("check the path", "%s %s does not exist", what, dir)
	}
	if !fi.IsDir() {
		return refuse("check the path", "%s %s is not a directory", what, dir)
	}
	if ok, _ := exists(filepath.Join(dir, ".git")); ok {
		return nil
	}
	// rev-parse prints "true" for a bare repository before --show-toplevel
	// fails there, so its output is read even when it fails.
	out, err := a.Git.Output(ctx, dir, "rev-parse", "--is-bare-repository", "--show-toplevel")
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	switch {
	case lines[0] == "true":
		return refuse("stage a repository that has a work tree", "%s %s is a bare repository", what, dir)
	case err == nil && len(lines) > 1:
		return refuse("name the top level: "+lines[1],
			"%s %s is not the top level of its repository", what, dir)
	}
	return refuse("name the top directory of a git repository", "%s %s is not a git repository", what, dir)
}

// topHere returns the top level of the work tree containing dir, as dir
// spells it (symlinks kept), or false when dir is in none.
func (a *App) topHere(ctx context.Context, dir string) (string, bool) {
	cdup, err := a.Git.Output(ctx, dir, "rev-parse", "--show-cdup")
	if err != nil {
		return "", false
	}
	return filepath.Join(dir, strings.TrimSpace(string(cdup))), true
}

// objectsEnv is git's environment for reading repo's objects as well as
// its own, read-only: nothing is copied and no ref is written.
func objectsEnv(repo string) []string {
	return []string{gitcmd.AlternateObjects(filepath.Join(gitcmd.CommonGitDir(repo), "objects"))}
}

// checkNoOperation refuses a work tree in the middle of a rebase, merge,
// cherry-pick, revert, am or bisect: its HEAD is half-finished work.
func checkNoOperation(dir, what string) error {
	op := gitcmd.InProgress(dir)
	if op == nil {
		return nil
	}
	hint := fmt.Sprintf("finish it (%s) or abort it (%s) in %s, then run sync-back again", op.Continue, op.Abort, dir)
	if op.Continue == "" {
		hint = fmt.Sprintf("finish it (%s) in %s, then run sync-back again", op.Abort, dir)
	}
	return refuse(hint, "%s %s is in the middle of a %s", what, dir, op.Name)
}

// checkedOutIn names the worktree of the work repository at work, other
// than work itself, that has branch checked out ("" when none), read from
// the files of its git directory as git does: its HEAD, or the branch a
// rebase or a bisect stopped there will come back to (git branch -f
// refuses those too).
func checkedOutIn(work, branch string) string {
	common := gitcmd.CommonGitDir(work)
	own, _ := filepath.Abs(work)
	gitDirs := map[string]string{}
	if !bareCommon(work) {
		// A bare repository's HEAD names a branch no work tree has
		// checked out, as git sees it.
		gitDirs[common] = filepath.Dir(common)
	}
	dirs, _ := os.ReadDir(filepath.Join(common, "worktrees"))
	for _, d := range dirs {
		wt := filepath.Join(common, "worktrees", d.Name())
		gitdir, err := os.ReadFile(filepath.Join(wt, "gitdir"))
		if err != nil {
			continue
		}
		gitDirs[wt] = filepath.Dir(strings.TrimSpace(string(gitdir)))
	}
	ref := "refs/heads/" + branch
	for gitDir, dir := range gitDirs {
		if !slices.ContainsFunc([]struct{ file, want string }{
			{"HEAD", "ref: " + ref},
			{"rebase-merge/head-name", ref},
			{"rebase-apply/head-name", ref},
			{"BISECT_START", branch},
		}, func(f struct{ file, want string }) bool {
			data, err := os.ReadFile(filepath.Join(gitDir, f.file))
			return err == nil && strings.TrimSpace(string(data)) == f.want
		}) {
			continue
		}
		if abs, _ := filepath.Abs(dir); !samePath(abs, own) {
			return dir
		}
	}
	return ""
}

// bareCommon reports whether the repository that the worktree at work
// belongs to is bare (core.bare, read without git; false when it cannot
// be read so, which errs on the side of a refusal).
func bareCommon(work string) bool {
	entries, ok := gitcmd.ReadConfig(work, "core.bare", os.Getenv)
	bare := false
	for _, e := range entries {
		if e.Key == "core.bare" {
			bare, _ = gitcmd.ParseBool(e.Value, e.NoValue)
		}
	}
	return ok && bare
}
