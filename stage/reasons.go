package stage

import (
	"errors"
	"fmt"
	"strings"

	"github.com/git-stage/git-stage/gitcmd"
)

// pushRejected is a push whose refs the remote refused, said in one line
// (the refs and git's reasons); the push's output stays for Details. It
// does not unwrap to git's error: a decision reads the refs, not it.
type pushRejected struct {
	msg string
	git error
}

func (e *pushRejected) Error() string { return e.msg }

// Details are the lines git and the remote printed (gitcmd.Error.Details).
func (e *pushRejected) Details() []string {
	var g *gitcmd.Error
	if errors.As(e.git, &g) {
		return g.Details()
	}
	return nil
}

// protectedRefused reports whether a push refused ref in words that say
// it is protected (GitHub's "GH006: Protected branch update failed",
// GitLab's "not allowed to push code to protected branches", Gitea's
// "is protected"), in the remote's lines or git's reason for the ref
// (GitHub's "protected branch hook declined"). It only adds a hint.
func protectedRefused(out []byte, err error, ref string) bool {
	refused := false
	var words []string
	for _, r := range gitcmd.ParsePush(out) {
		if r.Rejected() && r.To == ref && r.Reason != "atomic push failed" {
			refused = true
			words = append(words, r.Reason)
		}
	}
	if !refused {
		return false
	}
	if g := (*gitcmd.Error)(nil); errors.As(err, &g) {
		words = append(words, g.RemoteLines()...)
	}
	return strings.Contains(strings.ToLower(strings.Join(words, "\n")), "protected")
}

// noteProtected notes that the remote refused the base branch as
// protected, for the hint.
func (j *syncJob) noteProtected(out []byte, err error) {
	if err != nil && j.mode != modeReview && protectedRefused(out, err, "refs/heads/"+j.branch) {
		j.protected = true
	}
}

// withProtectedHint adds to hint, when the remote refused the base branch
// as protected, the way that needs no push to it: a review branch.
func (j *syncJob) withProtectedHint(hint string) string {
	if !j.protected {
		return hint
	}
	review := fmt.Sprintf("the remote protects %s; push for review instead: git staging sync-back %s --review-branch 'review/%%n'",
		j.branch, gitcmd.Quote(j.name))
	if hint == "" {
		return review
	}
	return hint + "\n" + review
}
