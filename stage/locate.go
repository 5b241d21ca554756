package stage

import (
	"context"
	"fmt"
	"path/filepath"
)

// located is a staging copy's mapping, and where it was found.
type located struct {
	name  string
	store *Store
	m     *Mapping
}

// lock takes the copy's lock for a run; a dry run, which changes nothing,
// takes none.
func (l *located) lock(dryRun bool) (unlock func(), err error) {
	if dryRun {
		return func() {}, nil
	}
	unlock, _, err = lockCopy(l.store.Path, l.m.StagingPath, l.name)
	return unlock, err
}

// locateLocked finds the copy called name (see locate) and takes its lock
// for a run (see lock).
func (a *App) locateLocked(ctx context.Context, s Settings, name string, dryRun bool) (*located, func(), error) {
	l, err := a.locate(ctx, s, name)
	if err != nil {
		return nil, nil, err
	}
	unlock, err := l.lock(dryRun)
	if err != nil {
		return nil, nil, err
	}
	return l, unlock, nil
}

const listHint = "`git staging list` shows the staging copies; pass --staging-root or --config-path if they live elsewhere"

// locate finds the mapping of the staging copy called name, or, when name
// is empty, of the copy the current directory is in. A copy knows its
// mapping: clone wrote stage.config and stage.name into its git config,
// which the settings have read. A duplicate of a copy (a git worktree
// made from it, a copy made with cp) carries the same git config but is
// not the copy: the repository's top level must be the mapping's path.
func (a *App) locate(ctx context.Context, s Settings, name string) (*located, error) {
	store := s.store()
	l := &located{store: store}
	here := ""
	if name != "" {
		var err error
		if l.name, err = CleanName(name); err != nil {
			return nil, err
		}
	} else {
		var err error
		if here, err = a.locateHere(ctx, s, l); err != nil {
			return nil, err
		}
	}
	cfg, err := l.store.Load()
	if err != nil {
		return nil, err
	}
	if l.m = cfg.Stagings[l.name]; l.m == nil {
		return nil, refuse(listHint, "no staging copy %q is recorded in %s", l.name, l.store.Path)
	}
	if here != "" && !samePath(here, l.m.StagingPath) {
		return nil, refuse(fmt.Sprintf("run it in %s, or name the copy; a git worktree or a copy (cp) of a staging copy is not one", l.m.StagingPath),
			"the repository at %s is not staging copy %q, which is at %s", here, l.name, l.m.StagingPath)
	}
	return l, nil
}

// locateHere fills in the name of the copy containing the current
// directory: the one its git config records (already read with the
// settings), else the one whose recorded path it is. It returns the top
// level of the repository there.
func (a *App) locateHere(ctx context.Context, s Settings, l *located) (string, error) {
	top, ok := a.repoTop(ctx, s.Cwd)
	if !ok {
		return "", refuse("run it inside a staging copy, or name the copy; "+listHint, "%s is not inside a staging copy", s.Cwd)
	}
	if s.Here != "" {
		l.name = s.Here
		return top, nil
	}
	cfg, err := l.store.Load()
	if err != nil {
		return "", err
	}
	for name, m := range cfg.Stagings {
		if samePath(top, m.StagingPath) {
			l.name = name
			return top, nil
		}
	}
	return "", refuse("name the copy; "+listHint, "the repository at %s is not a staging copy recorded in %s", top, l.store.Path)
}

// repoTop returns the top level of the work tree containing dir, as git
// rev-parse --show-toplevel finds it (but spelled as dir is): the nearest
// directory at or above dir that holds a .git directory or file. Only
// when there is none is git asked (dir may be inside a git directory).
func (a *App) repoTop(ctx context.Context, dir string) (string, bool) {
	for cur := filepath.Clean(dir); ; {
		if ok, _ := exists(filepath.Join(cur, ".git")); ok {
			return cur, true
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return a.topHere(ctx, dir)
		}
		cur = parent
	}
}
