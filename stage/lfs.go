package stage

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/git-stage/git-stage/gitcmd"
)

// lfsKeys matches, for readWorkConfig's one `git config` call, the filter
// settings through which git runs git-lfs in a checkout.
const lfsKeys = `filter\.lfs\.(process|smudge)`

// lfsObjects is the work repository's git-lfs object store, when it has
// one and git runs git-lfs in its checkouts; else "".
func lfsObjects(work string, filter bool) string {
	dir := filepath.Join(gitcmd.CommonGitDir(work), "lfs", "objects")
	if there, _ := exists(dir); !filter || !there {
		return ""
	}
	return dir
}

// lfsSteps give the copy at dir the work repository's LFS objects from
// objects, hard links where the file system allows, else copies (LFS
// objects are never changed in place: a link shares nothing that can
// change), and then its LFS files: checkout (the first step returned)
// writes pointer files, and `git lfs pull` turns them into the content,
// taken from the copy's own LFS store, where those objects are now, or,
// for those the work repository lacks, downloaded from the remote, as
// git-lfs in the work repository would. So a failure is git-lfs's, named
// as such, not a checkout's.
func lfsSteps(a *App, dir, remote, objects string, checkout *step) []*step {
	link := &step{
		desc: fmt.Sprintf("ln %s/* %s (hard links, else copies)", gitcmd.Quote(objects), gitcmd.Quote(filepath.Join(dir, ".git", "lfs", "objects"))),
		do: func(context.Context) error {
			if err := linkTree(objects, filepath.Join(dir, ".git", "lfs", "objects")); err != nil {
				return fmt.Errorf("take the LFS objects of the work repository: %w", err)
			}
			return nil
		},
	}
	checkout.git.Env = append(checkout.git.Env, "GIT_LFS_SKIP_SMUDGE=1")
	pull := &step{
		git: &gitcmd.Cmd{Dir: dir, Tee: a.Progress, Args: []string{"lfs", "pull", remote}},
		check: func(_ context.Context, _ []byte, err error) error {
			if err != nil {
				return fmt.Errorf("git-lfs could not check out the LFS files (git lfs pull; objects the work repository lacks come from the remote's LFS storage): %w", err)
			}
			return nil
		},
	}
	return []*step{link, checkout, pull}
}

// linkTree hard-links every regular file under src to the same place
// under dst, copying it where a link fails (another file system), and
// keeps a file dst already has.
func linkTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(to, 0o755)
		case !d.Type().IsRegular():
			return nil
		}
		if err := os.Link(path, to); err == nil || os.IsExist(err) {
			return nil
		}
		_, err = copyFile(path, to)
		return err
	})
}
