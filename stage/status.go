package stage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
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

// probeLimit bounds the copies probed at once; each probe runs git twice.
var probeLimit = max(4, 2*runtime.GOMAXPROCS(0))

// Status shows, for one copy or all, the commits ahead of and behind the
// work branch, uncommitted changes, a missing directory and leftover temp
// branches. It reads local repositories only, probing copies in parallel,
// and takes no lock that git in those repositories would wait for.
func (a *App) Status(ctx context.Context, s Settings, o StatusOptions) error {
	var entries []ListEntry
	if o.Name != "" {
		l, err := a.locate(ctx, s, o.Name)
		if err != nil {
			return err
		}
		cfg := &Config{Stagings: map[string]*Mapping{l.name: l.m}}
		entries = cfg.Entries()
	} else {
		cfg, err := s.store().Load()
		if err != nil {
			return err
		}
		entries = cfg.Entries()
	}

	out := make([]StatusEntry, len(entries))
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
			out[i].Status = a.probe(ctx, e.Mapping)
		}()
	}
	wg.Wait()
	if err := interrupted(ctx); err != nil {
		return err
	}

	if o.JSON {
		return writeJSON(a.Stdout, out)
	}
	if len(out) == 0 {
		a.infof("no staging copies recorded in %s", s.Config())
		return nil
	}
	t := a.table("NAME", "BRANCH", "AHEAD", "BEHIND", "STATE", "LEFTOVERS", "STAGING")
	for _, e := range out {
		ahead, behind, state := "-", "-", "missing"
		switch st := e.Status; {
		case st == nil:
		case st.Error != "":
			state = "error"
			a.warnf("%s: %s", e.Name, st.Error)
		default:
			ahead, behind, state = strconv.Itoa(st.Ahead), strconv.Itoa(st.Behind), "clean"
			if st.Dirty {
				state = fmt.Sprintf("dirty(%d)", st.Changes)
			}
		}
		leftovers := "-"
		if len(e.Leftovers) > 0 {
			leftovers = strings.Join(e.Leftovers, ",")
		}
		t.row(e.Name, branches(e.BaseBranch, e.ReviewBranch), ahead, behind, state, leftovers, e.StagingPath)
	}
	return t.flush()
}

// noLocks keeps git from taking the optional index lock while it reads,
// so that status never gets in the way of git running in those
// repositories.
var noLocks = []string{"GIT_OPTIONAL_LOCKS=0"}

// probe reads one copy's state: its status, then its HEAD against the
// work branch, counted in the work repository with the copy's objects
// lent to it (nothing is fetched or written).
func (a *App) probe(ctx context.Context, m *Mapping) *CopyStatus {
	cs := &CopyStatus{}
	out, err := a.Git.Run(ctx, gitcmd.Cmd{Dir: m.StagingPath, Env: noLocks, Args: gitcmd.StatusArgs})
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
	out, err = a.Git.Run(ctx, gitcmd.Cmd{Dir: m.WorkPath, Env: append(objectsEnv(m.StagingPath), noLocks...), Args: []string{
		"rev-list", "--left-right", "--count", "refs/heads/" + m.BaseBranch + "..." + cs.Head, "--"}})
	if err != nil {
		cs.Error = fmt.Sprintf("cannot compare with %s in %s: %s", m.BaseBranch, m.WorkPath, reason(err))
		return cs
	}
	if _, err := fmt.Sscan(string(out), &cs.Behind, &cs.Ahead); err != nil {
		cs.Error = fmt.Sprintf("cannot read git rev-list's counts %q", out)
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
