// clone's plan: the steps that make the copy, and their undo.

package stage

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/git-stage/git-stage/gitcmd"
)

// steps are clone's changes, in order.
func (j *cloneJob) steps(a *App) []*step {
	var steps []*step
	parent := filepath.Dir(j.target)
	if there, _ := exists(parent); !there {
		var created []string
		steps = append(steps, &step{
			desc: "mkdir -p " + gitcmd.Quote(parent),
			do: func(context.Context) (err error) {
				created, err = mkdirTracked(parent)
				return err
			},
			undo: &step{desc: "remove the directories made for " + gitcmd.Quote(parent), do: func(context.Context) error {
				removeCreated(created)
				return nil
			}},
		})
	}

	// The copy, from the work repository's objects (hard links where the
	// file system allows): nothing is downloaded from the remote.
	steps = append(steps, a.waitForGCStep(j.work))
	steps = append(steps, &step{git: j.cloneCmd(a, j.branch), early: j.earlyStep(0), undo: &step{
		desc: "rm -rf " + gitcmd.Quote(j.tmp),
		do: func(context.Context) error {
			j.stopEarly() // not while the checkout started early still writes there
			return os.RemoveAll(j.tmp)
		},
	}})
	// Its remote-tracking refs, its remote and the temp branch: the lane
	// beside the files' checkout (the push costs no time; the refs and
	// the URL, made in the hidden copy, may be made while the checks run).
	// Neither lane reads or writes a ref the other does: the refs'
	// transaction leaves HEAD and the branch alone, and the push names the
	// commit.
	refs, url := j.trackingCmds(j.branch, j.listed, j.url)
	remoteLane := []*step{{git: &refs, early: j.earlyStep(1)}, {git: &url, early: j.earlyStep(2)}}
	if j.temp != j.firstTemp() {
		// The temp branch's usual name is taken on the remote: a plain
		// `git push` in the copy goes to the one clone settled on.
		remoteLane = append(remoteLane, &step{git: &gitcmd.Cmd{Dir: j.tmp, Args: []string{"config", "remote." + j.remote + ".push", pushRefspec(j.branch, j.temp)}}})
	}
	if len(j.partial) > 0 || j.lfs != "" {
		// The checkout may fetch blobs (a partial clone) or LFS objects
		// the work repository lacks: from the remote, whose URL is set first.
		steps = append(append(steps, remoteLane...), partialSteps(j.tmp, j.partial)...)
		remoteLane = nil
	}
	for _, u := range j.pushURLs {
		remoteLane = append(remoteLane, &step{git: &gitcmd.Cmd{Dir: j.tmp, Args: []string{"config", "--add", "remote." + j.remote + ".pushurl", u}}})
	}
	remoteLane = append(remoteLane, &step{
		git: a.push(gitcmd.Push{Dir: j.tmp, Remote: j.remote,
			Leases:   []gitcmd.Lease{{Ref: "refs/heads/" + j.temp}},
			Refspecs: []string{j.commit + ":refs/heads/" + j.temp}}),
		check: func(ctx context.Context, out []byte, err error) error {
			j.tempPushed = outcomeOf(out, err, "refs/heads/"+j.temp)
			return checkPush(ctx, out, err)
		},
		finish: true,
		// Only a temp branch this run created is deleted: another clone
		// may have taken the name meanwhile, at the same commit.
		undo: &step{desc: fmt.Sprintf("delete temp branch %s from %s", j.temp, j.remote), do: func(ctx context.Context) error {
			switch j.tempPushed {
			case notPushed:
				return nil
			case maybePushed:
				a.warnf("temp branch %s may have reached %s; if it is there, delete it with: git -C %s push %s --delete %s",
					j.temp, j.remote, gitcmd.Quote(j.work), j.remote, j.temp)
				return nil
			}
			_, err := a.moveTemp(ctx, j.work, j.remote, j.temp, j.commit, "")
			return err
		}},
	})
	// The files, beside that (or since the checks began, started early):
	// checked out from an unborn HEAD, so that the post-checkout hook sees
	// what git clone and git worktree add give it: no old commit. The
	// branch is set to the commit the checks saw (-B): the one recorded,
	// and pushed, whatever the work repository's branch became while the
	// copy was made. The checkout runs no hook, as it may start before the
	// checks pass; the hook runs once they have, from git (git hook run).
	unborn, co := j.unbornHead(j.branch), j.checkoutCmd(a, j.branch, j.commit)
	files := []*step{{git: &unborn, early: j.earlyStep(3)}}
	checkout := &step{git: &co, early: j.earlyStep(4)}
	hook := &step{git: &gitcmd.Cmd{Dir: j.tmp, Args: []string{"hook", "run", "--ignore-missing", "post-checkout", "--",
		strings.Repeat("0", len(j.commit)), j.commit, "1"}}}
	if j.lfs != "" {
		lfs := lfsSteps(a, j.tmp, j.remote, j.lfs, checkout)
		i := slices.Index(lfs, checkout) + 1
		files = append(append(append(files, lfs[:i]...), hook), lfs[i:]...)
	} else {
		files = append(files, checkout, hook)
	}
	if len(j.copies) > 0 {
		files = append(files, a.copyStep(j.work, j.tmp, j.copies))
	}
	steps = append(steps, &step{beside: [][]*step{remoteLane, files}})
	// Then the submodules, which write the copy's config as the steps
	// beside did; and the copy into place.
	steps = append(steps, j.submoduleSteps(a)...)
	if j.replace {
		steps = append(steps, renameStep(j.target, j.aside))
	}
	steps = append(steps, renameStep(j.tmp, j.target))

	m := &Mapping{
		StagingPath: j.target,
		WorkPath:    j.work,
		WorkRoot:    j.workRoot,
		Remote:      j.remote,
		RemoteURL:   j.url,
		BaseBranch:  j.branch,
		BaseCommit:  j.commit,
		TempBranch:  j.temp,
		Created:     a.Now().UTC().Truncate(1e9),
		Leftovers:   j.leftovers,
	}
	steps = append(steps, &step{
		desc: fmt.Sprintf("record %q in %s", j.name, j.store.Path),
		do: func(ctx context.Context) error {
			return j.store.Update(ctx, func(c *Config) error {
				c.Stagings[j.name] = m
				return nil
			})
		},
	})
	return steps
}

// cloneCmd makes the copy of branch from the work repository's objects
// (hard links on one file system, else copies: with --local, git would
// rather fail than copy), with no files checked out.
func (j *cloneJob) cloneCmd(a *App, branch string) *gitcmd.Cmd {
	args := []string{"clone", "--local"}
	if j.copyObjects {
		args = append(args, "--no-hardlinks")
	}
	return &gitcmd.Cmd{Dir: filepath.Dir(j.tmp), Tee: a.Progress, Args: append(args,
		// The copy's branch tracks the remote's base branch (git clone
		// sets branch.<b>.remote and .merge): git status and git pull
		// work in the copy.
		"--no-checkout", "--origin="+j.remote, "--branch="+branch, a.progressArg(),
		// A plain `git push` in the copy goes to the temp branch,
		// whatever push.default says: a configured push refspec wins.
		// The temp branch's usual name, whatever the remote's listing
		// says, so that the clone can start before the listing comes
		// (steps correct it in the rare case that name is taken).
		"--config=remote."+j.remote+".push="+pushRefspec(branch, TempBranch(j.name, branch, j.now)),
		// Where the copy's mapping lives, for commands run inside it.
		"--config=stage.config="+j.store.Path,
		"--config=stage.name="+j.name,
		"--", j.work, j.tmp,
	)}
}

// firstTemp is the temp branch's usual name, the one the clone command
// names: clone settles on another only when the remote has that one.
func (j *cloneJob) firstTemp() string { return TempBranch(j.name, j.branch, j.now) }

// trackingCmds set the copy's remote-tracking refs (see refUpdates) and
// its remote's URL.
func (j *cloneJob) trackingCmds(branch, listedTip, remoteURL string) (refs, url gitcmd.Cmd) {
	return gitcmd.Cmd{Dir: j.tmp, Args: []string{"update-ref", "--stdin"}, Stdin: j.refUpdates(branch, listedTip)},
		gitcmd.Cmd{Dir: j.tmp, Args: []string{"config", "remote." + j.remote + ".url", remoteURL}}
}

// pushRefspec is the copy's push refspec: its branch to the temp branch.
func pushRefspec(branch, temp string) string {
	return "refs/heads/" + branch + ":refs/heads/" + temp
}

// refUpdates makes the copy's remote-tracking refs say what the work
// repository knows of the remote, instead of naming the work repository's
// local branches as `git clone` does; listedTip is the remote's tip of
// branch, used where the work repository does not track it.
func (j *cloneJob) refUpdates(branch, listedTip string) []byte {
	prefix := "refs/remotes/" + j.remote + "/"
	tracking := map[string]bool{}
	for _, r := range j.workRefs {
		if strings.HasPrefix(r.Name, prefix) {
			tracking[r.Name] = true
		}
	}
	// The upstream of the copy's branch, which the work repository does
	// not track (a single-branch clone of another branch): as listed, when
	// that is a commit the work repository has at one of its tips.
	listed := !tracking[prefix+branch] && slices.ContainsFunc(j.workRefs, func(r gitcmd.Ref) bool { return r.OID == listedTip })
	var b strings.Builder
	for _, r := range j.workRefs {
		if name, ok := strings.CutPrefix(r.Name, "refs/heads/"); ok && !tracking[prefix+name] && !(listed && name == branch) {
			fmt.Fprintf(&b, "delete %s%s\n", prefix, name)
		}
	}
	fmt.Fprintf(&b, "option no-deref\ndelete %sHEAD\n", prefix)
	for _, r := range j.workRefs {
		if strings.HasPrefix(r.Name, prefix) && r.Name != prefix+"HEAD" {
			fmt.Fprintf(&b, "update %s %s\n", r.Name, r.OID)
		}
	}
	if listed {
		fmt.Fprintf(&b, "update %s%s %s\n", prefix, branch, listedTip)
	}
	return []byte(b.String())
}
