package stage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/git-stage/git-stage/gitcmd"
)

func TestAbsRemoteURL(t *testing.T) {
	for url, want := range map[string]string{
		"../remote.git":                 "/w/remote.git",
		"remote.git":                    "/w/app/remote.git",
		"./a:b/c":                       "/w/app/a:b/c",
		"/abs/remote.git":               "/abs/remote.git",
		"git@example.com:team/repo.git": "git@example.com:team/repo.git",
		"host:repo":                     "host:repo",
		"https://example.com/r.git":     "https://example.com/r.git",
		"file:///srv/r.git":             "file:///srv/r.git",
		"ssh://git@host/r.git":          "ssh://git@host/r.git",
	} {
		if got := absRemoteURL(url, "/w/app"); got != want {
			t.Errorf("absRemoteURL(%q) = %q, want %q", url, got, want)
		}
	}
}

func TestWithinFollowsSymlinks(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real")
	os.MkdirAll(filepath.Join(real, "repo"), 0o755)
	link := filepath.Join(dir, "link")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		p, dir string
		want   bool
	}{
		{filepath.Join(link, "repo", "not-yet", "deeper"), filepath.Join(real, "repo"), true},
		{filepath.Join(real, "repo"), filepath.Join(link, "repo"), true},
		{filepath.Join(real, "repository"), filepath.Join(real, "repo"), false},
		{real, filepath.Join(real, "repo"), false},
		{filepath.Join(dir, "elsewhere"), link, false},
	} {
		if got := within(tc.p, tc.dir); got != tc.want {
			t.Errorf("within(%q, %q) = %v, want %v", tc.p, tc.dir, got, tc.want)
		}
	}
}

func TestDefaultName(t *testing.T) {
	for _, tc := range []struct{ work, root, want string }{
		{"/code/apps/backend", "/code", "apps/backend"},
		{"/code/app", "/code/", "app"},
		{"/elsewhere/app", "/code", "app"},
		{"/code", "/code", "code"},
	} {
		if got := defaultName(tc.work, tc.root); got != tc.want {
			t.Errorf("defaultName(%q, %q) = %q, want %q", tc.work, tc.root, got, tc.want)
		}
	}
}

// A copy being worked on is refused at once, with a clear message, and
// free again when the first run lets go.
func TestLockCopyBusy(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), ConfigFileName)
	unlock, _, err := lockCopy(cfg, "/staging/app", "app")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = lockCopy(cfg, "/staging/app", "app")
	if err == nil || err.Error() != `another git-stage is working on staging copy "app" (lock `+
		filepath.Join(filepath.Dir(cfg), ".staging_sync.locks")+"/"+filepath.Base(lockName("/staging/app"))+")" {
		t.Fatalf("second lock: %v", err)
	}
	other, _, err := lockCopy(cfg, "/staging/other", "other")
	if err != nil {
		t.Fatalf("another copy is not busy: %v", err)
	}
	other()
	unlock()
	again, _, err := lockCopy(cfg, "/staging/app", "app")
	if err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	again()
}

// Taking a copy's lock says what it made (directories, then the lock
// file), so that a clone that fails can remove them; a lock file removed
// by its holder is made anew by the next run.
func TestLockCopyCreated(t *testing.T) {
	root := t.TempDir()
	cfg := filepath.Join(root, "conf", ConfigFileName)
	locks := filepath.Join(root, "conf", lockDirName)
	file := copyLockPath(cfg, "/staging/app")
	unlock, created, err := lockCopy(cfg, "/staging/app", "app")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{filepath.Join(root, "conf"), locks, file}; !slices.Equal(created, want) {
		t.Fatalf("created %q, want %q", created, want)
	}
	removeCreated(created)
	unlock()
	if _, err := os.Lstat(filepath.Join(root, "conf")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("conf is still there: %v", err)
	}
	unlock, created, err = lockCopy(cfg, "/staging/app", "app")
	if err != nil || len(created) != 3 {
		t.Fatalf("again: created %q, %v", created, err)
	}
	unlock()
	unlock, created, err = lockCopy(cfg, "/staging/app", "app")
	if err != nil || len(created) != 0 {
		t.Fatalf("where the lock file is: created %q, %v", created, err)
	}
	unlock()
}

// execute undoes, newest first, every step that started, including the
// one that failed, and reports undo failures beside the cause.
func TestExecuteUndoesInReverse(t *testing.T) {
	var log []string
	record := func(s string, err error) *step {
		return &step{desc: s, do: func(context.Context) error { log = append(log, s); return err }}
	}
	a := &App{Git: &gitcmd.Runner{}, Stderr: io.Discard}
	steps := []*step{
		{desc: "one", do: func(context.Context) error { log = append(log, "one"); return nil }, undo: record("undo one", nil)},
		{desc: "two", do: func(context.Context) error { log = append(log, "two"); return errors.New("boom") }, undo: record("undo two", errors.New("stuck"))},
		{desc: "three", do: func(context.Context) error { log = append(log, "three"); return nil }, undo: record("undo three", nil)},
	}
	err := a.execute(context.Background(), steps)
	if want := []string{"one", "two", "undo two", "undo one"}; !reflect.DeepEqual(log, want) {
		t.Errorf("ran %v, want %v", log, want)
	}
	if err == nil || err.Error() != "boom; could not undo (undo two): stuck" || !undoIncomplete(err) {
		t.Errorf("err = %v", err)
	}

	// Interrupted before a step: it does not start; what ran is undone.
	log = nil
	ctx, cancel := context.WithCancel(context.Background())
	steps[0].do = func(context.Context) error { log = append(log, "one"); cancel(); return nil }
	err = a.execute(ctx, steps)
	if want := []string{"one", "undo one"}; !reflect.DeepEqual(log, want) || !errors.Is(err, errInterrupted) {
		t.Errorf("interrupted: ran %v, err %v", log, err)
	}
}

// An afterwards step, once the job is done, fails nothing: its failure is
// a warning, and nothing is undone; one an interrupt keeps from running
// says so through its check.
func TestExecuteAfterwards(t *testing.T) {
	var log []string
	var stderr strings.Builder
	a := &App{Git: &gitcmd.Runner{}, Stderr: &stderr}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	steps := []*step{
		{desc: "land", lands: true, do: func(context.Context) error { log = append(log, "land"); return nil },
			undo: &step{desc: "undo land", do: func(context.Context) error { log = append(log, "undo land"); return nil }}},
		{desc: "tidy", afterwards: true, do: func(context.Context) error { log = append(log, "tidy"); return errors.New("tidy failed") }},
		{desc: "tidy more", afterwards: true, do: func(context.Context) error { log = append(log, "tidy more"); cancel(); return nil }},
		{desc: "skipped", afterwards: true, do: func(context.Context) error { log = append(log, "skipped"); return nil },
			check: func(_ context.Context, _ []byte, err error) error { return fmt.Errorf("not tidied: %w", err) }},
		{desc: "quiet", afterwards: true, do: func(context.Context) error { log = append(log, "quiet"); return nil }},
	}
	if err := a.execute(ctx, steps); err != nil {
		t.Errorf("err = %v", err)
	}
	if want := []string{"land", "tidy", "tidy more"}; !reflect.DeepEqual(log, want) {
		t.Errorf("ran %v, want %v", log, want)
	}
	if want := "warning: tidy failed\nwarning: not tidied: interrupted\n"; stderr.String() != want {
		t.Errorf("stderr = %q, want %q", stderr.String(), want)
	}
}

// The lanes of a group run side by side, each in order; the step after
// the group starts once they are all done; a failure in one lane stops
// the other and is the error reported; a failure is undone only once the
// other lanes are done; the trace is in plan order.
func TestExecuteGroup(t *testing.T) {
	var mu sync.Mutex
	var log []string
	note := func(s string) {
		mu.Lock()
		log = append(log, s)
		mu.Unlock()
	}
	var trace bytes.Buffer
	a := &App{Git: &gitcmd.Runner{}, Stderr: io.Discard, Trace: &trace}
	fgStarted, oneDone := make(chan struct{}), make(chan struct{})
	bgDone := false
	steps := []*step{{beside: [][]*step{{
		{desc: "bg one", do: func(ctx context.Context) error {
			<-fgStarted // the foreground runs meanwhile
			note("bg one")
			close(oneDone)
			return nil
		}},
		{desc: "bg two", do: func(context.Context) error {
			<-oneDone
			time.Sleep(50 * time.Millisecond) // the waiting step would start now
			note("bg two")
			bgDone = true
			return nil
		}},
	}, {
		{desc: "fg", do: func(context.Context) error { note("fg"); close(fgStarted); return nil }},
	}}},
		{desc: "after", do: func(context.Context) error {
			if !bgDone {
				t.Error("a waiting step started before the background was done")
			}
			note("after")
			return nil
		}},
	}
	if err := a.execute(context.Background(), steps); err != nil {
		t.Fatal(err)
	}
	if want := []string{"fg", "bg one", "bg two", "after"}; !reflect.DeepEqual(log, want) {
		t.Errorf("ran %v, want %v", log, want)
	}
	if want := "+ bg one\n+ bg two\n+ fg\n+ after\n"; trace.String() != want {
		t.Errorf("trace %q, want %q", trace.String(), want)
	}

	// A background failure stops the foreground step and is reported;
	// the background step after it does not run; all that started is
	// undone.
	log = nil
	checkoutStarted := make(chan struct{})
	steps = []*step{{beside: [][]*step{{
		{desc: "push", do: func(context.Context) error {
			<-checkoutStarted
			note("push")
			return errors.New("rejected")
		},
			undo: &step{desc: "undo push", do: func(context.Context) error { note("undo push"); return nil }}},
		{desc: "more", do: func(context.Context) error { note("more"); return nil }},
	}, {
		{desc: "checkout", do: func(ctx context.Context) error {
			close(checkoutStarted)
			select {
			case <-ctx.Done():
				note("checkout stopped")
				return ctx.Err()
			case <-time.After(time.Minute): // only against a hang
				return nil
			}
		}, undo: &step{desc: "undo checkout", do: func(context.Context) error { note("undo checkout"); return nil }}},
	}}}}
	err := a.execute(context.Background(), steps)
	if err == nil || err.Error() != "rejected" {
		t.Errorf("err = %v, want the background's", err)
	}
	if want := []string{"push", "checkout stopped", "undo checkout", "undo push"}; !reflect.DeepEqual(log, want) {
		t.Errorf("ran %v, want %v", log, want)
	}

	// A failure in one lane waits for the other's step under way before
	// undoing it.
	log = nil
	pushStarted, checkoutFailed := make(chan struct{}), make(chan struct{})
	steps = []*step{{beside: [][]*step{{
		{desc: "push", do: func(context.Context) error {
			close(pushStarted)
			<-checkoutFailed // the push lands after the checkout failed
			note("push landed")
			return nil
		}, undo: &step{desc: "undo push", do: func(context.Context) error { note("undo push"); return nil }}},
	}, {
		{desc: "checkout", do: func(context.Context) error {
			<-pushStarted
			note("checkout failed")
			close(checkoutFailed)
			return errors.New("hook")
		}},
	}}}}
	err = a.execute(context.Background(), steps)
	if err == nil || err.Error() != "hook" {
		t.Errorf("err = %v, want the foreground's", err)
	}
	if want := []string{"checkout failed", "push landed", "undo push"}; !reflect.DeepEqual(log, want) {
		t.Errorf("ran %v, want %v", log, want)
	}

	// An interrupt that stops a foreground git command while a push to
	// finish is out is reported as the interrupt, not as the command.
	log = nil
	ctx, interrupt := context.WithCancel(context.Background())
	defer interrupt()
	fetchStarted := make(chan struct{})
	steps = []*step{{beside: [][]*step{{
		{desc: "push", finish: true, do: func(ctx context.Context) error {
			<-fetchStarted // Ctrl-C while the fetch runs
			interrupt()
			time.Sleep(50 * time.Millisecond)
			if ctx.Err() != nil {
				t.Error("the interrupt stopped a step that finishes")
			}
			note("push landed")
			return nil
		}, undo: &step{desc: "undo push", do: func(context.Context) error { note("undo push"); return nil }}},
	}, {
		{desc: "fetch", do: func(ctx context.Context) error {
			close(fetchStarted)
			<-ctx.Done()
			note("fetch stopped")
			return &gitcmd.Error{Args: []string{"fetch"}, ExitCode: -1, Err: ctx.Err()}
		}},
	}}}}
	err = a.execute(ctx, steps)
	if err == nil || err.Error() != "interrupted" {
		t.Errorf("err = %v, want interrupted", err)
	}
	if want := []string{"fetch stopped", "push landed", "undo push"}; !reflect.DeepEqual(log, want) {
		t.Errorf("ran %v, want %v", log, want)
	}
}

// A step started early: reaching it gives its output and error to the
// step's check as a run would, shows its stderr only then (for a Tee
// command), and owns it; one never reached is the starter's to discard.
func TestExecuteEarly(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	a := &App{Git: &gitcmd.Runner{Stderr: &stderr}, Stderr: io.Discard}
	version := gitcmd.Cmd{Dir: dir, Args: []string{"version"}}
	failing := gitcmd.Cmd{Dir: dir, Tee: true, Args: []string{"rev-parse", "--verify", "refs/heads/no/such/branch"}}
	e1, e2 := a.startEarly(context.Background(), version)[0], a.startEarly(context.Background(), failing)[0]
	<-e2.done
	if stderr.Len() != 0 {
		t.Errorf("an early command printed before its step: %q", stderr.String())
	}
	var got []string
	steps := []*step{
		{git: &version, early: e1, check: func(_ context.Context, out []byte, err error) error {
			got = append(got, strings.Fields(string(out))[0])
			return err
		}},
		{git: &failing, early: e2, check: func(_ context.Context, _ []byte, err error) error {
			got = append(got, fmt.Sprint(err != nil))
			return nil
		}},
	}
	if err := a.execute(context.Background(), steps); err != nil {
		t.Fatal(err)
	}
	if want := []string{"git", "true"}; !reflect.DeepEqual(got, want) {
		t.Errorf("checks saw %v, want %v", got, want)
	}
	if !strings.Contains(stderr.String(), "fatal:") {
		t.Errorf("stderr %q, want git's message once the step is reached", stderr.String())
	}
	if e1.discard() || e2.discard() {
		t.Error("a reached early command was discarded")
	}
	if e3 := a.startEarly(context.Background(), version)[0]; !e3.discard() {
		t.Error("an early command never reached was not the starter's to discard")
	}
}

// Commands started early together run one after another, each only once
// the one before it succeeded: the second works on what the first made,
// and after a failure the rest do not run.
func TestStartEarlyChain(t *testing.T) {
	dir := t.TempDir()
	a := &App{Git: &gitcmd.Runner{Stderr: io.Discard}, Stderr: io.Discard}
	sub := filepath.Join(dir, "sub")
	es := a.startEarly(context.Background(),
		gitcmd.Cmd{Dir: dir, Args: []string{"init", "-q", sub}},
		gitcmd.Cmd{Dir: sub, Args: []string{"symbolic-ref", "HEAD", "refs/heads/unborn"}},
		gitcmd.Cmd{Dir: sub, Args: []string{"rev-parse", "--verify", "refs/heads/no/such/branch"}},
		gitcmd.Cmd{Dir: sub, Args: []string{"symbolic-ref", "HEAD", "refs/heads/never"}},
	)
	for _, e := range es {
		<-e.done
	}
	if es[0].err != nil || es[1].err != nil {
		t.Fatalf("init, then symbolic-ref in what it made: %v, %v", es[0].err, es[1].err)
	}
	if es[2].err == nil {
		t.Fatal("rev-parse of no branch succeeded")
	}
	if es[3].err == nil || !strings.Contains(es[3].err.Error(), "not run") {
		t.Errorf("the command after a failed one: %v, want not run", es[3].err)
	}
	if head, err := os.ReadFile(filepath.Join(sub, ".git", "HEAD")); err != nil || string(head) != "ref: refs/heads/unborn\n" {
		t.Errorf("HEAD is %q (%v): the command after the failure ran", head, err)
	}
	for _, e := range es {
		if !e.discard() {
			t.Error("a command never reached was not the starter's to discard")
		}
	}
}

// Under -v an early command runs as early as without it, and reads as if
// it ran when its step is reached: its trace line, then what it printed.
func TestExecuteEarlyTraced(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	a := &App{Git: &gitcmd.Runner{Stderr: &stderr, Trace: &stderr}, Stderr: io.Discard, Trace: &stderr}
	failing := gitcmd.Cmd{Dir: dir, Args: []string{"rev-parse", "--verify", "refs/heads/no/such/branch"}}
	e := a.startEarly(context.Background(), failing)[0]
	<-e.done
	if stderr.Len() != 0 {
		t.Errorf("an early command printed before its step: %q", stderr.String())
	}
	steps := []*step{{git: &failing, early: e, check: func(context.Context, []byte, error) error { return nil }}}
	if err := a.execute(context.Background(), steps); err != nil {
		t.Fatal(err)
	}
	trace, fatal := strings.Index(stderr.String(), "+ git -C "), strings.Index(stderr.String(), "fatal:")
	if trace < 0 || fatal < trace || strings.Count(stderr.String(), "+ git") != 1 {
		t.Errorf("stderr %q, want the command traced once, then git's message", stderr.String())
	}
}

func TestErrorHints(t *testing.T) {
	inner := refuse("do this", "inner failed")
	outer := wrap(inner, "", "outer")
	if HintOf(outer) != "do this" || outer.Error() != "outer: inner failed" {
		t.Errorf("hint %q, msg %q", HintOf(outer), outer.Error())
	}
	if HintOf(errors.New("plain")) != "" || IsUsage(outer) || !IsUsage(&Error{Usage: true}) {
		t.Errorf("HintOf/IsUsage wrong")
	}
	if !strings.Contains(checkBranchName("-x").Error(), `"-x"`) || checkRemoteName("origin") != nil {
		t.Errorf("name checks wrong")
	}
}

func TestGCRunning(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "gc.pid")
	host, _ := os.Hostname()
	write := func(content string) {
		if err := os.WriteFile(pidFile, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if gcRunning(pidFile) {
		t.Error("no gc.pid, but a gc is running")
	}
	write(strconv.Itoa(os.Getpid()) + " " + host)
	if !gcRunning(pidFile) {
		t.Error("a live pid on this host is not a running gc")
	}
	old := time.Now().Add(-13 * time.Hour)
	os.Chtimes(pidFile, old, old)
	if gcRunning(pidFile) {
		t.Error("a gc.pid older than 12 hours counts")
	}
	for _, content := range []string{strconv.Itoa(os.Getpid()) + " elsewhere", "x " + host, "-1 " + host, ""} {
		write(content)
		if gcRunning(pidFile) {
			t.Errorf("gc.pid %q counts as running", content)
		}
	}
}

func TestCommonGitDir(t *testing.T) {
	dir := t.TempDir()
	main := filepath.Join(dir, "main")
	os.MkdirAll(filepath.Join(main, ".git", "worktrees", "wt"), 0o755)
	if got := gitcmd.CommonGitDir(main); got != filepath.Join(main, ".git") {
		t.Errorf("plain repository: %s", got)
	}
	wt := filepath.Join(dir, "wt")
	os.MkdirAll(wt, 0o755)
	os.WriteFile(filepath.Join(wt, ".git"), []byte("gitdir: "+filepath.Join(main, ".git", "worktrees", "wt")+"\n"), 0o644)
	os.WriteFile(filepath.Join(main, ".git", "worktrees", "wt", "commondir"), []byte("../..\n"), 0o644)
	if got := gitcmd.CommonGitDir(wt); got != filepath.Join(main, ".git") {
		t.Errorf("linked worktree: %s", got)
	}
}

// missing agrees with os.Stat: a directory, a symlink to one and a
// file are there; a dangling symlink, a missing name and a missing parent
// are not. So for paths git-stage would not write (unclean, relative, a
// file as parent, the same path twice, out of order) and a directory of
// more entries than one read of them holds.
func TestMarkMissing(t *testing.T) {
	root := t.TempDir()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(root, "a", "dir"), 0o755))
	must(os.Symlink("dir", filepath.Join(root, "a", "link")))
	must(os.Symlink("nowhere", filepath.Join(root, "a", "dangling")))
	must(os.WriteFile(filepath.Join(root, "a", "file"), nil, 0o644))
	want := map[string]bool{"a/dir": false, "a/link": false, "a/file": false, "a/dangling": true, "a/gone": true, "b/gone": true,
		"a/file/x": true, "a/dir/": false, "a/../a/dir": false, "a/./gone": true, "a": false}
	many := filepath.Join(root, "many")
	must(os.Mkdir(many, 0o755))
	for i := range 3000 {
		name := fmt.Sprintf("%04d-%s", i, strings.Repeat("x", i%90))
		if i%7 != 0 {
			must(os.Mkdir(filepath.Join(many, name), 0o755))
		}
		want["many/"+name] = i%7 == 0
	}
	var rels, paths []string
	for rel := range want {
		rels = append(rels, rel)
		paths = append(paths, root+"/"+rel)
	}
	rels = append(rels, "a/dir", "a/gone", ".")
	paths = append(paths, root+"/a/dir", root+"/a/gone", ".")
	want["."] = false
	for i, gone := range goneDirs(len(paths), func(i int) string { return paths[i] }) {
		if gone != want[rels[i]] {
			t.Errorf("%s: missing %v, want %v", rels[i], gone, want[rels[i]])
		}
		if gone != statGone(paths[i]) {
			t.Errorf("%s: missing %v, os.Stat says otherwise", rels[i], gone)
		}
	}
}

// sameDevice compares the file systems of a path and of the nearest
// existing directory above a place that is yet to be made.
func TestSameDevice(t *testing.T) {
	dir := t.TempDir()
	if !sameDevice(dir, filepath.Join(dir, "not", "yet")) {
		t.Error("a directory and a place under it: not the same device")
	}
	if _, err := os.Stat("/proc/self"); err != nil {
		t.Skip("no /proc here")
	}
	if sameDevice("/proc/self", filepath.Join(dir, "not", "yet")) {
		t.Error("/proc and a temporary directory: the same device")
	}
}

// A failing clone of one copy removes the lock directory and config
// directory it made; a run on another copy sharing them is not busy and
// must not fail because they vanished under it (review of issue 15 case 1).
func TestLockCopyOtherCopyNotFailedByRemoval(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "conf", "sub", ConfigFileName)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for _, name := range []string{"a", "b"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); {
				mu.Lock()
				failed := len(errs) > 0
				mu.Unlock()
				if failed {
					return
				}
				unlock, created, err := lockCopy(cfg, "/staging/"+name, name)
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
					continue
				}
				removeCreated(created) // as a failing clone's release does
				unlock()
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d spurious failures, first: %v", len(errs), errs[0])
	}
}
