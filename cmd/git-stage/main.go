// Command git-stage makes staging copies of git repositories and brings
// their commits home. Git runs it as `git staging ...` (the name
// git-staging is a link to it): `git stage` is Git's own synonym for
// `git add`, which no program on PATH can override.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// version is set at build time by install.sh.
var version = "dev"

func main() {
	os.Exit(start(time.Now))
}

// start runs the program with signals turned into cancellation: the first
// SIGINT, SIGTERM or SIGHUP (its terminal closed) cancels the run, which
// then undoes what it started; signals that follow are absorbed so the
// cleanup can finish. Git children run in sessions of their own
// (gitcmd.RunInGroup): these signals reach them only through git-stage.
func start(now func() time.Time) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	if len(os.Args) > 1 && os.Args[1] == "__complete" {
		// A shell asks at every <TAB>: candidates or nothing, never an
		// error (a broken git config, a repository that is not there).
		run(ctx, os.Args, os.Stdout, io.Discard, now)
		return 0
	}
	return run(ctx, os.Args, os.Stdout, os.Stderr, now)
}
