package stage

import (
	"cmp"
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/git-stage/git-stage/gitcmd"
)

// unknownPair is two copies whose merge git could not try, and why.
type unknownPair struct{ a, b, why string }

// conflicts fills in, for the probed copies in out, the other copies of
// the same work branch each would conflict with if both landed, and
// returns the pairs it could not tell about. Only copies with commits the
// work branch lacks can conflict, so only their pairs are merged, and
// only pairs with one of the first shown copies in out (the rest were
// read only to be compared with those): one `git merge-tree --stdin` per
// work branch, in the work repository (its merge settings apply) with the
// copies' objects lent to it. merge-tree writes the merged trees as
// objects: they go to a temporary object directory, removed afterwards,
// so that no repository gets objects or refs from status.
func (a *App) conflicts(ctx context.Context, out []StatusEntry, shown int, sem chan struct{}) []unknownPair {
	var groups [][]int // indexes in out of the copies of one work branch with new commits
	for i, e := range out {
		if st := e.Status; st == nil || st.Error != "" || st.Ahead == 0 {
			continue
		}
		g := slices.IndexFunc(groups, func(g []int) bool { return sameBase(out[g[0]].Mapping, e.Mapping) })
		if g < 0 {
			groups = append(groups, nil)
			g = len(groups) - 1
		}
		groups[g] = append(groups[g], i)
	}
	groups = slices.DeleteFunc(groups, func(g []int) bool { return len(g) < 2 || g[0] >= shown })
	if len(groups) == 0 {
		return nil
	}

	var unknown []unknownPair
	tmp, err := os.MkdirTemp("", "git-stage-merge-tree-")
	if err != nil {
		for _, g := range groups {
			forPairs(g, shown, func(x, y int) {
				unknown = append(unknown, unknownPair{out[x].Name, out[y].Name, err.Error()})
				markUnknown(out, x, y)
			})
		}
		return unknown
	}
	defer os.RemoveAll(tmp)

	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, g := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			u := a.mergeGroup(ctx, out, g, shown, tmp)
			mu.Lock()
			unknown = append(unknown, u...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	slices.SortFunc(unknown, func(p, q unknownPair) int {
		return cmp.Or(cmp.Compare(p.a, q.a), cmp.Compare(p.b, q.b))
	})
	for _, e := range out {
		if st := e.Status; st != nil {
			slices.Sort(st.ConflictsWith)
			slices.Sort(st.ConflictsUnknown)
		}
	}
	return unknown
}

// mergeGroup merges every pair of the copies g of one work branch, all
// with one merge-tree; when git fails that (a pair with unrelated
// histories, git older than the --stdin option), pair by pair.
func (a *App) mergeGroup(ctx context.Context, out []StatusEntry, g []int, shown int, tmp string) []unknownPair {
	work := out[g[0]].WorkPath
	stores := []string{filepath.Join(gitcmd.CommonGitDir(work), "objects")}
	for _, i := range g {
		stores = append(stores, filepath.Join(gitcmd.CommonGitDir(out[i].StagingPath), "objects"))
	}
	env := []string{"GIT_OBJECT_DIRECTORY=" + tmp, gitcmd.AlternateObjects(stores...), "GIT_OPTIONAL_LOCKS=0"}
	var pairs [][2]string
	var idx [][2]int
	forPairs(g, shown, func(x, y int) {
		pairs = append(pairs, [2]string{out[x].Status.Head, out[y].Status.Head})
		idx = append(idx, [2]int{x, y})
	})
	merges, batchErr := a.Git.MergeTrees(ctx, work, env, pairs)
	var unknown []unknownPair
	for k, p := range idx {
		var m gitcmd.Merge
		if batchErr == nil {
			m = merges[k]
		} else {
			var err error
			if m, err = a.Git.MergeTree(ctx, work, env, pairs[k][0], pairs[k][1]); err != nil {
				unknown = append(unknown, unknownPair{out[p[0]].Name, out[p[1]].Name, reason(err)})
				markUnknown(out, p[0], p[1])
				continue
			}
		}
		if m.Conflicts {
			x, y := out[p[0]], out[p[1]]
			x.Status.ConflictsWith = append(x.Status.ConflictsWith, y.Name)
			y.Status.ConflictsWith = append(y.Status.ConflictsWith, x.Name)
			x.Status.ConflictFiles[y.Name] = m.Files
			y.Status.ConflictFiles[x.Name] = m.Files
		}
	}
	return unknown
}

// forPairs calls f with every pair of g's elements (indexes in
// ascending order) whose first is below shown, each pair once.
func forPairs(g []int, shown int, f func(x, y int)) {
	for i, x := range g {
		if x >= shown {
			return
		}
		for _, y := range g[i+1:] {
			f(x, y)
		}
	}
}

// markUnknown records that copies x and y could not be compared.
func markUnknown(out []StatusEntry, x, y int) {
	out[x].Status.ConflictsUnknown = append(out[x].Status.ConflictsUnknown, out[y].Name)
	out[y].Status.ConflictsUnknown = append(out[y].Status.ConflictsUnknown, out[x].Name)
}
