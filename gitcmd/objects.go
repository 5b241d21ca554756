package gitcmd

import (
	"context"
	"strings"
)

// MissingObjects returns those of oids that the repository in dir does not
// have, with one `git cat-file --batch-check`. env is added to git's
// environment (GIT_ALTERNATE_OBJECT_DIRECTORIES to look in more stores).
func (r *Runner) MissingObjects(ctx context.Context, dir string, env []string, oids []string) (map[string]bool, error) {
	out, err := r.Run(ctx, Cmd{Dir: dir, Env: env, Args: []string{"cat-file", "--batch-check"}, Stdin: []byte(strings.Join(oids, "\n") + "\n")})
	if err != nil {
		return nil, err
	}
	missing := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		if oid, ok := strings.CutSuffix(line, " missing"); ok {
			missing[oid] = true
		}
	}
	return missing, nil
}
