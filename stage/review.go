package stage

import (
	"context"
	"fmt"
	"strings"

	"github.com/git-stage/git-stage/gitcmd"
)

// modeReview is a sync to a review branch, as the config records it.
const modeReview = "review"

// prepareReview is sync-back's preflight for --review-branch, after the
// copy's checks: the work repository and the remote's base branch are
// left alone, so only the review branch and the temp branch are looked
// at, listed in one round trip. The review branch is created, or moved
// only forward (any way with --force), and always with a lease on the
// value seen here.
func (a *App) prepareReview(ctx context.Context, j *syncJob, o SyncBackOptions) error {
	j.review = ReviewBranchName(o.ReviewBranch, j.name)
	if err := checkBranchName(j.review); err != nil {
		return err
	}
	if j.review == j.temp || j.review == j.branch {
		return &Error{Usage: true, Msg: fmt.Sprintf("the review branch %q is the copy's temp branch or the branch it syncs to", j.review),
			Hint: "name another review branch, or run sync-back with --review-branch '' to update " + j.branch + " itself"}
	}
	refs, err := a.Git.LsRemote(ctx, j.work, j.remote, "refs/heads/"+j.review, "refs/heads/"+j.temp)
	if err != nil {
		return wrap(err, "check the remote's URL, the network and your credentials", "cannot reach remote %q", j.remote)
	}
	j.reviewTip, _ = gitcmd.Find(refs, "refs/heads/"+j.review)
	j.tempAt, _ = gitcmd.Find(refs, "refs/heads/"+j.temp)
	j.tempBefore = j.tempAt
	if err := j.checkTempOwned(o); err != nil {
		return err
	}
	j.objects = objectsEnv(j.staging)
	// The push deletes the temp branch: commits on it that the staging
	// HEAD lacks (pushed there from elsewhere) would be lost. Without a
	// fetch they cannot be backed up here, so they are refused.
	if j.tempAt != "" && j.tempAt != j.head {
		if n, err := a.lacking(ctx, j, j.tempAt); err != nil || n > 0 {
			if err != nil {
				return err
			}
			return refuse(fmt.Sprintf("bring them into the copy first (in it: git pull --rebase %s %s), then run sync-back again", gitcmd.Quote(j.remote), gitcmd.Quote(j.temp)),
				"temp branch %s on %s (%s) holds commits the staging HEAD lacks", j.temp, j.remote, short(j.tempAt))
		}
	}
	switch {
	case j.reviewTip == j.head:
		j.nothingReason = fmt.Sprintf("review branch %s on %s is already at the staging HEAD (%s)", j.review, j.remote, short(j.head))
		return nil
	case j.reviewTip == "":
		j.mode = modeReview
		return nil
	case o.Force:
		// What --force replaces is saved first, as for the base branch:
		// commits of the review branch that the staging HEAD lacks (a
		// reviewer's fixup) would be held by nothing.
		j.mode = modeReview
		behind, err := a.lacking(ctx, j, j.reviewTip)
		if err != nil || behind == 0 {
			return err
		}
		if j.workRefs, err = a.Git.ForEachRef(ctx, j.work, backupPrefix); err != nil {
			return wrap(err, "", "read the refs of %s", j.work)
		}
		j.backups = append(j.backups, gitcmd.Ref{Name: j.backupRef(j.remote+"/"+j.review, a.stamp()), OID: j.reviewTip})
		return nil
	}
	// Forward only: the review branch's tip must be in the staging HEAD.
	behind, err := a.lacking(ctx, j, j.reviewTip)
	if err != nil {
		return err
	}
	if behind > 0 {
		return refuse(fmt.Sprintf("bring them into the copy first (in it: git pull %s %s), or pass --force to replace the review branch (leased)", j.remote, j.review),
			"review branch %s on %s (%s) has commits the staging HEAD lacks", j.review, j.remote, short(j.reviewTip))
	}
	j.mode = modeReview
	return nil
}

// reviewSteps push the staging HEAD to the review branch and delete the
// temp branch, in one atomic push; the work repository gets the staging
// commits' objects only (the push runs from it) and no ref moves there.
func (j *syncJob) reviewSteps(a *App) []*step {
	ref := "refs/heads/" + j.review
	steps := append(j.gateSteps(a), &step{git: &gitcmd.Cmd{Dir: j.work, Args: []string{
		"fetch", "--quiet", "--no-tags", "--no-write-fetch-head", j.staging, j.head}}})
	if len(j.backups) > 0 {
		r := j.backups[0]
		// The review branch's tip, which the work repository may not
		// have, is fetched into its backup ref; the landing's lease is
		// on the value listed, so a backup of another value is never
		// of what was replaced, and the undo deletes it.
		steps = append(steps, &step{
			git: &gitcmd.Cmd{Dir: j.work, Args: []string{
				"fetch", "--quiet", "--no-tags", "--no-write-fetch-head", j.remote, ref + ":" + r.Name}},
			check: func(ctx context.Context, _ []byte, err error) error {
				if err != nil {
					return err
				}
				j.backedUp = true
				got, err := a.Git.Output(ctx, j.work, "rev-parse", "--verify", "-q", r.Name)
				if oid := strings.TrimSpace(string(got)); err != nil || oid != r.OID {
					if err == nil {
						j.backups[0].OID = oid
					}
					return fmt.Errorf("review branch %s on %s changed while sync-back ran (it is not at %s): nothing is replaced", j.review, j.remote, short(r.OID))
				}
				j.saved(a, r)
				return nil
			},
			undo: &step{desc: "delete the backups this run made in " + j.work, do: j.dropBackups(a)},
		})
	}
	return append(steps,
		j.landStep(a, []gitcmd.Lease{{Ref: ref, Expect: j.reviewTip}}, j.head+":"+ref, j.tempAt),
		j.recordStep(a, j.review, func(m *Mapping) { m.ReviewBranch = j.review }))
}

// url is the remote's URL as recorded, for the message that says where to
// open a pull request.
func (j *syncJob) url() string {
	if j.remote == j.m.Remote && j.m.RemoteURL != "" {
		return j.m.RemoteURL
	}
	return j.remote
}

// lacking counts the commits of tip that the staging HEAD lacks, with the
// copy's objects lent to the work repository; a tip neither repository
// has counts as one (it is in neither).
func (a *App) lacking(ctx context.Context, j *syncJob, tip string) (int, error) {
	missing, err := a.Git.MissingObjects(ctx, j.work, j.objects, []string{tip})
	if err != nil {
		return 0, wrap(err, "", "look for %s in %s", short(tip), j.work)
	}
	if missing[tip] {
		return 1, nil
	}
	return a.count(ctx, j.work, j.objects, tip, "--not", j.head)
}
