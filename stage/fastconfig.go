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
	"path/filepath"
	"time"
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
