package gitcmd

import (
	"bytes"
	"os"
	"path/filepath"
)

// Operation is a git command stopped halfway in a work tree, waiting for
// the user: a rebase, merge, cherry-pick, revert, am or bisect. Its HEAD is
// not a state to publish.
type Operation struct {
	Name     string // "rebase", "merge"...
	Continue string // the command that finishes it; "" when there is none
	Abort    string // the command that abandons it
}

// InProgress reports the operation stopped halfway in the work tree whose
// top level is top, read from its git directory as `git status` does; nil
// when there is none (or top is not a work tree).
func InProgress(top string) *Operation {
	gitDir, _, ok := findGitDir(top)
	if !ok || gitDir == "" {
		return nil
	}
	has := func(name string) bool {
		_, err := os.Lstat(filepath.Join(gitDir, name))
		return err == nil
	}
	op := func(name, cont, abort string) *Operation {
		return &Operation{Name: name, Continue: cont, Abort: abort}
	}
	switch {
	case has("rebase-apply/applying"):
		return op("git am session", "git am --continue", "git am --abort")
	case has("rebase-merge") || has("rebase-apply"):
		return op("rebase", "git rebase --continue", "git rebase --abort")
	case has("MERGE_HEAD"):
		return op("merge", "git commit", "git merge --abort")
	case has("CHERRY_PICK_HEAD"):
		return op("cherry-pick", "git cherry-pick --continue", "git cherry-pick --abort")
	case has("REVERT_HEAD"):
		return op("revert", "git revert --continue", "git revert --abort")
	case has("sequencer/todo"):
		// A series of picks or reverts between two of its commits.
		todo, _ := os.ReadFile(filepath.Join(gitDir, "sequencer", "todo"))
		if bytes.HasPrefix(bytes.TrimSpace(todo), []byte("revert")) {
			return op("revert", "git revert --continue", "git revert --abort")
		}
		return op("cherry-pick", "git cherry-pick --continue", "git cherry-pick --abort")
	case has("BISECT_START"):
		return op("bisect", "", "git bisect reset")
	}
	return nil
}
