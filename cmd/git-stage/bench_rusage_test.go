package main

import (
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// The benchmarks count a command's CPU time as the delta of
// getrusage(RUSAGE_CHILDREN) around it, and its peak RSS from the rusage
// wait4 returns for it (ProcessState): both hold only if the processes
// git itself starts and waits for are counted too. A git alias runs a
// busy shell loop as git's child: its CPU time must show in the delta,
// and in git's rusage too (Linux's wait4 returns the child's and its
// waited-for children's, RUSAGE_BOTH: so the Maxrss there is the largest
// process of the tree, not git's own).
func TestRusageChildrenCountsGitsChildren(t *testing.T) {
	const loop = `i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done`
	alone := exec.Command("sh", "-c", loop)
	if err := alone.Run(); err != nil {
		t.Fatal(err)
	}
	spin := cpuTime(alone.ProcessState.SysUsage().(*syscall.Rusage))

	git := exec.Command("git", "-c", "alias.spin=!"+loop, "spin")
	git.Dir = t.TempDir()
	git.Env = benchEnv(t.TempDir())
	var before, after syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &before); err != nil {
		t.Fatal(err)
	}
	if out, err := git.CombinedOutput(); err != nil {
		t.Fatalf("git spin: %v\n%s", err, out)
	}
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &after); err != nil {
		t.Fatal(err)
	}
	waited := cpuTime(git.ProcessState.SysUsage().(*syscall.Rusage))
	delta := cpuTime(&after) - cpuTime(&before)
	t.Logf("the loop alone %v; git's rusage from wait4 %v; RUSAGE_CHILDREN delta %v", spin, waited, delta)
	if spin < 20*time.Millisecond {
		t.Fatalf("the loop took %v of CPU: too little to tell", spin)
	}
	if delta < spin/2 {
		t.Errorf("git's child's CPU time is not in the RUSAGE_CHILDREN delta: the loop alone %v, delta %v", spin, delta)
	}
	if waited < spin/2 {
		t.Errorf("git's child's CPU time is not in git's rusage from wait4: the loop alone %v, git's %v", spin, waited)
	}
}

func cpuTime(r *syscall.Rusage) time.Duration {
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}
