package stage

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// copyPaths keeps contents, modes, times and symlinks, makes separate
// files, merges into directories the copy has, and never overwrites.
func TestCopyPaths(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	write := func(dir, rel, data string, mode os.FileMode) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
	}
	write(src, ".env", "SECRET=1\n", 0o600)
	write(src, "node_modules/a/index.js", "x", 0o644)
	write(src, "node_modules/a/bin.sh", "#!/bin/sh\n", 0o755)
	write(src, "src/gen/out.txt", "generated", 0o644)
	write(src, "keep.txt", "work's", 0o644)
	write(dst, "keep.txt", "copy's", 0o644)
	write(dst, "src/tracked.go", "package x", 0o644)
	if err := os.Symlink("a/index.js", filepath.Join(src, "node_modules/link")); err != nil {
		t.Fatal(err)
	}
	old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := os.Chtimes(filepath.Join(src, ".env"), old, old); err != nil {
		t.Fatal(err)
	}

	st, err := copyPaths(context.Background(), src, dst, []string{".env", "node_modules/", "src/gen/out.txt", "keep.txt"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.files != 4 || st.links != 1 || st.skipped != 1 {
		t.Errorf("stats %+v, want 4 files, 1 link, 1 skipped", st)
	}
	for rel, want := range map[string]string{".env": "SECRET=1\n", "node_modules/a/index.js": "x", "src/gen/out.txt": "generated", "keep.txt": "copy's", "src/tracked.go": "package x"} {
		if got, err := os.ReadFile(filepath.Join(dst, rel)); err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", rel, got, err, want)
		}
	}
	for rel, want := range map[string]os.FileMode{".env": 0o600, "node_modules/a/bin.sh": 0o755} {
		if fi, err := os.Stat(filepath.Join(dst, rel)); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s mode %v, %v; want %v", rel, fi.Mode(), err, want)
		}
	}
	if fi, err := os.Stat(filepath.Join(dst, ".env")); err != nil || !fi.ModTime().Equal(old) {
		t.Errorf(".env time %v, %v; want %v", fi.ModTime(), err, old)
	}
	if target, err := os.Readlink(filepath.Join(dst, "node_modules/link")); err != nil || target != "a/index.js" {
		t.Errorf("link -> %q, %v", target, err)
	}
	a, _ := os.Stat(filepath.Join(src, ".env"))
	b, _ := os.Stat(filepath.Join(dst, ".env"))
	if a.Sys().(*syscall.Stat_t).Ino == b.Sys().(*syscall.Stat_t).Ino || b.Sys().(*syscall.Stat_t).Nlink != 1 {
		t.Errorf("the copy of .env shares an inode with the original")
	}
}

// BenchmarkCopyUntracked copies an ignored tree of 50,000 files in 500
// directories, as stage.copy does for node_modules/, side by side with
// `cp -a` of the same tree, and reports the ratio (x-cp-a). Old copies are
// kept until the end: deleting many files just before creating many makes
// these file systems slow (design.md section 8).
func BenchmarkCopyUntracked(b *testing.B) {
	src := b.TempDir()
	tree := filepath.Join(src, "node_modules")
	for d := range 500 {
		dir := filepath.Join(tree, fmt.Sprintf("pkg%03d", d))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		for f := range 100 {
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%03d.js", f)), []byte(fmt.Sprintf("module.exports = %d;\n", f)), 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	out := b.TempDir()
	var ours, cp time.Duration
	b.ResetTimer()
	for i := range b.N {
		dst := filepath.Join(out, fmt.Sprintf("ours%d", i))
		if err := os.Mkdir(dst, 0o755); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		st, err := copyPaths(context.Background(), src, dst, []string{"node_modules/"}, nil)
		ours += time.Since(start)
		if err != nil || st.files != 50000 {
			b.Fatalf("copied %d files: %v", st.files, err)
		}
		start = time.Now()
		if out, err := exec.Command("cp", "-a", tree, filepath.Join(out, fmt.Sprintf("cp%d", i))).CombinedOutput(); err != nil {
			b.Fatalf("cp -a: %v\n%s", err, out)
		}
		cp += time.Since(start)
	}
	b.ReportMetric(float64(ours)/float64(cp), "x-cp-a")
	b.ReportMetric(float64(ours.Milliseconds())/float64(b.N), "ms/copy")
	b.ReportMetric(float64(cp.Milliseconds())/float64(b.N), "ms/cp-a")
}

// excludePattern matches exactly its path, as git reads the pattern:
// wildcards, escapes, leading '#' and '!', trailing spaces, directories.
func TestExcludePatternMatchesExactly(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("git", "init", "-q", dir).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	for path, neighbour := range map[string]string{
		"a*b": "aXb", "q?": "qq", "[x]": "x", "#h": "h", "!n": "n", `back\slash`: "backslash",
		"trail ": "trail", "sp ace/": "sp", "deep/er*/f": "deep/erX/f", "plain.txt": "plain.txtx",
	} {
		pat, ok := excludePattern(path)
		if !ok {
			t.Fatalf("%q: no pattern", path)
		}
		if err := os.WriteFile(filepath.Join(dir, ".git", "info", "exclude"), []byte(pat+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		ignored := func(p string) bool {
			cmd := exec.Command("git", "check-ignore", "--no-index", "-q", "--", p)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1")
			out, err := cmd.CombinedOutput()
			if err != nil && len(out) > 0 {
				t.Logf("check-ignore %q: %v %s", p, err, out)
			}
			return err == nil
		}
		target := strings.TrimSuffix(path, "/")
		if strings.HasSuffix(path, "/") {
			if err := os.MkdirAll(filepath.Join(dir, target), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if !ignored(target) {
			t.Errorf("%q: pattern %q does not match it", path, pat)
		}
		if ignored(neighbour) {
			t.Errorf("%q: pattern %q also matches %q", path, pat, neighbour)
		}
	}
	if _, ok := excludePattern("new\nline"); ok {
		t.Error("a path with a newline got a pattern")
	}
}
