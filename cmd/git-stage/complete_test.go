package main

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/alecthomas/kong"
)

// fakeSource answers complete with fixed values and records what it was
// asked, so that the parsing of the words is pinned apart from git.
type fakeSource struct {
	asked []string // "branches clone [apps/backend] map[work-root:/w]"
}

func (f *fakeSource) names() []string { return []string{"app", "apps/backend", "demo"} }

func (f *fakeSource) branches(t typed) []string {
	f.record("branches", t)
	return []string{"feature/login", "fix", "main"}
}

func (f *fakeSource) remotes(t typed) []string {
	f.record("remotes", t)
	return []string{"origin", "upstream"}
}

func (f *fakeSource) projects(t typed, prefix string) []string {
	f.record("projects", t)
	return []string{"app", "apps/backend", "tools"}
}

func (f *fakeSource) record(what string, t typed) {
	f.asked = append(f.asked, fmt.Sprintf("%s %s %v %v", what, t.cmd, t.args, t.flags))
}

func TestComplete(t *testing.T) {
	parser, err := kong.New(&cli{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		words []string
		want  []string
		asked []string // what the source was asked, when it was
	}{
		{words: nil, want: []string{"clone", "sync-back", "update", "list", "status", "remove", "prune", "path", "cd", "completion", "shell-init", "help"}},
		{words: []string{"c"}, want: []string{"clone", "cd", "completion"}},
		{words: []string{"--staging-root", "/x", "sy"}, want: []string{"sync-back"}},
		{words: []string{"--staging-root=/x", "sync-back", "ap"}, want: []string{"app", "apps/backend"}},
		{words: []string{"-q", "sync-back", "-f", "d"}, want: []string{"demo"}},
		{words: []string{"sync-back", "--temp-branch", ""}}, // a flag's value with no candidates
		{words: []string{"sync-back", "--branch=main", "de"}, want: []string{"demo"}},
		{words: []string{"sync-back", "demo", ""}}, // one name only
		{words: []string{"list", "--j"}, want: []string{"--json"}},
		{words: []string{"list", "--", "--j"}},
		{words: []string{"__complete"}},
		{words: []string{"m"}}, // hidden commands are not offered
		{words: []string{"help", "re"}, want: []string{"remove"}},
		{words: []string{"help", "remove", ""}},

		// --branch and --remote: the values the source gives, for what
		// was typed before them, in both forms.
		{words: []string{"clone", "--branch", ""}, want: []string{"feature/login", "fix", "main"},
			asked: []string{"branches clone [] map[]"}},
		{words: []string{"--work-root", "/w", "clone", "apps/backend", "--branch", "f"}, want: []string{"feature/login", "fix"},
			asked: []string{"branches clone [apps/backend] map[work-root:/w]"}},
		{words: []string{"--work-root=/w", "clone", "-f", "app", "--branch=feature/"}, want: []string{"--branch=feature/login"},
			asked: []string{"branches clone [app] map[work-root:/w]"}},
		{words: []string{"clone", "app", "--remote", "u"}, want: []string{"upstream"},
			asked: []string{"remotes clone [app] map[]"}},
		{words: []string{"clone", "--remote="}, want: []string{"--remote=origin", "--remote=upstream"},
			asked: []string{"remotes clone [] map[]"}},
		{words: []string{"sync-back", "demo", "--work-name", "apps/x", "--branch", "m"}, want: []string{"main"},
			asked: []string{"branches sync-back [demo] map[work-name:apps/x]"}},
		{words: []string{"sync-back", "--remote", "o"}, want: []string{"origin"},
			asked: []string{"remotes sync-back [] map[]"}},
		{words: []string{"clone", "--", "--branch=f"}, asked: []string{"projects clone [] map[]"}}, // an argument, no flag
		{words: []string{"clone", "--branch=main", "--as-name", ""}},                               // a flag's value with no candidates

		// clone's PROJECT: the projects under the work root; a path
		// from here is the shell's to complete.
		{words: []string{"clone", ""}, want: []string{"app", "apps/backend", "tools"},
			asked: []string{"projects clone [] map[]"}},
		{words: []string{"--work-root", "/w", "clone", "--branch", "main", "apps/"}, want: []string{"apps/backend"},
			asked: []string{"projects clone [] map[branch:main work-root:/w]"}},
		{words: []string{"clone", "./"}},
		{words: []string{"clone", "../ap"}},
		{words: []string{"clone", "/srv/"}},
		{words: []string{"clone", "~/"}},
		{words: []string{"clone", "app", ""}}, // one project only
		{words: []string{"sync-back", "--work-name", "t"}, want: []string{"tools"},
			asked: []string{"projects sync-back [] map[]"}},
	} {
		src := &fakeSource{}
		got := complete(parser.Model, tc.words, src)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("complete(%q) = %q, want %q", tc.words, got, tc.want)
		}
		if !reflect.DeepEqual(src.asked, tc.asked) {
			t.Errorf("complete(%q) asked %q, want %q", tc.words, src.asked, tc.asked)
		}
	}
}

// TestFindProjects pins the walk under the work root: repositories (a
// .git directory or file) by their relative names, not descended into;
// hidden directories skipped; at most maxDepth levels; a prefix walks
// only the directories that can lead to it; and at most maxDirs
// directories read, the shallowest first.
func TestFindProjects(t *testing.T) {
	root := t.TempDir()
	for _, dir := range []string{
		"app/.git",
		"apps/backend/.git",
		"apps/backend/inner/.git", // a repository inside one: not descended
		"apps/frontend/.git",
		".hidden/secret/.git",
		"apps/.cache/x/.git",
		"notes/drafts",
		"a/b/c/.git",
		"a/b/c2/d/.git", // four levels down
	} {
		if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// A worktree's .git is a file.
	if err := os.MkdirAll(filepath.Join(root, "wt"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "wt", ".git"), []byte("gitdir: /elsewhere\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		prefix  string
		maxDirs int
		want    []string
	}{
		{"", 1000, []string{"a/b/c", "app", "apps/backend", "apps/frontend", "wt"}},
		{"apps/b", 1000, []string{"apps/backend"}},
		{"ap", 1000, []string{"app", "apps/backend", "apps/frontend"}},
		{"a/", 1000, []string{"a/b/c"}},
		{"x", 1000, nil},
		// The root, then app, apps, a, notes, wt: the second level is
		// not reached.
		{"", 6, []string{"app", "wt"}},
	} {
		got := findProjects(root, tc.prefix, 3, tc.maxDirs)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("findProjects(%q, max %d) = %q, want %q", tc.prefix, tc.maxDirs, got, tc.want)
		}
	}
	if got := findProjects(filepath.Join(root, "missing"), "", 3, 1000); got != nil {
		t.Errorf("findProjects(missing root) = %q, want none", got)
	}
	if got := findProjects(filepath.Join(root, "app"), "", 3, 1000); got != nil {
		t.Errorf("findProjects(a repository) = %q, want none: it is not descended", got)
	}
}
