package stage

import (
	"bytes"
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

// workConfig is what clone reads from the work repository's git config
// (its own, the global and the system one): the remotes' URLs, the
// branches' remotes, and the stage.copy patterns and stage.postClone
// commands, in order.
type workConfig struct {
	dir       string
	remotes   map[string]*remoteURLs // by name
	branches  map[string]string      // branch.<b>.remote, by branch
	copy      []string
	postClone []string
	// submoduleURLs are the submodules initialised here, by lower-cased
	// name (git config keys are case-insensitive).
	submoduleURLs map[string]string
	partial       partialClone
	lfsFilter     bool // git runs git-lfs in checkouts
}

// remoteURLs are a remote's URL (the first, which git fetches from) and
// push URLs.
type remoteURLs struct {
	url      string
	pushURLs []string
}

// readWorkConfig reads the work repository's git config with one `git
// config` call. A relative local path URL is made absolute against dir,
// so that it still works from the staging copy.
func (a *App) readWorkConfig(ctx context.Context, dir string) (*workConfig, error) {
	pattern := `^(remote\..*\.(url|pushurl)|branch\..*\.remote|stage\.(copy|postclone)|submodule\..*\.url|` + partialKeys + `|` + lfsKeys + `)$`
	out, err := a.Git.Output(ctx, dir, "config", "-z", "--get-regexp", pattern)
	if err != nil && gitcmd.ExitCode(err) != 1 {
		return nil, wrap(err, "", "read the git config of %s", dir)
	}
	w := &workConfig{dir: dir, remotes: map[string]*remoteURLs{}, branches: map[string]string{}, submoduleURLs: map[string]string{}}
	remote := func(name string) *remoteURLs {
		if w.remotes[name] == nil {
			w.remotes[name] = &remoteURLs{}
		}
		return w.remotes[name]
	}
	for _, rec := range bytes.Split(out, []byte{0}) {
		key, val, ok := strings.Cut(string(rec), "\n")
		if w.partial.add(key, val, ok) && !strings.HasSuffix(key, ".url") {
			continue
		}
		if !ok {
			continue
		}
		switch {
		case strings.HasPrefix(key, "submodule."):
			w.submoduleURLs[strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(key, "submodule."), ".url"))] = val
		case strings.HasPrefix(key, "branch."):
			w.branches[strings.TrimSuffix(strings.TrimPrefix(key, "branch."), ".remote")] = val
		case key == "stage.copy":
			w.copy = append(w.copy, val)
		case key == "stage.postclone":
			w.postClone = append(w.postClone, val)
		case strings.HasPrefix(key, "filter.lfs."):
			w.lfsFilter = w.lfsFilter || val != ""
		case strings.HasSuffix(key, ".pushurl"):
			r := remote(strings.TrimSuffix(strings.TrimPrefix(key, "remote."), ".pushurl"))
			r.pushURLs = append(r.pushURLs, absRemoteURL(val, dir))
		default:
			if r := remote(strings.TrimSuffix(strings.TrimPrefix(key, "remote."), ".url")); r.url == "" {
				r.url = absRemoteURL(val, dir)
			}
		}
	}
	return w, nil
}

// defaultRemote is the remote clone uses for branch when none is named:
// the branch's own (branch.<b>.remote, unless "." for a local upstream),
// else the setting stage.remote, else origin, as issue 15 case 11 orders
// them: the branch's remote is the more specific choice. It says where
// the name came from.
func (w *workConfig) defaultRemote(branch, setting string) (name, from string) {
	if r := w.branches[branch]; r != "" && r != "." {
		return r, "branch." + branch + ".remote"
	}
	if setting != "" {
		return setting, "stage.remote"
	}
	return "origin", ""
}

// remote returns the URLs of the remote name (from says which setting
// named it, if any), or a refusal naming the remotes there are.
func (w *workConfig) remote(name, from string) (*remoteURLs, error) {
	if r := w.remotes[name]; r != nil && r.url != "" {
		return r, nil
	}
	what := fmt.Sprintf("remote %q", name)
	if from != "" {
		what += " (" + from + ")"
	}
	add := "git -C " + gitcmd.Quote(w.dir) + " remote add " + gitcmd.Quote(name) + " URL"
	var names []string
	for n, r := range w.remotes {
		if r.url != "" {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil, refuse("add it: "+add, "%s is not configured in %s, which has no remote", what, w.dir)
	}
	slices.Sort(names)
	// The setting that named it is the one to change (stage.remote would
	// not win over a branch's own remote).
	set := "git config stage.remote NAME"
	if from != "" {
		set = "git -C " + gitcmd.Quote(w.dir) + " config " + from + " NAME"
	}
	return nil, refuse("choose one with --remote NAME or "+set+", or add it: "+add,
		"%s is not configured in %s (its remotes: %s)", what, w.dir, strings.Join(names, ", "))
}

// absRemoteURL makes a relative local-path URL absolute against dir. Git
// reads a path as local when it has no "://" and no ':' before the first
// '/' (otherwise it is host:path).
func absRemoteURL(url, dir string) string {
	if strings.Contains(url, "://") || filepath.IsAbs(url) {
		return url
	}
	if colon := strings.IndexByte(url, ':'); colon >= 0 {
		slash := strings.IndexByte(url, '/')
		if slash < 0 || slash > colon {
			return url
		}
	}
	return filepath.Join(dir, url)
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
