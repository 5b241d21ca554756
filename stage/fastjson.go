// The JSON reading under decodeFast (fastconfig.go): whitespace,
// objects, strings and numbers, giving up on anything unusual.

package stage

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"slices"
	"strconv"
	"unicode/utf8"
	"unsafe"
)

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
