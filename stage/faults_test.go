package stage

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"
	"time"
)

// A process killed with SIGKILL while it holds the config lock blocks no
// one: the kernel drops its flock. Its update never happened, and the
// config is whole.
func TestStoreLockHolderKilled(t *testing.T) {
	if os.Getenv("GIT_STAGE_LOCK_HOLDER") != "" {
		t.Skip("helper process")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, ConfigFileName)
	s := &Store{Path: path}
	add(t, s, "before")
	holding := filepath.Join(dir, "holding")
	cmd := exec.Command(os.Args[0], "-test.run=^TestStoreLockHolderProcess$")
	cmd.Env = append(os.Environ(), "GIT_STAGE_LOCK_HOLDER="+path, "GIT_STAGE_LOCK_MARK="+holding)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(holding); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the helper never took the lock")
		}
	}
	// While it holds the lock, an update waits, and gives up after LockWait.
	busy := &Store{Path: path, LockWait: 200 * time.Millisecond}
	if err := busy.Update(context.Background(), func(*Config) error { return nil }); err == nil {
		t.Fatal("an update went through while another process held the lock")
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	start := time.Now()
	add(t, &Store{Path: path, LockWait: 5 * time.Second}, "after")
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("the update after the kill waited %v", took)
	}
	c, err := s.Load()
	if err != nil {
		t.Fatalf("config broken after the kill: %v", err)
	}
	if c.Stagings["before"] == nil || c.Stagings["after"] == nil || c.Stagings["killed"] != nil || len(c.Stagings) != 2 {
		t.Errorf("entries after the kill: %v", c.Stagings)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != ConfigFileName && e.Name() != ConfigFileName+".lock" && e.Name() != "holding" {
			t.Errorf("left in the staging root: %s", e.Name())
		}
	}
}

// TestStoreLockHolderProcess takes the config lock and dies holding it.
func TestStoreLockHolderProcess(t *testing.T) {
	path := os.Getenv("GIT_STAGE_LOCK_HOLDER")
	if path == "" {
		t.Skip("run by TestStoreLockHolderKilled")
	}
	(&Store{Path: path}).Update(context.Background(), func(c *Config) error {
		c.Stagings["killed"] = sampleMapping("killed")
		os.WriteFile(os.Getenv("GIT_STAGE_LOCK_MARK"), nil, 0o644)
		time.Sleep(time.Minute) // killed here
		return nil
	})
}

// A config that cannot be written (a read-only staging root) makes the
// update fail with the path, and leaves the old config as it was.
func TestStoreReadOnlyRoot(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ConfigFileName)
	s := &Store{Path: path}
	add(t, s, "kept")
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readOnly(t, dir)
	err = s.Update(context.Background(), func(c *Config) error {
		c.Stagings["new"] = sampleMapping("new")
		return nil
	})
	if err == nil {
		t.Fatal("the update of a read-only staging root succeeded")
	}
	after, rerr := os.ReadFile(path)
	if rerr != nil || string(after) != string(before) {
		t.Errorf("the old config changed: %v", rerr)
	}
	t.Logf("error: %v", err)
}

// readOnly makes dir unwritable, even for root (chattr +i) when the
// tests run as root; it skips the test when neither works.
func readOnly(t *testing.T, dir string) {
	if os.Geteuid() != 0 {
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o755) })
		return
	}
	if out, err := exec.Command("chattr", "+i", dir).CombinedOutput(); err != nil {
		t.Skipf("running as root, and chattr +i does not work here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("chattr", "-i", dir).Run() })
}

// A config of 10,000 mappings loads (through the mapped-file path), takes
// one more under the lock, and reads back whole, as encoding/json reads it.
func TestStoreHugeConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), ConfigFileName)
	data := bigConfig(t, 10000)
	if len(data) < 1<<20 {
		t.Fatalf("the big config is only %d bytes", len(data))
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	s := &Store{Path: path}
	add(t, s, "one-more")
	c, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Stagings) != 10001 || c.Stagings["one-more"] == nil || c.Stagings["team03/project-00003"] == nil {
		t.Fatalf("%d mappings after adding one to 10,000", len(c.Stagings))
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Stagings map[string]*Mapping `json:"stagings"`
	}
	if err := json.Unmarshal(after, &file); err != nil || !reflect.DeepEqual(file.Stagings, c.Stagings) {
		t.Fatalf("encoding/json reads the file otherwise: %v", err)
	}
}
