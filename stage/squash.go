// sync-back --squash: the one commit that lands, and the copy reset to it.

package stage

import (
	"context"
	"fmt"
	"strings"

	"github.com/git-stage/git-stage/gitcmd"
)

// squashMessage sums up the squashed commits: one keeps its subject.
func squashMessage(name string, cs []commit) string {
	if len(cs) == 1 {
		return cs[0].subject + "\n"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Squash %d commits of staging copy %s\n\n", len(cs), name)
	for _, c := range cs {
		fmt.Fprintf(&b, "* %s\n", c.subject)
	}
	return b.String()
}

// squashStep makes the one commit that lands: the tree of the copy's
// HEAD (rebased when the base moved) on the base.
func (j *syncJob) squashStep(a *App) *step {
	args := []string{"commit-tree", j.head + "^{tree}", "-p", j.squashBase, "-F", "-"}
	if j.squashSign {
		args = append(args, "-S")
	}
	return &step{
		git: &gitcmd.Cmd{Dir: j.staging, Args: args, Stdin: []byte(j.squashMsg)},
		check: func(_ context.Context, out []byte, err error) error {
			if err == nil {
				j.preSquash, j.head = j.head, strings.TrimSpace(string(out))
			}
			return err
		},
		planned: func() { j.preSquash, j.head = j.head, squashCommit },
	}
}

// resetCopyStep puts the copy on the squash commit that landed (git
// reset --keep: uncommitted changes stay), while its HEAD is still the
// commit that was squashed; the squashed commits are kept under a backup
// ref in the work repository.
func (j *syncJob) resetCopyStep(a *App) *step {
	return &step{
		desc:       fmt.Sprintf("reset %s to the squash commit that landed (git reset --keep), its commits kept as %s", gitcmd.Quote(j.staging), j.squashBackup),
		afterwards: true,
		do: func(ctx context.Context) error {
			out, _ := a.Git.Run(ctx, gitcmd.Cmd{Dir: j.staging, Shown: true, Args: []string{"rev-parse", "--verify", "HEAD"}})
			if now := strings.TrimSpace(string(out)); now != j.preSquash {
				return fmt.Errorf("%s moved on to %s while sync-back ran; it is left there, and the squash commit %s landed", j.staging, short(now), short(j.head))
			}
			if _, err := a.Git.Run(ctx, gitcmd.Cmd{Dir: j.staging, Shown: true, Args: []string{"reset", "--quiet", "--keep", j.head}}); err != nil {
				return fmt.Errorf("%s is left on the squashed commits (%v); move it to what landed with: git -C %s reset --keep %s", j.staging, err, gitcmd.Quote(j.staging), j.head)
			}
			return nil
		},
	}
}
