package stage

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/git-stage/git-stage/gitcmd"
)

// submodule is one submodule of the staged commit.
type submodule struct {
	name, path string
}

// submodules lists the submodules of commit in work (from its
// .gitmodules), split into those the work repository has initialised and
// cloned (their objects are local) and the others. It starts no process
// when the work tree has no .gitmodules.
func (a *App) submodules(ctx context.Context, work, commit string, urls map[string]string) (local, skipped []submodule, err error) {
	if ok, _ := exists(filepath.Join(work, ".gitmodules")); !ok {
		return nil, nil, nil
	}
	out, err := a.Git.Output(ctx, work, "config", "-z", "--blob", commit+":.gitmodules", "--get-regexp", `^submodule\..*\.path$`)
	if gitcmd.ExitCode(err) == 1 {
		return nil, nil, nil // the staged commit has no submodules
	}
	if err != nil {
		return nil, nil, wrap(err, "", "read the submodules of %s", work)
	}
	modules := filepath.Join(gitcmd.CommonGitDir(work), "modules")
	for _, rec := range strings.Split(string(out), "\x00") {
		key, path, ok := strings.Cut(rec, "\n")
		if !ok {
			continue
		}
		name := strings.TrimSuffix(strings.TrimPrefix(key, "submodule."), ".path")
		sm := submodule{name: name, path: path}
		cloned, _ := exists(filepath.Join(modules, filepath.FromSlash(name), "HEAD"))
		if _, initialised := urls[strings.ToLower(name)]; initialised && cloned {
			local = append(local, sm)
		} else {
			skipped = append(skipped, sm)
		}
	}
	return local, skipped, nil
}

// submoduleSteps initialise the copy's submodules that the work repository
// has, and check them out at the commits the copy records, cloned from
// the work repository's own submodule repositories (hard links where the
// file system allows; nothing downloaded, no alternates). Their URLs are
// then set back to the real ones, as .gitmodules gives them.
func (j *cloneJob) submoduleSteps(a *App) []*step {
	if len(j.subs) == 0 {
		return nil
	}
	paths := []string{"--"}
	from := []string{"-c", "protocol.file.allow=always"}
	modules := filepath.Join(gitcmd.CommonGitDir(j.work), "modules")
	for _, sm := range j.subs {
		paths = append(paths, sm.path)
		from = append(from, "-c", "submodule."+sm.name+".url="+filepath.Join(modules, filepath.FromSlash(sm.name)))
	}
	return []*step{
		{git: &gitcmd.Cmd{Dir: j.tmp, Args: append([]string{"submodule", "--quiet", "init"}, paths...)}},
		{git: &gitcmd.Cmd{Dir: j.tmp, Tee: a.Progress, Args: append(append(from, "submodule", "--quiet", "update", "--no-recommend-shallow"), paths...)}},
		{git: &gitcmd.Cmd{Dir: j.tmp, Args: append([]string{"submodule", "--quiet", "sync"}, paths...)}},
	}
}

// hasSubmodules reports, without starting a process, whether the
// repository whose work tree is top may have submodules: a .gitmodules
// there, or submodule repositories in its git dir.
func hasSubmodules(top string) bool {
	if ok, _ := exists(filepath.Join(top, ".gitmodules")); ok {
		return true
	}
	return len(submoduleRepos(filepath.Join(gitcmd.CommonGitDir(top), "modules"))) > 0
}

// submoduleRepos lists the submodule repositories under a git dir's
// modules directory, nested ones (in a submodule's own modules directory)
// too, as slash-separated paths relative to it, sorted: "lib",
// "lib/modules/inner". A name with slashes is a path of directories.
func submoduleRepos(modules string) []string {
	var repos []string
	var walk func(dir, rel string)
	walk = func(dir, rel string) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return
		}
		for _, e := range entries {
			if !e.IsDir() {
				continue
			}
			p, r := filepath.Join(dir, e.Name()), path.Join(rel, e.Name())
			if isGitDir(p) {
				repos = append(repos, r)
				walk(filepath.Join(p, "modules"), r+"/modules")
			} else {
				walk(p, r)
			}
		}
	}
	walk(modules, "")
	return repos
}

// inTreeSubmodules lists the submodules of the work tree top (paths from
// its .gitmodules, slash separated) whose git dir is a .git directory in
// the work tree rather than one under the superproject's modules.
func inTreeSubmodules(top string) []string {
	return gitmodulesPaths(top, func(dotGit string) bool { return isGitDir(dotGit) })
}

// gitmodulesPaths lists the paths of top's .gitmodules (slash separated,
// each once) whose .git in the work tree keep says to keep.
func gitmodulesPaths(top string, keep func(dotGit string) bool) []string {
	data, err := readSmallFile(filepath.Join(top, ".gitmodules"), maxGitConfig)
	if err != nil {
		return nil
	}
	entries, err := gitcmd.ParseConfigFile(string(data))
	if err != nil {
		return nil
	}
	var paths []string
	for _, e := range entries {
		if strings.HasPrefix(e.Key, "submodule.") && strings.HasSuffix(e.Key, ".path") && e.Value != "" &&
			!slices.Contains(paths, e.Value) && keep(filepath.Join(top, filepath.FromSlash(e.Value), ".git")) {
			paths = append(paths, e.Value)
		}
	}
	return paths
}

// isGitDir reports whether dir looks like a repository's git dir.
func isGitDir(dir string) bool {
	head, _ := exists(filepath.Join(dir, "HEAD"))
	objects, _ := exists(filepath.Join(dir, "objects"))
	return head && objects
}

// submoduleLabel names a submodule repository listed by submoduleRepos for
// a message: "lib", "lib/inner".
func submoduleLabel(rel string) string {
	return strings.ReplaceAll(rel, "/modules/", "/")
}

// submoduleGitDir finds the git dir of the submodule at path (slash
// separated) in the work tree top: the one its .git names, else the one
// the superproject keeps under that name; "" when there is none.
func submoduleGitDir(top, sub string) string {
	dir := filepath.Join(top, filepath.FromSlash(sub))
	if p, ok := gitcmd.DotGit(dir); ok && (p == filepath.Join(dir, ".git") || isGitDir(p)) {
		return p
	}
	if p := filepath.Join(gitcmd.CommonGitDir(top), "modules", filepath.FromSlash(sub)); isGitDir(p) {
		return p
	}
	return ""
}

// submoduleLoss is the loss rule for the submodule repositories of the
// copy at dir (under its git dir's modules directory, nested ones too).
// Their HEAD and every ref but their remote-tracking ones are tips. A
// commit is safe when a ref of the work repository's repository of the
// same submodule reaches it (any ref: its branches, its tags, and its
// remote's branches as last fetched), or a remote-tracking branch of the
// copy's submodule: its remote's branches as last fetched, which a push
// from the copy updates (and which clone set to the work repository's
// submodule branches it cloned from). Nothing else counts: neither a
// HEAD of the work repository's submodule, nor a gitlink that a
// superproject commit records, which keeps no object. It returns one
// part per submodule holding commits that no such ref reaches, each
// commit named.
func (a *App) submoduleLoss(ctx context.Context, work, dir, discard string) ([]string, error) {
	modules := filepath.Join(gitcmd.CommonGitDir(dir), "modules")
	type subRepo struct{ label, git, work string }
	var repos []subRepo
	for _, rel := range submoduleRepos(modules) {
		r := subRepo{label: submoduleLabel(rel), git: filepath.Join(modules, filepath.FromSlash(rel))}
		if work != "" {
			r.work = filepath.Join(gitcmd.CommonGitDir(work), "modules", filepath.FromSlash(rel))
		}
		repos = append(repos, r)
	}
	// A submodule whose git dir is a .git directory in the work tree
	// (git submodule add of a repository already cloned there).
	for _, p := range inTreeSubmodules(dir) {
		r := subRepo{label: p, git: filepath.Join(dir, filepath.FromSlash(p), ".git")}
		if work != "" {
			r.work = submoduleGitDir(work, p)
		}
		repos = append(repos, r)
	}
	var parts []string
	for _, r := range repos {
		sub, rel := r.git, r.label
		var not strings.Builder
		var env []string
		if r.work != "" {
			if ws := r.work; isGitDir(ws) {
				refs, err := a.Git.ForEachRef(ctx, ws)
				if err != nil {
					return nil, wrap(err, discard, "cannot tell what submodule %s holds", rel)
				}
				for _, r := range refs {
					not.WriteString("^" + r.OID + "\n")
				}
				// The work repository's commits, lent, so that its refs
				// are known here even where the copy lacks them.
				env = []string{gitcmd.AlternateObjects(filepath.Join(ws, "objects"))}
			}
		}
		// --ignore-missing: an unborn HEAD, and work refs whose commits
		// neither repository has, are no error. The revisions from stdin
		// are negated by their ^, not by the --not before --stdin.
		held, err := a.logCommits(ctx, gitcmd.Cmd{Dir: sub, Env: env, Stdin: []byte(not.String()), Args: []string{
			"--ignore-missing", "HEAD", "--exclude=refs/remotes/*", "--all", "--not", "--remotes", "--stdin"}})
		if err != nil {
			return nil, wrap(err, discard, "cannot tell what submodule %s holds", rel)
		}
		var names []string
		for _, c := range held {
			names = append(names, c.String())
		}
		if len(names) > 0 {
			parts = append(parts, fmt.Sprintf("submodule %s holds %d commit(s) that no ref of the work repository's submodule and no remote-tracking branch of the copy's reaches (%s)",
				rel, len(names), strings.Join(names, ", ")))
		}
	}
	return parts, nil
}

// gitlink is a submodule commit that a superproject commit records.
type gitlink struct {
	path, oid string
	by        commit // the superproject commit
}

// checkGitlinks refuses a sync whose commits (those of the staging HEAD
// but not of revs, read in the work repository with the copy's objects
// lent) record a submodule commit that is on none of the remote-tracking
// branches of that submodule's repository in the copy, as `git push
// --recurse-submodules=check` would: landed, the superproject would point
// at a commit that only the copy has. A commit the copy's submodule lacks,
// or a submodule the copy has no repository for, is refused too. It
// starts no process when the copy has no submodules, or nothing lands.
func (a *App) checkGitlinks(ctx context.Context, j *syncJob, revs ...string) error {
	if j.mode == "" || !hasSubmodules(j.staging) {
		return nil
	}
	out, err := a.Git.Run(ctx, gitcmd.Cmd{Dir: j.work, Env: j.objects, Args: append(append(slices.Clip(gitlinkLog), j.head), revs...)})
	if err != nil {
		return wrap(err, "", "read the submodule commits that the staging commits record")
	}
	byPath := map[string][]gitlink{}
	var paths []string
	for _, l := range parseGitlinks(out) {
		if !slices.ContainsFunc(byPath[l.path], func(o gitlink) bool { return o.oid == l.oid }) {
			if len(byPath[l.path]) == 0 {
				paths = append(paths, l.path)
			}
			byPath[l.path] = append(byPath[l.path], l)
		}
	}
	slices.Sort(paths)
	var bad []string
	first := "" // the first submodule with a commit to push
	for _, p := range paths {
		b, err := a.unpushedGitlinks(ctx, j.staging, p, byPath[p])
		if err != nil {
			return err
		}
		if len(b) > 0 && first == "" {
			first = p
		}
		bad = append(bad, b...)
	}
	if len(bad) == 0 {
		return nil
	}
	it := "it"
	if len(bad) > 1 {
		it = "them"
	}
	return refuse(fmt.Sprintf("push %s from the copy's submodule first (git -C %s push origin <commit>:refs/heads/<branch>), then run sync-back again",
		it, gitcmd.Quote(filepath.Join(j.staging, filepath.FromSlash(first)))), "cannot sync %q: %s", j.name, strings.Join(bad, "; "))
}

// unpushedGitlinks names those of links (all of the submodule at sub)
// that no remote-tracking branch of the copy's repository of it reaches.
func (a *App) unpushedGitlinks(ctx context.Context, staging, sub string, links []gitlink) ([]string, error) {
	var bad []string
	name := func(c commit, l gitlink, what string) {
		bad = append(bad, fmt.Sprintf("submodule %s: commit %s (recorded by %s) %s", sub, c, l.by, what))
	}
	dir := submoduleGitDir(staging, sub)
	if dir == "" {
		for _, l := range links {
			name(commit{oid: l.oid}, l, "cannot be checked: the copy has no repository of the submodule")
		}
		return bad, nil
	}
	var oids []string
	for _, l := range links {
		oids = append(oids, l.oid)
	}
	unpushed := func(oids []string) ([]commit, error) {
		return a.logCommits(ctx, gitcmd.Cmd{Dir: dir, Args: append(slices.Clip(oids), "--not", "--remotes")})
	}
	out, err := unpushed(oids)
	var missing map[string]bool
	if err != nil {
		// A commit the copy's submodule lacks fails the log: the others
		// are looked at without it.
		var merr error
		if missing, merr = a.Git.MissingObjects(ctx, dir, nil, oids); merr != nil || len(missing) == 0 {
			return nil, wrap(err, "", "check the commits of submodule %s in %s", sub, staging)
		}
		oids = slices.DeleteFunc(oids, func(oid string) bool { return missing[oid] })
		out, err = nil, nil
		if len(oids) > 0 {
			out, err = unpushed(oids)
		}
		if err != nil {
			return nil, wrap(err, "", "check the commits of submodule %s in %s", sub, staging)
		}
	}
	subjects := map[string]string{}
	for _, c := range out {
		subjects[c.oid] = c.subject
	}
	for _, l := range links {
		if subject, ok := subjects[l.oid]; ok {
			name(commit{l.oid, subject}, l, "is on no branch of the submodule's remote that the copy knows of")
		} else if missing[l.oid] {
			name(commit{oid: l.oid}, l, "is not in the copy's submodule")
		}
	}
	return bad, nil
}

// gitlinkLog is the git log whose output parseGitlinks reads; the
// commits follow. Whatever the config says, it shows submodule changes,
// diffs of root commits, and no signature checks.
var gitlinkLog = []string{"log", "-z", "--raw", "--no-abbrev", "--no-renames", "--root", "--diff-merges=combined",
	"--ignore-submodules=none", "--no-show-signature", "--format=%H %s"}

// parseGitlinks reads the gitlinks that gitlinkLog shows commits
// setting: entries whose mode in the commit is a submodule's. A merge
// shows only what differs from every parent: a gitlink it takes from a
// parent is that parent's to record.
func parseGitlinks(out []byte) []gitlink {
	var links []gitlink
	var by commit
	recs := strings.Split(string(out), "\x00")
	for i := 0; i < len(recs); i++ {
		rec := strings.TrimLeft(recs[i], "\n")
		if !strings.HasPrefix(rec, ":") {
			if oid, subject, _ := strings.Cut(rec, " "); oid != "" {
				by = commit{oid, subject}
			}
			continue
		}
		if i+1 >= len(recs) {
			break
		}
		i++
		// One colon per parent, then a mode per parent and the commit's,
		// an object id per parent and the commit's, and the status.
		n := len(rec) - len(strings.TrimLeft(rec, ":"))
		f := strings.Fields(rec[n:])
		if len(f) == 2*(n+1)+1 && f[n] == "160000" {
			links = append(links, gitlink{path: recs[i], oid: f[2*n+1], by: by})
		}
	}
	return links
}
