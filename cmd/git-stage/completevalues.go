package main

import (
	"context"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/git-stage/git-stage/gitcmd"
	"github.com/git-stage/git-stage/stage"
)

// The walk for clone's PROJECT: names like apps/backend/api and no
// deeper, and a bounded number of directories, so that a work root as
// large as a home directory does not hang the shell.
const (
	projectDepth = 3
	projectDirs  = 2000
)

// repoSource is the source completion runs with: the config file for the
// staging names, one git call for a repository's branches or remotes, a
// bounded walk for the projects. It writes nothing; whatever fails gives
// no candidates.
type repoSource struct {
	ctx context.Context
	git *gitcmd.Runner
	s   stage.Settings
}

func (r *repoSource) names() []string {
	cfg := r.config()
	if cfg == nil {
		return nil
	}
	var out []string
	for name := range cfg.Stagings {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

func (r *repoSource) branches(t typed) []string {
	dir := r.workRepo(t)
	if dir == "" {
		return nil
	}
	refs, err := r.git.ForEachRef(r.ctx, dir, "refs/heads/")
	if err != nil {
		return nil
	}
	var out []string
	for _, ref := range refs {
		out = append(out, strings.TrimPrefix(ref.Name, "refs/heads/"))
	}
	return out
}

func (r *repoSource) remotes(t typed) []string {
	out := r.lines(t, "remote")
	sort.Strings(out)
	return out
}

// projects are the repositories under the work root: the one typed or
// set, else, for sync-back's --work-name, the one the copy recorded.
func (r *repoSource) projects(t typed, prefix string) []string {
	root := r.workRoot(t)
	if root == "" && t.cmd == "sync-back" {
		if m, _ := r.copyOf(t); m != nil {
			root = m.WorkRoot
		}
	}
	if root == "" {
		return nil
	}
	return findProjects(root, prefix, projectDepth, projectDirs)
}

// lines runs git in the work repository t names and returns its output's
// lines; none when the repository cannot be told or git fails.
func (r *repoSource) lines(t typed, args ...string) []string {
	dir := r.workRepo(t)
	if dir == "" {
		return nil
	}
	out, err := r.git.Output(r.ctx, dir, args...)
	if err != nil {
		return nil
	}
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		if l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// workRepo is the work repository the command typed acts on, found as
// the command finds it: for clone, PROJECT, else the repository here;
// for sync-back, --work-name's, else the work repository of the copy
// named (or of the copy here), else the repository here. "" when it
// cannot be told.
func (r *repoSource) workRepo(t typed) string {
	switch t.cmd {
	case "clone":
		if len(t.args) == 0 {
			return r.s.Cwd
		}
		return stage.ProjectPath(t.args[0], r.workRoot(t), r.s.Cwd)
	case "sync-back":
		m, name := r.copyOf(t)
		if w := t.flags["work-name"]; w != "" {
			root := r.workRoot(t)
			if root == "" && m != nil {
				root = m.WorkRoot
			}
			return stage.ProjectPath(w, root, r.s.Cwd)
		}
		switch {
		case m != nil:
			return m.WorkPath
		case name != "":
			return "" // no such copy
		}
		return r.s.Cwd
	}
	return ""
}

// copyOf is the copy sync-back names, or the copy here, and its mapping
// (nil when none is recorded).
func (r *repoSource) copyOf(t typed) (*stage.Mapping, string) {
	name := r.s.Here
	if len(t.args) > 0 {
		name = t.args[0]
	}
	if clean, err := stage.CleanName(name); err == nil {
		name = clean
	}
	cfg := r.config()
	if name == "" || cfg == nil {
		return nil, name
	}
	return cfg.Stagings[name], name
}

// workRoot is the work root typed (--work-root), else the one set.
func (r *repoSource) workRoot(t typed) string {
	if v := t.flags["work-root"]; v != "" {
		return stage.AbsPath(v, r.s.Cwd)
	}
	return r.s.WorkRoot
}

func (r *repoSource) config() *stage.Config {
	cfg, err := (&stage.Store{Path: r.s.Config()}).Load()
	if err != nil {
		return nil
	}
	return cfg
}

// findProjects lists the git repositories under root (directories holding
// .git: a directory, or a worktree's file) that begin with prefix, by
// their slash-separated names relative to root, sorted. It goes at most
// depth levels down, never into a repository nor a hidden directory, and
// only into the directories that can lead to prefix; it looks at most at
// maxDirs directories, the shallowest first.
func findProjects(root, prefix string, depth, maxDirs int) []string {
	var found []string
	seen := 0
	level := []string{""}
	for d := 0; d <= depth && len(level) > 0; d++ {
		var next []string
		for _, rel := range level {
			if seen == maxDirs {
				break
			}
			seen++
			dir := filepath.Join(root, filepath.FromSlash(rel))
			if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
				if rel != "" && strings.HasPrefix(rel, prefix) {
					found = append(found, rel)
				}
				continue
			}
			if d == depth {
				continue
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				continue
			}
			for _, e := range entries {
				child := path.Join(rel, e.Name())
				if strings.HasPrefix(e.Name(), ".") || !(strings.HasPrefix(child, prefix) || strings.HasPrefix(prefix, child+"/")) {
					continue
				}
				if e.IsDir() || e.Type()&os.ModeSymlink != 0 && isDir(filepath.Join(dir, e.Name())) {
					next = append(next, child)
				}
			}
		}
		level = next
	}
	sort.Strings(found)
	return found
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
