package main

// Wall time, measured side by side with the plain git commands a careful
// user would type for the same job, in one run, and reported as ratios
// (b.ReportMetric): these machines are shared and noisy, so the ratios
// are what to read, and no test asserts a time.
//
//	go test ./cmd/git-stage -run '^$' -bench . -benchtime 5x
//
// testscripts/bench.sh runs them and prints the table docs/performance.md shows.
// The fixture (a 20,000-file repository in 200 directories with history,
// its remote behind a git daemon) is built once per benchmark, or once
// for all in $GIT_STAGE_BENCH_DIR when that is set. Copies are never
// deleted while a benchmark runs: deleting many files just before creating
// many makes these file systems slow (design.md section 8).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/git-stage/git-stage/stage"
)

// benchBinary builds git-stage as install.sh does, into the benchmark's
// temporary directory (the build cache makes it quick after the first).
func benchBinary(b *testing.B) string {
	bin := filepath.Join(b.TempDir(), "git-stage")
	// Built as install.sh builds it.
	build := exec.Command("go", "build", "-trimpath", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// benchEnv is the environment of every process a benchmark starts: its
// own HOME, a fixed identity, no system config.
func benchEnv(home string) []string {
	env := []string{"HOME=" + home, "GIT_CONFIG_NOSYSTEM=1", "LC_ALL=C",
		"GIT_AUTHOR_NAME=Bench", "GIT_AUTHOR_EMAIL=bench@example.com",
		"GIT_COMMITTER_NAME=Bench", "GIT_COMMITTER_EMAIL=bench@example.com"}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PATH=") || strings.HasPrefix(kv, "TMPDIR=") {
			env = append(env, kv)
		}
	}
	return env
}

// run runs a program in dir and returns how long it took.
func (f *benchFixture) run(b *testing.B, dir string, prog string, args ...string) time.Duration {
	return f.timed(b, dir, false, prog, args...)
}

// runQuiet is run with the output to /dev/null, as hyperfine times a
// command: what is timed is the process, not a reader of its output.
func (f *benchFixture) runQuiet(b *testing.B, dir string, prog string, args ...string) time.Duration {
	return f.timed(b, dir, true, prog, args...)
}

// timed runs prog in dir and says how long it took; its output is kept
// for the failure message, but for stdout when quiet.
func (f *benchFixture) timed(b *testing.B, dir string, quiet bool, prog string, args ...string) time.Duration {
	cmd := exec.Command(prog, args...)
	cmd.Dir = dir
	cmd.Env = f.env
	var out bytes.Buffer
	cmd.Stderr = &out
	if !quiet {
		cmd.Stdout = &out
	}
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	if err != nil {
		b.Fatalf("%s %s in %s: %v\n%s", prog, strings.Join(args, " "), dir, err, out.Bytes())
	}
	return took
}

func (f *benchFixture) git(b *testing.B, dir string, args ...string) time.Duration {
	return f.run(b, dir, "git", args...)
}

func (f *benchFixture) stage(b *testing.B, dir string, args ...string) time.Duration {
	return f.run(b, dir, f.bin, args...)
}

// benchFixture is a work repository of 20,000 files with its remote
// served by git daemon, and a staging root.
type benchFixture struct {
	dir, home, work, remoteURL, staging, bin string
	env                                      []string
	daemon                                   *exec.Cmd
}

// newBenchFixture builds the fixture in a directory of its own: under
// $GIT_STAGE_BENCH_DIR, reusing the repository built there before, or in
// a temporary directory removed after the benchmark.
func newBenchFixture(b *testing.B, name string) *benchFixture {
	b.Helper()
	f := &benchFixture{bin: benchBinary(b)}
	base := os.Getenv("GIT_STAGE_BENCH_DIR")
	if base == "" {
		base = b.TempDir()
	}
	repo := filepath.Join(base, "repo")
	f.dir = filepath.Join(base, name+"-"+strconv.FormatInt(time.Now().UnixNano(), 36))
	f.home = filepath.Join(f.dir, "home")
	f.staging = filepath.Join(f.dir, "staging")
	for _, d := range []string{f.home, f.staging} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			b.Fatal(err)
		}
	}
	f.env = benchEnv(f.home)
	if _, err := os.Stat(filepath.Join(repo, "done")); err != nil {
		f.buildRepo(b, repo)
	}
	// A fresh work repository and remote for this benchmark, from the
	// built ones (local clones: quick).
	srv := filepath.Join(f.dir, "srv")
	f.git(b, base, "clone", "-q", "--bare", filepath.Join(repo, "remote.git"), filepath.Join(srv, "remote.git"))
	f.work = filepath.Join(f.dir, "code", "app")
	f.git(b, base, "clone", "-q", filepath.Join(repo, "work"), f.work)
	f.startDaemon(b, srv)
	f.git(b, f.work, "remote", "set-url", "origin", f.remoteURL)
	f.git(b, f.work, "fetch", "-q", "origin")
	f.git(b, f.work, "branch", "-q", "-u", "origin/main", "main")
	return f
}

// buildRepo makes the 20,000-file repository, with three commits of
// history, and a bare remote holding it.
func (f *benchFixture) buildRepo(b *testing.B, repo string) {
	if err := os.MkdirAll(repo, 0o755); err != nil {
		b.Fatal(err)
	}
	work := filepath.Join(repo, "work")
	f.git(b, repo, "init", "-q", "-b", "main", work)
	for c := range 3 {
		for d := range 200 {
			dir := filepath.Join(work, fmt.Sprintf("pkg%03d", d))
			if err := os.MkdirAll(dir, 0o755); err != nil {
				b.Fatal(err)
			}
			for i := range 100 {
				if c > 0 && i%50 != c {
					continue // later commits change a few files
				}
				data := fmt.Sprintf("package pkg%03d\n\n// file %d, version %d\nvar V%d = %d\n", d, i, c, i, c)
				if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%03d.go", i)), []byte(data), 0o644); err != nil {
					b.Fatal(err)
				}
			}
		}
		f.git(b, work, "add", "-A")
		f.git(b, work, "commit", "-q", "-m", fmt.Sprintf("version %d", c))
	}
	f.git(b, repo, "init", "-q", "--bare", filepath.Join(repo, "remote.git"))
	f.git(b, work, "push", "-q", filepath.Join(repo, "remote.git"), "main")
	if err := os.WriteFile(filepath.Join(repo, "done"), nil, 0o644); err != nil {
		b.Fatal(err)
	}
}

// startDaemon serves srv through git daemon on a free port of 127.0.0.1,
// stopped when the benchmark ends.
func (f *benchFixture) startDaemon(b *testing.B, srv string) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	f.daemon = exec.Command("git", "daemon", "--reuseaddr", "--export-all", "--enable=receive-pack",
		"--base-path="+srv, "--listen=127.0.0.1", "--port="+port, srv)
	f.daemon.Env = f.env
	if err := f.daemon.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		f.daemon.Process.Kill()
		f.daemon.Wait()
	})
	for deadline := time.Now().Add(hangCap); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", "127.0.0.1:"+port); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			b.Fatal("git daemon did not start")
		}
	}
	f.remoteURL = "git://127.0.0.1:" + port + "/remote.git"
}

// ratio reports a/b under name, and both times per run.
func ratio(b *testing.B, name string, ours, theirs time.Duration) {
	b.ReportMetric(float64(ours)/float64(theirs), name)
}

func perRun(b *testing.B, d time.Duration, unit string) {
	b.ReportMetric(float64(d.Microseconds())/1000/float64(b.N), unit)
}

// BenchmarkClone: git-stage clone against `git worktree add --detach` of
// the same commit, and against the hand-typed sequence that does clone's
// job (git clone --local, remote set-url, push of a new branch with
// upstream), each run in turn in the same iteration.
func BenchmarkClone(b *testing.B) {
	f := newBenchFixture(b, "clone")
	var ours, worktree, hand time.Duration
	b.ResetTimer()
	for i := range b.N {
		ours += f.stage(b, f.staging, "-q", "--work-root", filepath.Dir(f.work), "clone", "app", "--as-name", fmt.Sprintf("c%d", i))
		worktree += f.git(b, f.work, "worktree", "add", "-q", "--detach", filepath.Join(f.staging, fmt.Sprintf("w%d", i)), "main")
		h := filepath.Join(f.staging, fmt.Sprintf("h%d", i))
		hand += f.git(b, f.staging, "clone", "-q", "--local", "--branch", "main", f.work, h)
		hand += f.git(b, h, "remote", "set-url", "origin", f.remoteURL)
		hand += f.git(b, h, "push", "-q", "-u", "origin", fmt.Sprintf("main:refs/heads/hand-%d", i))
	}
	b.StopTimer()
	perRun(b, ours, "ms/clone")
	perRun(b, worktree, "ms/worktree-add")
	perRun(b, hand, "ms/hand")
	ratio(b, "x-worktree-add", ours, worktree)
	ratio(b, "x-hand", ours, hand)
}

// BenchmarkSyncBack: git-stage sync-back of one commit against the
// hand-typed sequence (push to a temp branch, fetch it into the work
// repository, merge --ff-only, push --atomic of the branch with the
// deletion of the temp branch), in turn on the same copy.
func BenchmarkSyncBack(b *testing.B) {
	f := newBenchFixture(b, "syncback")
	f.stage(b, f.staging, "-q", "--work-root", filepath.Dir(f.work), "clone", "app")
	cp := filepath.Join(f.staging, "app")
	edit := func(i int, who string) {
		p := filepath.Join(cp, "pkg000", "f000.go")
		if err := os.WriteFile(p, []byte(fmt.Sprintf("package pkg000\n\nvar V0 = %d // %s\n", i, who)), 0o644); err != nil {
			b.Fatal(err)
		}
		f.git(b, cp, "commit", "-q", "-a", "-m", who+" "+strconv.Itoa(i))
	}
	var ours, hand time.Duration
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		edit(i, "git-stage")
		b.StartTimer()
		ours += f.stage(b, cp, "-q", "sync-back")

		b.StopTimer()
		edit(i, "hand")
		temp := fmt.Sprintf("hand-%d", i)
		b.StartTimer()
		hand += f.handLanding(b, cp, temp)
	}
	b.StopTimer()
	perRun(b, ours, "ms/sync-back")
	perRun(b, hand, "ms/hand")
	ratio(b, "x-hand", ours, hand)
}

// handLanding is how a careful user lands the copy cp's HEAD by hand:
// push it to a temp branch; in the work repository fetch it, merge
// --ff-only, and push the branch with the temp branch's deletion, atomic.
func (f *benchFixture) handLanding(b *testing.B, cp, temp string) time.Duration {
	return f.git(b, cp, "push", "-q", "origin", "HEAD:refs/heads/"+temp) +
		f.git(b, f.work, "fetch", "-q", "origin", temp) +
		f.git(b, f.work, "merge", "-q", "--ff-only", "FETCH_HEAD") +
		f.git(b, f.work, "push", "-q", "--atomic", "origin", "main", ":refs/heads/"+temp)
}

// BenchmarkSyncBackRebase: sync-back --rebase of a copy whose base moved
// by one landed commit, against what a careful user types for it: in the
// copy fetch, rebase and push to a temp branch; in the work repository
// fetch, merge --ff-only, and push --atomic with the temp deletion. A
// third copy lands the commit that moves the base, untimed, before each.
func BenchmarkSyncBackRebase(b *testing.B) {
	f := newBenchFixture(b, "rebase")
	copies := map[string]string{}
	for _, n := range []string{"lander", "ours", "hand"} {
		f.stage(b, f.staging, "-q", "--work-root", filepath.Dir(f.work), "clone", "--as-name", n, "app")
		copies[n] = filepath.Join(f.staging, n)
	}
	edit := func(who, file string, i int) {
		p := filepath.Join(copies[who], file)
		if err := os.WriteFile(p, []byte(fmt.Sprintf("package x\n\nvar V = %d // %s\n", i, who)), 0o644); err != nil {
			b.Fatal(err)
		}
		f.git(b, copies[who], "commit", "-q", "-a", "-m", who+" "+strconv.Itoa(i))
	}
	land := func(i int) {
		edit("lander", filepath.Join("pkg000", "f000.go"), i)
		f.stage(b, copies["lander"], "-q", "sync-back", "--rebase")
	}
	var ours, hand time.Duration
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		land(2 * i)
		edit("ours", filepath.Join("pkg001", "f001.go"), i)
		b.StartTimer()
		ours += f.stage(b, copies["ours"], "-q", "sync-back", "--rebase")

		b.StopTimer()
		land(2*i + 1)
		edit("hand", filepath.Join("pkg002", "f002.go"), i)
		temp := fmt.Sprintf("hand-%d", i)
		cp := copies["hand"]
		b.StartTimer()
		hand += f.git(b, cp, "fetch", "-q", "origin")
		hand += f.git(b, cp, "rebase", "-q", "origin/main")
		hand += f.handLanding(b, cp, temp)
	}
	b.StopTimer()
	perRun(b, ours, "ms/sync-back")
	perRun(b, hand, "ms/hand")
	ratio(b, "x-hand", ours, hand)
}

// BenchmarkList10k: the whole `git-stage list` process with 10,000
// mappings, against starting `git --version` (the cost of one process).
func BenchmarkList10k(b *testing.B) {
	bin := benchBinary(b)
	dir := b.TempDir()
	cfg := stage.NewConfig()
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	for i := range 10000 {
		name := fmt.Sprintf("team%02d/project%05d", i%50, i)
		// The copies are there, as they would be, but one in a hundred.
		if i%100 != 0 {
			if err := os.MkdirAll(filepath.Join(dir, "staging", name), 0o755); err != nil {
				b.Fatal(err)
			}
		}
		cfg.Stagings[name] = &stage.Mapping{
			StagingPath: filepath.Join(dir, "staging", name),
			WorkPath:    filepath.Join(dir, "code", name),
			WorkRoot:    filepath.Join(dir, "code"),
			Remote:      "origin",
			RemoteURL:   "git@example.com:" + name + ".git",
			BaseBranch:  "main",
			BaseCommit:  strings.Repeat("0123456789", 4),
			TempBranch:  stage.TempBranch(name, "main", now),
			Created:     now,
			LastSync:    &stage.Sync{Time: now, Commit: strings.Repeat("abcdef0123", 4), Branch: "main", TempBranch: stage.TempBranch(name, "main", now), Mode: "fast-forward"},
			Leftovers:   []string{},
		}
	}
	data, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		b.Fatal(err)
	}
	config := filepath.Join(dir, "staging", stage.ConfigFileName)
	if err := os.MkdirAll(filepath.Dir(config), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(config, data, 0o644); err != nil {
		b.Fatal(err)
	}
	f := &benchFixture{env: benchEnv(b.TempDir())}
	// What is timed is the whole table: a header and 10,000 rows, the
	// hundred gone copies marked.
	list := exec.Command(bin, "list")
	list.Dir, list.Env = filepath.Dir(config), f.env
	out, err := list.Output()
	if lines := strings.Count(string(out), "\n"); err != nil || lines != 10001 || strings.Count(string(out), " (missing)") != 100 {
		b.Fatalf("list: %v, %d lines\n%.500s", err, lines, out)
	}
	var ours, git time.Duration
	b.ResetTimer()
	for range b.N {
		ours += f.runQuiet(b, filepath.Dir(config), bin, "list")
		git += f.runQuiet(b, dir, "git", "--version")
	}
	b.StopTimer()
	perRun(b, ours, "ms/list")
	perRun(b, git, "ms/git-version")
	ratio(b, "x-git-version", ours, git)
}
