package main

import (
	"os"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"
	"golang.org/x/sys/unix"
)

var (
	canMountOnce sync.Once
	canMountOK   bool
)

// canMount reports whether a tmpfs can be mounted here: it mounts one
// on a fresh directory and unmounts it.
func canMount() bool {
	canMountOnce.Do(func() {
		dir, err := os.MkdirTemp("", "git-stage-mount-")
		if err != nil {
			return
		}
		defer os.Remove(dir)
		if unix.Mount("tmpfs", dir, "tmpfs", 0, "size=1m") == nil {
			canMountOK = unix.Unmount(dir, 0) == nil
		}
	})
	return canMountOK
}

// tmpfs DIR mounts a fresh tmpfs (another file system than $WORK's) on
// DIR, made if missing, for the rest of the script; it is unmounted at
// the end, whatever happens.
func cmdTmpfs(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: tmpfs DIR")
	}
	dir := ts.MkAbs(args[0])
	ts.Check(os.MkdirAll(dir, 0o755))
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=256m,mode=0755"); err != nil {
		ts.Fatalf("mount a tmpfs on %s: %v", dir, err)
	}
	ts.Defer(func() {
		if err := unix.Unmount(dir, 0); err != nil {
			unix.Unmount(dir, unix.MNT_DETACH)
		}
	})
}
