package stage

import (
	"strings"

	"github.com/git-stage/git-stage/gitcmd"
)

// partialKeys matches, for readWorkConfig's one `git config` call, the
// settings that make a repository a partial clone (git clone --filter):
// its promisor remotes, their filters, the old-style extension, and the
// URL of every remote (a promisor remote may not be the staged one).
const partialKeys = `remote\..+\.(url|promisor|partialclonefilter)|extensions\.partialclone`

// partialClone is what makes the work repository a partial clone. `git
// clone` of it copies its packs with their .promisor marks but not this
// configuration, without which the copy cannot fetch the objects it lacks
// and fails on them (an old blob in `git log -p`, a checkout, fsck).
type partialClone struct {
	settings [][2]string       // promisor, partialclonefilter and the extension, as read
	urls     map[string]string // every remote's first URL
}

// add takes one record of readWorkConfig's call, reporting whether it was
// one of partialKeys. A key with no value (a bare `promisor`) means true.
func (p *partialClone) add(key, val string, hasValue bool) bool {
	if key == "extensions.partialclone" {
		p.settings = append(p.settings, [2]string{key, val})
		return true
	}
	rest, ok := strings.CutPrefix(key, "remote.")
	if !ok {
		return false
	}
	i := strings.LastIndexByte(rest, '.')
	if i < 0 {
		return false
	}
	switch remote, name := rest[:i], rest[i+1:]; name {
	case "url":
		if p.urls == nil {
			p.urls = map[string]string{}
		}
		if _, seen := p.urls[remote]; !seen {
			p.urls[remote] = val
		}
	case "promisor", "partialclonefilter":
		if !hasValue {
			val = "true"
		}
		p.settings = append(p.settings, [2]string{key, val})
	default:
		return false
	}
	return true
}

// copySettings is the configuration the copy needs to be the same partial
// clone: the settings as the work repository has them, with the URL of a
// promisor remote other than the staged one (which the copy has already),
// made absolute against the work repository dir. None for a full clone.
func (p *partialClone) copySettings(staged, dir string) [][2]string {
	if len(p.settings) == 0 {
		return nil
	}
	var out [][2]string
	urlSet := map[string]bool{staged: true}
	addURL := func(remote string) {
		if u, ok := p.urls[remote]; ok && !urlSet[remote] {
			urlSet[remote] = true
			out = append(out, [2]string{"remote." + remote + ".url", absRemoteURL(u, dir)})
		}
	}
	for _, s := range p.settings {
		if s[0] == "extensions.partialclone" {
			// Git reads extensions only in a repository of format 1.
			out = append(out, [2]string{"core.repositoryformatversion", "1"})
			addURL(s[1])
		} else {
			addURL(strings.TrimPrefix(s[0][:strings.LastIndexByte(s[0], '.')], "remote."))
		}
		out = append(out, s)
	}
	return out
}

// partialSteps give the copy at dir the work repository's partial clone
// settings, one `git config` each.
func partialSteps(dir string, settings [][2]string) []*step {
	var steps []*step
	for _, s := range settings {
		steps = append(steps, &step{git: &gitcmd.Cmd{Dir: dir, Args: []string{"config", "--", s[0], s[1]}}})
	}
	return steps
}
