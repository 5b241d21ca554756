package stage

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/git-stage/git-stage/gitcmd"
)

// remoteWay is where git reaches a mapping's remote from, and the work
// repository that the temp branches' commits are checked against.
type remoteWay struct {
	dir    string // the directory git runs in
	remote string // a remote's name in dir, or its URL
	work   string // "" when the work repository is gone
}

// wayTo picks how to reach m's remote: from the work repository by the
// remote's name (its URLs and credentials as configured there), else from
// the staging copy, else by the recorded URL from the config's directory.
func wayTo(m *Mapping, config string) remoteWay {
	w := remoteWay{dir: m.WorkPath, remote: m.Remote, work: m.WorkPath}
	if ok, _ := exists(filepath.Join(m.WorkPath, ".git")); ok {
		return w
	}
	w.work = ""
	if ok, _ := exists(filepath.Join(m.StagingPath, ".git")); ok {
		w.dir = m.StagingPath
		return w
	}
	// The recorded URL has no password (the config keeps none): git asks
	// the user's credential helper for it.
	w.dir, w.remote = filepath.Dir(config), gitcmd.WithoutRedacted(m.RemoteURL)
	return w
}

// tempBranches are a mapping's temp branches: its current one, if asked
// for, and its leftovers.
func tempBranches(m *Mapping, current bool) []string {
	var temps []string
	if current && m.TempBranch != "" {
		temps = append(temps, m.TempBranch)
	}
	for _, t := range m.Leftovers {
		if t != "" && !slices.Contains(temps, t) {
			temps = append(temps, t)
		}
	}
	return temps
}

// deletableTemps are those of the temp branches of the mapping of name
// that remove and prune may delete: staging-sync/ branches only. Another
// name (from a hand-edited config, or a --temp-branch left behind) is left
// on the remote, saying so.
func (a *App) deletableTemps(name string, m *Mapping, current bool) []string {
	return slices.DeleteFunc(tempBranches(m, current), func(t string) bool {
		if strings.HasPrefix(t, TempPrefix) {
			return false
		}
		a.warnf("branch %s recorded for %q is left on %s: git-stage deletes only %s branches; delete it yourself if it is no longer needed", t, name, m.Remote, TempPrefix)
		return true
	})
}

// listHeads lists the remote's branches, all of them, in one round trip:
// the loss rule counts them as safe places, and the temp branches are
// among them.
func (a *App) listHeads(ctx context.Context, w remoteWay) ([]gitcmd.Ref, error) {
	refs, err := a.Git.LsRemote(ctx, w.dir, w.remote)
	if err != nil {
		return nil, wrap(err, "check the remote's URL, the network and your credentials", "cannot reach remote %q", w.remote)
	}
	return refs, nil
}

// present are those of temps that heads lists, with their commits.
func present(heads []gitcmd.Ref, temps []string) []gitcmd.Ref {
	var out []gitcmd.Ref
	for _, t := range temps {
		if oid, ok := gitcmd.Find(heads, "refs/heads/"+t); ok {
			out = append(out, gitcmd.Ref{Name: t, OID: oid})
		}
	}
	return out
}

// deleteTempsStep deletes temp branches from the remote in one leased push.
func (a *App) deleteTempsStep(w remoteWay, temps []gitcmd.Ref) *step {
	cmd := deleteTempsCmd(w.dir, w.remote, temps)
	return &step{git: &cmd, check: checkPush}
}

// pushOutcome is what a push did to one ref, as far as git said.
type pushOutcome int

const (
	notPushed   pushOutcome = iota // rejected, or the push did not run
	pushed                         // the remote took it
	maybePushed                    // git failed before it said
)

// outcomeOf reads the outcome for ref of a `git push --porcelain`.
func outcomeOf(out []byte, err error, ref string) pushOutcome {
	if err == nil {
		return pushed
	}
	for _, r := range gitcmd.ParsePush(out) {
		if r.To == ref {
			if r.Rejected() {
				return notPushed
			}
			return pushed
		}
	}
	return maybePushed
}

// moveTemp moves a temp branch on the remote to the commit to, or deletes
// it when to is "", but only while it still points at lease: a branch
// someone has moved since is not the run's to move. It reports whether
// the branch is where it was to go; a lease that no longer holds is no
// error, but not done.
func (a *App) moveTemp(ctx context.Context, dir, remote, temp, lease, to string) (done bool, err error) {
	ref := "refs/heads/" + temp
	out, err := a.Git.Run(ctx, gitcmd.Push{Dir: dir, Remote: remote,
		Leases: []gitcmd.Lease{{Ref: ref, Expect: lease}}, Refspecs: []string{to + ":" + ref}}.Cmd())
	return leasedPushDone(ctx, out, err)
}

// leasedPushDone reads the outcome of a leased push: done, or refused
// only because the lease no longer holds ("stale info"), or failed.
func leasedPushDone(ctx context.Context, out []byte, err error) (done bool, _ error) {
	if err == nil {
		return true, nil
	}
	for _, r := range gitcmd.ParsePush(out) {
		if r.Rejected() && r.Reason == "stale info" {
			return false, nil
		}
	}
	return false, checkPush(ctx, out, err)
}

// push is p as a step's command, with git's progress shown on a
// terminal.
func (a *App) push(p gitcmd.Push) *gitcmd.Cmd {
	p.Progress = a.Progress
	c := p.Cmd()
	return &c
}

// checkPush turns refs the remote rejected into an error that says why.
// In an atomic push, refs refused only because another was are named
// only when no ref has a reason of its own.
func checkPush(_ context.Context, out []byte, err error) error {
	var rejected, collateral []string
	for _, r := range gitcmd.ParsePush(out) {
		switch {
		case r.Rejected() && r.Reason == "atomic push failed":
			collateral = append(collateral, fmt.Sprintf("%s (%s)", r.To, r.Reason))
		case r.Rejected():
			rejected = append(rejected, fmt.Sprintf("%s (%s)", r.To, r.Reason))
		}
	}
	if len(rejected) == 0 {
		rejected = collateral
	}
	if len(rejected) > 0 {
		return &pushRejected{msg: "the remote rejected " + strings.Join(rejected, ", "), git: err}
	}
	return err
}

// deleteTempsCmd deletes temp branches from the remote, each only while
// it is at the commit given: one push, leased.
func deleteTempsCmd(dir, remote string, temps []gitcmd.Ref) gitcmd.Cmd {
	p := gitcmd.Push{Dir: dir, Remote: remote}
	for _, t := range temps {
		p.Leases = append(p.Leases, gitcmd.Lease{Ref: "refs/heads/" + t.Name, Expect: t.OID})
		p.Refspecs = append(p.Refspecs, ":refs/heads/"+t.Name)
	}
	return p.Cmd()
}
