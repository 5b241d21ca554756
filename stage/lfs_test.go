package stage

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLinkTree(t *testing.T) {
	src, dst := t.TempDir(), filepath.Join(t.TempDir(), "objects")
	for _, p := range []string{"ab/cd/abcd1", "ab/ef/abef2"} {
		if err := os.MkdirAll(filepath.Join(src, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, p), []byte(p), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// An object the copy has already is kept.
	if err := os.MkdirAll(filepath.Join(dst, "ab/ef"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dst, "ab/ef/abef2"), []byte("kept"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := linkTree(src, dst); err != nil {
		t.Fatal(err)
	}
	a, err := os.Stat(filepath.Join(src, "ab/cd/abcd1"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.Stat(filepath.Join(dst, "ab/cd/abcd1"))
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(a, b) {
		t.Errorf("ab/cd/abcd1 was not hard-linked")
	}
	if data, _ := os.ReadFile(filepath.Join(dst, "ab/ef/abef2")); string(data) != "kept" {
		t.Errorf("an object the copy had was replaced: %q", data)
	}
}

// Across file systems the objects are copied.
func TestLinkTreeOtherFileSystem(t *testing.T) {
	shm, err := os.MkdirTemp("/dev/shm", "linktree")
	if err != nil {
		t.Skipf("no /dev/shm to copy to: %v", err)
	}
	defer os.RemoveAll(shm)
	src := t.TempDir()
	if err := os.MkdirAll(filepath.Join(src, "ab/cd"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "ab/cd/abcd1"), []byte("content"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(filepath.Join(src, "ab/cd/abcd1"), filepath.Join(shm, "probe")); err == nil {
		t.Skip("/dev/shm is on the same file system as the temporary directory")
	}
	if err := linkTree(src, filepath.Join(shm, "objects")); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(filepath.Join(shm, "objects/ab/cd/abcd1")); err != nil || string(data) != "content" {
		t.Errorf("copy across file systems: %q, %v", data, err)
	}
}
