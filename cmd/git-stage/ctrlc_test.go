package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ctrlc [-sent FILE] MARKER... -- PROG [ARGS...] is Ctrl-C typed at a
// terminal: it starts PROG in a process group of its own (a shell's job),
// waits until every MARKER exists (a hook writes it; a MARKER may be a
// glob pattern, which one file must match), then sends SIGINT to the
// whole group, as the terminal does to its foreground job, and exits with
// PROG's status (128+N when signal N killed it). PROG's output is
// ctrlc's. With -sent, once PROG has taken the signal (it is no longer
// pending), ctrlc creates FILE: a hook that holds a step PROG lets finish
// waits for it, instead of for a time.
func ctrlc(args []string) int {
	fs := flag.NewFlagSet("ctrlc", flag.ContinueOnError)
	sent := fs.String("sent", "", "create this file once the interrupt is taken")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	args = fs.Args()
	var markers []string
	for len(args) > 0 && args[0] != "--" {
		markers, args = append(markers, args[0]), args[1:]
	}
	if len(args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: ctrlc [-sent FILE] MARKER... -- PROG [ARGS...]")
		return 2
	}
	cmd := exec.Command(args[1], args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "ctrlc:", err)
		return 2
	}
	pgid := cmd.Process.Pid
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	// The cap only keeps a broken run from hanging the suite.
	deadline := time.After(hangCap)
	for _, m := range markers {
		for !globExists(m) {
			select {
			case <-exited:
				fmt.Fprintf(os.Stderr, "ctrlc: %s exited before %s appeared\n", args[1], m)
				return 99
			case <-deadline:
				syscall.Kill(-pgid, syscall.SIGKILL)
				fmt.Fprintf(os.Stderr, "ctrlc: %s did not appear\n", m)
				return 99
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	if err := syscall.Kill(-pgid, syscall.SIGINT); err != nil {
		fmt.Fprintln(os.Stderr, "ctrlc: kill:", err)
	}
	if *sent != "" {
	taken:
		for sigPending(pgid, syscall.SIGINT) {
			select {
			case <-exited:
				break taken
			case <-deadline:
				break taken
			case <-time.After(5 * time.Millisecond):
			}
		}
		if err := os.WriteFile(*sent, nil, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "ctrlc:", err)
		}
	}
	<-exited
	ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		fmt.Fprintf(os.Stderr, "ctrlc: %s killed by %v\n", args[1], ws.Signal())
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}

// hangCap bounds the scripts' waits for a condition: long enough for any
// machine however loaded, it only keeps a broken run from hanging.
const hangCap = 5 * time.Minute

// globExists reports whether a file matches pattern (a plain path
// matches itself).
func globExists(pattern string) bool {
	m, _ := filepath.Glob(pattern)
	return len(m) > 0
}

// sigPending reports whether sig is still pending for process pid, as
// /proc says: not yet taken by the process's signal handler. Where there
// is no /proc, it is taken as delivered.
func sigPending(pid int, sig syscall.Signal) bool {
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return false
	}
	for _, l := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(l, ":")
		if !ok || k != "SigPnd" && k != "ShdPnd" {
			continue
		}
		mask, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		if err == nil && mask&(1<<(uint(sig)-1)) != 0 {
			return true
		}
	}
	return false
}
