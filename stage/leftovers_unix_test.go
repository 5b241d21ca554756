//go:build unix

package stage

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A leftover's git config that is a named pipe is unreadable at once: it
// never blocks prune.
func TestLeftoverConfigFIFO(t *testing.T) {
	dir := filepath.Join(t.TempDir(), ".app.git-stage-new-0123456789ab")
	if err := os.MkdirAll(filepath.Join(dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, ".git", "config"), 0o644); err != nil {
		t.Skip("no named pipes here:", err)
	}
	l := newLeftover(dir)
	done := make(chan struct{})
	go func() { l.readConfig(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("reading a named pipe as git config blocked")
	}
	if l.unreadable == nil {
		t.Error("a named pipe was read as a git config")
	}
}
