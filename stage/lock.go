// Every lock git-stage takes, in one place: the config file's, for one
// read-modify-write (lockConfig); one per staging copy, for a whole run
// on it (lockCopy); one per work repository, for a landing into it
// (lockWork). All are flock(2) locks, released when the process ends,
// however it ends.

package stage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/git-stage/git-stage/gitcmd"
	"github.com/gofrs/flock"
	"golang.org/x/sys/unix"
)

// lockCopy takes the lock that serialises whole runs (clone, sync-back) on
// one staging copy. It lives beside the config, named after the copy's
// path, and is released when the process ends, however it ends. A copy that
// is busy is refused at once, as git refuses a locked index. created is
// what taking it made, outermost first: directories (the lock directory,
// perhaps the config's) and the lock file.
func lockCopy(configPath, stagingPath, name string) (unlock func(), created []string, err error) {
	path := copyLockPath(configPath, stagingPath)
	unlock, created, busy, err := tryLock(path)
	switch {
	case err != nil:
		removeCreated(created)
		return nil, nil, wrap(err, "", "lock staging copy %q", name)
	case busy:
		removeCreated(created)
		return nil, nil, refuse("wait for the other run to finish, then try again",
			"another git-stage is working on staging copy %q (lock %s)", name, path)
	}
	return unlock, created, nil
}

// tryLock takes the lock file at path (and makes its directory; created
// is what it made, the file last) unless another process holds it: then
// it reports busy. A run that made the lock file may remove it again
// while it holds it (an aborted clone leaves nothing it made): a lock
// taken on a file that is no longer at path is taken again.
//
// Its directories may vanish too, under another copy's aborted clone that
// made them: that is retried (each retry means another run removed them,
// which a bounded number of runs can do), never reported as an error.
func tryLock(path string) (unlock func(), created []string, busy bool, err error) {
	const vanishedRetries = 100
	for attempt := 0; ; attempt++ {
		made, err := mkdirTracked(filepath.Dir(path))
		created = append(created, made...)
		if errors.Is(err, fs.ErrNotExist) && attempt < vanishedRetries {
			continue // a directory above was removed meanwhile
		}
		if err != nil {
			return nil, created, false, err
		}
		there, _ := exists(path)
		l := newFlock(path)
		ok, err := l.TryLock()
		switch {
		case errors.Is(err, fs.ErrNotExist) && attempt < vanishedRetries:
			continue // its directory was removed meanwhile
		case err != nil || !ok:
			return nil, created, err == nil, err
		}
		held, herr := l.Stat()
		now, nerr := os.Stat(path)
		if herr == nil && nerr == nil && os.SameFile(held, now) {
			if !there {
				created = append(created, path)
			}
			return func() { l.Unlock() }, created, false, nil
		}
		l.Unlock()
		if attempt >= 3 {
			return nil, created, true, nil
		}
	}
}

// copyLockPath is the lock file of the copy at stagingPath, in the lock
// directory beside the config. It is named after the copy's place with
// its parent's links resolved, so that runs spelling the staging root
// differently (through a symlink) share it; the place itself is not
// resolved, since a copy may be replaced by a link.
func copyLockPath(configPath, stagingPath string) string {
	place := filepath.Join(physical(filepath.Dir(stagingPath)), filepath.Base(stagingPath))
	return filepath.Join(filepath.Dir(configPath), lockDirName, lockName(place))
}

// newFlock is the lock on the file at path (created if missing), opened
// without waiting: a named pipe left there must not block the open, which
// no interrupt could stop.
func newFlock(path string) *flock.Flock {
	return flock.New(path, flock.SetFlag(os.O_CREATE|os.O_RDONLY|unix.O_NONBLOCK))
}

// lockName is the lock file of the copy at stagingPath.
func lockName(stagingPath string) string {
	sum := sha256.Sum256([]byte(stagingPath))
	return hex.EncodeToString(sum[:8]) + ".lock"
}

// workLockWait bounds how long a sync-back waits for the landings before
// it into the same work repository: long enough for several in a row.
const workLockWait = 10 * time.Minute

// lockWork takes the lock that serialises landings into the work
// repository at work, held from the checks to the final push: a second
// sync-back waits for it, saying so (wait false: refused at once), then
// runs its own checks against what the first left. It lives in the work
// repository's git directory, so that copies recorded in any config
// share it; an interrupt stops the wait.
func (a *App) lockWork(ctx context.Context, work string, wait bool) (unlock func(), err error) {
	path := filepath.Join(gitcmd.CommonGitDir(work), "staging-sync.lock")
	l := newFlock(path)
	ok, err := l.TryLock()
	if err != nil {
		return nil, wrap(err, "", "lock work repository %s", work)
	}
	if !ok && !wait {
		return nil, refuse("run it again once that one is done, or without --no-wait to wait for it",
			"another sync-back is landing in %s (lock %s)", work, path)
	}
	if !ok {
		a.infof("waiting for another sync-back into %s to finish (lock %s)...", work, path)
		lctx, cancel := context.WithTimeout(ctx, workLockWait)
		defer cancel()
		ok, err = l.TryLockContext(lctx, 20*time.Millisecond)
		switch {
		case ctx.Err() != nil:
			return nil, errInterrupted
		case err != nil && !errors.Is(err, context.DeadlineExceeded):
			return nil, wrap(err, "", "lock work repository %s", work)
		case !ok:
			return nil, refuse("see whether a sync-back into it is stuck, then run this one again",
				"another sync-back into %s did not finish within %d minutes (lock %s)", work, int(workLockWait.Minutes()), path)
		}
	}
	return func() { l.Unlock() }, nil
}

// lockConfig takes the lock of the config file at path for one
// read-modify-write, waiting for another holder up to wait (30 seconds
// when 0).
func lockConfig(ctx context.Context, path string, wait time.Duration) (unlock func(), err error) {
	lock := newFlock(path + configLockSuffix)
	if wait == 0 {
		wait = 30 * time.Second
	}
	lctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	ok, err := lock.TryLockContext(lctx, 10*time.Millisecond)
	if ctx.Err() != nil {
		return nil, errInterrupted
	}
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return nil, wrap(err, "", "lock config %s", path)
	}
	if !ok {
		return nil, refuse("another git-stage holds the lock for longer than expected; try again",
			"config %s is locked (%s%s)", path, path, configLockSuffix)
	}
	return func() { lock.Unlock() }, nil
}
