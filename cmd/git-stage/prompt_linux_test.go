package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPty returns the two ends of a new pseudo-terminal.
func openPty(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return m, s
}

// syncBuffer is a bytes.Buffer safe for a reader and a writer.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Run from a terminal, as its foreground job, git-stage's git children
// are out of the terminal's reach (Ctrl-C goes to git-stage alone): a git
// that would ask for a password on the terminal fails at once, saying
// why, instead of being stopped (SIGTTIN) or left waiting for an answer,
// which would hang the command.
func TestTerminalPromptFailsAtOnce(t *testing.T) {
	t.Parallel()
	// A remote that asks for credentials.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
		http.Error(w, "who are you", http.StatusUnauthorized)
	}))
	defer srv.Close()
	root := t.TempDir()
	home := filepath.Join(root, "home")
	work := filepath.Join(root, "code", "app")
	staging := filepath.Join(root, "staging")
	for _, d := range []string{home, work, staging} {
		os.MkdirAll(d, 0o755)
	}
	env := sigEnv(home)
	runIn(t, env, work, "git", "init", "-q", "-b", "main")
	runIn(t, env, work, "git", "commit", "-q", "--allow-empty", "-m", "initial")
	runIn(t, env, work, "git", "remote", "add", "origin", srv.URL+"/app.git")

	master, slave := openPty(t)
	var out syncBuffer
	read := make(chan struct{}) // all the terminal's output is read
	go func() {
		defer close(read)
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			out.Write(buf[:n])
			if err != nil {
				return // EIO once no process has the terminal open
			}
		}
	}()
	cmd := exec.Command("git-stage", "--work-root", filepath.Join(root, "code"), "clone", "app")
	cmd.Dir = staging
	cmd.Env = append(env, "TERM=dumb")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	// Its own session, with the pty as its terminal: the foreground job.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close() // git-stage's are the only ends left open
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	select {
	case <-exited:
	case <-time.After(hangCap):
		// Its git may be stopped: kill the whole session's processes.
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		for _, l := range strings.Split(psSession(cmd.Process.Pid), "\n") {
			if f := strings.Fields(l); len(f) > 0 {
				if pid, err := strconv.Atoi(f[0]); err == nil {
					syscall.Kill(pid, syscall.SIGKILL)
				}
			}
		}
		<-exited
		t.Fatalf("git-stage still ran %v later: a git child waits on the terminal; terminal:\n%s", hangCap, out.String())
	}
	select {
	case <-read:
	case <-time.After(hangCap): // a child of git-stage holds the terminal
	}
	if code := cmd.ProcessState.ExitCode(); code != 1 {
		t.Errorf("exit status %d, want 1", code)
	}
	if got := out.String(); !strings.Contains(got, "could not read Username") {
		t.Errorf("the failure does not say git could not ask; terminal:\n%s", got)
	} else {
		t.Logf("terminal:\n%s", got)
	}
}

// psSession lists the processes of the session sid.
func psSession(sid int) string {
	out, _ := exec.Command("ps", "-o", "pid=", "--sid", strconv.Itoa(sid)).Output()
	return string(out)
}
