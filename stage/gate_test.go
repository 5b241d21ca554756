package stage

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// An empty stage.preSync value drops the commands before it, as an empty
// credential.helper does.
func TestHookCommands(t *testing.T) {
	for _, c := range []struct{ values, want []string }{
		{nil, nil},
		{[]string{"a", "b"}, []string{"a", "b"}},
		{[]string{"a", "", "b", "c"}, []string{"b", "c"}},
		{[]string{"a", "b", ""}, nil},
	} {
		if got := hookCommands(c.values); !slices.Equal(got, c.want) {
			t.Errorf("hookCommands(%q) = %q, want %q", c.values, got, c.want)
		}
	}
}

// The settings read in a directory are the copy's only when git run
// there finds the copy: not in a repository nested in it (a submodule),
// nor outside it.
func TestInRepoAt(t *testing.T) {
	root := t.TempDir()
	copy := filepath.Join(root, "copy")
	for _, d := range []string{"copy/.git", "copy/src/deep", "copy/sub/.git", "copy/sub/x", "other"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for dir, want := range map[string]bool{
		"copy":          true,
		"copy/src/deep": true,
		"copy/.git":     true,
		"copy/sub":      false,
		"copy/sub/x":    false,
		"other":         false,
	} {
		if got := inRepoAt(filepath.Join(root, dir), copy); got != want {
			t.Errorf("inRepoAt(%s) = %v, want %v", dir, got, want)
		}
	}
}
