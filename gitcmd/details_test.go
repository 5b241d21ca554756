package gitcmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestDetails: a failure's shown lines are the remote's words (no empty
// lines, no progress, git's padding trimmed), the refs a push had
// refused, then git's own lines (a local hook's, "error:"), without
// progress or git's advice; passwords redacted; none when they would
// only repeat the reason.
func TestDetails(t *testing.T) {
	push := []string{"push", "--porcelain", "origin", "main"}
	for _, c := range []struct {
		name   string
		args   []string
		stderr string
		stdout string
		want   []string
	}{
		{"pre-receive", push,
			"Enumerating objects: 2, done.\nCounting objects:  50% (1/2)\rCounting objects: 100% (2/2), done.\n" +
				"Total 2 (delta 0), reused 0 (delta 0), pack-reused 0\n" +
				"remote: Resolving deltas: 100% (1/1), done.        \nremote: tests failing        \nremote: \nremote: \x1b[Kdetails at https://u:hunter2@ci.example.com/7\x1b[K\n" +
				"error: failed to push some refs to '/r.git'\n",
			"To /r.git\n!\trefs/heads/main:refs/heads/main\t[remote rejected] (pre-receive hook declined)\n" +
				"!\t:refs/heads/tmp\t[remote rejected] (atomic push failed)\n=\trefs/heads/x:refs/heads/x\t[up to date]\nDone\n",
			[]string{"remote: tests failing", "remote: details at https://u:***@ci.example.com/7",
				"! [remote rejected] refs/heads/main (pre-receive hook declined)",
				"! [remote rejected] refs/heads/tmp (atomic push failed)",
				"error: failed to push some refs to '/r.git'"}},
		{"pre-push hook", push,
			"lint: 3 problems\nlint: main.go:1: missing package comment\nerror: failed to push some refs to '/r.git'\n", "",
			[]string{"lint: 3 problems", "lint: main.go:1: missing package comment", "error: failed to push some refs to '/r.git'"}},
		{"git's advice", push,
			"error: failed to push some refs to '/r.git'\nhint: Updates were rejected because the tip of your current branch is behind\nhint: its remote counterpart.\n",
			"!\trefs/heads/main:refs/heads/main\t[rejected] (non-fast-forward)\n",
			[]string{"! [rejected] refs/heads/main (non-fast-forward)", "error: failed to push some refs to '/r.git'"}},
		{"only the reason", []string{"fetch", "origin"}, "fatal: couldn't find remote ref nosuch\n", "", nil},
		{"a hook's one line", []string{"checkout", "main"}, "checkout hook fails\n", "", nil},
		{"not a push's stdout", []string{"for-each-ref"}, "fatal: bad\nfatal: worse\n", "!\ta:b\tc\n",
			[]string{"fatal: bad", "fatal: worse"}},
		{"translated", push, "Gesamt 2 (Delta 0), Wiederverwendet 0 (Delta 0), Pack wiederverwendet 0\nremote: Tests schlagen fehl\n" +
			"Fehler: Fehler beim Versenden einiger Referenzen nach '/r.git'\n", "",
			[]string{"remote: Tests schlagen fehl", "Fehler: Fehler beim Versenden einiger Referenzen nach '/r.git'"}},
		{"the remote's one line", push, "remote: only this\n", "", []string{"remote: only this"}},
		{"nothing", push, "", "", nil},
		{"a hostile remote's control characters", push,
			"remote: tests \x1b[31mfailing\x1b]0;owned\x07 \x1b[2J\nerror: failed to push some refs to '/r.git'\n",
			"!\trefs/heads/main:refs/heads/main\t[remote rejected] (\x1b[2Jdeclined)\n",
			[]string{"remote: tests ^[[31mfailing^[]0;owned^G ^[[2J", "! [remote rejected] refs/heads/main (^[[2Jdeclined)",
				"error: failed to push some refs to '/r.git'"}},
	} {
		e := &Error{Args: c.args, Stderr: c.stderr, Stdout: []byte(c.stdout)}
		if got := e.Details(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: Details = %q, want %q", c.name, got, c.want)
		}
	}
}

// TestDetailsKeepTheLast: a long output shows its last lines, where git
// and a hook put their conclusion, after a line saying how many are not
// shown.
func TestDetailsKeepTheLast(t *testing.T) {
	var stderr strings.Builder
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&stderr, "remote: line %d\n", i)
	}
	stderr.WriteString("error: failed to push some refs to '/r.git'\n")
	got := (&Error{Args: []string{"push"}, Stderr: stderr.String()}).Details()
	if len(got) != maxDetails+1 || got[0] != "(11 lines before these not shown)" || got[1] != "remote: line 12" ||
		got[maxDetails] != "error: failed to push some refs to '/r.git'" {
		t.Errorf("Details = %q", got)
	}
}

// TestRemoteLines: the remote's words, as a decision may read them to
// add a hint: without the prefix, the padding, empty lines or progress.
func TestRemoteLines(t *testing.T) {
	e := &Error{Stderr: "remote: Counting objects: 100% (3/3), done.\nremote: \nremote: Gitea: branch main is protected from force push        \nerror: x\n"}
	if got := e.RemoteLines(); !reflect.DeepEqual(got, []string{"Gitea: branch main is protected from force push"}) {
		t.Errorf("RemoteLines = %q", got)
	}
}

// TestDetailsOfRealPush: what git prints when a pre-receive hook refuses
// a push, as the Runner keeps it.
func TestDetailsOfRealPush(t *testing.T) {
	remote := t.TempDir()
	git(t, remote, "init", "-q", "--bare")
	hook := "#!/bin/sh\necho 'tests failing'\necho\necho 'GitLab: You are not allowed to push code to protected branches on this project.' >&2\nexit 1\n"
	if err := os.WriteFile(filepath.Join(remote, "hooks", "pre-receive"), []byte(hook), 0o755); err != nil {
		t.Fatal(err)
	}
	dir := newRepo(t)
	git(t, dir, "commit", "-q", "--allow-empty", "-m", "one")
	_, err := (&Runner{}).Run(context.Background(), Push{Dir: dir, Remote: remote, Refspecs: []string{"main"}, Progress: true}.Cmd())
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("push: %v", err)
	}
	want := []string{"remote: tests failing",
		"remote: GitLab: You are not allowed to push code to protected branches on this project.",
		"! [remote rejected] refs/heads/main (pre-receive hook declined)",
		"error: failed to push some refs to '" + remote + "'"}
	if got := e.Details(); !reflect.DeepEqual(got, want) {
		t.Errorf("Details = %q, want %q", got, want)
	}
}

// TestDetailsShown: when git's stderr went to the terminal as git ran
// (-v), the details are only what it did not show there: the refs a
// push had refused, from its --porcelain output.
func TestDetailsShown(t *testing.T) {
	e := &Error{Args: []string{"push", "--porcelain", "origin", "main"}, StderrShown: true,
		Stderr: "remote: tests failing\nerror: failed to push some refs to '/r.git'\n",
		Stdout: []byte("!\trefs/heads/main:refs/heads/main\t[remote rejected] (pre-receive hook declined)\n")}
	want := []string{"! [remote rejected] refs/heads/main (pre-receive hook declined)"}
	if got := e.Details(); !reflect.DeepEqual(got, want) {
		t.Errorf("Details = %q, want %q", got, want)
	}
	e = &Error{Args: []string{"checkout", "main"}, StderrShown: true, Stderr: "hook: one\nhook: two\n"}
	if got := e.Details(); got != nil {
		t.Errorf("Details of a checkout whose stderr was shown = %q, want none", got)
	}
}
