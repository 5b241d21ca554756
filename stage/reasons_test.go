package stage

import (
	"errors"
	"fmt"
	"testing"

	"github.com/git-stage/git-stage/gitcmd"
)

// TestProtectedRefused: the hint's reading of a refused push. The ref
// must be refused on its own account (not only because an atomic push
// failed for another), and "protected" said by the remote or in git's
// reason for it, in any case; a push that went through has no hint.
func TestProtectedRefused(t *testing.T) {
	const main = "refs/heads/main"
	both := "!\trefs/heads/x:refs/heads/main\t[remote rejected] (%s)\n!\t:refs/heads/tmp\t[remote rejected] (%s)\n"
	for _, c := range []struct {
		name, stdout, stderr string
		want                 bool
	}{
		{"GitHub", "!\tx:refs/heads/main\t[remote rejected] (protected branch hook declined)\n",
			"remote: error: GH006: Protected branch update failed for refs/heads/main.\n", true},
		{"GitLab", "!\tx:refs/heads/main\t[remote rejected] (pre-receive hook declined)\n",
			"remote: GitLab: You are not allowed to push code to protected branches on this project.\n", true},
		{"reason only", "!\tx:refs/heads/main\t[remote rejected] (protected branch hook declined)\n", "", true},
		{"not protected", "!\tx:refs/heads/main\t[remote rejected] (pre-receive hook declined)\n", "remote: tests failing\n", false},
		{"git's own words", "!\tx:refs/heads/main\t[remote rejected] (pre-receive hook declined)\n", "error: protected\n", false},
		{"another ref refused", fmt.Sprintf(both, "atomic push failed", "pre-receive hook declined"), "remote: tmp is protected\n", false},
		{"both refused", fmt.Sprintf(both, "pre-receive hook declined", "pre-receive hook declined"), "remote: main is protected\n", true},
		{"pushed", "*\tx:refs/heads/main\t[new branch]\n", "remote: protected\n", false},
	} {
		err := &gitcmd.Error{Args: []string{"push"}, Stderr: c.stderr, Stdout: []byte(c.stdout)}
		if got := protectedRefused([]byte(c.stdout), err, main); got != c.want {
			t.Errorf("%s: protectedRefused = %v, want %v", c.name, got, c.want)
		}
	}
	if !protectedRefused([]byte("!\tx:refs/heads/main\t[remote rejected] (protected branch hook declined)\n"), errors.New("not git's"), main) {
		t.Errorf("protectedRefused of git's reason, without git's error = false")
	}
}
