package main

// The benchmarks' fixtures: a repository of 2k, 20k or 100k files in
// directories of 100, with three commits of history, or (20k-deep) with
// 3,000 commits of three changed files each. Each is written once by
// `git fast-import` into a bare repository under $GIT_STAGE_BENCH_DIR
// (or the benchmark's temporary directory) and reused; each
// sub-benchmark then gets its own remote (a local bare clone of it) and
// its own work repository (a clone of that remote), the remote reached
// by its path (remote=disk) or through `git daemon` on 127.0.0.1
// (remote=daemon).

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// benchSize is a fixture: how many files, and whether its history is deep.
type benchSize struct {
	label string
	files int
	deep  bool
}

// deepCommits is the history of the deep fixture, on top of its first commit.
const deepCommits = 3000

var (
	size2k      = benchSize{"2k", 2000, false}
	size20k     = benchSize{"20k", 20000, false}
	size100k    = benchSize{"100k", 100000, false}
	size20kDeep = benchSize{"20k-deep", 20000, true}
)

// benchFull says whether BENCH_FULL asks for the large fixtures too.
func benchFull() bool {
	v := os.Getenv("BENCH_FULL")
	return v != "" && v != "0"
}

// benchSizes is 2k and 20k files, and with BENCH_FULL 100k files and
// 20k files with deep history.
func benchSizes() []benchSize {
	if benchFull() {
		return []benchSize{size2k, size20k, size100k, size20kDeep}
	}
	return []benchSize{size2k, size20k}
}

var benchRemotes = []string{"disk", "daemon"}

// benchFixture is a work repository with its remote, and a staging root.
type benchFixture struct {
	runner
	size                                     benchSize
	dir, home, work, remoteURL, staging, bin string
	n                                        int // names made so far
	copies                                   map[string]bool
}

// next is a number no earlier name of this fixture used: the names of
// copies, worktrees and branches outlive Go's first run with b.N = 1.
func (f *benchFixture) next() int {
	f.n++
	return f.n
}

func (f *benchFixture) git(b *testing.B, dir string, args ...string) sample {
	return f.run(b, dir, false, "git", args...)
}

func (f *benchFixture) stage(b *testing.B, dir string, args ...string) sample {
	return f.run(b, dir, false, f.bin, args...)
}

// output is git's standard output, trimmed.
func (f *benchFixture) output(b *testing.B, dir string, args ...string) string {
	cmd := exec.Command("git", args...)
	cmd.Dir, cmd.Env = dir, f.env
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("git %s in %s: %v", strings.Join(args, " "), dir, err)
	}
	return strings.TrimSpace(string(out))
}

// fastImport feeds git fast-import in repo the stream write writes.
func (f *benchFixture) fastImport(b *testing.B, repo string, write func(w *bufio.Writer)) {
	cmd := exec.Command("git", "fast-import", "--quiet")
	cmd.Dir, cmd.Env = repo, f.env
	var stream bytes.Buffer
	w := bufio.NewWriter(&stream)
	write(w)
	w.Flush()
	cmd.Stdin = &stream
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("git fast-import in %s: %v\n%s", repo, err, out)
	}
}

// importCommit writes one commit of files (path to content) to ref; from
// is its parent, "" to continue the ref as the stream left it.
func importCommit(w io.Writer, ref, from, msg string, when int64, files [][2]string) {
	fmt.Fprintf(w, "commit %s\ncommitter Bench <bench@example.com> %d +0000\ndata %d\n%s\n", ref, when, len(msg), msg)
	if from != "" {
		fmt.Fprintf(w, "from %s\n", from)
	}
	for _, pf := range files {
		fmt.Fprintf(w, "M 100644 inline %s\ndata %d\n%s\n", pf[0], len(pf[1]), pf[1])
	}
	fmt.Fprintln(w)
}

func fixtureFile(d, i, version int) [2]string {
	return [2]string{fmt.Sprintf("pkg%03d/f%03d.go", d, i),
		fmt.Sprintf("package pkg%03d\n\n// file %d, version %d\nvar V%d = %d\n", d, i, version, i, version)}
}

// builtRepo is the bare repository of size s under base, written the
// first time it is asked for.
func (f *benchFixture) builtRepo(b *testing.B, base string, s benchSize) string {
	repo := filepath.Join(base, "repo-"+s.label)
	remote := filepath.Join(repo, "remote.git")
	if _, err := os.Stat(filepath.Join(repo, "done")); err == nil {
		return remote
	}
	if err := os.RemoveAll(repo); err != nil { // what an interrupted build left
		b.Fatal(err)
	}
	f.git(b, base, "init", "-q", "--bare", "-b", "main", remote)
	f.fastImport(b, remote, func(w *bufio.Writer) {
		when := int64(1700000000)
		all := make([][2]string, 0, s.files)
		for d := range s.files / 100 {
			for i := range 100 {
				all = append(all, fixtureFile(d, i, 0))
			}
		}
		importCommit(w, "refs/heads/main", "", "version 0", when, all)
		if !s.deep {
			for c := 1; c <= 2; c++ { // later commits change a few files
				var some [][2]string
				for d := range s.files / 100 {
					some = append(some, fixtureFile(d, 50*c%100+c, c))
				}
				importCommit(w, "refs/heads/main", "", "version "+strconv.Itoa(c), when+int64(c), some)
			}
			return
		}
		for c := 1; c <= deepCommits; c++ {
			var some [][2]string
			for k := range 3 {
				n := (c*3 + k) * 7919 % s.files
				some = append(some, fixtureFile(n/100, n%100, c))
			}
			importCommit(w, "refs/heads/main", "", "change "+strconv.Itoa(c), when+int64(c), some)
		}
	})
	if err := os.WriteFile(filepath.Join(repo, "done"), nil, 0o644); err != nil {
		b.Fatal(err)
	}
	return remote
}

// benchBase is $GIT_STAGE_BENCH_DIR, else a temporary directory.
func benchBase(b *testing.B) string {
	if base := os.Getenv("GIT_STAGE_BENCH_DIR"); base != "" {
		return base
	}
	return b.TempDir()
}

// forEachFixture runs job as one sub-benchmark per size and remote, named
// files=<size>/remote=<remote>. The fixture of each is made on the first
// call (Go calls a sub-benchmark twice: b.N = 1, then the b.N asked
// for); the daemons stop when top ends.
func forEachFixture(top *testing.B, sizes []benchSize, remotes []string, job func(b *testing.B, f *benchFixture)) {
	bin, helper := benchTools(top)
	base := benchBase(top)
	for _, s := range sizes {
		for _, r := range remotes {
			var f *benchFixture
			top.Run("files="+s.label+"/remote="+r, func(b *testing.B) {
				if f == nil {
					f = newBenchFixture(b, top, base, bin, helper, s, r)
				}
				job(b, f)
			})
		}
	}
}

// newBenchFixture makes a work repository and its remote from the built
// repository of size s, in a directory of its own under base.
func newBenchFixture(b, top *testing.B, base, bin, helper string, s benchSize, remote string) *benchFixture {
	f := &benchFixture{size: s, bin: bin, copies: map[string]bool{}}
	f.helper = helper
	name := strings.NewReplacer("/", "-", "=", "-").Replace(b.Name())
	f.dir = filepath.Join(base, name+"-"+strconv.FormatInt(time.Now().UnixNano(), 36))
	f.home = filepath.Join(f.dir, "home")
	f.staging = filepath.Join(f.dir, "staging")
	for _, d := range []string{f.home, f.staging} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			b.Fatal(err)
		}
	}
	f.env = benchEnv(f.home)
	built := f.builtRepo(b, base, s)
	srv := filepath.Join(f.dir, "srv")
	f.remoteURL = filepath.Join(srv, "remote.git")
	f.git(b, base, "clone", "-q", "--bare", built, f.remoteURL)
	f.work = filepath.Join(f.dir, "code", "app")
	f.git(b, base, "clone", "-q", f.remoteURL, f.work)
	if remote == "daemon" {
		f.remoteURL = startDaemon(b, top, f.env, srv)
		f.git(b, f.work, "remote", "set-url", "origin", f.remoteURL)
	}
	return f
}

// startDaemon serves srv through git daemon on a free port of 127.0.0.1,
// stopped when top ends, and returns the URL of srv/remote.git there.
func startDaemon(b, top *testing.B, env []string, srv string) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	daemon := exec.Command("git", "daemon", "--reuseaddr", "--export-all", "--enable=receive-pack",
		"--base-path="+srv, "--listen=127.0.0.1", "--port="+port, srv)
	daemon.Env = env
	if err := daemon.Start(); err != nil {
		b.Fatal(err)
	}
	top.Cleanup(func() {
		daemon.Process.Kill()
		daemon.Wait()
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
	return "git://127.0.0.1:" + port + "/remote.git"
}

// clone is the staging copy of the work repository named name, made
// untimed the first time it is asked for.
func (f *benchFixture) clone(b *testing.B, name string) string {
	cp := filepath.Join(f.staging, name)
	if !f.copies[name] {
		f.stage(b, f.staging, "-q", "--work-root", filepath.Dir(f.work), "clone", "--as-name", name, "app")
		f.copies[name] = true
	}
	return cp
}

// commits makes n commits on the branch checked out in repo, each
// changing one file of directory dir (one git fast-import, not n git
// commits), and brings the work tree to the last.
func (f *benchFixture) commits(b *testing.B, repo string, n, dir int, who string) {
	head := f.output(b, repo, "rev-parse", "HEAD")
	ref := f.output(b, repo, "symbolic-ref", "HEAD")
	stamp := f.next()
	f.fastImport(b, repo, func(w *bufio.Writer) {
		for k := range n {
			from := ""
			if k == 0 {
				from = head
			}
			path := fmt.Sprintf("pkg%03d/f%03d.go", dir, k%100)
			data := fmt.Sprintf("package pkg%03d\n\n// %s %d.%d\nvar V%d = %d\n", dir, who, stamp, k, k%100, stamp)
			importCommit(w, ref, from, fmt.Sprintf("%s %d.%d", who, stamp, k), time.Now().Unix(), [][2]string{{path, data}})
		}
	})
	f.git(b, repo, "reset", "-q", "--hard")
}
