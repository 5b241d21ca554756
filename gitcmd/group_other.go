//go:build !unix

package gitcmd

import (
	"os"
	"os/exec"
)

// Without process groups, the child alone is signalled, and killed if it
// does not support the signal.
func setGroup(cmd *exec.Cmd) {}

func signalGroup(p *os.Process, sig os.Signal) error {
	if err := p.Signal(sig); err != nil {
		return p.Kill()
	}
	return nil
}

func groupAlive(p *os.Process) bool { return false }

func stoppedBySignal(s *os.ProcessState) bool { return false }
