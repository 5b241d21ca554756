package stage

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"

	"github.com/gofrs/flock"
)

// lockCopy takes the lock that serialises whole runs (clone, sync-back) on
// one staging copy. It lives beside the config, named after the copy's
// path, and is released when the process ends, however it ends. A copy that
// is busy is refused at once, as git refuses a locked index.
func lockCopy(configPath, stagingPath, name string) (unlock func(), err error) {
	dir := filepath.Join(filepath.Dir(configPath), ".staging_sync.locks")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, wrap(err, "", "create lock directory")
	}
	path := filepath.Join(dir, lockName(stagingPath))
	l := flock.New(path)
	ok, err := l.TryLock()
	if err != nil {
		return nil, wrap(err, "", "lock staging copy %q", name)
	}
	if !ok {
		return nil, refuse("wait for the other run to finish, then try again",
			"another git-stage is working on staging copy %q (lock %s)", name, path)
	}
	return func() { l.Unlock() }, nil
}

// lockName is the lock file of the copy at stagingPath.
func lockName(stagingPath string) string {
	sum := sha256.Sum256([]byte(stagingPath))
	return hex.EncodeToString(sum[:8]) + ".lock"
}
