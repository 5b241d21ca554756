package stage

import (
	"bufio"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"
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
// its staging directory is gone (looked at in parallel).
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
		entries[i] = ListEntry{Name: name, Mapping: m}
	}
	markMissing(entries)
	return entries
}

// markMissing marks the entries whose staging directory is gone, reading
// each parent directory once instead of one stat per entry (10,000 copies
// live in far fewer directories). A symlink is followed, as os.Stat would.
func markMissing(entries []ListEntry) {
	byParent := map[string][]int{}
	for i, e := range entries {
		parent := filepath.Dir(e.StagingPath)
		byParent[parent] = append(byParent[parent], i)
	}
	for parent, idx := range byParent {
		des, err := os.ReadDir(parent)
		if err != nil && len(des) == 0 {
			for _, i := range idx {
				entries[i].Missing = true
			}
			continue
		}
		found := make(map[string]fs.FileMode, len(des))
		for _, d := range des {
			found[d.Name()] = d.Type()
		}
		for _, i := range idx {
			mode, ok := found[filepath.Base(entries[i].StagingPath)]
			if ok && mode&fs.ModeSymlink != 0 {
				_, err := os.Stat(entries[i].StagingPath)
				ok = err == nil
			}
			entries[i].Missing = !ok
		}
	}
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
	t := a.table("NAME", "BRANCH", "LAST SYNC", "STAGING", "WORK")
	for _, e := range entries {
		staging := e.StagingPath
		if e.Missing {
			staging += " (missing)"
		}
		last := "never"
		if e.LastSync != nil {
			last = e.LastSync.Time.Local().Format("2006-01-02 15:04")
		}
		t.row(e.Name, e.branches(), last, staging, e.WorkPath)
	}
	return t.flush()
}

// table is rows of cells printed in aligned columns, two spaces apart,
// as text/tabwriter would, in one buffered write (a tabwriter on 10,000
// rows costs more than reading the config).
type table struct {
	w    io.Writer
	rows [][]string
}

func (a *App) table(header ...string) *table {
	return &table{w: a.Stdout, rows: [][]string{header}}
}

func (t *table) row(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) flush() error {
	var widths []int
	for _, r := range t.rows {
		for i, c := range r {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	buf := bufio.NewWriterSize(t.w, 64<<10)
	for _, r := range t.rows {
		for i, c := range r {
			buf.WriteString(c)
			if i < len(r)-1 {
				buf.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+2))
			}
		}
		buf.WriteByte('\n')
	}
	return buf.Flush()
}

// branches is the base branch, and the review branch when there is one.
func (e *ListEntry) branches() string {
	if e.ReviewBranch != "" {
		return e.BaseBranch + " (review: " + e.ReviewBranch + ")"
	}
	return e.BaseBranch
}
