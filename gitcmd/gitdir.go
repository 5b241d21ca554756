package gitcmd

import (
	"os"
	"path/filepath"
	"strings"
)

// The one reader of .git entries and "gitdir:" files: where a work tree's
// git directory and common directory are, and what its HEAD names, read
// from files without starting git.

// DotGit resolves the .git entry of the work tree at top: the directory
// itself, or the one a "gitdir:" file points at. ok is false when the
// entry is missing, or a file that names no git directory.
func DotGit(top string) (gitDir string, ok bool) {
	dotgit := filepath.Join(top, ".git")
	fi, err := os.Stat(dotgit)
	if err != nil {
		return "", false
	}
	if fi.IsDir() {
		return dotgit, true
	}
	data, err := os.ReadFile(dotgit)
	if err != nil {
		return "", false
	}
	p, found := strings.CutPrefix(strings.TrimSpace(string(data)), "gitdir: ")
	if !found {
		return "", false
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(top, p)
	}
	return filepath.Clean(p), true
}

// commonDir is the common directory of gitDir (where objects and refs
// live): the one its commondir file names, or gitDir itself.
func commonDir(gitDir string) string {
	c, err := os.ReadFile(filepath.Join(gitDir, "commondir"))
	if err != nil {
		return gitDir
	}
	common := strings.TrimSpace(string(c))
	if !filepath.IsAbs(common) {
		common = filepath.Join(gitDir, common)
	}
	return filepath.Clean(common)
}

// CommonGitDir is the git directory holding the objects of the work tree
// at top: .git, or for a linked worktree or submodule the directory its
// .git file points at, and that directory's commondir. When .git cannot
// be read so, it is top/.git.
func CommonGitDir(top string) string {
	gitDir, ok := DotGit(top)
	if !ok {
		return filepath.Join(top, ".git")
	}
	return commonDir(gitDir)
}

// HeadBranch is the branch the HEAD of the work tree at top names; ""
// when it cannot tell (a detached HEAD, an unusual layout).
func HeadBranch(top string) string {
	gitDir, ok := DotGit(top)
	if !ok {
		return ""
	}
	data, err := os.ReadFile(filepath.Join(gitDir, "HEAD"))
	if err != nil {
		return ""
	}
	head := strings.TrimSpace(string(data))
	branch, found := strings.CutPrefix(head, "ref: refs/heads/")
	if !found {
		return ""
	}
	return branch
}

// findGitDir finds the repository containing dir as git's discovery
// does: the nearest .git directory or "gitdir:" file above it. It returns
// "" when dir is in no repository, and ok false for what it leaves to git
// (dir inside a git directory or a bare repository).
func findGitDir(dir string) (gitDir, common string, ok bool) {
	for cur := filepath.Clean(dir); ; {
		if looksLikeGitDir(cur) {
			return "", "", false
		}
		if _, err := os.Stat(filepath.Join(cur, ".git")); err == nil {
			gitDir, ok := DotGit(cur)
			if !ok || gitDir == filepath.Join(cur, ".git") && !looksLikeGitDir(gitDir) {
				return "", "", false
			}
			return gitDir, commonDir(gitDir), true
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return "", "", true
		}
		cur = parent
	}
}

func looksLikeGitDir(dir string) bool {
	for _, name := range []string{"HEAD", "objects", "refs"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return false
		}
	}
	return true
}
