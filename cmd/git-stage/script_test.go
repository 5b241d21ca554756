package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// The scripts run git-stage as a program: the test binary, under both of
// the names install.sh gives it.
func TestMain(m *testing.M) {
	testscript.Main(scriptsSideBySide{m}, map[string]func(){
		"git-stage":   func() { os.Exit(start(testClock())) },
		"git-staging": func() { os.Exit(start(testClock())) },
		"ctrlc":       func() { os.Exit(ctrlc(os.Args[1:])) },
	})
}

// scriptsSideBySide runs the tests with more of them side by side than go
// test's default (-parallel, GOMAXPROCS), unless -parallel is given: a
// script spends its time waiting for the git, git-stage and hook
// processes it starts, not running Go code, so GOMAXPROCS at a time
// leaves the machine's cores idle between processes, and on a machine
// that other work keeps busy gets the suite too small a share of it.
type scriptsSideBySide struct{ m *testing.M }

func (s scriptsSideBySide) Run() int {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		flag.Set("test.parallel", strconv.Itoa(4*runtime.GOMAXPROCS(0)))
	}
	return s.m.Run()
}

// testClock pins the time (temp branch names, config timestamps) when a
// script sets GIT_STAGE_TEST_NOW. Only the test binary reads it.
func testClock() func() time.Time {
	v := os.Getenv("GIT_STAGE_TEST_NOW")
	if v == "" {
		return time.Now
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		panic(err)
	}
	return func() time.Time { return t }
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("..", "..", "testscripts"),
		Setup:               setupScript,
		RequireExplicitExec: true,
		// [exists:PATH]: a file of the machine is there. [root]: the
		// tests run as root. [can-mount]: this process may mount a tmpfs
		// (root, outside a locked-down container).
		Condition: func(cond string) (bool, error) {
			if cond == "root" {
				return os.Geteuid() == 0, nil
			}
			if p, ok := strings.CutPrefix(cond, "exists:"); ok {
				_, err := os.Stat(p)
				return err == nil, nil
			}
			if cond == "can-mount" {
				return canMount(), nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits":          cmdExits,
			"gitdaemon":      cmdGitDaemon,
			"daemonidle":     cmdDaemonIdle,
			"mkrepos":        cmdMkrepos,
			"state":          cmdState,
			"planran":        cmdPlanRan,
			"gitwrap":        cmdGitWrap,
			"githttp":        cmdGitHTTP,
			"waitfile":       cmdWaitfile,
			"waitgone":       cmdWaitgone,
			"readme-snippet": cmdReadmeSnippet,
			"tmpfs":          cmdTmpfs,
			"json":           cmdJSON,
		},
	})
}

const fixedTime = "2026-11-24T10:00:00Z"

var (
	goEnvOnce sync.Once
	goEnv     []string
)

// setupScript gives every script its own HOME and a fixed git identity
// and clock, and nothing from the machine's git configuration.
func setupScript(env *testscript.Env) error {
	home := filepath.Join(env.WorkDir, ".home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		return err
	}
	gitconfig := "[user]\n\tname = A U Thor\n\temail = author@example.com\n" +
		"[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n"
	if err := os.WriteFile(filepath.Join(home, ".gitconfig"), []byte(gitconfig), 0o644); err != nil {
		return err
	}
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		return err
	}
	for k, v := range map[string]string{
		"HOME":                home,
		"REPO":                repo,
		"GIT_CONFIG_NOSYSTEM": "1",
		"GIT_AUTHOR_NAME":     "A U Thor",
		"GIT_AUTHOR_EMAIL":    "author@example.com",
		"GIT_COMMITTER_NAME":  "C O Mitter",
		"GIT_COMMITTER_EMAIL": "committer@example.com",
		"GIT_AUTHOR_DATE":     "2026-11-24 10:00:00 +0000",
		"GIT_COMMITTER_DATE":  "2026-11-24 10:00:00 +0000",
		"GIT_STAGE_TEST_NOW":  fixedTime,
		"TZ":                  "UTC",
		"LC_ALL":              "C",
	} {
		env.Setenv(k, v)
	}
	if os.Getenv("GORACE") == "" {
		env.Setenv("GORACE", "atexit_sleep_ms=0") // a race-enabled binary otherwise sleeps 1s at exit
	}
	// install.sh runs `go build`: give it this toolchain's caches.
	goEnvOnce.Do(func() {
		out, err := exec.Command("go", "env", "GOCACHE", "GOMODCACHE", "GOPATH", "GOFLAGS", "GOPROXY", "GOROOT").Output()
		if err == nil {
			vals := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
			for i, k := range []string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOFLAGS", "GOPROXY", "GOROOT"} {
				if i < len(vals) {
					goEnv = append(goEnv, k, vals[i])
				}
			}
		}
	})
	for i := 0; i+1 < len(goEnv); i += 2 {
		env.Setenv(goEnv[i], goEnv[i+1])
	}
	return nil
}

// scriptGit runs git with the script's environment.
func scriptGit(ts *testscript.TestScript, dir string, args ...string) string {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	for _, k := range []string{"PATH", "HOME", "GIT_CONFIG_NOSYSTEM", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL",
		"GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE", "TZ", "LC_ALL"} {
		cmd.Env = append(cmd.Env, k+"="+ts.Getenv(k))
	}
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		ts.Fatalf("git %s (in %s): %v\n%s", strings.Join(args, " "), dir, err, stderr)
	}
	return string(out)
}

// exits N PROG ARGS...: run PROG and require exit status N; its stdout
// and stderr are left for the commands that follow, as after exec.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits N PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("run %s: %v", args[1], err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}

// mkrepos WORK REMOTE: a bare remote, and a work repository with one
// commit on main, pushed, tracking origin/main.
func cmdMkrepos(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: mkrepos WORK REMOTE")
	}
	work, remote := ts.MkAbs(args[0]), ts.MkAbs(args[1])
	ts.Check(os.MkdirAll(remote, 0o755))
	scriptGit(ts, remote, "init", "-q", "--bare")
	ts.Check(os.MkdirAll(work, 0o755))
	scriptGit(ts, work, "init", "-q", "-b", "main")
	ts.Check(os.WriteFile(filepath.Join(work, "README.md"), []byte("hello\n"), 0o644))
	scriptGit(ts, work, "add", "README.md")
	scriptGit(ts, work, "commit", "-q", "-m", "initial")
	scriptGit(ts, work, "remote", "add", "origin", remote)
	scriptGit(ts, work, "push", "-q", "-u", "origin", "main")
}

// state PATH...: what a refusal must leave unchanged, printed to stdout
// for cmp: for a repository its HEAD, refs and status; for a directory
// its files and their hashes; for a file its hash; else "absent". Lock
// files (and the directory of the copies' lock files) are left out: taking
// a lock is not a change.
func cmdState(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! state")
	}
	w := ts.Stdout()
	for _, a := range args {
		p := ts.MkAbs(a)
		fmt.Fprintf(w, "== %s\n", a)
		fi, err := os.Lstat(p)
		switch {
		case err != nil:
			fmt.Fprintln(w, "absent")
		case isRepo(p):
			head := strings.TrimSpace(scriptGit(ts, p, "rev-parse", "--symbolic-full-name", "HEAD"))
			oid := strings.TrimSpace(scriptGit(ts, p, "rev-parse", "-q", "--verify", "HEAD^{commit}"))
			fmt.Fprintf(w, "HEAD %s %s\n", head, oid)
			fmt.Fprint(w, scriptGit(ts, p, "for-each-ref", "--format=%(objectname) %(refname)"))
			if bare := strings.TrimSpace(scriptGit(ts, p, "rev-parse", "--is-bare-repository")); bare == "false" {
				fmt.Fprint(w, scriptGit(ts, p, "status", "--porcelain", "--untracked-files=all"))
			}
		case fi.IsDir():
			var lines []string
			filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
				if err != nil || path == p {
					return err
				}
				rel, _ := filepath.Rel(p, path)
				switch {
				case d.Name() == ".staging_sync.locks":
					return filepath.SkipDir // the lock files, made by taking a lock
				case d.Name() == ".git":
					lines = append(lines, rel+"/ (not listed)")
					return filepath.SkipDir
				case strings.HasSuffix(d.Name(), ".lock"):
					return nil
				case d.IsDir():
					lines = append(lines, rel+"/")
				default:
					lines = append(lines, rel+" "+fileState(p, path))
				}
				return nil
			})
			sort.Strings(lines)
			fmt.Fprintln(w, strings.Join(lines, "\n"))
		default:
			fmt.Fprintln(w, fileState(p, p))
		}
	}
}

func isRepo(p string) bool {
	if _, err := os.Stat(filepath.Join(p, ".git")); err == nil {
		return true
	}
	_, err1 := os.Stat(filepath.Join(p, "HEAD"))
	_, err2 := os.Stat(filepath.Join(p, "objects"))
	return err1 == nil && err2 == nil
}

// fileState is a file's hash; for a link, where it points too; for a named
// pipe or a device, what it is (reading one could block or never end).
func fileState(root, path string) string {
	fi, err := os.Lstat(path)
	if err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		target, _ := os.Readlink(path)
		if fi, err = os.Stat(path); err != nil {
			return "-> " + target + " (broken)"
		}
		return "-> " + target + " " + fileKind(fi, root, path)
	}
	if err != nil {
		return "unreadable"
	}
	return fileKind(fi, root, path)
}

func fileKind(fi fs.FileInfo, root, path string) string {
	switch {
	case fi.Mode()&fs.ModeNamedPipe != 0:
		return "named pipe"
	case fi.Mode()&fs.ModeDevice != 0:
		return "device"
	case fi.Mode()&fs.ModeSocket != 0:
		return "socket"
	}
	return fileHash(root, path)
}

func fileHash(root, path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "unreadable"
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:8])
}

// gitdaemon BASE: serve the repositories under BASE through a real
// `git daemon` on 127.0.0.1 (pushes allowed), for the rest of the script.
// $GITDAEMON is its URL prefix, e.g. git://127.0.0.1:40123/.
// gitdaemon BASE serves the repositories under BASE through a real git
// daemon on 127.0.0.1 (receive-pack enabled), stopped at the end of the
// script, and sets $GITDAEMON to its git:// URL. Its log
// ($WORK/gitdaemon.log) counts connections; its pid is in
// $WORK/gitdaemon.pid, for a hook that stops it. `gitdaemon BASE restart`
// starts it again on the same port.
func cmdGitDaemon(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 || len(args) == 2 && args[1] != "restart" {
		ts.Fatalf("usage: gitdaemon BASE [restart]")
	}
	base := ts.MkAbs(args[0])
	ts.Check(os.MkdirAll(base, 0o755))
	var port int
	if len(args) == 2 {
		var err error
		port, err = strconv.Atoi(ts.Getenv("GITDAEMON_PORT"))
		ts.Check(err)
	} else {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		ts.Check(err)
		port = l.Addr().(*net.TCPAddr).Port
		l.Close()
	}
	cmd := exec.Command("git", "daemon", "--verbose", "--reuseaddr", "--export-all", "--enable=receive-pack",
		"--base-path="+base, "--listen=127.0.0.1", "--port="+strconv.Itoa(port), base)
	// The log counts connections ("Request upload-pack for ..."); the
	// trace2 events of the services it starts show what they ran.
	cmd.Env = append(os.Environ(), "HOME="+ts.Getenv("HOME"), "GIT_CONFIG_NOSYSTEM=1", "WORK="+ts.Getenv("WORK"),
		"GIT_TRACE2_EVENT="+filepath.Join(ts.Getenv("WORK"), "gitdaemon.trace"))
	logf, err := os.OpenFile(filepath.Join(ts.Getenv("WORK"), "gitdaemon.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	ts.Check(err)
	cmd.Stderr = logf
	ts.Check(cmd.Start())
	ts.Check(os.WriteFile(filepath.Join(ts.Getenv("WORK"), "gitdaemon.pid"), []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o644))
	ts.Defer(func() {
		cmd.Process.Kill()
		cmd.Wait()
		logf.Close()
	})
	addr := "127.0.0.1:" + strconv.Itoa(port)
	waitListening(ts, addr)
	ts.Setenv("GITDAEMON", "git://"+addr+"/")
	ts.Setenv("GITDAEMON_PORT", strconv.Itoa(port))
}

func waitListening(ts *testscript.TestScript, addr string) {
	for deadline := time.Now().Add(hangCap); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("nothing listens on %s", addr)
		}
	}
}

var (
	daemonConn = regexp.MustCompile(`(?m)^\[(\d+)\] Connection from `)
	daemonDone = regexp.MustCompile(`(?m)^\[\d+\] \[(\d+)\] Disconnected`)
)

// daemonidle: wait until every connection the git daemon took (its log,
// $WORK/gitdaemon.log) has ended, so that a push it was still applying
// for a client that is gone has landed, or never will.
func cmdDaemonIdle(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: daemonidle")
	}
	log := filepath.Join(ts.Getenv("WORK"), "gitdaemon.log")
	for deadline := time.Now().Add(hangCap); ; time.Sleep(20 * time.Millisecond) {
		data, err := os.ReadFile(log)
		ts.Check(err)
		open := map[string]bool{}
		for _, m := range daemonConn.FindAllSubmatch(data, -1) {
			open[string(m[1])] = true
		}
		for _, m := range daemonDone.FindAllSubmatch(data, -1) {
			delete(open, string(m[1]))
		}
		if len(open) == 0 {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("the git daemon still serves %d connection(s)", len(open))
		}
	}
}

// githttp BASE serves the repositories under BASE over smart HTTP: git
// http-backend behind net/http/cgi on 127.0.0.1, pushes allowed, stopped
// at the end of the script; it sets $GITHTTP to the base URL.
func cmdGitHTTP(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: githttp BASE")
	}
	base := ts.MkAbs(args[0])
	ts.Check(os.MkdirAll(base, 0o755))
	out, err := exec.Command("git", "--exec-path").Output()
	ts.Check(err)
	backend := &cgi.Handler{
		Path: filepath.Join(strings.TrimSpace(string(out)), "git-http-backend"),
		Env: []string{"GIT_PROJECT_ROOT=" + base, "GIT_HTTP_EXPORT_ALL=1", "HOME=" + ts.Getenv("HOME"),
			"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=http.receivepack", "GIT_CONFIG_VALUE_0=true"},
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	srv := &http.Server{Handler: backend}
	go srv.Serve(l)
	ts.Defer(func() { srv.Close() })
	ts.Setenv("GITHTTP", "http://"+l.Addr().String()+"/")
}

// waitfile PATH [REGEXP]: wait until PATH exists (PATH may be a glob
// pattern, which one file must match) and, with REGEXP, until a line of
// it matches: a script waits for a condition, never for a time. The cap
// (hangCap) only keeps a broken run from hanging the suite.
func cmdWaitfile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: waitfile PATH [REGEXP]")
	}
	p := ts.MkAbs(args[0])
	var re *regexp.Regexp
	if len(args) == 2 {
		var err error
		re, err = regexp.Compile("(?m)" + args[1])
		ts.Check(err)
	}
	for deadline := time.Now().Add(hangCap); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		m, _ := filepath.Glob(p)
		if len(m) == 0 {
			continue
		}
		if re == nil {
			return
		}
		if data, err := os.ReadFile(m[0]); err == nil && re.Match(data) {
			return
		}
	}
	if re != nil {
		ts.Fatalf("no line of %s matched %q", args[0], args[1])
	}
	ts.Fatalf("%s did not appear", args[0])
}

// waitgone PIDFILE...: wait until each process whose pid a PIDFILE holds
// has ended (a zombie has): what it would still do is done.
func cmdWaitgone(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: waitgone PIDFILE...")
	}
	for _, f := range args {
		pid, err := strconv.Atoi(strings.TrimSpace(ts.ReadFile(f)))
		ts.Check(err)
		for deadline := time.Now().Add(hangCap); alive(pid); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				ts.Fatalf("process %d (%s) still runs", pid, f)
			}
		}
	}
}

// alive reports whether process pid runs: it exists and is no zombie.
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return !os.IsNotExist(err) // no /proc here: kill said it exists
	}
	// pid (comm) state ...; comm may hold spaces and parentheses.
	_, rest, _ := strings.Cut(string(data[bytes.LastIndexByte(data, ')')+1:]), " ")
	return !strings.HasPrefix(rest, "Z")
}

// readme-snippet NAME FILE: write the README's code block between
// <!-- NAME:begin --> and <!-- NAME:end --> to FILE, as written.
func cmdReadmeSnippet(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: readme-snippet NAME FILE")
	}
	data, err := os.ReadFile(filepath.Join(ts.Getenv("REPO"), "README.md"))
	ts.Check(err)
	begin, end := []byte("<!-- "+args[0]+":begin -->"), []byte("<!-- "+args[0]+":end -->")
	i, j := bytes.Index(data, begin), bytes.Index(data, end)
	if i < 0 || j < i {
		ts.Fatalf("README.md has no %s snippet", args[0])
	}
	block := data[i+len(begin) : j]
	start := bytes.Index(block, []byte("```sh\n"))
	stop := bytes.LastIndex(block, []byte("```"))
	if start < 0 || stop <= start {
		ts.Fatalf("the %s snippet has no ```sh block", args[0])
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), block[start+len("```sh\n"):stop], 0o644))
}

// randomPart is the random suffix of the directories clone and remove
// work in beside the copy.
var randomPart = regexp.MustCompile(`\.git-stage-(new|old)-[0-9a-f]{12}`)

// planran PLAN TRACE: the plan a --dry-run printed is exactly what the
// real run did last: its -v trace ends with the plan's lines, each step
// "+ "-prefixed, input lines as they are. Random directory suffixes are
// ignored.
//
// A plan names the commits a rebase or squash makes by a word (REBASED,
// SQUASHED); each WORD=FILE argument gives the commit id the run made,
// as FILE holds it, to put in its place.
func cmdPlanRan(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: planran PLANFILE TRACEFILE [WORD=FILE...]")
	}
	var made []string
	for _, a := range args[2:] {
		word, file, ok := strings.Cut(a, "=")
		if !ok {
			ts.Fatalf("usage: planran PLANFILE TRACEFILE [WORD=FILE...]")
		}
		made = append(made, word, strings.TrimSpace(ts.ReadFile(file)))
	}
	words := strings.NewReplacer(made...)
	norm := func(l string) string { return randomPart.ReplaceAllString(l, ".git-stage-$1-RANDOM") }
	var want []string
	for _, l := range strings.Split(strings.TrimSuffix(ts.ReadFile(args[0]), "\n"), "\n") {
		if !strings.HasPrefix(l, "  < ") {
			l = "+ " + l
		}
		want = append(want, norm(words.Replace(l)))
	}
	var ran []string
	for _, l := range strings.Split(ts.ReadFile(args[1]), "\n") {
		if strings.HasPrefix(l, "+ ") || strings.HasPrefix(l, "  < ") {
			ran = append(ran, norm(l))
		}
	}
	if len(want) == 0 || len(ran) < len(want) || strings.Join(ran[len(ran)-len(want):], "\n") != strings.Join(want, "\n") {
		ts.Fatalf("the run did not end with the plan:\nplan:\n%s\nran:\n%s", strings.Join(want, "\n"), strings.Join(ran, "\n"))
	}
}

// gitwrap puts a git first on PATH ($WORK/bin) that appends each call's
// subcommand (its first word that is no option, skipping -c values) to
// $WORK/git-calls and runs the real git. Git's own child processes find
// the real git through its exec path and are not counted: the file lists
// the git processes the command started.
func cmdGitWrap(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: gitwrap")
	}
	real, err := exec.LookPath("git")
	ts.Check(err)
	bin := filepath.Join(ts.Getenv("WORK"), "bin")
	ts.Check(os.MkdirAll(bin, 0o755))
	script := `#!/bin/sh
sub= skip=
for a; do
	if [ -n "$skip" ]; then skip=; continue; fi
	case $a in
	-c) skip=1 ;;
	-*) ;;
	*) sub=$a; break ;;
	esac
done
echo "$sub" >> "$GIT_CALLS"
exec ` + real + ` "$@"
`
	ts.Check(os.WriteFile(filepath.Join(bin, "git"), []byte(script), 0o755))
	ts.Setenv("GIT_CALLS", filepath.Join(ts.Getenv("WORK"), "git-calls"))
	ts.Setenv("PATH", bin+string(os.PathListSeparator)+ts.Getenv("PATH"))
}
