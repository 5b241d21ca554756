//go:build !linux

package main

import "github.com/rogpeppe/go-internal/testscript"

// canMount: scripts mount a tmpfs only on Linux.
func canMount() bool { return false }

func cmdTmpfs(ts *testscript.TestScript, neg bool, args []string) {
	ts.Fatalf("tmpfs: only on Linux (guard the script with [can-mount])")
}
