//go:build unix && !linux

package gitcmd

// groupRunning: without /proc, a zombie counts as running.
func groupRunning(pgid int) bool { return true }
