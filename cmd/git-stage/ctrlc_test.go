package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// ctrlc [-after D] MARKER... -- PROG [ARGS...] is Ctrl-C typed at a
// terminal: it starts PROG in a process group of its own (a shell's job),
// waits until every MARKER file exists (a hook writes it), waits D more,
// then sends SIGINT to the whole group, as the terminal does to its
// foreground job, and exits with PROG's status (128+N when signal N
// killed it). PROG's output is ctrlc's.
func ctrlc(args []string) int {
	fs := flag.NewFlagSet("ctrlc", flag.ContinueOnError)
	after := fs.Duration("after", 0, "wait this long after the markers")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	args = fs.Args()
	var markers []string
	for len(args) > 0 && args[0] != "--" {
		markers, args = append(markers, args[0]), args[1:]
	}
	if len(args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: ctrlc [-after D] MARKER... -- PROG [ARGS...]")
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
	deadline := time.After(time.Minute)
	for _, m := range markers {
		for {
			if _, err := os.Stat(m); err == nil {
				break
			}
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
	time.Sleep(*after)
	if err := syscall.Kill(-pgid, syscall.SIGINT); err != nil {
		fmt.Fprintln(os.Stderr, "ctrlc: kill:", err)
	}
	<-exited
	ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		fmt.Fprintf(os.Stderr, "ctrlc: %s killed by %v\n", args[1], ws.Signal())
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}
