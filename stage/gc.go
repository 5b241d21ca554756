package stage

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/git-stage/git-stage/gitcmd"
)

// waitForGCStep waits while `git gc` runs in the work repository. gc
// deletes loose objects and old packs as it repacks them, and a local
// clone hard-linking them at that moment fails; a commit of many files
// starts such a gc in the background, so staging right after committing
// would otherwise fail now and then. gc announces itself in gc.pid.
func (a *App) waitForGCStep(work string) *step {
	return &step{
		desc: "wait for any git gc running in " + work,
		do: func(ctx context.Context) error {
			pidFile := filepath.Join(gitcmd.CommonGitDir(work), "gc.pid")
			for announced := false; gcRunning(pidFile); {
				if !announced {
					a.infof("waiting for git gc in %s to finish...", work)
					announced = true
				}
				select {
				case <-ctx.Done():
					return errInterrupted
				case <-time.After(100 * time.Millisecond):
				}
			}
			return nil
		},
	}
}

// gcRunning applies git's own reading of gc.pid ("<pid> <host>"): a gc is
// running if the file is less than 12 hours old, names this host, and its
// process is alive.
func gcRunning(pidFile string) bool {
	fi, err := os.Stat(pidFile)
	if err != nil || time.Since(fi.ModTime()) > 12*time.Hour {
		return false
	}
	data, err := os.ReadFile(pidFile)
	if err != nil {
		return false
	}
	pidText, host, _ := strings.Cut(strings.TrimSpace(string(data)), " ")
	pid, err := strconv.Atoi(pidText)
	if err != nil || pid <= 0 {
		return false
	}
	if me, err := os.Hostname(); err != nil || host != me {
		return false // another machine's gc: git cannot tell either
	}
	err = syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
