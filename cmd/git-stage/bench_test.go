package main

// Wall time and CPU time, measured side by side with the plain git
// commands a careful user would type for the same job, in one run, and
// reported as ratios (b.ReportMetric): these machines are shared and
// noisy, so the ratios are what to read, and no test asserts a time.
//
//	go test ./cmd/git-stage -run '^$' -bench 'Clone/files=2k$/remote=disk' -benchtime 5x
//
// testscripts/bench.sh runs them and prints the table docs/performance.md
// shows. Each benchmark has a sub-benchmark per fixture and remote,
// named files=<size>/remote=<disk|daemon> (and more levels where a job
// has variants, as sync-back's commits=<n>): 2k and 20k files by default,
// and with BENCH_FULL=1 in the environment 100k files and 20k files with
// deep history too (bench_fixture_test.go).
//
// Each iteration is one pair: git-stage and the plain side, in turn, the
// order swapped at every other pair. Each pair gives a ratio; the
// metrics are the median of those ratios and their min and max
// (x-median:<against>, x-min:..., x-max:...), the median of the CPU
// ratios (cpu-x-median:...), each side's median time per run
// (ms:git-stage, ms:<against>) and peak RSS (MB:...). Go runs each
// sub-benchmark once with b.N = 1 before the measured run: that first
// pair warms the caches and its metrics are replaced.
//
// Every command runs under a small timing helper (bench_exec_test.go),
// which reports its wall time, its CPU time and its peak RSS. CPU is
// user+system time of the command and of every process under it that
// was waited for: getrusage(RUSAGE_CHILDREN) in the helper, whose only
// child it is (TestRusageChildrenCountsGitsChildren checks that it counts
// git's own children). The server side of `git daemon` is a child of
// the daemon, not of the command, and is not counted: over the daemon
// the CPU ratios leave out the remote's work, on disk they include it.
// Peak RSS (MB:...) is ru_maxrss of the rusage wait4 returns for the
// command (ProcessState.SysUsage): on Linux the largest resident set of
// the command and of every process under it that was waited for
// (RUSAGE_BOTH): for git-stage the larger of its own and its largest
// git's; one process's, not their sum. The helper's own 2 to 3 MB are
// the floor. (RUSAGE_CHILDREN's maxrss in the benchmark itself is no
// use: a high-water mark over every child it ever waited for.)
//
// Copies are never deleted while a benchmark runs: deleting many files
// just before creating many makes these file systems slow (design.md
// section 8).

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

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

// sample is what one side of a pair cost: wall time, CPU time (user and
// system, of its processes and their children) and the largest resident
// set of one of those processes, in bytes.
type sample struct {
	wall, cpu time.Duration
	rss       int64
}

// plus is two commands run one after the other.
func (s sample) plus(o sample) sample {
	return sample{s.wall + o.wall, s.cpu + o.cpu, max(s.rss, o.rss)}
}

// runner starts the benchmarks' processes, all with one environment,
// each through the timing helper (bench_exec_test.go).
type runner struct {
	env    []string
	helper string
}

// run runs prog in dir and says what it cost; its output is kept for
// the failure message, but for stdout when quiet (what is timed is then
// the process, not a reader of its output, as hyperfine times it).
func (r *runner) run(b *testing.B, dir string, quiet bool, prog string, args ...string) sample {
	report, w, err := os.Pipe()
	if err != nil {
		b.Fatal(err)
	}
	defer report.Close()
	cmd := exec.Command(r.helper, append([]string{prog}, args...)...)
	cmd.Dir = dir
	cmd.Env = r.env
	cmd.ExtraFiles = []*os.File{w}
	var out bytes.Buffer
	cmd.Stderr = &out
	if !quiet {
		cmd.Stdout = &out
	}
	err = cmd.Start()
	w.Close()
	if err == nil {
		err = cmd.Wait()
	}
	if err != nil {
		b.Fatalf("%s %s in %s: %v\n%s", prog, strings.Join(args, " "), dir, err, out.Bytes())
	}
	var wall, cpu, maxrss int64
	if _, err := fmt.Fscan(report, &wall, &cpu, &maxrss); err != nil {
		b.Fatalf("%s %s: the timing helper's report: %v", prog, strings.Join(args, " "), err)
	}
	if runtime.GOOS != "darwin" { // kilobytes but on macOS
		maxrss *= 1024
	}
	return sample{wall: time.Duration(wall), cpu: time.Duration(cpu), rss: maxrss}
}

// pairs collects the pairs of one sub-benchmark: git-stage against one
// or more plain sides, each named (worktree-b, hand, ...).
type pairs struct {
	b       *testing.B
	against []string
	ours    []sample
	theirs  [][]sample // per side, per pair
	n       int
}

func newPairs(b *testing.B, against ...string) *pairs {
	return &pairs{b: b, against: against, theirs: make([][]sample, len(against))}
}

// run makes one pair: ours and then each plain side, or the plain sides
// and then ours, in turn from one pair to the next, so that neither
// always runs on the caches the other warmed. Each function does its
// untimed preparation itself and returns what its timed part cost.
func (p *pairs) run(ours func() sample, theirs ...func() sample) {
	if len(theirs) != len(p.against) {
		p.b.Fatalf("%d plain sides for %d names", len(theirs), len(p.against))
	}
	first := p.n%2 == 0
	p.n++
	var o sample
	if first {
		o = ours()
	}
	for i, t := range theirs {
		p.theirs[i] = append(p.theirs[i], t())
	}
	if !first {
		o = ours()
	}
	p.ours = append(p.ours, o)
}

// report reports the medians, with the min and max of the wall ratios;
// ns/op, which counts the untimed preparation too, is dropped.
func (p *pairs) report() {
	b := p.b
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(median(p.ours, func(s sample) float64 { return ms(s.wall) }), "ms:git-stage")
	b.ReportMetric(peakMB(p.ours), "MB:git-stage")
	for i, name := range p.against {
		theirs := p.theirs[i]
		wall := make([]float64, len(theirs))
		cpu := make([]float64, len(theirs))
		for j, t := range theirs {
			wall[j] = float64(p.ours[j].wall) / float64(t.wall)
			cpu[j] = float64(p.ours[j].cpu) / math.Max(float64(t.cpu), 1)
		}
		b.ReportMetric(medianOf(wall), "x-median:"+name)
		b.ReportMetric(slices.Min(wall), "x-min:"+name)
		b.ReportMetric(slices.Max(wall), "x-max:"+name)
		b.ReportMetric(medianOf(cpu), "cpu-x-median:"+name)
		b.ReportMetric(median(theirs, func(s sample) float64 { return ms(s.wall) }), "ms:"+name)
		b.ReportMetric(peakMB(theirs), "MB:"+name)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func peakMB(s []sample) float64 {
	var peak int64
	for _, x := range s {
		peak = max(peak, x.rss)
	}
	return float64(peak) / (1 << 20)
}

func median(s []sample, f func(sample) float64) float64 {
	v := make([]float64, len(s))
	for i, x := range s {
		v[i] = f(x)
	}
	return medianOf(v)
}

func medianOf(v []float64) float64 {
	v = slices.Clone(v)
	slices.Sort(v)
	n := len(v)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}
