// The fast*.go files are the speed code: the config decoder
// (decodeFast), list's table kept as spans of the config file's bytes
// (fastrows.go), and the directory reader (fastdirents_*.go). They serve
// one budget, design.md section 8: `list` of 10,000 copies under 50 ms,
// measured against `git --version` by BenchmarkList10k
// (testscripts/bench.sh). They are no second source of truth:
// FuzzDecodeFast holds decodeFast to encoding/json's result for every
// input it takes, and anything else goes to encoding/json.

package stage

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"path/filepath"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
	"unsafe"
)

// decodeFast decodes a config file the way encoding/json would, without
// reflection: list reads 10,000 mappings in a few milliseconds instead of
// a hundred. It handles the file as git-stage writes it and the usual hand
// edits; for anything else (a syntax error, an escape it does not decode,
// a key that only matches case-insensitively, a duplicate key) it gives up
// with ok false, and encoding/json decides, with its error messages. A
// fuzz test holds it to encoding/json's result for every input it takes.
func decodeFast(data []byte) (version int, stagings map[string]*Mapping, hasVersion, ok bool) {
	p := &fastParser{d: data}
	ok = p.file(&version, &hasVersion, func() { stagings = p.stagings() })
	return version, stagings, hasVersion, ok
}

var fileFields = []string{"version", "stagings"}

// file reads a whole config file: its version, and its stagings through
// stagings, called at their value. It reports false when it gave up.
func (p *fastParser) file(version *int, hasVersion *bool, stagings func()) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, giveUp := r.(fastGiveUp); !giveUp {
				panic(r)
			}
			ok = false
		}
	}()
	seen := 0
	p.object(func(key string) {
		switch {
		case !p.known(&seen, key, fileFields):
			p.skip()
		case key == "stagings":
			stagings()
		case !p.null():
			*version, *hasVersion = p.integer(), true
		}
	})
	p.ws()
	if p.i != len(p.d) {
		panic(fastGiveUp{})
	}
	return true
}

// fastGiveUp is the panic that ends a decode decodeFast leaves to
// encoding/json.
type fastGiveUp struct{}

type fastParser struct {
	d []byte
	i int
	// scratch, when set, receives every mapping (and its last sync) in
	// turn instead of new ones: decodeRows keeps only what list shows.
	scratch     *Mapping
	scratchSync *Sync
}

func (p *fastParser) ws() {
	i, d := p.i, p.d
	for i < len(d) && isJSONSpace[d[i]] {
		i++
		// The indentation after a newline: its spaces eight at a time.
		for i+8 <= len(d) {
			w := binary.LittleEndian.Uint64(d[i:]) ^ 0x2020202020202020
			i += bits.TrailingZeros64(w) / 8
			if w != 0 {
				break
			}
		}
	}
	p.i = i
}

var isJSONSpace = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}

func (p *fastParser) consume(c byte) bool {
	p.ws()
	if p.i < len(p.d) && p.d[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *fastParser) expect(c byte) {
	if !p.consume(c) {
		panic(fastGiveUp{})
	}
}

// object reads an object, calling field for each key with the parser at
// its value, which field must read.
func (p *fastParser) object(field func(key string)) {
	p.expect('{')
	if p.consume('}') {
		return
	}
	for {
		key := p.str()
		p.expect(':')
		field(key)
		if p.consume('}') {
			return
		}
		p.expect(',')
	}
}

// known reports whether key is one of fields, marking it in seen and
// giving up on a duplicate; it gives up too on a key encoding/json would
// match to one of them case-insensitively.
func (p *fastParser) known(seen *int, key string, fields []string) bool {
	// Keys usually come in the order of fields, as git-stage writes them.
	i := bits.Len(uint(*seen))
	if i >= len(fields) || fields[i] != key {
		i = slices.Index(fields, key)
	}
	if i < 0 {
		p.other(key, fields...)
		return false
	}
	*seen = p.once(*seen, 1<<i)
	return true
}

// once marks field bit in seen, giving up on a duplicate key.
func (p *fastParser) once(seen, bit int) int {
	if seen&bit != 0 {
		panic(fastGiveUp{})
	}
	return seen | bit
}

// other gives up on a key encoding/json would match case-insensitively
// to one of names.
func (p *fastParser) other(key string, names ...string) {
	for i := 0; i < len(key); i++ {
		if key[i] >= 0x80 {
			panic(fastGiveUp{}) // encoding/json folds some non-ASCII letters to ASCII ones
		}
	}
	for _, n := range names {
		if len(key) == len(n) && equalFoldASCII(key, n) {
			panic(fastGiveUp{})
		}
	}
}

func equalFoldASCII(a, b string) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

func (p *fastParser) null() bool {
	p.ws()
	if len(p.d)-p.i >= 4 && string(p.d[p.i:p.i+4]) == "null" {
		p.i += 4
		return true
	}
	return false
}

// str reads a string: plain bytes, or the escapes \" \\ \/ \b \f \n \r \t
// and \u of a character outside the surrogates.
func (p *fastParser) str() string {
	p.expect('"')
	start := p.i
	if end := bytes.IndexByte(p.d[p.i:], '"'); end >= 0 {
		// The usual string: printable ASCII, no escape, up to that quote.
		if s := p.d[p.i : p.i+end]; plainASCII(s) {
			p.i += end + 1
			if len(s) == 0 {
				return ""
			}
			// The string shares the file's bytes, which ParseConfig's
			// callers never change: no copy of 10,000 mappings' strings.
			return unsafe.String(&s[0], len(s))
		}
	}
	for p.i < len(p.d) {
		c := p.d[p.i]
		if c == '"' {
			s := p.d[start:p.i]
			p.i++
			if !utf8.Valid(s) {
				panic(fastGiveUp{})
			}
			if len(s) == 0 {
				return ""
			}
			return unsafe.String(&s[0], len(s))
		}
		if c == '\\' || c < 0x20 {
			break
		}
		p.i++
	}
	// The slow way, with escapes.
	buf := append([]byte(nil), p.d[start:p.i]...)
	for p.i < len(p.d) {
		c := p.d[p.i]
		switch {
		case c == '"':
			p.i++
			if !utf8.Valid(buf) {
				panic(fastGiveUp{})
			}
			return string(buf)
		case c < 0x20:
			panic(fastGiveUp{})
		case c != '\\':
			buf = append(buf, c)
			p.i++
			continue
		}
		if p.i+1 >= len(p.d) {
			panic(fastGiveUp{})
		}
		e := p.d[p.i+1]
		p.i += 2
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			if p.i+4 > len(p.d) {
				panic(fastGiveUp{})
			}
			r, err := strconv.ParseUint(string(p.d[p.i:p.i+4]), 16, 16)
			if err != nil || r >= 0xD800 && r < 0xE000 {
				panic(fastGiveUp{})
			}
			p.i += 4
			buf = utf8.AppendRune(buf, rune(r))
		default:
			panic(fastGiveUp{})
		}
	}
	panic(fastGiveUp{})
}

// plainASCII reports whether s is printable ASCII without a backslash,
// looking at eight bytes at a time.
func plainASCII(s []byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for len(s) >= 8 {
		w := binary.LittleEndian.Uint64(s)
		b := w ^ ones*'\\'
		// A byte >= 0x80, a byte < 0x20, a zero byte of b (a backslash):
		// exact tests for there being one, from "Bit Twiddling Hacks".
		if (w|(w-ones*0x20)&^w|(b-ones)&^b)&highs != 0 {
			return false
		}
		s = s[8:]
	}
	for _, c := range s {
		if c < 0x20 || c == '\\' || c >= 0x80 {
			return false
		}
	}
	return true
}

// integer reads a number that is a plain integer.
func (p *fastParser) integer() int {
	p.ws()
	start := p.i
	if p.i < len(p.d) && p.d[p.i] == '-' {
		p.i++
	}
	digits := p.i
	for p.i < len(p.d) && p.d[p.i] >= '0' && p.d[p.i] <= '9' {
		p.i++
	}
	if p.i == digits || p.d[digits] == '0' && p.i-digits > 1 {
		panic(fastGiveUp{})
	}
	if p.i < len(p.d) {
		switch p.d[p.i] {
		case '.', 'e', 'E':
			panic(fastGiveUp{})
		}
	}
	n, err := strconv.Atoi(string(p.d[start:p.i]))
	if err != nil {
		panic(fastGiveUp{})
	}
	return n
}

// skip passes over any value.
func (p *fastParser) skip() {
	p.ws()
	if p.i >= len(p.d) {
		panic(fastGiveUp{})
	}
	switch c := p.d[p.i]; {
	case c == '"':
		p.str()
	case c == '{':
		p.object(func(string) { p.skip() })
	case c == '[':
		p.i++
		if p.consume(']') {
			return
		}
		for {
			p.skip()
			if p.consume(']') {
				return
			}
			p.expect(',')
		}
	case c == 't' || c == 'f' || c == 'n':
		for _, lit := range []string{"true", "false", "null"} {
			if len(p.d)-p.i >= len(lit) && string(p.d[p.i:p.i+len(lit)]) == lit {
				p.i += len(lit)
				return
			}
		}
		panic(fastGiveUp{})
	default:
		// A number: only integers are taken here.
		p.integer()
	}
}

// decodeRows reads a config file's mappings as list's table shows them,
// checked as ParseConfig checks them, but without keeping a Mapping for
// each: for 10,000 copies most of list's time went into the memory for
// them. ok is false for anything it leaves to ParseConfig (and its
// errors): what decodeFast gives up on, another version, a null entry, a
// name or path ParseConfig refuses, a name twice, a file of 1 GiB or more.
func decodeRows(data []byte) (rows *rowSet, ok bool) {
	if len(data) >= 1<<30 {
		return nil, false
	}
	p := &fastParser{d: data, scratch: &Mapping{}, scratchSync: &Sync{}}
	rows = newRowSet(data, len(data)/700)
	var version int
	var hasVersion bool
	ok = p.file(&version, &hasVersion, func() {
		if p.null() {
			return
		}
		p.object(func(name string) {
			if p.null() {
				panic(fastGiveUp{})
			}
			m := p.mapping()
			if clean, err := CleanName(name); err != nil || clean != name || !filepath.IsAbs(m.StagingPath) || !filepath.IsAbs(m.WorkPath) {
				panic(fastGiveUp{})
			}
			rows.add(name, m)
		})
	})
	if !ok || !hasVersion || version != ConfigVersion {
		return nil, false
	}
	if !rows.sortByName() {
		return nil, false
	}
	return rows, true
}

func (p *fastParser) stagings() map[string]*Mapping {
	if p.null() {
		return nil
	}
	out := map[string]*Mapping{}
	p.object(func(name string) {
		if _, dup := out[name]; dup {
			panic(fastGiveUp{})
		}
		if p.null() {
			out[name] = nil
		} else {
			out[name] = p.mapping()
		}
	})
	return out
}

var mappingFields = []string{"staging_path", "work_path", "work_root", "remote", "remote_url", "base_branch",
	"base_commit", "temp_branch", "created", "last_sync", "review_branch", "leftover_temp_branches"}

func (p *fastParser) mapping() *Mapping {
	m := p.scratch
	if m == nil {
		m = &Mapping{}
	} else {
		*m = Mapping{}
	}
	seen := 0
	p.object(func(key string) {
		if !p.known(&seen, key, mappingFields) {
			p.skip()
			return
		}
		var field *string
		switch key {
		case "staging_path":
			field = &m.StagingPath
		case "work_path":
			field = &m.WorkPath
		case "work_root":
			field = &m.WorkRoot
		case "remote":
			field = &m.Remote
		case "remote_url":
			field = &m.RemoteURL
		case "base_branch":
			field = &m.BaseBranch
		case "base_commit":
			field = &m.BaseCommit
		case "temp_branch":
			field = &m.TempBranch
		case "review_branch":
			field = &m.ReviewBranch
		case "created":
			p.time(&m.Created)
		case "last_sync":
			if !p.null() {
				m.LastSync = p.sync()
			}
		case "leftover_temp_branches":
			m.Leftovers = p.strings()
		}
		p.optString(field)
	})
	return m
}

// optString reads a string into field, when there is one: null leaves
// it as it is, as encoding/json does.
func (p *fastParser) optString(field *string) {
	if field != nil && !p.null() {
		*field = p.str()
	}
}

// time reads a time as time.Time's UnmarshalJSON does (null leaves it).
func (p *fastParser) time(t *time.Time) {
	if p.null() {
		return
	}
	p.ws()
	start := p.i
	p.str()
	if err := t.UnmarshalJSON(p.d[start:p.i]); err != nil {
		panic(fastGiveUp{})
	}
}

var syncFields = []string{"time", "commit", "branch", "temp_branch", "mode"}

func (p *fastParser) sync() *Sync {
	s := p.scratchSync
	if s == nil {
		s = &Sync{}
	} else {
		*s = Sync{}
	}
	seen := 0
	p.object(func(key string) {
		if !p.known(&seen, key, syncFields) {
			p.skip()
			return
		}
		var field *string
		switch key {
		case "time":
			p.time(&s.Time)
		case "commit":
			field = &s.Commit
		case "branch":
			field = &s.Branch
		case "temp_branch":
			field = &s.TempBranch
		case "mode":
			field = &s.Mode
		}
		p.optString(field)
	})
	return s
}

func (p *fastParser) strings() []string {
	if p.null() {
		return nil
	}
	p.expect('[')
	out := []string{}
	if p.consume(']') {
		return out
	}
	for {
		if p.null() {
			out = append(out, "")
		} else {
			out = append(out, p.str())
		}
		if p.consume(']') {
			return out
		}
		p.expect(',')
	}
}
