package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// benchExecSource is a small program that runs a command and writes to
// file descriptor 3 what it cost: wall time and CPU time (user and
// system, of the command and every process under it that was waited
// for: RUSAGE_CHILDREN, the helper having no other child) in
// nanoseconds, and the ru_maxrss of the command. Timing through it
// keeps the benchmark's own process out of the figures: a child that Go
// starts shares its memory until exec (vfork), and Linux counts that
// memory's high-water mark into the child's ru_maxrss, so the test
// binary's 12 MB or so would hide any smaller peak. This helper's own
// few MB are the floor instead.
const benchExecSource = `package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func main() {
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru)
	cpu := ru.Utime.Nano() + ru.Stime.Nano()
	var maxrss int64
	if own, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		maxrss = int64(own.Maxrss)
	}
	fmt.Fprintf(os.NewFile(3, "report"), "%d %d %d\n", wall.Nanoseconds(), cpu, maxrss)
	if err != nil {
		if exit, ok := err.(*exec.ExitError); ok && exit.ExitCode() > 0 {
			os.Exit(exit.ExitCode())
		}
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
`

// benchTools builds git-stage as install.sh does, and the timing helper,
// into the benchmark's temporary directory (the build cache makes it
// quick after the first).
func benchTools(b *testing.B) (bin, helper string) {
	dir := b.TempDir()
	bin = filepath.Join(dir, "git-stage")
	helper = filepath.Join(dir, "benchexec")
	src := filepath.Join(dir, "benchexec-src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		b.Fatal(err)
	}
	for name, data := range map[string]string{"main.go": benchExecSource, "go.mod": "module benchexec\n\ngo 1.22\n"} {
		if err := os.WriteFile(filepath.Join(src, name), []byte(data), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	// git-stage as install.sh builds it.
	stage := exec.Command("go", "build", "-trimpath", "-o", bin, ".")
	stage.Env = append(os.Environ(), "CGO_ENABLED=0")
	timer := exec.Command("go", "build", "-o", helper, ".")
	timer.Dir = src
	timer.Env = append(os.Environ(), "CGO_ENABLED=0", "GOWORK=off")
	for _, build := range []*exec.Cmd{stage, timer} {
		if out, err := build.CombinedOutput(); err != nil {
			b.Fatalf("go build: %v\n%s", err, out)
		}
	}
	return bin, helper
}
