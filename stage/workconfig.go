// What clone reads from the work repository's git config, in one call.

package stage

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/git-stage/git-stage/gitcmd"
)

// workConfig is what clone reads from the work repository's git config
// (its own, the global and the system one): the remotes' URLs, the
// branches' remotes, and the stage.copy patterns and stage.postClone
// commands, in order.
type workConfig struct {
	dir       string
	remotes   map[string]*remoteURLs // by name
	branches  map[string]string      // branch.<b>.remote, by branch
	copy      []string
	postClone []string
	// submoduleURLs are the submodules initialised here, by lower-cased
	// name (git config keys are case-insensitive).
	submoduleURLs map[string]string
	partial       partialClone
	lfsFilter     bool // git runs git-lfs in checkouts
}

// remoteURLs are a remote's URL (the first, which git fetches from) and
// push URLs.
type remoteURLs struct {
	url      string
	pushURLs []string
}

// readWorkConfig reads the work repository's git config with one `git
// config` call. A relative local path URL is made absolute against dir,
// so that it still works from the staging copy.
func (a *App) readWorkConfig(ctx context.Context, dir string) (*workConfig, error) {
	pattern := `^(remote\..*\.(url|pushurl)|branch\..*\.remote|stage\.(copy|postclone)|submodule\..*\.url|` + partialKeys + `|` + lfsKeys + `)$`
	out, err := a.Git.Output(ctx, dir, "config", "-z", "--get-regexp", pattern)
	if err != nil && gitcmd.ExitCode(err) != 1 {
		return nil, wrap(err, "", "read the git config of %s", dir)
	}
	w := &workConfig{dir: dir, remotes: map[string]*remoteURLs{}, branches: map[string]string{}, submoduleURLs: map[string]string{}}
	remote := func(name string) *remoteURLs {
		if w.remotes[name] == nil {
			w.remotes[name] = &remoteURLs{}
		}
		return w.remotes[name]
	}
	for _, rec := range bytes.Split(out, []byte{0}) {
		key, val, ok := strings.Cut(string(rec), "\n")
		if w.partial.add(key, val, ok) && !strings.HasSuffix(key, ".url") {
			continue
		}
		if !ok {
			continue
		}
		switch {
		case strings.HasPrefix(key, "submodule."):
			w.submoduleURLs[strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(key, "submodule."), ".url"))] = val
		case strings.HasPrefix(key, "branch."):
			w.branches[strings.TrimSuffix(strings.TrimPrefix(key, "branch."), ".remote")] = val
		case key == "stage.copy":
			w.copy = append(w.copy, val)
		case key == "stage.postclone":
			w.postClone = append(w.postClone, val)
		case strings.HasPrefix(key, "filter.lfs."):
			w.lfsFilter = w.lfsFilter || val != ""
		case strings.HasSuffix(key, ".pushurl"):
			r := remote(strings.TrimSuffix(strings.TrimPrefix(key, "remote."), ".pushurl"))
			r.pushURLs = append(r.pushURLs, absRemoteURL(val, dir))
		default:
			if r := remote(strings.TrimSuffix(strings.TrimPrefix(key, "remote."), ".url")); r.url == "" {
				r.url = absRemoteURL(val, dir)
			}
		}
	}
	return w, nil
}

// defaultRemote is the remote clone uses for branch when none is named:
// the branch's own (branch.<b>.remote, unless "." for a local upstream),
// else the setting stage.remote, else origin, as issue 15 case 11 orders
// them: the branch's remote is the more specific choice. It says where
// the name came from.
func (w *workConfig) defaultRemote(branch, setting string) (name, from string) {
	if r := w.branches[branch]; r != "" && r != "." {
		return r, "branch." + branch + ".remote"
	}
	if setting != "" {
		return setting, "stage.remote"
	}
	return "origin", ""
}

// remote returns the URLs of the remote name (from says which setting
// named it, if any), or a refusal naming the remotes there are.
func (w *workConfig) remote(name, from string) (*remoteURLs, error) {
	if r := w.remotes[name]; r != nil && r.url != "" {
		return r, nil
	}
	what := fmt.Sprintf("remote %q", name)
	if from != "" {
		what += " (" + from + ")"
	}
	add := "git -C " + gitcmd.Quote(w.dir) + " remote add " + gitcmd.Quote(name) + " URL"
	var names []string
	for n, r := range w.remotes {
		if r.url != "" {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil, refuse("add it: "+add, "%s is not configured in %s, which has no remote", what, w.dir)
	}
	slices.Sort(names)
	// The setting that named it is the one to change (stage.remote would
	// not win over a branch's own remote).
	set := "git config stage.remote NAME"
	if from != "" {
		set = "git -C " + gitcmd.Quote(w.dir) + " config " + from + " NAME"
	}
	return nil, refuse("choose one with --remote NAME or "+set+", or add it: "+add,
		"%s is not configured in %s (its remotes: %s)", what, w.dir, strings.Join(names, ", "))
}

// absRemoteURL makes a relative local-path URL absolute against dir. Git
// reads a path as local when it has no "://" and no ':' before the first
// '/' (otherwise it is host:path).
func absRemoteURL(url, dir string) string {
	if strings.Contains(url, "://") || filepath.IsAbs(url) {
		return url
	}
	if colon := strings.IndexByte(url, ':'); colon >= 0 {
		slash := strings.IndexByte(url, '/')
		if slash < 0 || slash > colon {
			return url
		}
	}
	return filepath.Join(dir, url)
}
