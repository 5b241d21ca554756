package main

import (
	"fmt"
	"path/filepath"
	"testing"
)

// BenchmarkClone: git-stage clone against `git worktree add -b` of a new
// branch (worktree-b), `git worktree add --detach` of the same commit
// (worktree-detach), and the hand-typed sequence that does clone's job
// (hand: git clone --local, remote set-url, push of a new branch with
// upstream).
func BenchmarkClone(b *testing.B) {
	forEachFixture(b, benchSizes(), benchRemotes, func(b *testing.B, f *benchFixture) {
		p := newPairs(b, "worktree-b", "worktree-detach", "hand")
		for range b.N {
			i := f.next()
			p.run(func() sample {
				return f.stage(b, f.staging, "-q", "--work-root", filepath.Dir(f.work), "clone", "app", "--as-name", fmt.Sprintf("c%d", i))
			}, func() sample {
				return f.git(b, f.work, "worktree", "add", "-q", "-b", fmt.Sprintf("wb-%d", i), filepath.Join(f.staging, fmt.Sprintf("wb%d", i)), "main")
			}, func() sample {
				return f.git(b, f.work, "worktree", "add", "-q", "--detach", filepath.Join(f.staging, fmt.Sprintf("wd%d", i)), "main")
			}, func() sample {
				h := filepath.Join(f.staging, fmt.Sprintf("h%d", i))
				return f.git(b, f.staging, "clone", "-q", "--local", "--branch", "main", f.work, h).
					plus(f.git(b, h, "remote", "set-url", "origin", f.remoteURL)).
					plus(f.git(b, h, "push", "-q", "-u", "origin", fmt.Sprintf("main:refs/heads/hand-%d", i)))
			})
		}
		p.report()
	})
}

// BenchmarkSyncBack: git-stage sync-back of 1 and of 100 commits
// (commits=<n>) against the hand-typed sequence (hand: push to a temp
// branch, fetch it into the work repository, merge --ff-only, push
// --atomic of the branch with the deletion of the temp branch), in turn
// on the same copy; the commits are made untimed before each.
func BenchmarkSyncBack(b *testing.B) {
	forEachFixture(b, benchSizes(), benchRemotes, func(b *testing.B, f *benchFixture) {
		for _, n := range []int{1, 100} {
			b.Run(fmt.Sprintf("commits=%d", n), func(b *testing.B) {
				cp := f.clone(b, fmt.Sprintf("commits%d", n))
				p := newPairs(b, "hand")
				for range b.N {
					p.run(func() sample {
						f.commits(b, cp, n, 0, "git-stage")
						return f.stage(b, cp, "-q", "sync-back")
					}, func() sample {
						f.commits(b, cp, n, 0, "hand")
						return f.handLanding(b, cp, fmt.Sprintf("hand-%d", f.next()))
					})
				}
				p.report()
			})
		}
	})
}

// handLanding is how a careful user lands the copy cp's HEAD by hand:
// push it to a temp branch; in the work repository fetch it, merge
// --ff-only, and push the branch with the temp branch's deletion, atomic.
func (f *benchFixture) handLanding(b *testing.B, cp, temp string) sample {
	return f.git(b, cp, "push", "-q", "origin", "HEAD:refs/heads/"+temp).
		plus(f.git(b, f.work, "fetch", "-q", "origin", temp)).
		plus(f.git(b, f.work, "merge", "-q", "--ff-only", "FETCH_HEAD")).
		plus(f.git(b, f.work, "push", "-q", "--atomic", "origin", "main", ":refs/heads/"+temp))
}

// BenchmarkSyncBackRebase: sync-back --rebase of a copy whose base moved
// by one landed commit, against what a careful user types for it (hand:
// in the copy fetch, rebase and push to a temp branch; in the work
// repository fetch, merge --ff-only, and push --atomic with the temp
// deletion). A third copy lands the commit that moves the base, untimed,
// before each side.
func BenchmarkSyncBackRebase(b *testing.B) {
	forEachFixture(b, benchSizes(), benchRemotes, func(b *testing.B, f *benchFixture) {
		lander, ours, hand := f.clone(b, "lander"), f.clone(b, "ours"), f.clone(b, "hand")
		land := func() {
			f.commits(b, lander, 1, 0, "lander")
			f.stage(b, lander, "-q", "sync-back", "--rebase")
		}
		p := newPairs(b, "hand")
		for range b.N {
			p.run(func() sample {
				land()
				f.commits(b, ours, 1, 1, "git-stage")
				return f.stage(b, ours, "-q", "sync-back", "--rebase")
			}, func() sample {
				land()
				f.commits(b, hand, 1, 2, "hand")
				return f.git(b, hand, "fetch", "-q", "origin").
					plus(f.git(b, hand, "rebase", "-q", "origin/main")).
					plus(f.handLanding(b, hand, fmt.Sprintf("hand-%d", f.next())))
			})
		}
		p.report()
	})
}
