package stage

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"

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
	w.dir, w.remote = filepath.Dir(config), m.RemoteURL
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

// onRemote is what the remote holds of some temp branches, in one round
// trip: those present with their commits, and among them those whose
// commit the work repository does not have (deleting them could lose
// commits) with why.
type onRemote struct {
	present []gitcmd.Ref
	unsafe  map[string]string
}

func (a *App) probeTemps(ctx context.Context, w remoteWay, temps []string) (*onRemote, error) {
	r := &onRemote{unsafe: map[string]string{}}
	if len(temps) == 0 {
		return r, nil
	}
	patterns := make([]string, len(temps))
	for i, t := range temps {
		patterns[i] = "refs/heads/" + t
	}
	refs, err := a.Git.LsRemote(ctx, w.dir, w.remote, patterns...)
	if err != nil {
		return nil, wrap(err, "check the remote's URL, the network and your credentials", "cannot reach remote %q", w.remote)
	}
	var oids []string
	for _, t := range temps {
		if oid, ok := gitcmd.Find(refs, "refs/heads/"+t); ok {
			r.present = append(r.present, gitcmd.Ref{Name: t, OID: oid})
			oids = append(oids, oid)
		}
	}
	if len(oids) == 0 {
		return r, nil
	}
	if w.work == "" {
		for _, t := range r.present {
			r.unsafe[t.Name] = "its work repository is gone, so its commits cannot be checked"
		}
		return r, nil
	}
	missing, err := a.Git.MissingObjects(ctx, w.work, nil, oids)
	if err != nil {
		return nil, wrap(err, "", "check temp branch commits against %s", w.work)
	}
	for _, t := range r.present {
		if missing[t.OID] {
			r.unsafe[t.Name] = fmt.Sprintf("its commit %s is not in %s", short(t.OID), w.work)
		}
	}
	return r, nil
}

// deleteTempsStep deletes temp branches from the remote in one leased push.
func (a *App) deleteTempsStep(w remoteWay, temps []gitcmd.Ref) *step {
	cmd := deleteTempsCmd(w.dir, w.remote, temps)
	return &step{git: &cmd, check: checkPush}
}
