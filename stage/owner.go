package stage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/git-stage/git-stage/gitcmd"
)

// A staging name belongs to one staging path, and git-stage deletes only
// the copies it made: the rules here decide what clone may take over and
// what remove and clone --force may delete.

// checkNameFree refuses a clone that would take over name while the
// config records it for a copy at another path (another staging root
// sharing the config file): commands run inside that copy would then act
// on this one.
func checkNameFree(cfg *Config, config, name, target string) error {
	m := cfg.Stagings[name]
	if m == nil || samePath(m.StagingPath, target) {
		return nil
	}
	remove := "git staging --config-path " + gitcmd.Quote(config) + " remove " + gitcmd.Quote(name)
	if root, ok := rootOf(m.StagingPath, name); ok {
		remove = "git staging --staging-root " + gitcmd.Quote(root) + " --config-path " + gitcmd.Quote(config) + " remove " + gitcmd.Quote(name)
	}
	return refuse("pick another name with --as-name, or remove that copy first ("+remove+")",
		"staging name %q is recorded for the copy at %s; clone would make it at %s", name, m.StagingPath, target)
}

// rootOf is the staging root a copy's path implies: its path without the
// staging name's parts.
func rootOf(stagingPath, name string) (string, bool) {
	root, ok := strings.CutSuffix(filepath.ToSlash(stagingPath), "/"+name)
	if !ok || root == "" {
		return "", false
	}
	return filepath.FromSlash(root), true
}

// errNotInRoot marks a directory that lies outside the staging root.
var errNotInRoot = errors.New("it is not inside the staging root")

// checkDeletable says why dir may not be deleted as the staging copy name
// recorded in the config file config; nil when it may: it lies inside the
// staging root root (and is not the root), is not (and does not hold) the
// work repository work, and is the copy git-stage made for this mapping.
// A config edited by hand, or merged, may point anywhere.
func (a *App) checkDeletable(ctx context.Context, dir, root, work, name, config string) error {
	switch {
	case samePath(dir, work):
		return errors.New("it is the work repository")
	case within(work, dir):
		return fmt.Errorf("it holds the work repository %s", work)
	case samePath(dir, root):
		return errors.New("it is the staging root")
	case !within(dir, root):
		return fmt.Errorf("%w %s", errNotInRoot, root)
	}
	return a.checkCopyMark(ctx, dir, name, config)
}

// checkCopyMark says why dir is not the copy git-stage made for staging
// name in the config file config; nil when it is. clone wrote both into
// the copy's own git config (stage.name, stage.config).
func (a *App) checkCopyMark(ctx context.Context, dir, name, config string) error {
	markName, markConfig, err := a.copyMark(ctx, dir)
	switch {
	case err != nil:
		return err
	case markName == "":
		return errors.New("its git config names no staging copy")
	case markName != name:
		return fmt.Errorf("its git config names staging copy %q", markName)
	case !samePath(markConfig, config):
		return fmt.Errorf("its git config names staging copy %q of %s, not of %s", markName, markConfig, config)
	}
	return nil
}

// copyOf is the mapping of the staging copy whose repository is at dir,
// and its name: the one that the config file named in dir's own git
// config records at dir. nil when dir is no staging copy (a duplicate
// made with cp carries the same git config, but the config records
// another path).
func (a *App) copyOf(ctx context.Context, dir string) (string, *Mapping) {
	name, config, err := a.copyMark(ctx, dir)
	if err != nil || name == "" || config == "" {
		return "", nil
	}
	cfg, err := (&Store{Path: config}).Load()
	if err != nil {
		return "", nil
	}
	if m := cfg.Stagings[name]; m != nil && samePath(m.StagingPath, dir) {
		return name, m
	}
	return "", nil
}

// copyMark reads the staging name and config file that the repository at
// dir records in its own git config (not the global one), as clone
// wrote them. A repository without a .git directory of its own (a
// worktree, a submodule) is no copy. The file is read here when it can be
// parsed exactly, else git reads it.
func (a *App) copyMark(ctx context.Context, dir string) (name, config string, err error) {
	gitDir := filepath.Join(dir, ".git")
	fi, err := os.Lstat(gitDir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", "", errors.New("it is not a git repository")
	case err != nil:
		return "", "", err
	case !fi.IsDir():
		return "", "", errors.New("it is not a repository of its own (its .git is not a directory: a worktree or a submodule)")
	}
	file := filepath.Join(gitDir, "config")
	data, err := readSmallFile(file, maxGitConfig)
	if err != nil {
		return "", "", fmt.Errorf("cannot read its git config: %w", err)
	}
	if !bytes.Contains(bytes.ToLower(data), []byte("stage")) {
		return "", "", nil // no stage section: no git needed to tell
	}
	entries, perr := gitcmd.ParseConfigFile(string(data))
	if perr != nil {
		out, err := a.Git.Output(ctx, dir, "config", "--file", file, "-z", "--get-regexp", `^stage\.(name|config)$`)
		if err != nil && gitcmd.ExitCode(err) != 1 {
			return "", "", fmt.Errorf("cannot read its git config: %w", err)
		}
		entries = nil
		for _, rec := range bytes.Split(out, []byte{0}) {
			if k, v, ok := strings.Cut(string(rec), "\n"); ok {
				entries = append(entries, gitcmd.ConfigEntry{Key: strings.ToLower(k), Value: v})
			}
		}
	}
	for _, e := range entries {
		switch e.Key {
		case "stage.name":
			name = e.Value
		case "stage.config":
			config = e.Value
		}
	}
	return name, config, nil
}

// maxGitConfig bounds the size of a copy's own git config that git-stage
// reads itself.
const maxGitConfig = 1 << 20

// readSmallFile reads a regular file of at most max bytes.
func readSmallFile(path string, max int64) ([]byte, error) {
	f, fi, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi.Size() > max {
		return nil, fmt.Errorf("it is larger than %d bytes", max)
	}
	return io.ReadAll(io.LimitReader(f, max))
}

// samePath reports whether a and b name the same file or directory,
// whatever links lead to them: the same inode when both exist, else the
// same physical path.
func samePath(a, b string) bool {
	if a == b {
		return true
	}
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(fa, fb)
	}
	return physical(filepath.Clean(a)) == physical(filepath.Clean(b))
}
