package gitcmd

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Status is what `git status --porcelain=v2 --branch -z` says: the branch,
// its upstream, and every change, untracked files included.
type Status struct {
	OID      string // commit HEAD points at; "" before the first commit
	Branch   string // checked-out branch; "" when detached
	Detached bool
	Upstream string // upstream, e.g. "origin/main"; "" when none
	Ahead    int
	Behind   int
	Changes  []Change
}

// Change is one entry of the status.
type Change struct {
	Kind byte   // '1' changed, '2' renamed or copied, 'u' unmerged, '?' untracked, '!' ignored
	XY   string // index and work tree state, "??" for untracked
	Path string
	Orig string // original path of a rename or copy
	// Sub is a submodule's state, "S<c><m><u>": C its commit differs
	// from the index's, M it has tracked changes, U untracked files;
	// "N..." for an entry that is no submodule, "" when status gives none.
	Sub string
}

// Dirty reports whether the work tree has changes, untracked files included.
func (s *Status) Dirty() bool {
	for _, c := range s.Changes {
		if c.Kind != '!' {
			return true
		}
	}
	return false
}

// Unborn reports whether the branch has no commit yet.
func (s *Status) Unborn() bool { return s.OID == "" }

// StatusArgs are the arguments Status runs git with.
var StatusArgs = []string{"status", "--porcelain=v2", "--branch", "-z", "--untracked-files=normal"}

// Status runs `git status` in dir.
func (r *Runner) Status(ctx context.Context, dir string) (*Status, error) {
	out, err := r.Output(ctx, dir, StatusArgs...)
	if err != nil {
		return nil, err
	}
	return ParseStatus(out)
}

// ParseStatus parses `git status --porcelain=v2 --branch -z` output.
func ParseStatus(out []byte) (*Status, error) {
	s := &Status{}
	recs := bytes.Split(out, []byte{0})
	for i := 0; i < len(recs); i++ {
		rec := string(recs[i])
		if rec == "" {
			continue
		}
		if h, ok := strings.CutPrefix(rec, "# "); ok {
			if err := s.header(h); err != nil {
				return nil, err
			}
			continue
		}
		var skip int
		c := Change{Kind: rec[0]}
		switch c.Kind {
		case '1':
			skip = 8
		case '2':
			skip = 9
		case 'u':
			skip = 10
		case '?', '!':
			c.XY = rec[:1] + rec[:1]
			c.Path = strings.TrimPrefix(rec[1:], " ")
			s.Changes = append(s.Changes, c)
			continue
		default:
			return nil, fmt.Errorf("parse git status: unknown entry %q", rec)
		}
		fields := strings.SplitN(rec, " ", skip+1)
		if len(fields) != skip+1 {
			return nil, fmt.Errorf("parse git status: short entry %q", rec)
		}
		c.XY = fields[1]
		c.Sub = fields[2]
		c.Path = fields[skip]
		if c.Kind == '2' {
			if i+1 >= len(recs) || len(recs[i+1]) == 0 {
				return nil, fmt.Errorf("parse git status: rename without original path %q", rec)
			}
			i++
			c.Orig = string(recs[i])
		}
		s.Changes = append(s.Changes, c)
	}
	return s, nil
}

func (s *Status) header(h string) error {
	key, val, _ := strings.Cut(h, " ")
	switch key {
	case "branch.oid":
		if val != "(initial)" {
			s.OID = val
		}
	case "branch.head":
		if val == "(detached)" {
			s.Detached = true
		} else {
			s.Branch = val
		}
	case "branch.upstream":
		s.Upstream = val
	case "branch.ab":
		a, b, ok := strings.Cut(val, " ")
		ahead, err1 := strconv.Atoi(strings.TrimPrefix(a, "+"))
		behind, err2 := strconv.Atoi(strings.TrimPrefix(b, "-"))
		if !ok || err1 != nil || err2 != nil {
			return fmt.Errorf("parse git status: bad branch.ab %q", val)
		}
		s.Ahead, s.Behind = ahead, behind
	}
	return nil
}
