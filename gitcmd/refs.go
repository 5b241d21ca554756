package gitcmd

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"strings"
)

// Ref is a reference and the object it points at.
type Ref struct {
	Name string // full name, e.g. refs/heads/main
	OID  string
}

// ForEachRef lists the refs under the given prefixes (`git for-each-ref`).
func (r *Runner) ForEachRef(ctx context.Context, dir string, prefixes ...string) ([]Ref, error) {
	args := append([]string{"for-each-ref", "--format=%(objectname) %(refname)"}, prefixes...)
	out, err := r.Output(ctx, dir, args...)
	if err != nil {
		return nil, err
	}
	return parseRefLines(out, ' ')
}

// LsRemote lists the remote's branches matching patterns (`git ls-remote
// --heads`). It runs in dir so the remote is that repository's remote.
func (r *Runner) LsRemote(ctx context.Context, dir, remote string, patterns ...string) ([]Ref, error) {
	args := append([]string{"ls-remote", "--heads", remote}, patterns...)
	out, err := r.Output(ctx, dir, args...)
	if err != nil {
		return nil, err
	}
	return parseRefLines(out, '\t')
}

func parseRefLines(out []byte, sep byte) ([]Ref, error) {
	var refs []Ref
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		oid, name, ok := strings.Cut(line, string(sep))
		if !ok || oid == "" || name == "" {
			return nil, fmt.Errorf("parse ref line %q", line)
		}
		refs = append(refs, Ref{Name: name, OID: oid})
	}
	return refs, sc.Err()
}

// Find returns the OID of the ref named name, and whether it is there.
func Find(refs []Ref, name string) (string, bool) {
	for _, r := range refs {
		if r.Name == name {
			return r.OID, true
		}
	}
	return "", false
}

// IsOID reports whether s is a full object id as git prints it: 40 (SHA-1)
// or 64 (SHA-256) lowercase hex digits.
func IsOID(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
