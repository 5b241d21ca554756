package stage

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func sampleMapping(name string) *Mapping {
	return &Mapping{
		StagingPath: "/staging/" + name,
		WorkPath:    "/work/" + name,
		WorkRoot:    "/work",
		Remote:      "origin",
		RemoteURL:   "git@example.com:x.git",
		BaseBranch:  "main",
		BaseCommit:  strings.Repeat("a", 40),
		TempBranch:  TempBranch(name, "main", when),
		Created:     when.UTC(),
		Leftovers:   []string{},
	}
}

func TestConfigRoundTrip(t *testing.T) {
	c := NewConfig()
	c.Stagings["apps/backend"] = sampleMapping("apps/backend")
	m := sampleMapping("demo <&>")
	m.LastSync = &Sync{Time: when.UTC(), Commit: strings.Repeat("b", 40), Branch: "main", TempBranch: m.TempBranch, Mode: "fast-forward"}
	c.Stagings["demo <&>"] = m
	data, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(`"demo <&>"`)) {
		t.Errorf("names must not be HTML-escaped:\n%s", data)
	}
	if !bytes.HasPrefix(data, []byte("{\n  \"version\": 1,\n")) || !bytes.HasSuffix(data, []byte("}\n")) {
		t.Errorf("unexpected layout:\n%s", data)
	}
	back, err := ParseConfig(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, c) {
		t.Errorf("round trip changed the config:\n%+v\n%+v", back, c)
	}
}

// TestConfigKeepsNoPassword: a remote URL's password is redacted when
// the config is written, and when a file written before is read (the
// fast decoder and the careful one alike).
func TestConfigKeepsNoPassword(t *testing.T) {
	c := NewConfig()
	m := sampleMapping("app")
	m.RemoteURL = "https://user:s3cr3t@example.com/r.git"
	c.Stagings["app"] = m
	data, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte("s3cr3t")) || !bytes.Contains(data, []byte(`"remote_url": "https://user:***@example.com/r.git"`)) {
		t.Errorf("the password is stored:\n%s", data)
	}
	old := bytes.ReplaceAll(data, []byte("***"), []byte("s3cr3t"))
	for _, data := range [][]byte{old, bytes.Replace(old, []byte(`"version": 1,`), []byte(`"version": 1, "x": 0,`), 1)} {
		back, err := ParseConfig(data)
		if err != nil {
			t.Fatal(err)
		}
		if got := back.Stagings["app"].RemoteURL; got != "https://user:***@example.com/r.git" {
			t.Errorf("read back as %q", got)
		}
	}
}

func TestParseConfigRefuses(t *testing.T) {
	for _, tc := range []struct{ data, reason string }{
		{``, "the file is empty"},
		{" \n", "the file is empty"},
		{`{`, "unexpected EOF"},
		{`[]`, "cannot unmarshal array"},
		{`{"stagings":{}}`, `no "version" field`},
		{`{"version":2,"stagings":{"x":"new shape"}}`, "version 2 is newer than this git-stage understands (1)"},
		{`{"version":0}`, "unknown version 0"},
		{`{"version":1} {}`, "unexpected data after the JSON object"},
		{`{"version":1,"stagings":{"../x":{"staging_path":"/s","work_path":"/w"}}}`, `invalid staging name "../x"`},
		{`{"version":1,"stagings":{"x":null}}`, `staging "x": empty entry`},
		{`{"version":1,"stagings":{"x":{"staging_path":"s","work_path":"/w"}}}`, `staging "x": paths must be absolute`},
		{`{"version":1,"stagings":[]}`, "stagings:"},
	} {
		_, err := ParseConfig([]byte(tc.data))
		if err == nil || !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("ParseConfig(%q) = %v, want an error containing %q", tc.data, err, tc.reason)
		}
	}
}

func TestStoreMissingFileIsEmpty(t *testing.T) {
	s := &Store{Path: filepath.Join(t.TempDir(), ConfigFileName)}
	c, err := s.Load()
	if err != nil || len(c.Stagings) != 0 || c.Version != ConfigVersion {
		t.Fatalf("Load of a missing file = %+v, %v", c, err)
	}
}

// A file git-stage cannot read is refused with its path and reason, and
// an update leaves its bytes exactly as they were.
func TestStoreNeverOverwritesUnreadable(t *testing.T) {
	for _, content := range []string{"{garbage", `{"version": 7, "stagings": {}}`, ""} {
		path := filepath.Join(t.TempDir(), ConfigFileName)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		s := &Store{Path: path}
		called := false
		err := s.Update(context.Background(), func(c *Config) error { called = true; return nil })
		if err == nil || !strings.Contains(err.Error(), path) || HintOf(err) == "" {
			t.Errorf("Update over %q: err = %v (hint %q), want the path and a hint", content, err, HintOf(err))
		}
		if called {
			t.Errorf("Update over %q called fn", content)
		}
		if got, _ := os.ReadFile(path); string(got) != content {
			t.Errorf("file changed from %q to %q", content, got)
		}
		if _, err := s.Load(); err == nil {
			t.Errorf("Load of %q succeeded", content)
		}
	}
}

func TestStoreUpdateFailureWritesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), ConfigFileName)
	s := &Store{Path: path}
	add(t, s, "one")
	before, _ := os.ReadFile(path)
	err := s.Update(context.Background(), func(c *Config) error {
		c.Stagings["two"] = sampleMapping("two")
		return fmt.Errorf("changed my mind")
	})
	if err == nil {
		t.Fatal("Update returned no error")
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Errorf("config changed:\n%s\n%s", before, after)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*.tmp-*"))
	if len(leftovers) > 0 {
		t.Errorf("temp files left: %v", leftovers)
	}
}

func TestStoreKeepsSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "dotfiles", "staging.json")
	os.MkdirAll(filepath.Dir(real), 0o755)
	link := filepath.Join(dir, ConfigFileName)
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	add(t, &Store{Path: link}, "x")
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("config link replaced by a file: %v", err)
	}
	if data, _ := os.ReadFile(real); !bytes.Contains(data, []byte(`"x"`)) {
		t.Errorf("the link's target was not written:\n%s", data)
	}
}

func add(t *testing.T, s *Store, name string) {
	t.Helper()
	err := s.Update(context.Background(), func(c *Config) error {
		c.Stagings[name] = sampleMapping(name)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func checkAll(t *testing.T, s *Store, names []string) {
	t.Helper()
	c, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if c.Stagings[n] == nil {
			t.Errorf("entry %q was lost", n)
		}
	}
	if len(c.Stagings) != len(names) {
		t.Errorf("%d entries, want %d", len(c.Stagings), len(names))
	}
}

// Goroutines updating at once lose no entry: each update holds its own
// lock file descriptor, and flock excludes them like separate processes.
func TestStoreConcurrentGoroutines(t *testing.T) {
	s := &Store{Path: filepath.Join(t.TempDir(), ConfigFileName)}
	var wg sync.WaitGroup
	var names []string
	for i := range 40 {
		name := "copy" + strconv.Itoa(i)
		names = append(names, name)
		wg.Go(func() { add(t, &Store{Path: s.Path}, name) })
	}
	wg.Wait()
	checkAll(t, s, names)
}

// Processes updating at once lose no entry, and a reader never sees half
// a file.
func TestStoreConcurrentProcesses(t *testing.T) {
	if os.Getenv("GIT_STAGE_CONFIG_HELPER") != "" {
		t.Skip("helper process")
	}
	path := filepath.Join(t.TempDir(), ConfigFileName)
	var names []string
	var cmds []*exec.Cmd
	for i := range 12 {
		name := "proc" + strconv.Itoa(i)
		names = append(names, name)
		cmd := exec.Command(os.Args[0], "-test.run=^TestStoreHelperProcess$")
		cmd.Env = append(os.Environ(), "GIT_STAGE_CONFIG_HELPER="+path, "GIT_STAGE_CONFIG_NAME="+name)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	done := make(chan struct{})
	go func() {
		for _, c := range cmds {
			c.Wait()
		}
		close(done)
	}()
	// Read while they write: every read is a whole config.
	s := &Store{Path: path}
	for reading := true; reading; {
		select {
		case <-done:
			reading = false
		default:
			if _, err := s.Load(); err != nil {
				t.Fatalf("a reader saw a broken config: %v", err)
			}
			time.Sleep(time.Millisecond)
		}
	}
	for _, c := range cmds {
		if !c.ProcessState.Success() {
			t.Fatalf("helper failed: %v", c.ProcessState)
		}
	}
	checkAll(t, s, names)
}

func TestStoreHelperProcess(t *testing.T) {
	path := os.Getenv("GIT_STAGE_CONFIG_HELPER")
	if path == "" {
		t.Skip("run by TestStoreConcurrentProcesses")
	}
	name := os.Getenv("GIT_STAGE_CONFIG_NAME")
	for i := range 5 {
		add(t, &Store{Path: path}, name+"-"+strconv.Itoa(i))
		err := (&Store{Path: path}).Update(context.Background(), func(c *Config) error {
			delete(c.Stagings, name+"-"+strconv.Itoa(i))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	add(t, &Store{Path: path}, name)
}

// FuzzParseConfig: parsing never panics, and what parses survives a
// write and a read unchanged.
func FuzzParseConfig(f *testing.F) {
	c := NewConfig()
	c.Stagings["apps/backend"] = sampleMapping("apps/backend")
	good, _ := c.Marshal()
	f.Add(good)
	f.Add([]byte(`{"version":1,"stagings":{}}`))
	f.Add([]byte(`{"version":1}`))
	f.Add([]byte(`{"version":2}`))
	f.Add([]byte(`{"version":1,"stagings":{"a":{"staging_path":"/s","work_path":"/w","last_sync":{"time":"2026-01-01T00:00:00Z"}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig(data)
		if err != nil {
			return
		}
		out, err := c.Marshal()
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		back, err := ParseConfig(out)
		if err != nil {
			t.Fatalf("re-parse of our own output: %v\n%s", err, out)
		}
		out2, _ := back.Marshal()
		if !bytes.Equal(out, out2) {
			t.Fatalf("not stable:\n%s\n%s", out, out2)
		}
	})
}
