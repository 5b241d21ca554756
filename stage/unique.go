package stage

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// lostWork says what deleting the directory dir would lose: uncommitted
// changes, and commits that are neither in the work repository nor on the
// remote (as the copy's remote-tracking refs know it). Remote branches
// about to be deleted too are named in going ("origin/<branch>", as the
// copy tracks them) and do not count as safe places. It returns "" when nothing
// would be lost. discard is the hint for when it cannot tell.
func (a *App) lostWork(ctx context.Context, dir, work, discard string, going ...string) (string, error) {
	fi, err := os.Lstat(dir)
	if err != nil {
		return "", wrap(err, "", "inspect %s", dir)
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		return "", nil // replacing a link loses only the link
	}
	if !fi.IsDir() {
		return "it is a file, not a staging copy", nil
	}
	if there, _ := exists(filepath.Join(dir, ".git")); !there {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return "", wrap(err, "", "inspect %s", dir)
		}
		if len(entries) == 0 {
			return "", nil
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		return fmt.Sprintf("it is not a git repository and holds files (%s)", listSome(names, 3)), nil
	}

	st, err := a.Git.Status(ctx, dir)
	if err != nil {
		return "", wrap(err, discard, "cannot tell what %s holds", dir)
	}
	var parts []string
	if st.Dirty() {
		parts = append(parts, fmt.Sprintf("uncommitted changes (%s)", changeList(st.Changes)))
	}

	// Commits on any ref but remote-tracking ones, minus what the remote has.
	args := []string{"log", "--format=%H %s", "--exclude=refs/remotes/*", "--all", "--not"}
	for _, g := range going {
		args = append(args, "--exclude="+g)
	}
	out, err := a.Git.Output(ctx, dir, append(args, "--remotes")...)
	if err != nil {
		return "", wrap(err, discard, "cannot tell what %s holds", dir)
	}
	var oids, subjects []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		oid, subject, _ := strings.Cut(sc.Text(), " ")
		oids = append(oids, oid)
		subjects = append(subjects, subject)
	}
	if len(oids) > 0 {
		missing, err := a.Git.MissingObjects(ctx, work, nil, oids)
		if err != nil {
			return "", wrap(err, discard, "cannot check commits against %s", work)
		}
		var lost []string
		for i, oid := range oids {
			if missing[oid] {
				lost = append(lost, short(oid)+" "+subjects[i])
			}
		}
		if len(lost) > 0 {
			parts = append(parts, fmt.Sprintf("%d commit(s) neither in the work repository nor on the remote (%s)",
				len(lost), listSome(lost, 3)))
		}
	}
	return strings.Join(parts, " and "), nil
}
