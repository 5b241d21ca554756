package stage

import (
	"fmt"
	"os"
	"sort"
	"text/tabwriter"
)

// ListEntry is one staging copy as `list --json` prints it. Its field names
// are part of the command line's contract: add fields, never rename them.
type ListEntry struct {
	Name string `json:"name"`
	*Mapping
	// Missing is true when the staging directory no longer exists.
	Missing bool `json:"missing"`
}

// Entries returns the config's mappings sorted by name, each marked when
// its staging directory is gone.
func (c *Config) Entries() []ListEntry {
	names := make([]string, 0, len(c.Stagings))
	for name := range c.Stagings {
		names = append(names, name)
	}
	sort.Strings(names)
	entries := make([]ListEntry, len(names))
	for i, name := range names {
		m := c.Stagings[name]
		if m.Leftovers == nil {
			m.Leftovers = []string{}
		}
		_, err := os.Stat(m.StagingPath)
		entries[i] = ListEntry{Name: name, Mapping: m, Missing: err != nil}
	}
	return entries
}

// List prints the recorded staging copies: a table, or JSON for scripts.
func (a *App) List(s Settings, asJSON bool) error {
	cfg, err := s.store().Load()
	if err != nil {
		return err
	}
	entries := cfg.Entries()
	if asJSON {
		return writeJSON(a.Stdout, entries)
	}
	if len(entries) == 0 {
		a.infof("no staging copies recorded in %s", s.Config())
		return nil
	}
	tw := tabwriter.NewWriter(a.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tBRANCH\tLAST SYNC\tSTAGING\tWORK")
	for _, e := range entries {
		staging := e.StagingPath
		if e.Missing {
			staging += " (missing)"
		}
		last := "never"
		if e.LastSync != nil {
			last = e.LastSync.Time.Local().Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.Name, e.branches(), last, staging, e.WorkPath)
	}
	return tw.Flush()
}

// branches is the base branch, and the review branch when there is one.
func (e *ListEntry) branches() string {
	if e.ReviewBranch != "" {
		return e.BaseBranch + " (review: " + e.ReviewBranch + ")"
	}
	return e.BaseBranch
}
