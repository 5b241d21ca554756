package stage

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// prune looks for leftovers beside every recorded copy (wherever it is)
// and under the staging root, in the directories of nested names, but not
// inside repositories or hidden directories, and only at names clone and
// remove make.
func TestFindLeftovers(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "staging")
	mk := func(p string) string {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(base, p), 0o755); err != nil {
			t.Fatal(err)
		}
		return filepath.Join(base, p)
	}
	want := []string{
		mk("elsewhere/.o.git-stage-new-0123456789ab"),
		mk("staging/.app.git-stage-new-0123456789ab"),
		mk("staging/apps/.backend.git-stage-old-abcdef012345"),
		mk("staging/apps/deep/er/.x.git-stage-new-0123456789ab"),
	}
	mk("elsewhere/o/.git")
	mk("elsewhere/sub/.p.git-stage-new-0123456789ab") // not beside a recorded copy
	mk("staging/copy/.git")
	mk("staging/copy/.c.git-stage-new-0123456789ab") // inside a repository
	mk("staging/.hidden/.h.git-stage-new-0123456789ab")
	mk("staging/.z.git-stage-new-0123")         // not clone's suffix
	mk("staging/.y.git-stage-tmp-0123456789ab") // not clone's kind
	if err := os.WriteFile(filepath.Join(root, ".f.git-stage-new-0123456789ab"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "apps"), filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	cfg := &Config{Stagings: map[string]*Mapping{"o": {StagingPath: filepath.Join(base, "elsewhere", "o")}}}
	got := findLeftovers(root, cfg)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("findLeftovers:\n got %q\nwant %q", got, want)
	}
	for _, d := range want {
		l := newLeftover(d)
		if l == nil || filepath.Dir(l.target) != filepath.Dir(d) {
			t.Errorf("newLeftover(%s) = %+v", d, l)
		}
	}
	if l := newLeftover(filepath.Join(root, "apps", ".backend.git-stage-old-abcdef012345")); l.name != "backend" || !l.aside || l.target != filepath.Join(root, "apps", "backend") {
		t.Errorf("aside leftover read as %+v", l)
	}
}
