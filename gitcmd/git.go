// Package gitcmd runs git. Every git process git-stage starts goes through
// Runner.Run: it sets the repository explicitly, scrubs the environment a
// hook or alias would leak, echoes the command when asked, and turns a
// failure into an *Error that carries the command, its exit code and stderr.
package gitcmd

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Cmd is one git invocation.
type Cmd struct {
	// Dir is the repository (or directory) git runs in. It is required: a
	// git call never depends on the caller's working directory by accident.
	Dir  string
	Args []string
	// Stdin, when not nil, is written to git's standard input.
	Stdin []byte
	// Tee copies git's stderr to the Runner's Stderr while it runs (progress,
	// remote messages) as well as keeping it for the error.
	Tee bool
	// Env holds NAME=value settings added to git's scrubbed environment.
	Env []string
	// Shown says the caller has traced the command already: the Runner
	// does not show it again.
	Shown bool
	// Stderr, when set, receives git's stderr as it runs, instead of the
	// Runner's Stderr (which Tee and Trace pass it to otherwise).
	Stderr io.Writer
}

// String is the command as a user could type it, with the password of
// any URL in it redacted (RedactURL).
func (c Cmd) String() string {
	env := ""
	for _, e := range c.Env {
		name, value, _ := strings.Cut(e, "=")
		env += name + "=" + Quote(RedactURL(value)) + " "
	}
	args := make([]string, len(c.Args))
	for i, a := range c.Args {
		args[i] = RedactURL(a)
	}
	return env + "git -C " + Quote(c.Dir) + " " + QuoteArgs(args)
}

// Show is the command as String gives it, then each line of its standard
// input marked "  < ", each line ending in a newline.
func (c Cmd) Show() string {
	var b strings.Builder
	b.WriteString(c.String() + "\n")
	if c.Stdin != nil {
		for _, line := range strings.Split(strings.TrimSuffix(string(c.Stdin), "\n"), "\n") {
			b.WriteString("  < " + Redact(line) + "\n")
		}
	}
	return b.String()
}

// Runner starts git processes.
type Runner struct {
	// Trace, when set, receives every command before it runs (-v).
	Trace io.Writer
	// Stderr receives git's stderr for Tee commands, and for every command
	// when Trace is set.
	Stderr io.Writer
	// Git is the program to run; "git" when empty.
	Git string
	// WaitDelay is how long git has to stop after a cancel before it and
	// its process group are killed; 10s when zero.
	WaitDelay time.Duration

	envOnce sync.Once
	env     []string
	started atomic.Int64
}

// Started reports how many git processes this Runner has started.
func (r *Runner) Started() int64 { return r.started.Load() }

// Output runs git in dir and returns its standard output.
func (r *Runner) Output(ctx context.Context, dir string, args ...string) ([]byte, error) {
	return r.Run(ctx, Cmd{Dir: dir, Args: args})
}

// readOnly reports whether the git command args only reads the
// repository (its index and refs stay as they are): status, the log and
// ref readers, config lookups.
func readOnly(args []string) bool {
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-c" || a == "-C":
			i++ // its value
		case strings.HasPrefix(a, "-"):
		case a == "config":
			return slices.ContainsFunc(args[i+1:], func(o string) bool {
				return o == "--get" || o == "--get-all" || o == "--get-regexp" || o == "-l" || o == "--list"
			})
		default:
			return slices.Contains(readOnlyCommands, a)
		}
	}
	return false
}

// readOnlyCommands are the git commands that never write a repository's
// index or refs.
var readOnlyCommands = []string{"status", "rev-list", "log", "for-each-ref", "cat-file", "ls-remote", "rev-parse",
	"diff", "diff-tree", "merge-base", "ls-files", "var"}

// Run runs c and returns its standard output. A non-zero exit, a failure to
// start, or a cancelled context is returned as an *Error.
func (r *Runner) Run(ctx context.Context, c Cmd) ([]byte, error) {
	if c.Dir == "" {
		return nil, &Error{Args: c.Args, ExitCode: -1, Err: errors.New("no repository directory given")}
	}
	r.envOnce.Do(func() { r.env = Environ() })
	prog := r.Git
	if prog == "" {
		prog = "git"
	}
	if r.Trace != nil && !c.Shown {
		fmt.Fprint(r.Trace, "+ ", c.Show())
	}

	cmd := exec.CommandContext(ctx, prog, c.Args...)
	cmd.Dir = c.Dir
	cmd.Env = r.env
	if readOnly(c.Args) {
		// A command that only reads takes no optional lock (git status
		// would write the index it refreshed): it never gets in the way
		// of git running in that repository.
		cmd.Env = append(slices.Clip(cmd.Env), "GIT_OPTIONAL_LOCKS=0")
	}
	if len(c.Env) > 0 {
		cmd.Env = append(slices.Clip(cmd.Env), c.Env...)
	}
	// On cancellation (Ctrl-C, SIGTERM) git's process group gets SIGINT
	// first so that git can remove its own lock files; it is killed only
	// if it does not exit (RunInGroup).
	cmd.WaitDelay = cmp.Or(r.WaitDelay, 10*time.Second)
	if c.Stdin != nil {
		cmd.Stdin = bytes.NewReader(c.Stdin)
	}
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	stderr := &tailBuffer{max: 64 << 10}
	cmd.Stderr = stderr
	// What git prints is passed on with URLs' passwords redacted: a
	// remote's message, a helper's error may show one.
	var pass io.Writer
	switch {
	case c.Stderr != nil:
		pass = c.Stderr
	case (c.Tee || r.Trace != nil) && r.Stderr != nil:
		pass = r.Stderr
	}
	var shown *redactingWriter
	if pass != nil {
		shown = newRedactingWriter(pass)
		cmd.Stderr = io.MultiWriter(cmd.Stderr, shown)
	}

	r.started.Add(1)
	err := RunInGroup(cmd, os.Interrupt)
	if shown != nil {
		shown.Flush()
	}
	if err == nil {
		return stdout.Bytes(), nil
	}
	gerr := &Error{Dir: c.Dir, Args: c.Args, ExitCode: -1, Stderr: stderr.String(), Stdout: stdout.Bytes(), Err: err,
		StderrShown: shown != nil && c.Stderr == nil}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) && exitErr.Exited() {
		gerr.ExitCode = exitErr.ExitCode()
	}
	if ctx.Err() != nil {
		gerr.Err = ctx.Err()
	}
	gerr.Interrupted = errors.Is(ctx.Err(), context.Canceled) || ctx.Err() == nil && Interrupted(err)
	return stdout.Bytes(), gerr
}

// Error is a git command that failed.
type Error struct {
	Dir      string
	Args     []string
	ExitCode int // -1 when git did not exit normally (not started, killed)
	// Interrupted says git was stopped by an interrupt: its context was
	// cancelled, or it died of SIGINT, SIGTERM or SIGHUP.
	Interrupted bool
	Stderr      string
	// StderrShown says git's stderr went to the user as git ran (-v, a
	// Tee command): Details leaves out what is already on the terminal.
	StderrShown bool
	Stdout      []byte
	Err         error
}

// Error says which git command failed and why, git's reason with any
// URL's password redacted and control characters masked.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("git")
	if sub := Subcommand(e.Args); sub != "" {
		b.WriteString(" " + sub)
	}
	switch {
	case e.Interrupted || errors.Is(e.Err, context.Canceled):
		b.WriteString(" interrupted")
	case errors.Is(e.Err, context.DeadlineExceeded):
		b.WriteString(" timed out")
	case e.ExitCode >= 0:
		fmt.Fprintf(&b, " failed (exit status %d)", e.ExitCode)
	default:
		fmt.Fprintf(&b, " failed: %v", e.Err)
	}
	if reason := e.Reason(); reason != "" {
		b.WriteString(": " + reason)
	}
	return Masked(Redact(b.String()))
}

// Unwrap gives why git did not run or finish (an *exec.ExitError, a
// context's error), for errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Err }

// Reason is the line of git's stderr that best says why it failed: the
// first "fatal:" or "error:" line. git translates those words (and every
// message): when no line starts with them, it is the first line that is
// neither the remote's ("remote: ...") nor progress, as git wrote it, in
// the user's language. Any URL's password in it is redacted, its control
// characters masked. It is what a message shows, never what a decision
// reads.
func (e *Error) Reason() string { return Masked(Redact(e.reason())) }

func (e *Error) reason() string {
	lines := outputLines(e.Stderr)
	for _, l := range lines {
		l = strings.TrimLeft(l, " \t")
		for _, p := range []string{"fatal: ", "error: "} {
			if strings.HasPrefix(l, p) {
				return strings.TrimPrefix(l, p)
			}
		}
	}
	for _, l := range lines {
		if l = strings.TrimLeft(l, " \t"); !strings.HasPrefix(l, "remote:") && !progressLine.MatchString(l) {
			return l
		}
	}
	return ""
}

// progressLine matches git's progress ("Objekte zählen: 100% (3/3), fertig.",
// "Enumerating objects: 5, done."), whose title alone is translated.
var progressLine = regexp.MustCompile(`^[^:]+: +[0-9]+(% \(|, |$)`)

// ExitCode returns the exit status of a git failure in err, or -1.
func ExitCode(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.ExitCode
	}
	return -1
}

// StderrOf returns the stderr of a git failure in err, or "".
func StderrOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Stderr
	}
	return ""
}

// Subcommand is the first argument that is not a global option.
func Subcommand(args []string) string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-c" || a == "-C":
			i++
		case strings.HasPrefix(a, "-"):
		default:
			return a
		}
	}
	return ""
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
