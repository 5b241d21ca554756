package stage

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/git-stage/git-stage/gitcmd"
	"golang.org/x/sys/unix"
)

// ConfigFileName is the config file's name in the staging root.
const ConfigFileName = ".staging_sync.json"

// ConfigVersion is the format this git-stage reads and writes.
const ConfigVersion = 1

// Config is the content of the config file: one mapping per staging name.
type Config struct {
	Version  int                 `json:"version"`
	Stagings map[string]*Mapping `json:"stagings"`
}

// Mapping ties a staging copy to the work repository it came from.
type Mapping struct {
	StagingPath string    `json:"staging_path"`
	WorkPath    string    `json:"work_path"`
	WorkRoot    string    `json:"work_root"`
	Remote      string    `json:"remote"`
	RemoteURL   string    `json:"remote_url"`
	BaseBranch  string    `json:"base_branch"`
	BaseCommit  string    `json:"base_commit"`
	TempBranch  string    `json:"temp_branch"`
	Created     time.Time `json:"created"`
	LastSync    *Sync     `json:"last_sync"`
	// ReviewBranch is the remote branch the last --review-branch sync
	// pushed to; "" when none did.
	ReviewBranch string `json:"review_branch"`
	// Leftovers are temp branches that could not be deleted from the remote.
	Leftovers []string `json:"leftover_temp_branches"`
}

// Sync records a sync-back.
type Sync struct {
	Time       time.Time `json:"time"`
	Commit     string    `json:"commit"`
	Branch     string    `json:"branch"`
	TempBranch string    `json:"temp_branch"`
	Mode       string    `json:"mode"`
}

// NewConfig returns an empty config of the current version.
func NewConfig() *Config {
	return &Config{Version: ConfigVersion, Stagings: map[string]*Mapping{}}
}

// ParseConfig decodes and checks a config file's bytes; the config shares
// memory with data, which the caller must not change afterwards. It refuses files of
// another version and files whose content git-stage could not have written.
func ParseConfig(data []byte) (*Config, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("the file is empty")
	}
	// One pass in the usual case; when it fails, a careful second look
	// says why, the version first (a newer file may not decode at all).
	version, stagings, hasVersion, ok := decodeFast(data)
	if !ok {
		var file struct {
			Version  *int                `json:"version"`
			Stagings map[string]*Mapping `json:"stagings"`
		}
		if err := json.Unmarshal(data, &file); err != nil {
			return nil, explainConfig(data)
		}
		hasVersion, stagings = file.Version != nil, file.Stagings
		if hasVersion {
			version = *file.Version
		}
	}
	if !hasVersion || version != ConfigVersion {
		return nil, explainConfig(data)
	}
	c := &Config{Version: ConfigVersion, Stagings: stagings}
	if c.Stagings == nil {
		c.Stagings = map[string]*Mapping{}
	}
	for name, m := range c.Stagings {
		if clean, err := CleanName(name); err != nil || clean != name {
			return nil, fmt.Errorf("invalid staging name %q", name)
		}
		if m == nil {
			return nil, fmt.Errorf("staging %q: empty entry", name)
		}
		if !filepath.IsAbs(m.StagingPath) || !filepath.IsAbs(m.WorkPath) {
			return nil, fmt.Errorf("staging %q: paths must be absolute", name)
		}
		// A file written before passwords were kept out of it: the
		// password is never shown, and the next write drops it.
		m.RemoteURL = gitcmd.RedactURL(m.RemoteURL)
	}
	return c, nil
}

// explainConfig says what is wrong with a config file that did not
// decode: its syntax, its version, or its stagings.
func explainConfig(data []byte) error {
	var raw struct {
		Version  *int            `json:"version"`
		Stagings json.RawMessage `json:"stagings"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raw); err != nil {
		return withPosition(data, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("unexpected data after the JSON object")
	}
	switch {
	case raw.Version == nil:
		return errors.New(`no "version" field`)
	case *raw.Version > ConfigVersion:
		return fmt.Errorf("version %d is newer than this git-stage understands (%d)", *raw.Version, ConfigVersion)
	case *raw.Version < ConfigVersion:
		return fmt.Errorf("unknown version %d", *raw.Version)
	}
	var stagings map[string]*Mapping
	if err := json.Unmarshal(raw.Stagings, &stagings); err != nil {
		return fmt.Errorf("stagings: %w", withPosition(data, err))
	}
	return errors.New("the file does not decode")
}

// withPosition adds the line and column to a JSON syntax error.
func withPosition(data []byte, err error) error {
	var syn *json.SyntaxError
	if !errors.As(err, &syn) || syn.Offset <= 0 || syn.Offset > int64(len(data)) {
		return err
	}
	before := data[:syn.Offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n') - 1
	return fmt.Errorf("line %d, column %d: %w", line, col, err)
}

// Marshal encodes the config as the file stores it: indented, sorted by
// name, with a trailing newline.
func (c *Config) Marshal() ([]byte, error) {
	for _, m := range c.Stagings {
		if m.Leftovers == nil {
			m.Leftovers = []string{}
		}
		m.RemoteURL = gitcmd.RedactURL(m.RemoteURL) // no password is stored
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(c); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Store is the config file at Path. Reads need no lock: writes replace the
// file atomically, so a reader sees the old file or the new one.
type Store struct {
	Path string
	// LockWait is how long Update waits for another process's update.
	LockWait time.Duration
}

// Load reads the config. A missing file is an empty config.
func (s *Store) Load() (*Config, error) {
	data, err := readConfigFile(s.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return NewConfig(), nil
	}
	if err != nil {
		return nil, s.unreadable(err)
	}
	c, err := ParseConfig(data)
	if err != nil {
		return nil, s.unreadable(err)
	}
	return c, nil
}

// maxConfigSize bounds the config file git-stage reads: far more than any
// real one needs (10,000 mappings take about 6 MiB), far less than memory.
const maxConfigSize = 256 << 20

// readConfigFile reads the config file: a regular file only
// (openRegular), of at most maxConfigSize bytes. A large one is mapped
// into memory with its pages populated at once, instead of read into
// fresh memory that faults in page by page: most of list's time for 10,000 mappings on a
// virtual machine. The mapping is never unmapped (the config's strings
// share it) and the file is never changed in place (writes rename a new
// file over it), so it stays valid for the life of the process.
func readConfigFile(path string) ([]byte, error) {
	f, fi, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size := fi.Size()
	if size > maxConfigSize {
		return nil, tooLarge(size)
	}
	if size >= 1<<20 {
		if data, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_PRIVATE|mmapPopulate); err == nil {
			return data, nil
		}
	}
	// The file may grow while it is read: the limit holds all the same.
	data, err := io.ReadAll(io.LimitReader(f, maxConfigSize+1))
	if err == nil && len(data) > maxConfigSize {
		return nil, tooLarge(int64(len(data)))
	}
	return data, err
}

// openRegular opens a regular file for reading, without waiting: a named
// pipe would block the open until a writer came, which no interrupt could
// stop. Anything else is refused (checkRegular).
func openRegular(path string) (*os.File, fs.FileInfo, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err == nil {
		err = checkRegular(fi.Mode())
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

// checkRegular refuses what is not a regular file: reading a named pipe
// waits for a writer, and a device such as /dev/zero never ends.
func checkRegular(mode fs.FileMode) error {
	switch {
	case mode.IsRegular():
		return nil
	case mode.IsDir():
		return errors.New("it is a directory, not a regular file")
	case mode&fs.ModeNamedPipe != 0:
		return errors.New("it is not a regular file (a named pipe)")
	case mode&fs.ModeSocket != 0:
		return errors.New("it is not a regular file (a socket)")
	case mode&fs.ModeDevice != 0:
		return errors.New("it is not a regular file (a device)")
	}
	return errors.New("it is not a regular file")
}

func tooLarge(size int64) error {
	return fmt.Errorf("it is larger than %d MiB (%d MiB)", maxConfigSize>>20, size>>20)
}

func (s *Store) unreadable(err error) error {
	return wrap(err,
		"fix or move the file aside; git-stage never overwrites a config it cannot read",
		"cannot use config %s", s.Path)
}

// Update applies fn to the config under an exclusive lock and writes the
// result atomically. The lock is held only for this read-modify-write. If
// fn fails, nothing is written.
func (s *Store) Update(ctx context.Context, fn func(*Config) error) error {
	dir := filepath.Dir(s.Path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return wrap(err, "", "create config directory")
	}
	unlock, err := lockConfig(ctx, s.Path, s.LockWait)
	if err != nil {
		return err
	}
	defer unlock()

	c, err := s.Load()
	if err != nil {
		return err
	}
	if err := fn(c); err != nil {
		return err
	}
	data, err := c.Marshal()
	if err != nil {
		return err
	}
	if err := writeFileAtomic(s.Path, data); err != nil {
		return wrap(err, "check that the directory is writable; the old config is intact", "write config %s", s.Path)
	}
	return nil
}

// configMode is the most open mode of the config file. It holds no
// secret (no password is stored), but what is there is the user's.
const configMode fs.FileMode = 0o644

// createTemp creates a new file in dir whose name starts with prefix, with
// mode configMode less the user's umask (os.CreateTemp's file is 0600,
// whatever the umask).
func createTemp(dir, prefix string) (*os.File, error) {
	for {
		var b [6]byte
		rand.Read(b[:])
		f, err := os.OpenFile(filepath.Join(dir, prefix+hex.EncodeToString(b[:])), os.O_RDWR|os.O_CREATE|os.O_EXCL, configMode)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
}

// writeFileAtomic replaces path with data: a temp file in the same
// directory, synced, then renamed over path. A symlink at path is followed,
// even to a file not yet there, so a config kept in a dotfiles repository
// stays a link.
func writeFileAtomic(path string, data []byte) error {
	for range 40 {
		target, err := os.Readlink(path)
		if err != nil {
			break
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(path), target)
		}
		path = target
	}
	dir := filepath.Dir(path)
	f, err := createTemp(dir, "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op once renamed
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	// A new file has the user's umask (createTemp); one replaced keeps
	// its mode, never more open than 0644.
	if fi, err := os.Stat(path); err == nil {
		if err := f.Chmod(fi.Mode().Perm() & configMode); err != nil {
			f.Close()
			return err
		}
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
