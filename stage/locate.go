package stage

import "context"

// located is a staging copy's mapping, and where it was found.
type located struct {
	name   string
	config string
	m      *Mapping
}

func (l *located) store() *Store { return &Store{Path: l.config} }

// lock takes the copy's lock for a run; a dry run, which changes nothing,
// takes none.
func (l *located) lock(dryRun bool) (unlock func(), err error) {
	if dryRun {
		return func() {}, nil
	}
	return lockCopy(l.config, l.m.StagingPath, l.name)
}

const listHint = "`git staging list` shows the staging copies; pass --staging-root or --config-path if they live elsewhere"

// locate finds the mapping of the staging copy called name, or, when name
// is empty, of the copy the current directory is in. A copy knows its
// mapping: clone wrote stage.config and stage.name into its git config,
// which the settings have read.
func (a *App) locate(ctx context.Context, s Settings, name string) (*located, error) {
	l := &located{config: s.Config()}
	if name != "" {
		var err error
		if l.name, err = CleanName(name); err != nil {
			return nil, err
		}
	} else if err := a.locateHere(ctx, s, l); err != nil {
		return nil, err
	}
	cfg, err := l.store().Load()
	if err != nil {
		return nil, err
	}
	if l.m = cfg.Stagings[l.name]; l.m == nil {
		return nil, refuse(listHint, "no staging copy %q is recorded in %s", l.name, l.config)
	}
	return l, nil
}

// locateHere fills in the name of the copy containing the current
// directory: the one its git config records (already read with the
// settings), else the one whose recorded path it is.
func (a *App) locateHere(ctx context.Context, s Settings, l *located) error {
	if s.Here != "" {
		l.name = s.Here
		return nil
	}
	top, ok := a.topHere(ctx, s.Cwd)
	if !ok {
		return refuse("run it inside a staging copy, or name the copy; "+listHint, "%s is not inside a staging copy", s.Cwd)
	}
	cfg, err := l.store().Load()
	if err != nil {
		return err
	}
	for name, m := range cfg.Stagings {
		if within(top, m.StagingPath) && within(m.StagingPath, top) {
			l.name = name
			return nil
		}
	}
	return refuse("name the copy; "+listHint, "the repository at %s is not a staging copy recorded in %s", top, l.config)
}
