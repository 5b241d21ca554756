package stage

import (
	"context"
	"fmt"

	"github.com/git-stage/git-stage/gitcmd"
)

// trackLandedSteps tell the copy where the remote's branch is once the
// sync landed there, as a fetch in the copy would: its remote-tracking
// ref moves to the landed commit, so that git status in the copy says it
// is up to date with its upstream. Leased on where the remote's branch
// was before the sync: a copy that saw it elsewhere is left to its next
// fetch. There is one step, only where the copy's remote is the work
// repository's (none otherwise); its failure is a warning, the sync
// being done.
func (j *syncJob) trackLandedSteps() []*step {
	if !j.sameRemote() {
		return nil
	}
	ref := "refs/remotes/" + j.remote + "/" + j.branch
	return []*step{{
		git:        &gitcmd.Cmd{Dir: j.staging, Args: []string{"update-ref", ref, j.head, j.remoteTip}},
		afterwards: true,
		check: func(_ context.Context, _ []byte, err error) error {
			if err != nil {
				return fmt.Errorf("%s in %s is not moved to the landed commit %s (%s); git fetch in the copy updates it",
					ref, j.staging, short(j.head), reason(err))
			}
			return nil
		},
	}}
}
