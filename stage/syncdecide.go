// sync-back's decision: fast-forward, force, or nothing to sync, and what
// the run saves first.

package stage

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/git-stage/git-stage/gitcmd"
)

// backupPrefix is where a run saves the commits it would otherwise leave
// to the reflog: the tips --force replaces, a detached HEAD's commits
// before --auto-checkout switches, a temp branch's commits the staging
// HEAD lacks. The loss rule counts these refs as safe.
const backupPrefix = "refs/staging-sync/backup/"

// backupRef names a backup of branch: <prefix><branch>-<stamp>, or with
// -2, -3... when that is taken.
func (j *syncJob) backupRef(branch, stamp string) string {
	return FreeName(backupPrefix+branch+"-"+stamp, func(name string) bool {
		_, taken := gitcmd.Find(j.workRefs, name)
		return taken || slices.ContainsFunc(j.backups, func(r gitcmd.Ref) bool { return r.Name == name })
	})
}

// decide picks the mode: fast-forward when the staging HEAD contains the
// work branch, the remote's branch and the temp branch; nothing to sync
// when the work branch and the remote's branch both contain it already;
// else a refusal, or with --force a reset. The old tips that --force
// replaces, and commits of the temp branch that the sync would delete
// (the user's pushes the copy no longer holds), are saved first.
func (a *App) decide(ctx context.Context, j *syncJob, force bool) error {
	var tips []string
	for _, t := range []string{j.workTip, j.remoteTip, j.tempAt} {
		if t != "" && t != j.head && !slices.Contains(tips, t) {
			tips = append(tips, t)
		}
	}
	lacking := 0
	if len(tips) > 0 {
		var err error
		if lacking, err = a.count(ctx, j.work, j.objects, append(tips, "--not", j.head)...); err != nil {
			return err
		}
	}
	nothing := func(how string) {
		j.mode = ""
		j.nothingReason = fmt.Sprintf("%s in %s and on %s %s the staging HEAD (%s)", j.branch, j.work, j.remote, how, short(j.head))
	}
	j.mode = modeFastForward
	if j.head == j.workTip && j.head == j.remoteTip {
		nothing("are already at")
	}
	if lacking == 0 {
		return nil
	}

	behind := func(tip string) (int, error) {
		if tip == j.head {
			return 0, nil
		}
		return a.count(ctx, j.work, j.objects, tip, "--not", j.head)
	}
	behindWork, err := behind(j.workTip)
	if err != nil {
		return err
	}
	behindRemote, err := behind(j.remoteTip)
	if err != nil {
		return err
	}
	if behindWork > 0 || behindRemote > 0 {
		// The copy lacks commits of the branch: it is only behind when
		// both the branch and the remote's branch hold the staging HEAD.
		ahead, err := a.count(ctx, j.work, j.objects, j.head, "--not", j.workTip)
		if err != nil {
			return err
		}
		aheadRemote, err := a.count(ctx, j.work, j.objects, j.head, "--not", j.remoteTip)
		if err != nil {
			return err
		}
		switch {
		case ahead == 0 && aheadRemote == 0:
			nothing("already hold")
		case !force:
			fresh, err := a.count(ctx, j.work, j.objects, j.head, "--not", j.workTip, j.remoteTip)
			if err != nil {
				return err
			}
			var lacks []string
			if behindWork > 0 {
				lacks = append(lacks, fmt.Sprintf("%d commit(s) of %s in %s", behindWork, j.branch, j.work))
			}
			if behindRemote > 0 {
				lacks = append(lacks, fmt.Sprintf("%d of %s/%s", behindRemote, j.remote, j.branch))
			}
			news := ""
			if fresh > 0 {
				news = fmt.Sprintf(", %d new commit(s)", fresh)
			}
			// Work and remote diverged: neither --rebase nor update can
			// help before they are settled, and the refusal says so.
			if _, err := a.newestBase(ctx, j.work, nil, j.workTip, j.remoteTip, j.branch, j.remote); err != nil {
				return err
			}
			discard, err := a.count(ctx, j.work, j.objects, j.workTip, j.remoteTip, "--not", j.head)
			if err != nil {
				return err
			}
			return refuse(fmt.Sprintf("land it rebased onto them: git staging sync-back --rebase (or first, without landing: git staging update %s); "+
				"--force would instead take those %d commit(s) off %s, in %s and on %s (keeping them only under refs/staging-sync/backup/)",
				gitcmd.Quote(j.name), discard, j.branch, j.work, j.remote),
				"cannot fast-forward %s to the staging HEAD (%s%s): it lacks %s",
				j.branch, short(j.head), news, strings.Join(lacks, " and "))
		default:
			j.mode = modeForce
			if behindWork > 0 {
				j.backups = append(j.backups, gitcmd.Ref{Name: j.backupRef(j.branch, a.stamp()), OID: j.workTip})
			}
			if behindRemote > 0 && j.remoteTip != j.workTip {
				j.backups = append(j.backups, gitcmd.Ref{Name: j.backupRef(j.remote+"/"+j.branch, a.stamp()), OID: j.remoteTip})
			}
		}
	}

	return a.checkTemp(ctx, j, force)
}

// checkTemp refuses, or with --force saves, commits of the temp branch
// that the sync would delete: those neither the staging HEAD nor the
// branch holds (the user's pushes the copy no longer has).
func (a *App) checkTemp(ctx context.Context, j *syncJob, force bool) error {
	if j.tempAt == "" || j.tempAt == j.head {
		return nil
	}
	cs, err := a.logCommits(ctx, gitcmd.Cmd{Dir: j.work, Env: j.objects, Args: []string{j.tempAt, "--not", j.head, j.workTip, j.remoteTip}})
	if err != nil {
		return wrap(err, "", "list commits in %s", j.work)
	}
	var lost []string
	for _, c := range cs {
		lost = append(lost, c.String())
	}
	if len(lost) == 0 {
		return nil
	}
	if !force {
		return refuse(fmt.Sprintf("bring them into the copy (in it: git pull --rebase %s %s), or pass --force to save them under refs/staging-sync/backup/ and sync anyway", gitcmd.Quote(j.remote), gitcmd.Quote(j.temp)),
			"temp branch %s on %s holds %d commit(s) that the staging HEAD lacks (%s)", j.temp, j.remote, len(lost), strings.Join(lost, ", "))
	}
	j.backups = append(j.backups, gitcmd.Ref{Name: j.backupRef(j.remote+"/"+j.temp, a.stamp()), OID: j.tempAt})
	return nil
}

// count runs `git rev-list --count` on commit ids, with env added to git's
// environment.
func (a *App) count(ctx context.Context, dir string, env []string, revs ...string) (int, error) {
	out, err := a.Git.Run(ctx, gitcmd.Cmd{Dir: dir, Env: env, Args: append([]string{"rev-list", "--count"}, revs...)})
	if err != nil {
		return 0, wrap(err, "", "compare commits in %s", dir)
	}
	return strconv.Atoi(strings.TrimSpace(string(out)))
}
