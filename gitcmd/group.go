package gitcmd

import (
	"errors"
	"os"
	"os/exec"
	"sync/atomic"
	"syscall"
	"time"
)

// RunInGroup runs cmd in a process group of its own. A terminal's Ctrl-C
// reaches its whole foreground process group; in a group of their own,
// cmd and its children are out of its reach, and git-stage decides when
// they stop: when cmd's context is done, sig goes to the whole group
// (cmd's children too), and what is left of the group cmd.WaitDelay
// later is killed. RunInGroup returns once cmd has exited and, after a
// cancel, once its group is gone.
//
// The group is a session of its own, without a terminal: a child that
// asks on the terminal (git's credential prompt, ssh's passphrase) fails
// at once ("No such device or address") instead of hanging, as it would
// in a background group of the terminal's session: stopped by SIGTTIN,
// or, with SIGTTIN ignored, ssh asking again forever. A terminal's
// hang-up (SIGHUP) does not reach the session either.
func RunInGroup(cmd *exec.Cmd, sig os.Signal) error {
	setGroup(cmd)
	var cancelled atomic.Int64 // when Cancel ran, in UnixNano
	if cmd.Cancel != nil {
		cmd.Cancel = func() error {
			cancelled.Store(time.Now().UnixNano())
			return signalGroup(cmd.Process, sig)
		}
	}
	err := cmd.Run()
	if at := cancelled.Load(); at != 0 && cmd.Process != nil {
		// Wait has returned: cmd has ended. Its group may live on, as
		// children that ignore sig: they are killed at the deadline.
		deadline := time.Unix(0, at).Add(cmd.WaitDelay)
		for groupAlive(cmd.Process) {
			if !time.Now().Before(deadline) {
				signalGroup(cmd.Process, syscall.SIGKILL)
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return err
}

// Interrupted reports whether err is a command (git or another) stopped
// by an interrupt: its context was cancelled (Ctrl-C or SIGTERM reached
// git-stage), or it died of SIGINT, SIGTERM or SIGHUP. It is said
// "interrupted", never "signal: interrupt".
func Interrupted(err error) bool {
	var e *Error
	if errors.As(err, &e) {
		return e.Interrupted
	}
	var exit *exec.ExitError
	return errors.As(err, &exit) && stoppedBySignal(exit.ProcessState)
}
