package gitcmd

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// alias runs the shell command sh through git, as a `!` alias: real git,
// with its own children.
func alias(sh string) []string { return []string{"-c", "alias.x=!" + sh, "x"} }

// procStat returns the fields of /proc/PID/stat after the command name:
// [0] is the state, [2] the process group; nil when pid is gone.
func procStat(pid int) []string {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return nil
	}
	s := string(data)
	return strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
}

// gone reports whether pid has ended (a zombie has).
func gone(pid int) bool {
	f := procStat(pid)
	return f == nil || f[0] == "Z" || f[0] == "X"
}

// goneSoon reports whether pid ends soon: a signal takes a moment to be
// delivered, longer on a loaded machine. The 30 s are well under the
// minute the sleeps the tests start would run on their own.
func goneSoon(pid int) bool {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if gone(pid) {
			return true
		}
	}
	return false
}

// waitPid reads the pid a command wrote to file, waiting for it.
func waitPid(t *testing.T, file string) int {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		data, err := os.ReadFile(file)
		if err == nil && strings.HasSuffix(string(data), "\n") {
			pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
			return pid
		}
	}
	t.Fatalf("%s was never written", file)
	return 0
}

// A terminal's Ctrl-C goes to its foreground process group: git runs in
// a group of its own, out of its reach, in a session of its own, without
// the terminal (a prompt fails at once instead of stopping git).
func TestRunnerChildInOwnGroup(t *testing.T) {
	out, err := (&Runner{}).Run(context.Background(), Cmd{Dir: t.TempDir(), Args: alias("cat /proc/$$/stat")})
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if pgrp := strconv.Itoa(syscall.Getpgrp()); f[2] == pgrp {
		t.Errorf("git's child runs in the caller's process group %s", pgrp)
	}
	if sid, _ := unix.Getsid(0); f[3] == strconv.Itoa(sid) {
		t.Errorf("git's child runs in the caller's session %d", sid)
	}
}

// Cancelling stops git's whole group: a child of git's child, which git
// itself would leave running, stops too.
func TestRunnerCancelSignalsGroup(t *testing.T) {
	dir := t.TempDir()
	pidfile := filepath.Join(dir, "pid")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := (&Runner{}).Run(ctx, Cmd{Dir: dir, Args: alias("sh -c 'echo $$ > " + pidfile + "; exec sleep 60'")})
		done <- err
	}()
	pid := waitPid(t, pidfile)
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) || !Interrupted(err) {
		t.Errorf("err = %v, want an interrupted git", err)
	}
	if !goneSoon(pid) {
		t.Errorf("git's grandchild %d still runs after the cancel", pid)
	}
}

// A git that dies of SIGINT (a group signal) was interrupted, and is
// said so, not "signal: interrupt".
func TestRunnerSignalledIsInterrupted(t *testing.T) {
	for _, sig := range []string{"INT", "TERM", "HUP"} {
		_, err := (&Runner{}).Run(context.Background(), Cmd{Dir: t.TempDir(), Args: alias("kill -" + sig + " $PPID; exec sleep 5 >/dev/null 2>&1")})
		if !Interrupted(err) || err.Error() != "git x interrupted" {
			t.Errorf("SIG%s: err = %v (interrupted: %v), want \"git x interrupted\"", sig, err, Interrupted(err))
		}
	}
	_, err := (&Runner{}).Run(context.Background(), Cmd{Dir: t.TempDir(), Args: alias("exit 3")})
	if Interrupted(err) {
		t.Errorf("a failed git counts as interrupted: %v", err)
	}
}

// A group that ignores the signal is killed WaitDelay after the cancel,
// all of it.
func TestRunnerKillsGroupAfterWaitDelay(t *testing.T) {
	dir := t.TempDir()
	pidfile := filepath.Join(dir, "pid")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	r := &Runner{WaitDelay: 300 * time.Millisecond}
	go func() {
		_, err := r.Run(ctx, Cmd{Dir: dir, Args: alias("trap '' INT TERM; sleep 60 & echo $! > " + pidfile + "; wait")})
		done <- err
	}()
	pid := waitPid(t, pidfile)
	start := time.Now()
	cancel()
	if err := <-done; !Interrupted(err) {
		t.Errorf("err = %v, want an interrupted git", err)
	}
	if d := time.Since(start); d < 300*time.Millisecond || d > 5*time.Second {
		t.Errorf("Run returned %v after the cancel, want about WaitDelay", d)
	}
	if !goneSoon(pid) {
		t.Errorf("git's grandchild %d, which ignores SIGINT, still runs after WaitDelay", pid)
	}
}
