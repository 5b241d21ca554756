package stage

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/git-stage/git-stage/gitcmd"
)

func TestReservedPart(t *testing.T) {
	for name, want := range map[string]string{
		".staging_sync.json":                   ".staging_sync.json",
		".staging_sync.json.lock":              ".staging_sync.json.lock",
		"..staging_sync.json.tmp-123":          "..staging_sync.json.tmp-123",
		".staging_sync.locks":                  ".staging_sync.locks",
		"a/.staging_sync.locks/b":              ".staging_sync.locks",
		"x/.app.git-stage-new-0123456789ab":    ".app.git-stage-new-0123456789ab",
		".app.git-stage-old-0123456789ab/deep": ".app.git-stage-old-0123456789ab",
		"app":                                  "",
		"staging_sync.json":                    "",
		"apps/.staging/sync":                   "",
		"app.git-stage":                        "",
	} {
		got, ok := reservedPart(name)
		if got != want || ok != (want != "") {
			t.Errorf("reservedPart(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
	// Every name besideDir makes is reserved.
	for _, marker := range []string{newDirMarker, oldDirMarker} {
		dir := besideDir("/root/apps/backend", marker)
		if filepath.Dir(dir) != "/root/apps" || !strings.HasPrefix(filepath.Base(dir), ".backend"+marker) {
			t.Errorf("besideDir = %q", dir)
		}
		if _, ok := reservedPart("apps/" + filepath.Base(dir)); !ok {
			t.Errorf("%q is not reserved", filepath.Base(dir))
		}
	}
}

func TestRootOf(t *testing.T) {
	for _, tc := range []struct{ path, name, root string }{
		{"/s/apps/backend", "apps/backend", "/s"},
		{"/s/app", "app", "/s"},
		{"/s/other", "app", ""},
		{"/app", "app", ""},
	} {
		root, ok := rootOf(tc.path, tc.name)
		if root != tc.root || ok != (tc.root != "") {
			t.Errorf("rootOf(%q, %q) = %q, %v; want %q", tc.path, tc.name, root, ok, tc.root)
		}
	}
}

func TestSamePath(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real")
	os.MkdirAll(filepath.Join(real, "copy"), 0o755)
	link := filepath.Join(dir, "link")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	bind := filepath.Join(dir, "other")
	os.MkdirAll(bind, 0o755)
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{filepath.Join(real, "copy"), filepath.Join(link, "copy"), true},
		{filepath.Join(real, "copy") + "/", filepath.Join(real, "x", "..", "copy"), true},
		{filepath.Join(link, "gone"), filepath.Join(real, "gone"), true},
		{filepath.Join(real, "copy"), real, false},
		{filepath.Join(real, "copy"), bind, false},
		{filepath.Join(real, "gone"), filepath.Join(real, "copy"), false},
	} {
		if got := samePath(tc.a, tc.b); got != tc.want {
			t.Errorf("samePath(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestCheckNameFree(t *testing.T) {
	cfg := NewConfig()
	cfg.Stagings["app"] = &Mapping{StagingPath: "/one/app"}
	if err := checkNameFree(cfg, "/c.json", "app", "/one/app"); err != nil {
		t.Errorf("the recorded path: %v", err)
	}
	if err := checkNameFree(cfg, "/c.json", "other", "/two/other"); err != nil {
		t.Errorf("a free name: %v", err)
	}
	err := checkNameFree(cfg, "/c.json", "app", "/two/app")
	if err == nil || err.Error() != `staging name "app" is recorded for the copy at /one/app; clone would make it at /two/app` ||
		HintOf(err) != "pick another name with --as-name, or remove that copy first (git staging --staging-root /one --config-path /c.json remove app)" {
		t.Errorf("another path: %v (hint %q)", err, HintOf(err))
	}
}

// checkDeletable, on a real layout: a copy's git config as clone writes
// it is read here, with no git process (the runner is never asked).
func TestCheckDeletable(t *testing.T) {
	root := t.TempDir()
	config := filepath.Join(root, ConfigFileName)
	work := filepath.Join(root, "..", filepath.Base(root)+"-work")
	t.Cleanup(func() { os.RemoveAll(work) })
	mkRepo := func(dir, gitConfig string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(dir, ".git"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, ".git", "config"), []byte(gitConfig), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mark := func(name, config string) string {
		return "[core]\n\tbare = false\n[stage]\n\tconfig = " + config + "\n\tname = " + name + "\n"
	}
	mkRepo(work, "[core]\n\tbare = false\n")
	mkRepo(filepath.Join(root, "app"), mark("app", config))
	mkRepo(filepath.Join(root, "b"), mark("b", config))
	mkRepo(filepath.Join(root, "hand"), "[core]\n\tbare = false\n")
	os.MkdirAll(filepath.Join(root, "plain"), 0o755)
	os.MkdirAll(filepath.Join(root, "wt"), 0o755)
	os.WriteFile(filepath.Join(root, "wt", ".git"), []byte("gitdir: /elsewhere\n"), 0o644)

	a := &App{}
	for _, tc := range []struct{ dir, want string }{
		{filepath.Join(root, "app"), ""},
		{work, "it is the work repository"},
		{filepath.Dir(root), "it holds the work repository " + work},
		{root, "it is the staging root"},
		{filepath.Join(root, "plain"), "it is not a git repository"},
		{filepath.Join(root, "wt"), "it is not a repository of its own (its .git is not a directory: a worktree or a submodule)"},
		{filepath.Join(root, "hand"), "its git config names no staging copy"},
		{filepath.Join(root, "b"), `its git config names staging copy "b"`},
	} {
		err := a.checkDeletable(context.Background(), tc.dir, root, work, "app", config)
		if got := errString(err); got != tc.want {
			t.Errorf("checkDeletable(%s) = %q, want %q", tc.dir, got, tc.want)
		}
	}
	other := filepath.Join(t.TempDir(), "elsewhere")
	mkRepo(other, mark("app", config))
	if err := a.checkDeletable(context.Background(), other, root, work, "app", config); !errors.Is(err, errNotInRoot) {
		t.Errorf("a copy outside the root: %v", err)
	}
	err := a.checkDeletable(context.Background(), filepath.Join(root, "app"), root, work, "app", "/other/config.json")
	if want := `its git config names staging copy "app" of ` + config + ", not of /other/config.json"; errString(err) != want {
		t.Errorf("another config: %q, want %q", errString(err), want)
	}
}

// A git config this package's parser leaves to git is read by git.
func TestCopyMarkAsksGit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "app")
	if out, err := (&gitcmd.Runner{}).Output(context.Background(), filepath.Dir(dir), "init", "-q", dir); err != nil {
		t.Fatalf("git init: %v %s", err, out)
	}
	cfg := filepath.Join(dir, ".git", "config")
	f, _ := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("[include]\n\tpath = nowhere\n[stage]\n\tname = app\n\tconfig = /c.json\n")
	f.Close()
	if _, err := gitcmd.ParseConfigFile(mustRead(t, cfg)); err == nil {
		t.Skip("the parser reads includes now: nothing left to git")
	}
	name, config, err := (&App{Git: &gitcmd.Runner{}}).copyMark(context.Background(), dir)
	if err != nil || name != "app" || config != "/c.json" {
		t.Errorf("copyMark = %q, %q, %v", name, config, err)
	}
}

// The config file is read only when it is a regular file of at most
// maxConfigSize bytes; a named pipe neither blocks the open nor the read.
func TestReadConfigFileOddFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, nil, 0o644); err != nil || os.Truncate(big, maxConfigSize+1) != nil {
		t.Fatal("cannot make a sparse file")
	}
	zero := filepath.Join(dir, "zero")
	os.Symlink("/dev/zero", zero)
	for path, want := range map[string]string{
		fifo: "it is not a regular file (a named pipe)",
		zero: "it is not a regular file (a device)",
		dir:  "it is a directory, not a regular file",
		big:  "it is larger than 256 MiB (256 MiB)",
	} {
		done := make(chan error, 1)
		go func() {
			_, err := readConfigFile(path)
			done <- err
		}()
		select {
		case err := <-done:
			if errString(err) != want {
				t.Errorf("readConfigFile(%s) = %q, want %q", filepath.Base(path), errString(err), want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("readConfigFile(%s) blocks", filepath.Base(path))
		}
	}
	if _, err := readConfigFile(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file: %v", err)
	}
}

// A lock file that is a named pipe neither blocks nor fails the lock.
func TestLockOnNamedPipe(t *testing.T) {
	path := filepath.Join(t.TempDir(), ConfigFileName)
	if err := syscall.Mkfifo(path+configLockSuffix, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		done <- (&Store{Path: path}).Update(context.Background(), func(*Config) error { return nil })
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Update blocks on a named pipe as its lock file")
	}
}

// An interrupt stops the wait for the config's lock.
func TestStoreUpdateInterrupted(t *testing.T) {
	path := filepath.Join(t.TempDir(), ConfigFileName)
	held := newFlock(path + configLockSuffix)
	if ok, err := held.TryLock(); !ok || err != nil {
		t.Fatalf("lock: %v", err)
	}
	defer held.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	err := (&Store{Path: path}).Update(ctx, func(*Config) error { return nil })
	if !errors.Is(err, errInterrupted) || time.Since(start) > 5*time.Second {
		t.Fatalf("Update = %v after %v", err, time.Since(start))
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
