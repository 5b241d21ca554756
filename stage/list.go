package stage

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"sort"
	"unicode/utf8"
	"unsafe"
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
		entries[i] = ListEntry{Name: name, Mapping: m}
	}
	for i, gone := range goneDirs(len(entries), func(i int) string { return entries[i].StagingPath }) {
		entries[i].Missing = gone
	}
	return entries
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
	return a.listTable(s, rowsOf(entries))
}

// rows reads the config as list's table needs it; ok is false when Load
// must read it (and say what is wrong with it).
func (s *Store) rows() (*rowSet, bool) {
	data, err := readConfigFile(s.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return newRowSet(nil, 0), true
	}
	if err != nil {
		return nil, false
	}
	rows, ok := decodeRows(data)
	if !ok {
		return nil, false
	}
	rows.markMissing()
	return rows, true
}

// listTable prints rows as a table.
func (a *App) listTable(s Settings, rows *rowSet) error {
	if len(rows.rows) == 0 {
		a.infof("no staging copies recorded in %s", s.Config())
		return nil
	}
	buf := bufio.NewWriterSize(a.Stdout, 64<<10)
	rows.widths.write(buf, listHeader[:])
	var scratch []byte
	for i := range rows.rows {
		cells := rows.cells(i, &scratch)
		rows.widths.write(buf, cells[:])
	}
	return buf.Flush()
}

// table is rows of cells printed in aligned columns, as text/tabwriter
// would, in one buffered write (a tabwriter on 10,000 rows costs more
// than reading the config).
type table struct {
	w    io.Writer
	rows [][]string
}

func (a *App) table(header ...string) *table {
	return &table{w: a.Stdout, rows: [][]string{header}}
}

func (t *table) row(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) flush() error {
	var widths columns
	for _, r := range t.rows {
		widths.widen(r)
	}
	buf := bufio.NewWriterSize(t.w, 64<<10)
	for _, r := range t.rows {
		widths.write(buf, r)
	}
	return buf.Flush()
}

// columns are a table's column widths, in runes.
type columns []int

// widen makes the columns wide enough for cells.
func (c *columns) widen(cells []string) {
	for i, cell := range cells {
		if i == len(*c) {
			*c = append(*c, 0)
		}
		(*c)[i] = max((*c)[i], runes(cell))
	}
}

const spaces = "                                                                "

// write prints one row of cells, each padded to its column's width and
// two spaces, but the last.
func (c columns) write(buf *bufio.Writer, cells []string) {
	for i, cell := range cells {
		buf.WriteString(cell)
		if i < len(cells)-1 {
			for pad := c[i] - runes(cell) + 2; pad > 0; pad -= len(spaces) {
				buf.WriteString(spaces[:min(pad, len(spaces))])
			}
		}
	}
	buf.WriteByte('\n')
}

// runes is the number of runes in s, as utf8.RuneCountInString counts
// them, looking at eight bytes at a time while they are ASCII.
func runes(s string) int {
	b := unsafe.Slice(unsafe.StringData(s), len(s))
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b)&0x8080808080808080 != 0 {
			return utf8.RuneCountInString(s)
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return utf8.RuneCountInString(s)
		}
	}
	return len(s)
}

// branches is the base branch, and the review branch when there is one,
// as list and status show them.
func branches(base, review string) string {
	return string(appendBranches(nil, base, review))
}

func appendBranches(b []byte, base, review string) []byte {
	b = append(b, base...)
	if review != "" {
		b = append(append(append(b, " (review: "...), review...), ')')
	}
	return b
}

// appendSyncTime appends the time of sync as list shows it, in local
// time: 2006-01-02 15:04 (what AppendFormat does, in a fifth of the time).
func appendSyncTime(b []byte, sync *Sync) []byte {
	t := sync.Time.Local()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(b, "2006-01-02 15:04")
	}
	hour, minute, _ := t.Clock()
	two := func(b []byte, n int) []byte { return append(b, byte('0'+n/10), byte('0'+n%10)) }
	b = two(two(b, year/100), year%100)
	b = two(append(b, '-'), int(month))
	b = two(append(b, '-'), day)
	b = two(append(b, ' '), hour)
	return two(append(b, ':'), minute)
}
