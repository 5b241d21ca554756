// What clone, sync-back and remove print with --json: one object saying
// what the run did (or with --dry-run, would do), made from what the run
// decided and learnt, without asking git again.

package stage

import (
	"io"

	"github.com/git-stage/git-stage/gitcmd"
)

// CloneResult is what `clone --json` prints. Its field names are part of
// the command line's contract: add fields, never rename them.
type CloneResult struct {
	Name        string `json:"name"`         // the staging name
	StagingPath string `json:"staging_path"` // the copy's directory
	WorkPath    string `json:"work_path"`    // the work repository
	Remote      string `json:"remote"`       // the remote's name
	RemoteURL   string `json:"remote_url"`   // its URL, a password shown as ***
	BaseBranch  string `json:"base_branch"`  // the branch staged
	BaseCommit  string `json:"base_commit"`  // its commit: the copy's HEAD
	TempBranch  string `json:"temp_branch"`  // the copy's temp branch on the remote
	Replaced    bool   `json:"replaced"`     // --force replaced a copy that was there
	DryRun      bool   `json:"dry_run"`      // nothing was done: what a run would do
}

// SyncResult is what `sync-back --json` prints. Its field names are part
// of the command line's contract: add fields, never rename them.
type SyncResult struct {
	Name        string `json:"name"`
	StagingPath string `json:"staging_path"`
	WorkPath    string `json:"work_path"`
	Remote      string `json:"remote"`
	Branch      string `json:"branch"` // the branch synced to (for a review, the one to merge into)
	// Mode is fast-forward, force, rebase, squash or review; "" when
	// there was nothing to sync (UpToDate).
	Mode     string `json:"mode"`
	UpToDate bool   `json:"up_to_date"`
	// Old and New are the branch's commit before and after: the work
	// branch's (which the remote's then holds too), or for a review the
	// review branch's on the remote (Old "" when it is new). New is ""
	// in a dry run that cannot know it (the commit a rebase or squash
	// makes).
	Old         string   `json:"old"`
	New         string   `json:"new"`
	RebasedOnto string   `json:"rebased_onto"`  // the base's tip the copy was rebased onto; "" when not rebased
	Review      string   `json:"review_branch"` // the review branch; "" when not a review
	TempBranch  string   `json:"temp_branch"`
	TempDeleted bool     `json:"temp_deleted"` // the temp branch is off the remote; false: left there, recorded for prune
	Backups     []string `json:"backups"`      // refs made under refs/staging-sync/backup/
	DryRun      bool     `json:"dry_run"`
}

// RemoveResult is what `remove --json` prints. Its field names are part
// of the command line's contract: add fields, never rename them.
type RemoveResult struct {
	Name        string `json:"name"`
	StagingPath string `json:"staging_path"`
	WorkPath    string `json:"work_path"`
	Remote      string `json:"remote"`
	// StagingDeleted is false when the directory was gone already, or
	// could not be deleted (a warning says so).
	StagingDeleted bool     `json:"staging_deleted"`
	TempsDeleted   []string `json:"temp_branches_deleted"`
	TempsKept      []string `json:"temp_branches_kept"` // left on the remote (--force, the remote out of reach)
	DryRun         bool     `json:"dry_run"`
}

func (j *cloneJob) result(dryRun bool) CloneResult {
	return CloneResult{
		Name: j.name, StagingPath: j.target, WorkPath: j.work,
		Remote: j.remote, RemoteURL: gitcmd.RedactURL(j.url),
		BaseBranch: j.branch, BaseCommit: j.commit, TempBranch: j.temp,
		Replaced: j.replace, DryRun: dryRun,
	}
}

func (j *syncJob) result(dryRun bool) SyncResult {
	r := SyncResult{
		Name: j.name, StagingPath: j.staging, WorkPath: j.work, Remote: j.remote,
		Branch: j.branch, Mode: j.mode, UpToDate: j.mode == "",
		// Every plan deletes the temp branch: only a run can fail to.
		Review: j.review, TempBranch: j.temp, TempDeleted: dryRun || j.tempAt == "",
		Backups: []string{}, DryRun: dryRun,
	}
	switch {
	case j.mode == modeReview || j.review != "":
		r.Old, r.New = j.reviewTip, j.head
	case j.mode == "":
		r.Old, r.New = j.workTip, j.workTip
	default:
		r.Old, r.New = j.workTip, j.head
		if j.workWas != "" {
			r.Old = j.workWas // what --force's reset replaced
		}
	}
	if r.New == rebasedHead || r.New == squashCommit {
		r.New = ""
	}
	if j.rebase != nil {
		r.RebasedOnto = j.rebase.onto
	}
	for _, b := range j.backups {
		r.Backups = append(r.Backups, b.Name)
	}
	return r
}

func (j *removeJob) result(dryRun bool) RemoveResult {
	r := RemoveResult{
		Name: j.name, StagingPath: j.m.StagingPath, WorkPath: j.m.WorkPath, Remote: j.m.Remote,
		StagingDeleted: j.present && !j.notDeleted,
		TempsDeleted:   []string{}, TempsKept: append([]string{}, j.kept...), DryRun: dryRun,
	}
	for _, t := range j.delete {
		r.TempsDeleted = append(r.TempsDeleted, t.Name)
	}
	return r
}

// planOut is where a dry run's plan goes: stdout, unless --json keeps
// stdout for the result.
func (a *App) planOut() io.Writer {
	if a.json {
		return a.Stderr
	}
	return a.Stdout
}
