package stage

import (
	"context"
	"fmt"

	"github.com/git-stage/git-stage/gitcmd"
)

// SyncBackOptions are sync-back's arguments and flags.
type SyncBackOptions struct {
	Name            string // "" for the staging copy containing Cwd
	WorkName        string // another work repository: relative to the work root, to Cwd (./, ../), or absolute
	Branch          string // "" for the recorded base branch
	TempBranch      string // "" for the copy's temp branch
	Remote          string // "" for the recorded remote
	AutoCheckout    bool
	Force           bool
	AllowDirtyStage bool
	AllowDirtyWork  bool
	DryRun          bool // print the plan, change nothing
	NoWait          bool // refuse at once when another sync-back is landing in the work repository
	NoVerify        bool // skip the stage.preSync gate
	// ReviewBranch, when set, is the remote branch the staging HEAD goes
	// to instead of the base branch (%n: the staging name).
	ReviewBranch string
	// Rebase rebases the copy's commits, inside the copy, onto the base's
	// newest tip when the base moved, then lands them as a fast-forward.
	Rebase bool
	// Squash lands the copy's commits as one commit (rebased as with
	// Rebase when the base moved), with Message or a summary of their
	// subjects as its message.
	Squash  bool
	Message string
	JSON    bool // print the result as a JSON object (SyncResult)
}

// Sync modes, as the config records them.
const (
	modeFastForward = "fast-forward"
	modeForce       = "force"
)

// syncJob is everything sync-back decided before changing anything.
type syncJob struct {
	*located
	staging, work        string
	remote, branch, temp string
	head                 string // the staging HEAD: what is synced
	workTip              string // the work branch before the sync
	remoteTip            string // the remote's branch, fetched now
	tempBefore           string // the temp branch on the remote before the run; "" when absent
	tempAt               string // the temp branch on the remote as far as we know; "" when absent
	tempPushed           pushOutcome
	switchTo             bool   // the work repository switches to branch first, from:
	inPlace              bool   // the branch is not checked out there: it is moved with update-ref, from:
	fromBranch, fromOID  string // the branch it is on ("" when detached), and its commit
	switched             bool   // it did switch
	workMoved            bool   // the run moved the work branch
	workWas              string // from where: workTip, unless a commit came in between
	backedUp             bool   // the backups are made
	mode                 string // modeFastForward, modeForce, modeRebase, modeSquash, modeReview, or "" when there is nothing to sync
	nothingReason        string
	workRefs             []gitcmd.Ref    // the branch, its tracking refs, and the backups
	backups              []gitcmd.Ref    // refs the run creates first, to keep what it replaces
	objects              []string        // git's environment lending the copy's objects to the work repository
	review, reviewTip    string          // the review branch, and its tip on the remote ("" when absent)
	landed               bool            // the final push went through: the sync is done but for its record
	protected            bool            // the remote refused the base branch as protected (a hint, never a decision)
	submodules           []workSubmodule // the work repository's submodules the sync moves
	origHead             string          // the staging HEAD before a rebase or squash
	rebase               *rebase         // the copy rebased onto the base's newest tip first; nil when not
	squashBase           string          // --squash: the commit the squash commit is made on
	squashMsg            string          // and its message
	squashed             int             // how many commits it squashes
	squashSign           bool            // and it is signed (commit.gpgSign in the copy)
	squashBackup         string          // the backup ref keeping them, in the work repository
	preSquash            string          // the copy's HEAD the squash commit was made of
	unlock               func()          // lets go of the work repository's landing lock
	gate                 []string        // the stage.preSync commands, run before the first push
	gateRead             []string        // stage.preSync as git reads it in the copy (see settleGate)
	gateErr              error           // why gateRead could not be read
}

// SyncBack brings the staging copy's commits home through the remote: it
// pushes the staging HEAD to the temp branch, fast-forwards the work
// branch to it, and pushes that branch while deleting the temp branch, in
// one atomic push. Every check runs first. Once the temp branch is pushed,
// it is deleted on every way out: success, failure, Ctrl-C, SIGTERM.
func (a *App) SyncBack(ctx context.Context, s Settings, o SyncBackOptions) error {
	a.json = o.JSON
	l, unlock, err := a.locateLocked(ctx, s, o.Name, o.DryRun)
	if err != nil {
		return err
	}
	defer unlock()
	j, err := a.prepareSync(ctx, s, o, l)
	if err != nil {
		return checksInterrupted(ctx, err, syncUndone, "sync-back of %q failed", l.name)
	}
	defer j.unlock()
	if err := j.settleGate(o); err != nil {
		return checksInterrupted(ctx, err, syncUndone, "sync-back of %q failed", l.name)
	}
	ran, err := a.runPlan(ctx, o.DryRun, j.steps(a), func() string { return j.summary("would sync") }, func(err error) error {
		return wrap(err, j.withProtectedHint(j.failureHint(err)), "sync-back of %q failed", j.name)
	})
	if !ran {
		if err == nil && o.JSON {
			return writeJSON(a.Stdout, j.result(true))
		}
		return err
	}
	if ctx.Err() != nil && j.mode != "" {
		a.warnf("interrupted while the final push was under way; it went through, so the sync is complete")
	}
	a.infof("%s", j.summary("synced"))
	if o.JSON {
		return writeJSON(a.Stdout, j.result(false))
	}
	return nil
}

// summary says what the sync did, or with verb "would sync" what it would do.
func (j *syncJob) summary(verb string) string {
	if j.mode == "" {
		return "nothing to sync: " + j.nothingReason
	}
	if j.mode == modeReview {
		return fmt.Sprintf("%s %q for review: %s on %s (%s) is at %s; open a pull request from %s into %s",
			verb, j.name, j.review, j.remote, j.url(), short(j.head), j.review, j.branch)
	}
	how := ""
	switch {
	case j.mode == modeForce:
		how = " (forced)"
	case j.mode == modeSquash && j.rebase != nil:
		how = fmt.Sprintf(" (rebased onto %s, then %d commit(s) squashed into one; they are kept as %s)", short(j.rebase.onto), j.squashed, j.squashBackup)
	case j.mode == modeSquash:
		how = fmt.Sprintf(" (%d commit(s) squashed into one; they are kept as %s)", j.squashed, j.squashBackup)
	case j.rebase != nil:
		how = fmt.Sprintf(" (rebased onto %s)", short(j.rebase.onto))
	}
	stays := ""
	if j.inPlace {
		stays = fmt.Sprintf("; %s stays on %s", j.work, j.from())
	}
	return fmt.Sprintf("%s %q%s: %s %s..%s in %s and on %s%s", verb, j.name, how, j.branch, short(j.workTip), short(j.head), j.work, j.remote, stays)
}

// syncUndone is the hint of a sync-back that failed and left nothing.
const syncUndone = "nothing changed in the work repository or on the remote; run sync-back again once the cause is fixed"

// failureHint says where a failed sync-back left things.
func (j *syncJob) failureHint(err error) string {
	if hint, ok := conflictHint(err); ok {
		return hint
	}
	switch {
	case j.landed && j.mode == modeReview:
		return fmt.Sprintf("the push itself is done: review branch %s on %s is at %s; only its record in %s is missing",
			j.review, j.remote, short(j.head), j.store.Path)
	case j.landed:
		return fmt.Sprintf("the sync itself is done: %s in %s and on %s are at %s; only its record in %s is missing",
			j.branch, j.work, j.remote, short(j.head), j.store.Path)
	case undoIncomplete(err):
		return "see above for what is left; run sync-back again once the cause is fixed"
	case gateFailed(err):
		return gateHint
	default:
		return syncUndone
	}
}
