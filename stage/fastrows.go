package stage

import (
	"slices"
	"strings"
	"unsafe"
)

// rowSet is list's table before it is printed: for each copy, the cells
// of its row. A cell that is a string of the config file is a span of its
// bytes, so 10,000 copies cost no string of their own and nothing for the
// garbage collector to scan; the other cells (unescaped strings, times,
// "main (review: r)") are spans of extra: list's time goes mostly into
// the memory it touches.
type rowSet struct {
	data, extra []byte
	rows        []listRow
	never       span // "never", the LAST SYNC of a copy never synced
	// widths are the columns' widths, the header's included, kept as
	// rows come: measured while their strings are in the cache, not in
	// a pass over 10,000 rows scattered through 8 MB.
	widths columns
}

// listHeader is the header of list's table.
var listHeader = [...]string{"NAME", "BRANCH", "LAST SYNC", "STAGING", "WORK"}

// missingMark follows the staging directory of a copy whose directory is gone.
const missingMark = " (missing)"

// listRow is one copy's row.
type listRow struct {
	name, branch, lastSync, staging, work span
	missing                               bool // its staging directory is gone
}

// span is the bytes off..off+n of a rowSet's data followed by its extra.
type span struct{ off, n uint32 }

// maxSpan bounds a rowSet's data and extra together, as span counts them.
const maxSpan = 1<<32 - 1

// newRowSet makes the rowSet of a config file's data, with room for
// capacity rows (and their last sync times) before it grows.
func newRowSet(data []byte, capacity int) *rowSet {
	s := &rowSet{data: data, rows: make([]listRow, 0, capacity), extra: make([]byte, 0, 16+capacity*len("2006-01-02 15:04"))}
	s.never = s.text(func(b []byte) []byte { return append(b, "never"...) })
	s.widths.widen(listHeader[:])
	return s
}

// rowsOf makes the rows of entries, as decodeRows would from their file.
func rowsOf(entries []ListEntry) *rowSet {
	s := newRowSet(nil, len(entries))
	for i, e := range entries {
		s.add(e.Name, e.Mapping)
		s.markGone(i, e.Missing)
	}
	return s
}

// add appends mapping m's row, named name.
func (s *rowSet) add(name string, m *Mapping) {
	r := listRow{name: s.span(name), staging: s.span(m.StagingPath), work: s.span(m.WorkPath), lastSync: s.never}
	if m.ReviewBranch == "" {
		r.branch = s.span(m.BaseBranch)
	} else {
		r.branch = s.text(func(b []byte) []byte { return appendBranches(b, m.BaseBranch, m.ReviewBranch) })
	}
	if m.LastSync != nil {
		r.lastSync = s.text(func(b []byte) []byte { return appendSyncTime(b, m.LastSync) })
	}
	s.rows = append(s.rows, r)
	s.widths.widen([]string{name, s.str(r.branch), s.str(r.lastSync), m.StagingPath, m.WorkPath})
}

// span is str as a span: of data when it lies there, else copied to extra.
func (s *rowSet) span(str string) span {
	if str == "" {
		return span{}
	}
	if len(s.data) > 0 {
		p := uintptr(unsafe.Pointer(unsafe.StringData(str)))
		base := uintptr(unsafe.Pointer(unsafe.SliceData(s.data)))
		if p >= base && p-base <= uintptr(len(s.data)-len(str)) {
			return span{uint32(p - base), uint32(len(str))}
		}
	}
	return s.text(func(b []byte) []byte { return append(b, str...) })
}

// text is the span of what appendTo appends to extra.
func (s *rowSet) text(appendTo func([]byte) []byte) span {
	start := len(s.extra)
	s.extra = appendTo(s.extra)
	if len(s.data)+len(s.extra) > maxSpan {
		panic("stage: list's rows exceed 4 GiB")
	}
	return span{uint32(len(s.data) + start), uint32(len(s.extra) - start)}
}

// str is the string sp spans. It shares the rowSet's bytes: extra only
// grows by append, which never changes the bytes a string already holds.
func (s *rowSet) str(sp span) string {
	if sp.n == 0 {
		return ""
	}
	if off := int(sp.off); off < len(s.data) {
		return unsafe.String(&s.data[off], sp.n)
	}
	return unsafe.String(&s.extra[int(sp.off)-len(s.data)], sp.n)
}

// sortByName sorts the rows by name (git-stage writes them sorted, so
// this is usually one look); false if a name is there twice.
func (s *rowSet) sortByName() bool {
	byName := func(a, b listRow) int { return strings.Compare(s.str(a.name), s.str(b.name)) }
	if !slices.IsSortedFunc(s.rows, byName) {
		slices.SortFunc(s.rows, byName)
	}
	for i := 1; i < len(s.rows); i++ {
		if s.str(s.rows[i].name) == s.str(s.rows[i-1].name) {
			return false
		}
	}
	return true
}

// markMissing marks the rows whose staging directory is gone.
func (s *rowSet) markMissing() {
	gone := goneDirs(len(s.rows), func(i int) string { return s.str(s.rows[i].staging) })
	for i := range s.rows {
		s.markGone(i, gone[i])
	}
}

// markGone records whether row i's staging directory is gone.
func (s *rowSet) markGone(i int, gone bool) {
	s.rows[i].missing = gone
	if gone {
		s.widths[3] = max(s.widths[3], runes(s.str(s.rows[i].staging))+len(missingMark))
	}
}

// cells are row i's cells, the staging directory's marked when it is
// missing (in scratch, which the next call reuses).
func (s *rowSet) cells(i int, scratch *[]byte) [5]string {
	r := s.rows[i]
	staging := s.str(r.staging)
	if r.missing {
		*scratch = append(append((*scratch)[:0], staging...), missingMark...)
		staging = unsafe.String(unsafe.SliceData(*scratch), len(*scratch))
	}
	return [5]string{s.str(r.name), s.str(r.branch), s.str(r.lastSync), staging, s.str(r.work)}
}
