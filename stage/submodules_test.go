package stage

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestParseGitlinks reads real git output, whatever the config says: a
// root commit, a commit and a merge's own resolution that set gitlinks
// are named; a merge that takes a parent's gitlink, and a commit that
// deletes one, are not.
func TestParseGitlinks(t *testing.T) {
	dir := t.TempDir()
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
			"GIT_AUTHOR_NAME=a", "GIT_AUTHOR_EMAIL=a@example.com", "GIT_COMMITTER_NAME=c", "GIT_COMMITTER_EMAIL=c@example.com")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("git %s: %v", strings.Join(args, " "), err)
		}
		return strings.TrimSpace(string(out))
	}
	const a, b, c = "1111111111111111111111111111111111111111", "2222222222222222222222222222222222222222", "3333333333333333333333333333333333333333"
	setLink := func(oid string) { git("update-index", "--add", "--cacheinfo", "160000,"+oid+",sub dir/lib") }
	git("init", "-q", "-b", "main")
	setLink(a)
	git("commit", "-q", "-m", "root")
	git("switch", "-q", "-c", "side")
	setLink(b)
	git("commit", "-q", "-m", "side")
	git("switch", "-q", "main")
	if err := os.WriteFile(filepath.Join(dir, "f"), []byte("f\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git("add", "f")
	git("commit", "-q", "-m", "main")
	mainTip := git("rev-parse", "HEAD")
	git("merge", "-q", "--no-edit", "-m", "takes side", "side")
	git("switch", "-q", "-c", "evil", mainTip)
	git("merge", "-q", "--no-commit", "side")
	setLink(c)
	git("commit", "-q", "-m", "evil merge")
	git("rm", "-q", "--cached", "sub dir/lib")
	git("commit", "-q", "-m", "deletes")

	out := git(append(append([]string{"-c", "log.diffMerges=separate", "-c", "log.showRoot=false", "-c", "diff.ignoreSubmodules=all"}, gitlinkLog...), "main", "evil")...)
	var got []string
	for _, l := range parseGitlinks([]byte(out)) {
		got = append(got, l.path+" "+l.oid[:1]+" "+l.by.subject)
	}
	slices.Sort(got)
	want := []string{"sub dir/lib 1 root", "sub dir/lib 2 side", "sub dir/lib 3 evil merge"}
	if !slices.Equal(got, want) {
		t.Errorf("gitlinks = %q, want %q", got, want)
	}
}
