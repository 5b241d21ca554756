package gitcmd

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Merge is what `git merge-tree --write-tree` says of merging two commits.
type Merge struct {
	Conflicts bool     // the merge has conflicts
	Files     []string // the paths in conflict
}

// mergeTreeArgs merge without touching the index, the work tree or the
// refs (git >= 2.38): only the merged trees are written, as objects.
var mergeTreeArgs = []string{"merge-tree", "--write-tree", "-z", "--name-only", "--no-messages"}

// MergeTrees merges each pair of commits with one `git merge-tree
// --stdin` in dir, env added to git's environment. A pair git cannot
// merge (unrelated histories, a missing object) fails them all: then ask
// MergeTree pair by pair.
func (r *Runner) MergeTrees(ctx context.Context, dir string, env []string, pairs [][2]string) ([]Merge, error) {
	var in strings.Builder
	for _, p := range pairs {
		in.WriteString(p[0] + " " + p[1] + "\n")
	}
	c := Cmd{Dir: dir, Env: env, Args: slices.Concat(mergeTreeArgs, []string{"--stdin"}), Stdin: []byte(in.String())}
	out, err := r.Run(ctx, c)
	if err != nil {
		return nil, err
	}
	// Each merge: its status (1 clean, 0 conflicts), the tree, the paths
	// in conflict, an empty field; every field ends in a NUL.
	fields := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	merges := make([]Merge, 0, len(pairs))
	for i := 0; i < len(fields); {
		if i+2 > len(fields) || fields[i] != "0" && fields[i] != "1" || fields[i+1] == "" {
			return nil, fmt.Errorf("parse git merge-tree --stdin output %q", out)
		}
		m := Merge{Conflicts: fields[i] == "0"}
		for i += 2; i < len(fields) && fields[i] != ""; i++ {
			m.Files = append(m.Files, fields[i])
		}
		i++
		merges = append(merges, m)
	}
	if len(merges) != len(pairs) {
		return nil, fmt.Errorf("git merge-tree --stdin answered %d merges of %d", len(merges), len(pairs))
	}
	return merges, nil
}

// MergeTree merges commits a and b with `git merge-tree` in dir, env
// added to git's environment. Exit 1 is a merge with conflicts; any
// other failure (git older than 2.38 among them) is an error.
func (r *Runner) MergeTree(ctx context.Context, dir string, env []string, a, b string) (Merge, error) {
	c := Cmd{Dir: dir, Env: env, Args: slices.Concat(mergeTreeArgs, []string{a, b})}
	out, err := r.Run(ctx, c)
	m := Merge{}
	if err != nil {
		if ExitCode(err) != 1 {
			return m, err
		}
		m.Conflicts = true
	}
	// The tree, then the paths in conflict, each ending in a NUL.
	fields := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	if fields[0] == "" {
		return m, fmt.Errorf("parse git merge-tree output %q", out)
	}
	if m.Conflicts {
		for _, f := range fields[1:] {
			if f != "" {
				m.Files = append(m.Files, f)
			}
		}
	}
	return m, nil
}
