package stage

import (
	"bufio"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
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
	paths := make([]string, len(entries))
	for i, e := range entries {
		paths[i] = e.StagingPath
	}
	for i, gone := range missing(paths) {
		entries[i].Missing = gone
	}
	return entries
}

// missing says which of the staging directories are gone, reading each
// parent directory once instead of one stat per copy (10,000 copies live
// in far fewer directories). A symlink is followed, as os.Stat would.
func missing(paths []string) []bool {
	gone := make([]bool, len(paths))
	byParent := map[string][]int{}
	for i, p := range paths {
		parent := filepath.Dir(p)
		byParent[parent] = append(byParent[parent], i)
	}
	for parent, idx := range byParent {
		des, err := os.ReadDir(parent)
		if err != nil && len(des) == 0 {
			for _, i := range idx {
				gone[i] = true
			}
			continue
		}
		found := make(map[string]fs.FileMode, len(des))
		for _, d := range des {
			found[d.Name()] = d.Type()
		}
		for _, i := range idx {
			mode, ok := found[filepath.Base(paths[i])]
			if ok && mode&fs.ModeSymlink != 0 {
				_, err := os.Stat(paths[i])
				ok = err == nil
			}
			gone[i] = !ok
		}
	}
	return gone
}

// List prints the recorded staging copies: a table, or JSON for scripts.
func (a *App) List(s Settings, asJSON bool) error {
	store := s.store()
	if !asJSON {
		// The table needs a few fields of each mapping: read just those
		// when the file allows it.
		if rows, ok := store.rows(); ok {
			return a.listTable(s, rows)
		}
	}
	cfg, err := store.Load()
	if err != nil {
		return err
	}
	entries := cfg.Entries()
	if asJSON {
		return writeJSON(a.Stdout, entries)
	}
	rows := make([]listRow, len(entries))
	for i, e := range entries {
		rows[i] = rowOf(e.Name, e.Mapping)
		rows[i].missing = e.Missing
	}
	return a.listTable(s, rows)
}

// rows reads the config as list's table needs it; ok is false when Load
// must read it (and say what is wrong with it).
func (s *Store) rows() ([]listRow, bool) {
	data, err := readConfigFile(s.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, true
	}
	if err != nil {
		return nil, false
	}
	rows, ok := decodeRows(data)
	if !ok {
		return nil, false
	}
	paths := make([]string, len(rows))
	for i, r := range rows {
		paths[i] = r.staging
	}
	for i, gone := range missing(paths) {
		rows[i].missing = gone
	}
	return rows, true
}

func (a *App) listTable(s Settings, rows []listRow) error {
	if len(rows) == 0 {
		a.infof("no staging copies recorded in %s", s.Config())
		return nil
	}
	t := a.table("NAME", "BRANCH", "LAST SYNC", "STAGING", "WORK")
	for _, r := range rows {
		staging := r.staging
		if r.missing {
			staging += " (missing)"
		}
		last := "never"
		if r.hasSync {
			last = r.synced.Local().Format("2006-01-02 15:04")
		}
		t.row(r.name, branches(r.base, r.review), last, staging, r.work)
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

const spaces = "                                                                "

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
				for pad := widths[i] - utf8.RuneCountInString(c) + 2; pad > 0; pad -= len(spaces) {
					buf.WriteString(spaces[:min(pad, len(spaces))])
				}
			}
		}
		buf.WriteByte('\n')
	}
	return buf.Flush()
}

// branches is the base branch, and the review branch when there is one,
// as list and status show them.
func branches(base, review string) string {
	if review != "" {
		return base + " (review: " + review + ")"
	}
	return base
}
