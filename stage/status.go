package stage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/git-stage/git-stage/gitcmd"
)

// CopyStatus is a staging copy's state as `status --json` prints it. Its
// field names are part of the command line's contract: add fields, never
// rename them.
type CopyStatus struct {
	Head    string `json:"head"`    // the copy's HEAD commit
	Branch  string `json:"branch"`  // its checked-out branch; "" when detached
	Dirty   bool   `json:"dirty"`   // uncommitted changes, untracked files included
	Changes int    `json:"changes"` // how many paths are changed or untracked
	Ahead   int    `json:"ahead"`   // commits of HEAD that the work branch lacks
	Behind  int    `json:"behind"`  // commits of the work branch that HEAD lacks
	Error   string `json:"error"`   // why the state could not be read in full; "" when it was
	// BehindRemote counts the commits of the remote's base branch, as the
	// work repository last fetched it (refs/remotes/<remote>/<base>),
	// that HEAD lacks; null when the work repository has no such ref.
	BehindRemote *int `json:"behind_remote"`
	// ConflictsWith names the other copies of the same work branch whose
	// HEAD would conflict with this one's if both landed (git merge-tree);
	// ConflictFiles holds the paths in conflict for each of them.
	ConflictsWith []string            `json:"conflicts_with"`
	ConflictFiles map[string][]string `json:"conflict_files"`
	// ConflictsUnknown names the copies merge-tree could not compare this
	// one with (git older than 2.38, unrelated histories): neither a
	// conflict nor its absence is known.
	ConflictsUnknown []string `json:"conflicts_unknown"`
}

// StatusEntry is a list entry with the copy's state; Status is null when
// the staging directory is missing.
type StatusEntry struct {
	ListEntry
	Status *CopyStatus `json:"status"`
}

// StatusOptions are status's arguments and flags.
type StatusOptions struct {
	Name string // "" for every copy
	JSON bool
}

// probeLimit bounds the copies probed at once; each probe runs git twice
// (three times when the work branch and its remote-tracking ref differ).
var probeLimit = max(4, 2*runtime.GOMAXPROCS(0))

// Status shows, for one copy or all, the commits ahead of and behind the
// work branch and the remote's branch, uncommitted changes, the other
// copies it would conflict with, a missing directory and leftover temp
// branches. It reads local repositories only, probing copies in
// parallel, and takes no lock that git in those repositories would wait
// for.
func (a *App) Status(ctx context.Context, s Settings, o StatusOptions) error {
	var entries []ListEntry
	shown := 0
	if o.Name != "" {
		l, err := a.locate(ctx, s, o.Name)
		if err != nil {
			return err
		}
		cfg := &Config{Stagings: map[string]*Mapping{l.name: l.m}}
		entries = cfg.Entries()
		shown = len(entries)
		// The copies it could conflict with are probed too, not shown.
		all, err := s.store().Load()
		if err != nil {
			return err
		}
		for _, e := range all.Entries() {
			if e.Name != l.name && !e.Missing && sameBase(e.Mapping, l.m) {
				entries = append(entries, e)
			}
		}
	} else {
		cfg, err := s.store().Load()
		if err != nil {
			return err
		}
		entries = cfg.Entries()
		shown = len(entries)
	}

	out := make([]StatusEntry, len(entries))
	refs := a.workRefs(ctx, entries)
	sem := make(chan struct{}, probeLimit)
	var wg sync.WaitGroup
	for i, e := range entries {
		out[i].ListEntry = e
		if e.Missing {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i].Status = a.probe(ctx, e.Mapping, refs[e.WorkPath])
		}()
	}
	wg.Wait()
	// A probe that failed early did not wait for its work repository's
	// refs: no git is left running once status returns.
	for _, r := range refs {
		<-r.ready
	}
	if err := interrupted(ctx); err != nil {
		return err
	}
	unknown := a.conflicts(ctx, out, shown, sem)
	if err := interrupted(ctx); err != nil {
		return err
	}
	out = out[:shown]

	if o.JSON {
		return writeJSON(a.Stdout, out)
	}
	if len(out) == 0 {
		a.infof("no staging copies recorded in %s", s.Config())
		return nil
	}
	for _, u := range unknown {
		a.warnf("cannot tell whether %s and %s would conflict: %s", u.a, u.b, u.why)
	}
	t := a.table("NAME", "BRANCH", "AHEAD", "BEHIND", "BEHIND-REMOTE", "STATE", "CONFLICTS", "LEFTOVERS", "STAGING")
	for _, e := range out {
		ahead, behind, behindRemote, state, conflicts := "-", "-", "-", "missing", "-"
		switch st := e.Status; {
		case st == nil:
		case st.Error != "":
			state = "error"
			a.warnf("%s: %s", e.Name, st.Error)
		default:
			ahead, behind, state = strconv.Itoa(st.Ahead), strconv.Itoa(st.Behind), "clean"
			if st.BehindRemote != nil {
				behindRemote = strconv.Itoa(*st.BehindRemote)
			}
			if st.Dirty {
				state = fmt.Sprintf("dirty(%d)", st.Changes)
			}
			names := slices.Clone(st.ConflictsWith)
			for _, n := range st.ConflictsUnknown {
				names = append(names, n+"?")
			}
			if len(names) > 0 {
				conflicts = strings.Join(names, ",")
			}
		}
		leftovers := "-"
		if len(e.Leftovers) > 0 {
			leftovers = strings.Join(e.Leftovers, ",")
		}
		t.row(e.Name, branches(e.BaseBranch, e.ReviewBranch), ahead, behind, behindRemote, state, conflicts, leftovers, e.StagingPath)
	}
	return t.flush()
}

// sameBase reports whether two copies land on the same branch of the
// same work repository: only such copies can conflict with each other.
func sameBase(m, n *Mapping) bool {
	return samePath(m.WorkPath, n.WorkPath) && m.BaseBranch == n.BaseBranch
}

// refsResult is the base branches and remote-tracking refs of one work
// repository, read once for all its copies; ready is closed when read.
type refsResult struct {
	ready chan struct{}
	refs  []gitcmd.Ref
	err   error
}

// workRefs starts reading, with one `git for-each-ref` per work
// repository, the base branches of the copies and their remote-tracking
// refs, while the copies are probed.
func (a *App) workRefs(ctx context.Context, entries []ListEntry) map[string]*refsResult {
	patterns := map[string][]string{}
	for _, e := range entries {
		if e.Missing {
			continue
		}
		patterns[e.WorkPath] = append(patterns[e.WorkPath], "refs/heads/"+e.BaseBranch, "refs/remotes/"+e.Remote+"/"+e.BaseBranch)
	}
	results := map[string]*refsResult{}
	for work, pats := range patterns {
		r := &refsResult{ready: make(chan struct{})}
		results[work] = r
		slices.Sort(pats)
		go func() {
			defer close(r.ready)
			if ok, _ := exists(work); ok {
				r.refs, r.err = a.Git.ForEachRef(ctx, work, slices.Compact(pats)...)
			}
		}()
	}
	return results
}

// probe reads one copy's state: its status, then its HEAD against the
// work branch and the remote-tracking ref, counted in the work
// repository with the copy's objects lent to it (nothing is fetched or
// written).
func (a *App) probe(ctx context.Context, m *Mapping, refs *refsResult) *CopyStatus {
	cs := &CopyStatus{ConflictsWith: []string{}, ConflictFiles: map[string][]string{}, ConflictsUnknown: []string{}}
	out, err := a.Git.Run(ctx, gitcmd.Cmd{Dir: m.StagingPath, Args: gitcmd.StatusArgs})
	if err != nil {
		cs.Error = "cannot read the copy: " + reason(err)
		return cs
	}
	st, err := gitcmd.ParseStatus(out)
	if err != nil {
		cs.Error = "cannot read the copy: " + err.Error()
		return cs
	}
	if st.Unborn() {
		cs.Error = "the copy has no commits"
		return cs
	}
	cs.Head, cs.Branch, cs.Dirty = st.OID, st.Branch, st.Dirty()
	for _, c := range st.Changes {
		if c.Kind != '!' {
			cs.Changes++
		}
	}
	if ok, _ := exists(m.WorkPath); !ok {
		cs.Error = "the work repository " + m.WorkPath + " is gone"
		return cs
	}
	<-refs.ready
	if refs.err != nil {
		cs.Error = fmt.Sprintf("cannot read the branches of %s: %s", m.WorkPath, reason(refs.err))
		return cs
	}
	base, ok := gitcmd.Find(refs.refs, "refs/heads/"+m.BaseBranch)
	if !ok {
		cs.Error = fmt.Sprintf("cannot compare with %s in %s: there is no such branch", m.BaseBranch, m.WorkPath)
		return cs
	}
	env := objectsEnv(m.StagingPath)
	if cs.Head != base { // a copy at its branch's commit (fresh, or just landed) is neither ahead nor behind
		out, err = a.Git.Run(ctx, gitcmd.Cmd{Dir: m.WorkPath, Env: env, Args: []string{
			"rev-list", "--left-right", "--count", base + "..." + cs.Head, "--"}})
		if err != nil {
			cs.Error = fmt.Sprintf("cannot compare with %s in %s: %s", m.BaseBranch, m.WorkPath, reason(err))
			return cs
		}
		if _, err := fmt.Sscan(string(out), &cs.Behind, &cs.Ahead); err != nil {
			cs.Error = fmt.Sprintf("cannot read git rev-list's counts %q", out)
			return cs
		}
	}
	remote, ok := gitcmd.Find(refs.refs, "refs/remotes/"+m.Remote+"/"+m.BaseBranch)
	switch {
	case !ok:
	case remote == base: // the usual case after a landing: no second count
		n := cs.Behind
		cs.BehindRemote = &n
	case remote == cs.Head:
		n := 0
		cs.BehindRemote = &n
	default:
		out, err = a.Git.Run(ctx, gitcmd.Cmd{Dir: m.WorkPath, Env: env, Args: []string{
			"rev-list", "--count", cs.Head + ".." + remote, "--"}})
		if err != nil {
			cs.Error = fmt.Sprintf("cannot compare with %s/%s in %s: %s", m.Remote, m.BaseBranch, m.WorkPath, reason(err))
			return cs
		}
		n := 0
		if _, err := fmt.Sscan(string(out), &n); err != nil {
			cs.Error = fmt.Sprintf("cannot read git rev-list's count %q", out)
			return cs
		}
		cs.BehindRemote = &n
	}
	return cs
}

// reason is the line of git's stderr that says why it failed, or the
// error itself.
func reason(err error) string {
	var ge *gitcmd.Error
	if errors.As(err, &ge) && ge.Reason() != "" {
		return ge.Reason()
	}
	return err.Error()
}

// writeJSON prints v as indented JSON, as list and status --json do.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
