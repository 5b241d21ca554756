package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/git-stage/git-stage/stage"
)

// statusCopies is how many copies BenchmarkStatus50 asks about.
const statusCopies = 50

// BenchmarkStatus50: `git-stage status` of 50 copies, its output to
// /dev/null, against 50 plain `git status` runs, one in each copy, one
// after the other, their wall time divided by the number of cores
// (git-status-per-core: what 50 of them would take spread over every
// core); the CPU ratio is against the 50 runs' whole CPU time. status
// reads local repositories only: the remote is on disk. copies=fresh:
// each copy at its work branch's commit, as clone left it (status needs
// no count); copies=ahead: each with one commit of its own (a count per
// copy, and the pairs' merges that predict conflicts). 2k files, and
// with BENCH_FULL 20k files too.
func BenchmarkStatus50(b *testing.B) {
	sizes := []benchSize{size2k}
	if benchFull() {
		sizes = append(sizes, size20k)
	}
	forEachFixture(b, sizes, []string{"disk"}, func(b *testing.B, f *benchFixture) {
		for _, kind := range []string{"fresh", "ahead"} {
			b.Run("copies="+kind, func(b *testing.B) {
				copies := make([]string, statusCopies)
				for i := range copies {
					copies[i] = f.clone(b, fmt.Sprintf("s%02d", i))
					ahead := f.output(b, copies[i], "rev-list", "--count", "@{upstream}..HEAD") != "0"
					switch {
					case kind == "fresh" && ahead:
						f.git(b, copies[i], "reset", "-q", "--keep", "@{upstream}")
					case kind == "ahead" && !ahead:
						f.git(b, copies[i], "commit", "-q", "--allow-empty", "-m", "ahead")
					}
				}
				status50(b, f, copies)
			})
		}
	})
}

// status50 runs the pairs of BenchmarkStatus50, in the staging root that
// holds the copies.
func status50(b *testing.B, f *benchFixture, copies []string) {
	cores := time.Duration(runtime.NumCPU())
	p := newPairs(b, "git-status-per-core")
	for range b.N {
		p.run(func() sample {
			return f.run(b, f.staging, true, f.bin, "status")
		}, func() sample {
			var all sample
			for _, cp := range copies {
				all = all.plus(f.run(b, cp, true, "git", "status"))
			}
			all.wall /= cores
			return all
		})
	}
	p.report()
}

// BenchmarkList10k: the whole `git-stage list` process with 10,000
// mappings, its output to /dev/null, against starting `git --version`
// (the cost of one process).
func BenchmarkList10k(b *testing.B) {
	bin, helper := benchTools(b)
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
	r := &runner{env: benchEnv(b.TempDir()), helper: helper}
	// What is timed is the whole table: a header and 10,000 rows, the
	// hundred gone copies marked.
	list := exec.Command(bin, "list")
	list.Dir, list.Env = filepath.Dir(config), r.env
	out, err := list.Output()
	if lines := strings.Count(string(out), "\n"); err != nil || lines != 10001 || strings.Count(string(out), " (missing)") != 100 {
		b.Fatalf("list: %v, %d lines\n%.500s", err, lines, out)
	}
	p := newPairs(b, "git-version")
	for range b.N {
		p.run(func() sample {
			return r.run(b, filepath.Dir(config), true, bin, "list")
		}, func() sample {
			return r.run(b, dir, true, "git", "--version")
		})
	}
	p.report()
}
