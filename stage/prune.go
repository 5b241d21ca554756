package stage

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/git-stage/git-stage/gitcmd"
)

// PruneOptions are prune's flags.
type PruneOptions struct {
	Force  bool // delete temp branches even when their commits cannot be found in the work repository
	DryRun bool // print the plan, change nothing
}

// pruneJob is what prune decided: per remote, the temp branches to delete;
// per mapping, whether it is forgotten and which leftovers are settled.
type pruneJob struct {
	store   *Store
	deletes []pruneDelete
	forget  map[string]string   // name → its staging path (gone)
	settled map[string][]string // name → leftovers deleted now or already gone
	actions []string            // what the run reports, in order
	kept    []string            // what it leaves, and why
	// keptLeftovers counts those of kept that are leftover directories.
	keptLeftovers int
}

type pruneDelete struct {
	way   remoteWay
	temps []gitcmd.Ref
}

// Prune forgets the mappings whose staging directory is gone and deletes
// the leftover temp branches recorded in the config, each only when its
// commits are in the work repository (or with --force). A missing copy
// whose temp branches cannot be settled stays recorded, so that they are
// not forgotten either.
func (a *App) Prune(ctx context.Context, s Settings, o PruneOptions) error {
	store := s.store()
	cfg, err := store.Load()
	if err != nil {
		return err
	}
	j := &pruneJob{store: store, forget: map[string]string{}, settled: map[string][]string{}}
	if err := a.preparePrune(ctx, j, cfg, o.Force); err != nil {
		return err
	}
	release, leftoverSteps := a.pruneLeftovers(ctx, j, s.StagingRoot, cfg, o)
	defer release()
	steps := append(j.steps(), leftoverSteps...)
	for _, k := range j.kept {
		a.warnf("%s", k)
	}
	if len(steps) == 0 && !o.DryRun {
		a.infof("nothing to prune in %s", j.store.Path)
		return j.keptError()
	}
	ran, err := a.runPlan(ctx, o.DryRun, steps, func() string { return "" }, func(err error) error {
		return wrap(err, "run prune again once the cause is fixed; what is not done is still recorded", "prune failed")
	})
	if err != nil {
		return err
	}
	if !ran {
		return j.keptError()
	}
	for _, act := range j.actions {
		fmt.Fprintln(a.Stdout, gitcmd.Redact(act))
	}
	return j.keptError()
}

func (j *pruneJob) keptError() error {
	if len(j.kept) == 0 {
		return nil
	}
	if j.keptLeftovers > 0 {
		what := fmt.Sprintf("%d leftover(s) of interrupted runs holding work", j.keptLeftovers)
		if n := len(j.kept) - j.keptLeftovers; n > 0 {
			what = fmt.Sprintf("%d temp branch(es) holding commits no other ref reaches and ", n) + what
		}
		return refuse("save that work first (a leftover is a git repository: push its commits, or move it back into place), or discard it anyway with --force",
			"prune left %s", what)
	}
	return refuse("sync those commits home or fetch them into a branch of the work repository, or delete the branches anyway with --force",
		"prune left %d temp branch(es) holding commits no other ref reaches", len(j.kept))
}

func (a *App) preparePrune(ctx context.Context, j *pruneJob, cfg *Config, force bool) error {
	names := make([]string, 0, len(cfg.Stagings))
	for name := range cfg.Stagings {
		names = append(names, name)
	}
	sort.Strings(names)

	// Group the temp branches by the way to their remote: one listing and
	// one push per remote.
	type group struct {
		way   remoteWay
		temps []string
		owner map[string]string // temp → staging name
	}
	var groups []*group
	find := func(w remoteWay) *group {
		for _, g := range groups {
			if g.way == w {
				return g
			}
		}
		g := &group{way: w, owner: map[string]string{}}
		groups = append(groups, g)
		return g
	}
	keeps := map[string]bool{} // copies with a temp branch prune keeps
	for _, name := range names {
		m := cfg.Stagings[name]
		gone, err := exists(m.StagingPath)
		if err != nil {
			return wrap(err, "", "inspect %s", m.StagingPath)
		}
		gone = !gone
		if gone {
			j.forget[name] = m.StagingPath
		}
		// A live copy still uses its current temp branch.
		temps := a.deletableTemps(name, m, gone)
		if len(temps) == 0 {
			continue
		}
		g := find(wayTo(m, j.store.Path))
		for _, t := range temps {
			if _, dup := g.owner[t]; !dup {
				g.temps = append(g.temps, t)
				g.owner[t] = name
			}
		}
	}

	for _, g := range groups {
		heads, err := a.listHeads(ctx, g.way)
		if err != nil {
			return wrap(err, "run prune again when the remote can be reached", "cannot check temp branches on %s", g.way.remote)
		}
		there := present(heads, g.temps)
		oids := make([]string, len(there))
		for i, t := range there {
			oids[i] = t.OID
		}
		lost, err := a.unreached(ctx, lossCheck{work: g.way.work, remote: g.way.remote, heads: heads, going: g.temps}, "", nil, oids)
		if err != nil {
			return err
		}
		var del []gitcmd.Ref
		for _, t := range g.temps {
			owner := g.owner[t]
			oid, there := gitcmd.Find(there, t)
			i := slices.IndexFunc(lost, func(l commit) bool { return l.oid == oid })
			switch unsafe := i >= 0; {
			case !there:
				j.settle(owner, t)
				if slices.Contains(cfg.Stagings[owner].Leftovers, t) {
					j.actions = append(j.actions, fmt.Sprintf("leftover temp branch %s of %q is already gone from %s", t, owner, g.way.remote))
				}
			case unsafe && !force:
				why := "no ref of the work repository and no other branch reaches its commit " + lost[i].String()
				if g.way.work == "" {
					why = "its work repository is gone, so its commits cannot be checked"
				}
				j.kept = append(j.kept, fmt.Sprintf("kept temp branch %s of %q on %s: %s", t, owner, g.way.remote, why))
				keeps[owner] = true
			default:
				del = append(del, gitcmd.Ref{Name: t, OID: oid})
				j.settle(owner, t)
				j.actions = append(j.actions, fmt.Sprintf("deleted temp branch %s of %q from %s", t, owner, g.way.remote))
			}
		}
		if len(del) > 0 {
			j.deletes = append(j.deletes, pruneDelete{way: g.way, temps: del})
		}
	}
	for _, name := range names {
		if _, ok := j.forget[name]; !ok {
			continue
		}
		if keeps[name] {
			delete(j.forget, name) // its kept temp branch would be forgotten too
			continue
		}
		j.actions = append(j.actions, fmt.Sprintf("forgot %q: %s is gone", name, j.forget[name]))
	}
	return nil
}

func (j *pruneJob) settle(name, temp string) {
	j.settled[name] = append(j.settled[name], temp)
}

// steps are prune's changes: one push per remote, then one config update.
func (j *pruneJob) steps() []*step {
	var steps []*step
	for _, d := range j.deletes {
		cmd := deleteTempsCmd(d.way.dir, d.way.remote, d.temps)
		steps = append(steps, &step{git: &cmd, check: checkPush})
	}
	if len(j.forget) == 0 && len(j.settled) == 0 {
		return steps
	}
	var forget []string
	for name := range j.forget {
		forget = append(forget, name)
	}
	sort.Strings(forget)
	var parts []string
	for _, name := range forget {
		parts = append(parts, fmt.Sprintf("forget %q", name))
	}
	var settledNames []string
	for name := range j.settled {
		if _, ok := j.forget[name]; !ok {
			settledNames = append(settledNames, name)
		}
	}
	sort.Strings(settledNames)
	for _, name := range settledNames {
		parts = append(parts, fmt.Sprintf("drop %s from the leftovers of %q", strings.Join(j.settled[name], ", "), name))
	}
	steps = append(steps, &step{
		desc: fmt.Sprintf("record in %s: %s", j.store.Path, strings.Join(parts, "; ")),
		do: func(ctx context.Context) error {
			return j.store.Update(ctx, func(c *Config) error {
				for name, path := range j.forget {
					if m := c.Stagings[name]; m != nil && m.StagingPath == path {
						delete(c.Stagings, name)
					}
				}
				for name, temps := range j.settled {
					if m := c.Stagings[name]; m != nil {
						m.Leftovers = slices.DeleteFunc(m.Leftovers, func(t string) bool { return slices.Contains(temps, t) })
					}
				}
				return nil
			})
		},
	})
	return steps
}
