package stage

import (
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/git-stage/git-stage/gitcmd"
)

// App is what every command runs with: the git runner, where output goes,
// and the clock.
type App struct {
	Git    *gitcmd.Runner
	Stdout io.Writer // results
	Stderr io.Writer // messages
	Trace  io.Writer // -v: each step as it runs; nil when not verbose
	Quiet  bool
	// Progress lets git show its progress (stderr is a terminal, not -q).
	Progress bool
	Now      func() time.Time

	json bool // the command prints its result as JSON (--json)
}

// Settings are the global settings, resolved to absolute paths.
type Settings struct {
	Cwd         string
	WorkRoot    string // "" when not set
	StagingRoot string
	ConfigPath  string // "" for <staging-root>/.staging_sync.json
	// Here is the staging name the repository at Cwd records (its git
	// config stage.name): the copy a command without a name acts on.
	Here string
	// Remote is git config stage.remote ("" when not set): clone's remote
	// when --remote is not given and the branch has no remote of its own.
	Remote string
	// PreSync is git config stage.preSync as read at Cwd: every value, in
	// order (sync-back's gate, when Cwd is in the copy).
	PreSync []string
}

// Config is the config file's path.
func (s Settings) Config() string {
	if s.ConfigPath != "" {
		return s.ConfigPath
	}
	return filepath.Join(s.StagingRoot, ConfigFileName)
}

func (s Settings) store() *Store { return &Store{Path: s.Config()} }

// infof and warnf print a message, with the password of any URL in it
// redacted.
func (a *App) infof(format string, args ...any) {
	if !a.Quiet {
		fmt.Fprintln(a.Stderr, gitcmd.Redact(fmt.Sprintf(format, args...)))
	}
}

func (a *App) warnf(format string, args ...any) {
	fmt.Fprintln(a.Stderr, "warning: "+gitcmd.Redact(fmt.Sprintf(format, args...)))
}

// progressArg is the flag that lets git show its progress, or silences it.
func (a *App) progressArg() string {
	if a.Progress {
		return "--progress"
	}
	return "--quiet"
}

// stamp is the time as backup refs and temp branches are named after:
// YYYYMMDDHHMMSS, UTC.
func (a *App) stamp() string { return a.Now().UTC().Format(stampLayout) }
