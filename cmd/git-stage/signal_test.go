package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// sigEnv is a git environment of the test's own: its HOME, a fixed
// identity, no system config.
func sigEnv(home string) []string {
	env := []string{"HOME=" + home, "GIT_CONFIG_NOSYSTEM=1", "PATH=" + os.Getenv("PATH"),
		"GIT_AUTHOR_NAME=A", "GIT_AUTHOR_EMAIL=a@example.com", "GIT_COMMITTER_NAME=C", "GIT_COMMITTER_EMAIL=c@example.com"}
	if v := os.Getenv("GORACE"); v != "" {
		env = append(env, "GORACE="+v)
	}
	return env
}

func runIn(t *testing.T, env []string, dir string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

// slowHook makes the remote's pre-receive, for updates of refs starting
// with prefix, mark its start in marker, then hold the push until the
// signal is taken (terminate creates marker.sent; the cap only keeps a
// broken run from hanging).
func slowHook(t *testing.T, remote, prefix, marker string) {
	t.Helper()
	hook := "#!/bin/sh\nwhile read old new ref; do\n  case \"$ref\" in " + prefix + "*) touch '" + marker + "'; n=0\n" +
		"    while [ ! -e '" + marker + ".sent' ] && [ $n -lt 3000 ]; do sleep 0.1; n=$((n+1)); done;; esac\ndone\n"
	if err := os.WriteFile(filepath.Join(remote, "hooks", "pre-receive"), []byte(hook), 0o755); err != nil {
		t.Fatal(err)
	}
}

// terminate starts git-stage in a process group of its own (a shell's
// job), sends sig to the whole group once marker appears, as a shell's
// `kill %1` or its hang-up does, creates marker.sent once git-stage has
// taken it, and returns git-stage's exit status and stderr.
func terminate(t *testing.T, sig syscall.Signal, env []string, dir, marker string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command("git-stage", args...)
	cmd.Dir = dir
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(hangCap)
	for {
		if _, err := os.Stat(marker); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the hook never started; stderr:\n%s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := syscall.Kill(-cmd.Process.Pid, sig); err != nil {
		t.Fatal(err)
	}
	for sigPending(cmd.Process.Pid, sig) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if err := os.WriteFile(marker+".sent", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	return cmd.ProcessState.ExitCode(), stderr.String()
}

// SIGTERM (a stopped service, a killed agent) or SIGHUP (a closed
// terminal) during the push of the temp branch undoes clone and sync-back
// like Ctrl-C does: no temp branch is left by clone, sync-back's is back
// where clone put it, no partial copy, nothing moved.
func TestSIGTERMLeavesNoTempBranch(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for slow hooks")
	}
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			testSignalLeavesNoTempBranch(t, sig)
		})
	}
}

func testSignalLeavesNoTempBranch(t *testing.T, sig syscall.Signal) {
	root := t.TempDir()
	home := filepath.Join(root, "home")
	os.MkdirAll(home, 0o755)
	env := sigEnv(home)
	remote := filepath.Join(root, "remote.git")
	work := filepath.Join(root, "code", "app")
	staging := filepath.Join(root, "staging")
	os.MkdirAll(work, 0o755)
	os.MkdirAll(staging, 0o755)
	runIn(t, env, root, "git", "init", "-q", "--bare", remote)
	runIn(t, env, work, "git", "init", "-q", "-b", "main")
	runIn(t, env, work, "git", "commit", "-q", "--allow-empty", "-m", "initial")
	runIn(t, env, work, "git", "remote", "add", "origin", remote)
	runIn(t, env, work, "git", "push", "-q", "-u", "origin", "main")
	refs := func() string {
		return runIn(t, env, remote, "git", "for-each-ref", "--format=%(refname) %(objectname)")
	}
	before := refs()

	// clone.
	marker := filepath.Join(root, "in-clone-push")
	slowHook(t, remote, "refs/heads/staging-sync/", marker)
	code, stderr := terminate(t, sig, env, staging, marker, "--work-root", filepath.Join(root, "code"), "clone", "app")
	if code != 1 || !strings.Contains(stderr, "git-stage: clone of "+work+" failed: interrupted") {
		t.Errorf("clone: exit %d, stderr:\n%s", code, stderr)
	}
	if got := refs(); got != before {
		t.Errorf("clone left remote refs:\n%s", got)
	}
	if entries, _ := os.ReadDir(staging); len(entries) != 0 { // not even the lock directory it made
		t.Errorf("clone left files in the staging root: %v", entries)
	}

	// sync-back.
	os.Remove(filepath.Join(remote, "hooks", "pre-receive"))
	runIn(t, env, staging, "git-stage", "-q", "--work-root", filepath.Join(root, "code"), "clone", "app")
	runIn(t, env, filepath.Join(staging, "app"), "git", "commit", "-q", "--allow-empty", "-m", "staged")
	runIn(t, env, work, "git", "fetch", "-q")
	workBefore := runIn(t, env, work, "git", "rev-parse", "main")
	// The temp branch clone made stays where it was.
	before = refs()
	marker = filepath.Join(root, "in-sync-push")
	slowHook(t, remote, "refs/heads/staging-sync/", marker)
	code, stderr = terminate(t, sig, env, staging, marker, "sync-back", "app")
	if code != 1 || !strings.Contains(stderr, `git-stage: sync-back of "app" failed: interrupted`) {
		t.Errorf("sync-back: exit %d, stderr:\n%s", code, stderr)
	}
	if got := refs(); got != before {
		t.Errorf("sync-back left remote refs:\n%s", got)
	}
	if got := runIn(t, env, work, "git", "rev-parse", "main"); got != workBefore {
		t.Errorf("sync-back moved the work branch: %s -> %s", workBefore, got)
	}
}
