package stage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/git-stage/git-stage/gitcmd"
)

// RemoveOptions are remove's arguments and flags.
type RemoveOptions struct {
	Name   string
	Force  bool // discard unique work, and leave temp branches that cannot be checked
	DryRun bool // print the plan, change nothing
	JSON   bool // print the result as a JSON object (RemoveResult)
}

// removeJob is everything remove decided before changing anything.
type removeJob struct {
	*located
	present bool // the staging directory exists
	aside   string
	root    string // the staging root: empty parents up to it go too
	way     remoteWay
	delete  []gitcmd.Ref // temp branches to delete from the remote
	kept    []string     // temp branches left on the remote (--force)

	notDeleted bool // the directory could not be deleted
}

// Remove deletes a staging copy, its temp branches on the remote and its
// mapping. It refuses, changing nothing, when the copy holds work found
// nowhere else (uncommitted changes, commits neither in the work
// repository nor on the remote) or a temp branch holds commits the work
// repository lacks; --force discards them.
func (a *App) Remove(ctx context.Context, s Settings, o RemoveOptions) error {
	a.json = o.JSON
	l, unlock, err := a.locateLocked(ctx, s, o.Name, o.DryRun)
	if err != nil {
		return err
	}
	defer unlock()
	j, err := a.prepareRemove(ctx, s, o, l)
	if err != nil {
		return err
	}
	// The shell that ran remove from inside the copy is left in a
	// directory that is gone.
	inside := j.present && within(s.Cwd, j.m.StagingPath)
	ran, err := a.runPlan(ctx, o.DryRun, j.steps(a), func() string { return fmt.Sprintf("would remove %q", j.name) }, func(err error) error {
		hint := "the staging copy and its mapping are still there; run remove again once the cause is fixed"
		if undoIncomplete(err) {
			hint = "the cleanup above did not finish; see what it names"
		}
		return wrap(err, hint, "remove of %q failed", j.name)
	})
	if !ran {
		if err == nil && o.JSON {
			return writeJSON(a.Stdout, j.result(true))
		}
		return err
	}
	for _, t := range j.kept {
		a.warnf("temp branch %s is left on %s", t, j.way.remote)
	}
	what := "its mapping"
	if j.present {
		what = j.m.StagingPath + " and its mapping"
	}
	if len(j.delete) > 0 {
		names := make([]string, len(j.delete))
		for i, t := range j.delete {
			names[i] = t.Name
		}
		what += ", and temp branch(es) " + strings.Join(names, ", ") + " from " + j.way.remote
	}
	a.infof("removed %q: deleted %s", j.name, what)
	if inside {
		a.warnf("your current directory was in the removed copy, and is gone; cd elsewhere, e.g. cd %s", gitcmd.Quote(j.m.WorkPath))
	}
	if o.JSON {
		return writeJSON(a.Stdout, j.result(false))
	}
	return nil
}

func (a *App) prepareRemove(ctx context.Context, s Settings, o RemoveOptions, l *located) (*removeJob, error) {
	j := &removeJob{located: l, way: wayTo(l.m, l.store.Path), root: s.StagingRoot}
	var err error
	if j.present, err = exists(j.m.StagingPath); err != nil {
		return nil, wrap(err, "", "inspect %s", j.m.StagingPath)
	}
	// Only the copy git-stage made is deleted, whatever the config says.
	if j.present {
		if err := a.checkDeletable(ctx, j.m.StagingPath, j.root, j.m.WorkPath, j.name, j.store.Path); err != nil {
			hint := fmt.Sprintf("git-stage deletes only the staging copies it made, inside the staging root; if the entry for %q in %s is wrong, correct it by hand", j.name, j.store.Path)
			if errors.Is(err, errNotInRoot) {
				hint = "run remove with --staging-root set to the root that holds the copy; git-stage deletes only the staging copies it made, inside the staging root"
			}
			return nil, wrap(err, hint, "will not delete %s as staging copy %q", j.m.StagingPath, j.name)
		}
	}
	temps := a.deletableTemps(j.name, j.m, true)
	heads, err := a.listHeads(ctx, j.way)
	switch {
	case err != nil && !o.Force:
		return nil, wrap(err, "run remove again when the remote can be reached, or pass --force to remove the copy and leave its temp branches there",
			"cannot check the temp branches of %q", j.name)
	case err != nil:
		a.warnf("%v; its temp branches stay on the remote", err)
		j.kept = temps
	default:
		j.delete = present(heads, temps)
	}
	if !o.Force {
		dir := ""
		if j.present {
			dir = j.m.StagingPath
		}
		c := lossCheck{work: j.way.work, remote: j.way.remote, heads: heads, going: temps}
		lost, err := a.lossOf(ctx, c, dir, j.delete, "discard it anyway with --force")
		if err != nil {
			return nil, err
		}
		if len(lost) > 0 {
			return nil, refuse(fmt.Sprintf("sync it back first (git staging sync-back %s), or discard it with --force", gitcmd.Quote(j.name)),
				"removing %q would lose work: %s", j.name, strings.Join(lost, "; "))
		}
	}
	if j.present {
		dir := j.m.StagingPath
		j.aside = besideDir(dir, oldDirMarker)
	}
	return j, nil
}

// steps are remove's changes, in order: the temp branches first (a copy
// whose branches could not be deleted stays whole), then the directory is
// moved aside, the mapping forgotten, and the directory deleted.
func (j *removeJob) steps(a *App) []*step {
	var steps []*step
	if len(j.delete) > 0 {
		steps = append(steps, a.deleteTempsStep(j.way, j.delete))
	}
	if j.present {
		steps = append(steps, renameStep(j.m.StagingPath, j.aside))
	}
	staging := j.m.StagingPath
	steps = append(steps, &step{
		desc: fmt.Sprintf("forget %q in %s", j.name, j.store.Path),
		do: func(ctx context.Context) error {
			return j.store.Update(ctx, func(c *Config) error {
				if m := c.Stagings[j.name]; m != nil && m.StagingPath == staging {
					delete(c.Stagings, j.name)
				}
				return nil
			})
		},
	})
	if j.present {
		steps = append(steps, &step{
			desc: "rm -rf " + gitcmd.Quote(j.aside),
			do: func(context.Context) error {
				// The mapping is gone: a copy that cannot be deleted is
				// reported, not restored.
				if err := os.RemoveAll(j.aside); err != nil {
					j.notDeleted = true
					a.warnf("could not delete %s: %v", j.aside, err)
				}
				removeEmptyParents(filepath.Dir(staging), j.root)
				return nil
			},
		})
	}
	return steps
}

// removeEmptyParents removes dir and its parents while they are empty,
// stopping at root (kept).
func removeEmptyParents(dir, root string) {
	for within(dir, root) && !within(root, dir) {
		if os.Remove(dir) != nil {
			return
		}
		dir = filepath.Dir(dir)
	}
}
