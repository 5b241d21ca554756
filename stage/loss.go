package stage

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/git-stage/git-stage/gitcmd"
)

// lossCheck is the loss rule, the one test clone -f, remove and prune
// apply before they delete anything: a commit is safe only when a ref
// reaches it, a branch, tag or backup ref (refs/staging-sync/backup/) of
// the work repository, or a branch of the remote as listed now that this
// very command does not delete. An object that merely exists somewhere
// (fetched by a sync-back that then failed) is not safe: git gc deletes
// it.
type lossCheck struct {
	work   string       // the work repository; "" when it is gone
	remote string       // the remote's name, for messages
	heads  []gitcmd.Ref // the remote's branches as listed now (refs/heads/...)
	going  []string     // of them, those this command deletes (without refs/heads/)
}

// commit is a commit named for a message.
type commit struct{ oid, subject string }

func (c commit) String() string { return strings.TrimSpace(short(c.oid) + " " + c.subject) }

// unreached returns the commits reachable from tips that no safe ref
// reaches, in git log's order. lent are tips read from the repository at
// lend (whose objects are lent to the work repository for the one
// command; "" for none), so present there. A tip that neither repository
// has is unreached too, as is every tip when the work repository is gone
// and lend is "".
func (a *App) unreached(ctx context.Context, c lossCheck, lend string, lent, others []string) ([]commit, error) {
	tips := slices.Compact(slices.Sorted(slices.Values(slices.Concat(lent, others))))
	if len(tips) == 0 {
		return nil, nil
	}
	dir, env := c.work, []string(nil)
	switch {
	case dir == "" && lend == "":
		var out []commit
		for _, t := range tips {
			out = append(out, commit{t, "(its work repository is gone: it cannot be checked)"})
		}
		return out, nil
	case dir == "":
		dir = lend
	case lend != "":
		env = objectsEnv(lend)
	}
	// Only the others are looked for: the lent tips are there.
	var missing map[string]bool
	if rest := slices.DeleteFunc(slices.Clone(others), func(t string) bool { return slices.Contains(lent, t) }); len(rest) > 0 {
		var err error
		if missing, err = a.Git.MissingObjects(ctx, dir, env, rest); err != nil {
			return nil, wrap(err, "", "look for commits in %s", dir)
		}
	}
	var lost []commit
	var in strings.Builder
	gone := "(not in the work repository)"
	if lend != "" {
		gone = "(in neither the work repository nor the copy)"
	}
	for _, t := range tips {
		if missing[t] {
			lost = append(lost, commit{t, gone})
		} else {
			in.WriteString(t + "\n")
		}
	}
	if in.Len() == 0 {
		return lost, nil
	}
	for _, h := range c.heads {
		if !slices.Contains(c.going, strings.TrimPrefix(h.Name, "refs/heads/")) {
			in.WriteString("^" + h.OID + "\n")
		}
	}
	// --ignore-missing drops the remote's branches that no repository
	// here has (they cannot reach a commit that is here); the tips were
	// looked for above.
	args := []string{"--ignore-missing", "--stdin"}
	if dir == c.work {
		args = append(args, "--not", "--branches", "--tags", "--glob="+backupPrefix+"*")
	}
	more, err := a.logCommits(ctx, gitcmd.Cmd{Dir: dir, Env: env, Args: args, Stdin: []byte(in.String())})
	if err != nil {
		return nil, wrap(err, "", "check commits against %s", dir)
	}
	return append(lost, more...), nil
}

// logCommits runs `git log` with cmd's arguments and reads the commits it
// lists. A signature check that the user's config asks of git log
// (log.showSignature) would print lines of its own: it is turned off.
func (a *App) logCommits(ctx context.Context, cmd gitcmd.Cmd) ([]commit, error) {
	cmd.Args = append([]string{"log", "--no-show-signature", "--format=%H %s"}, cmd.Args...)
	out, err := a.Git.Run(ctx, cmd)
	if err != nil {
		return nil, err
	}
	var cs []commit
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if oid, subject, _ := strings.Cut(sc.Text(), " "); oid != "" {
			cs = append(cs, commit{oid, subject})
		}
	}
	return cs, sc.Err()
}

// lossOf says what deleting the staging directory dir (when it is there)
// and the remote's temp branches temps (among c.going) would lose:
// uncommitted changes, and commits no safe ref reaches, each named. It
// returns nothing when nothing would be lost. discard is the hint for
// when it cannot tell.
func (a *App) lossOf(ctx context.Context, c lossCheck, dir string, temps []gitcmd.Ref, discard string) ([]string, error) {
	var parts []string
	var tips, subs []string
	lend := ""
	if dir != "" {
		what, copyTips, err := a.copyState(ctx, dir, discard)
		if err != nil {
			return nil, err
		}
		if what != "" {
			parts = append(parts, what)
		}
		tips, lend = copyTips, dir
		// Only a repository has tips (not a symlink, whose target is
		// not deleted, nor a plain directory).
		if len(tips) > 0 {
			if subs, err = a.submoduleLoss(ctx, c.work, dir, discard); err != nil {
				return nil, err
			}
		}
	}
	var others []string
	for _, t := range temps {
		others = append(others, t.OID)
	}
	lost, err := a.unreached(ctx, c, lend, tips, others)
	if err != nil {
		return nil, wrap(err, discard, "cannot tell what would be lost")
	}
	parts = append(parts, lostParts(lost, temps, c.remote)...)
	return append(parts, subs...), nil
}

// lostParts words what unreached found: the commits, each named, and the
// temp branches (of temps) that hold some of them.
func lostParts(lost []commit, temps []gitcmd.Ref, remote string) []string {
	if len(lost) == 0 {
		return nil
	}
	names := make([]string, len(lost))
	for i, l := range lost {
		names[i] = l.String()
	}
	parts := []string{fmt.Sprintf("%d commit(s) that no ref of the work repository and no other branch of %s reaches (%s)",
		len(lost), remote, strings.Join(names, ", "))}
	for _, t := range temps {
		if slices.ContainsFunc(lost, func(l commit) bool { return l.oid == t.OID }) {
			parts = append(parts, fmt.Sprintf("temp branch %s on %s holds some of them", t.Name, remote))
		}
	}
	return parts
}

// copyState reads what a staging directory holds: uncommitted changes
// (what, inside its submodules too), and the commits its refs and HEAD
// point at (tips), its own remote-tracking refs aside. A directory that
// is not a repository holds files, or nothing; a symlink loses only
// itself.
func (a *App) copyState(ctx context.Context, dir, discard string) (what string, tips []string, err error) {
	fi, err := os.Lstat(dir)
	if err != nil {
		return "", nil, wrap(err, "", "inspect %s", dir)
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		return "", nil, nil // replacing a link loses only the link
	}
	if !fi.IsDir() {
		return "it is a file, not a staging copy", nil, nil
	}
	if there, _ := exists(filepath.Join(dir, ".git")); !there {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return "", nil, wrap(err, "", "inspect %s", dir)
		}
		if len(entries) == 0 {
			return "", nil, nil
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		return fmt.Sprintf("it is not a git repository and holds files (%s)", listSome(names, 3)), nil, nil
	}
	// Changes inside a submodule are uncommitted changes too, whatever
	// its ignore setting says.
	args := gitcmd.StatusArgs
	if len(submoduleRepos(filepath.Join(gitcmd.CommonGitDir(dir), "modules"))) > 0 || len(inTreeSubmodules(dir)) > 0 {
		args = append(slices.Clip(args), "--ignore-submodules=none")
	}
	out, err := a.Git.Output(ctx, dir, args...)
	var st *gitcmd.Status
	if err == nil {
		st, err = gitcmd.ParseStatus(out)
	}
	if err != nil {
		return "", nil, wrap(err, discard, "cannot tell what %s holds", dir)
	}
	if st.Dirty() {
		what = fmt.Sprintf("uncommitted changes (%s)", changeList(st.Changes))
	}
	refs, err := a.Git.ForEachRef(ctx, dir)
	if err != nil {
		return "", nil, wrap(err, discard, "cannot tell what %s holds", dir)
	}
	if st.OID != "" {
		tips = append(tips, st.OID)
	}
	for _, r := range refs {
		if !strings.HasPrefix(r.Name, "refs/remotes/") {
			tips = append(tips, r.OID)
		}
	}
	more, linked := hiddenTips(gitcmd.CommonGitDir(dir))
	tips = append(tips, more...)
	if len(linked) > 0 {
		broken := fmt.Sprintf("linked worktrees that would lose their repository (%s)", listSome(linked, 3))
		if what == "" {
			what = broken
		} else {
			what += "; " + broken
		}
	}
	return what, tips, nil
}

// hiddenTips reads, from the files of the git directory gitDir, the
// commits that for-each-ref and the main HEAD do not show: the HEADs of
// its linked worktrees (git worktree add), whose paths it returns too,
// the older stashes, kept in the stash's reflog, and what a rebase or
// merge under way keeps in its own files (autostash, orig-head).
func hiddenTips(gitDir string) (tips, linked []string) {
	entries, _ := os.ReadDir(filepath.Join(gitDir, "worktrees"))
	for _, e := range entries {
		wt := filepath.Join(gitDir, "worktrees", e.Name())
		if head, err := readSmallFile(filepath.Join(wt, "HEAD"), 4096); err == nil {
			if oid := strings.TrimSpace(string(head)); gitcmd.IsOID(oid) {
				tips = append(tips, oid)
			}
		}
		where := wt
		if p, err := readSmallFile(filepath.Join(wt, "gitdir"), 4096); err == nil {
			where = filepath.Dir(strings.TrimSpace(string(p)))
		}
		linked = append(linked, where)
	}
	// A rebase or merge started with --autostash keeps the uncommitted
	// changes it set aside in a commit that only a file of the operation
	// names, while the work tree looks clean; a rebase of a detached HEAD
	// keeps the commits it rewrites in orig-head only.
	for _, f := range []string{"rebase-merge/autostash", "rebase-apply/autostash", "MERGE_AUTOSTASH",
		"rebase-merge/orig-head", "rebase-apply/orig-head"} {
		if data, err := readSmallFile(filepath.Join(gitDir, filepath.FromSlash(f)), 4096); err == nil {
			if oid := strings.TrimSpace(string(data)); gitcmd.IsOID(oid) {
				tips = append(tips, oid)
			}
		}
	}
	if log, err := readSmallFile(filepath.Join(gitDir, "logs", "refs", "stash"), 64<<20); err == nil {
		for _, line := range strings.Split(string(log), "\n") {
			if f := strings.Fields(line); len(f) > 1 && gitcmd.IsOID(f[1]) {
				tips = append(tips, f[1])
			}
		}
	}
	return tips, linked
}
