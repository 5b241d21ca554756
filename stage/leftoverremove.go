// What prune and clone do with the leftovers of interrupted runs:
// removed when nothing in them would be lost, else kept and said.

package stage

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/git-stage/git-stage/gitcmd"
)

// keptNote says what happens to a kept leftover's temp branch.
func (l *leftover) keptNote() string {
	if l.temp == nil {
		return ""
	}
	return fmt.Sprintf("; its temp branch %s stays on %s", l.temp.Name, l.way.remote)
}

// removeLeftoverSteps delete the leftover's temp branch (leased on the commit
// judged) and then the directory. Each action is added to actions as it
// will be reported.
func (a *App) removeLeftoverSteps(l *leftover, root string, actions *[]string) []*step {
	var steps []*step
	if l.temp != nil {
		steps = append(steps, a.deleteTempsStep(l.way, []gitcmd.Ref{*l.temp}))
		*actions = append(*actions, fmt.Sprintf("deleted temp branch %s of an interrupted clone of %q from %s", l.temp.Name, l.name, l.way.remote))
	}
	steps = append(steps, &step{
		desc: "rm -rf " + gitcmd.Quote(l.dir),
		do: func(context.Context) error {
			if err := os.RemoveAll(l.dir); err != nil {
				return err
			}
			if root != "" {
				removeEmptyParents(filepath.Dir(l.dir), root)
			}
			return nil
		},
	})
	*actions = append(*actions, "removed "+l.String())
	return steps
}

// pruneLeftovers finds the leftovers of dead runs and decides, for each,
// to remove it (and delete its temp branch) or to keep it, saying why.
// A leftover whose copy's lock is busy belongs to a live run and is
// skipped; the locks of those prune removes are held until it ends
// (release). Nothing is looked for where no clone ever ran: neither the
// config nor the lock directory beside it is there.
func (a *App) pruneLeftovers(ctx context.Context, j *pruneJob, root string, cfg *Config, o PruneOptions) (release func(), steps []*step) {
	var unlocks []func()
	release = func() {
		for _, u := range unlocks {
			u()
		}
	}
	configThere, _ := exists(j.store.Path)
	locksThere, _ := exists(filepath.Dir(copyLockPath(j.store.Path, root)))
	if !configThere && !locksThere {
		return release, nil
	}
	var going []string
	for _, d := range j.deletes {
		for _, t := range d.temps {
			going = append(going, t.Name)
		}
	}
	locked := map[string]bool{}
	for _, dir := range findLeftovers(root, cfg) {
		l := newLeftover(dir)
		l.readConfig()
		if l.config != "" && physical(l.config) != physical(j.store.Path) {
			a.infof("skipped %s: it belongs to the copies of %s", l, l.config)
			continue
		}
		lockPath := copyLockPath(j.store.Path, l.target)
		if !locked[lockPath] {
			unlock, _, busy, err := tryLock(lockPath)
			switch {
			case err != nil:
				a.warnf("skipped %s: %v", l, err)
				continue
			case busy:
				a.infof("skipped %s: another git-stage is working on %q", l.dir, l.name)
				continue
			}
			if o.DryRun {
				unlock()
			} else {
				unlocks = append(unlocks, unlock)
			}
			locked[lockPath] = true
		}
		a.judgeLeftover(ctx, l, cfg, going, "discard it anyway with --force")
		if l.why() != "" && !o.Force {
			j.kept = append(j.kept, fmt.Sprintf("kept %s: %s%s", l, l.why(), l.keptNote()))
			j.keptLeftovers++
			continue
		}
		if l.unsure != "" {
			a.warnf("discarding %s (--force): %s", l, l.unsure)
		}
		if l.temp != nil {
			going = append(going, l.temp.Name)
		}
		steps = append(steps, a.removeLeftoverSteps(l, root, &j.actions)...)
	}
	return release, steps
}

// cloneLeftovers judges the leftovers of the copy clone makes (whose lock
// it holds), other than its own build directory: they are removed once
// the copy is made, and one holding work refuses the clone, unless -ff.
func (a *App) cloneLeftovers(ctx context.Context, j *cloneJob, cfg *Config, force int, dryRun bool) error {
	var going []string
	for _, dir := range leftoversIn(filepath.Dir(j.target), filepath.Base(j.target)) {
		if dir == j.tmp {
			continue
		}
		l := newLeftover(dir)
		l.readConfig()
		if l.config != "" && physical(l.config) != physical(j.store.Path) {
			a.infof("skipped %s: it belongs to the copies of %s", l, l.config)
			continue
		}
		a.judgeLeftover(ctx, l, cfg, going, "discard it anyway with -ff (--force --force)")
		if l.why() != "" {
			if force < 2 {
				return refuse("save what it holds first (it is a git repository: push its commits, or move it elsewhere), or discard it with -ff (--force --force)",
					"%s: %s", l, l.why())
			}
			verb := "discarding"
			if dryRun {
				verb = "would discard"
			}
			a.warnf("%s %s (-ff)", verb, l)
		}
		if l.temp != nil {
			going = append(going, l.temp.Name)
		}
		j.unfinished = append(j.unfinished, l)
	}
	return nil
}

// removeCloneLeftovers removes the leftovers clone judged, once its copy
// is made, reporting each action; one that fails is reported, not undone.
func (a *App) removeCloneLeftovers(ctx context.Context, j *cloneJob, dryRun bool) {
	for _, l := range j.unfinished {
		var actions []string
		steps := a.removeLeftoverSteps(l, "", &actions)
		if dryRun {
			a.preview(steps)
			continue
		}
		for i, s := range steps {
			if err := a.runStep(ctx, s); err != nil {
				a.warnf("could not clean up %s: %v", l, err)
				break
			}
			a.infof("%s", actions[i])
		}
	}
}
