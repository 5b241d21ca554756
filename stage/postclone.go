package stage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"syscall"
	"time"

	"github.com/git-stage/git-stage/gitcmd"
)

// postCloneSteps run the stage.postClone commands in the finished copy,
// in order (runInCopy). They come after the copy is complete and
// recorded: a failure stops the rest but undoes nothing.
func (a *App) postCloneSteps(work, copy string, commands []string) []*step {
	var steps []*step
	for _, c := range commands {
		steps = append(steps, &step{
			desc: "run in " + gitcmd.Quote(copy) + ": " + c,
			do: func(ctx context.Context) error {
				err := a.runInCopy(ctx, work, copy, c)
				if err == nil {
					return nil
				}
				return &Error{
					Msg:  fmt.Sprintf("post-clone command %q failed in %s (%v)", c, copy, err),
					Hint: "the copy and its mapping are in place; once fixed, run it there: " + pasteable(work, copy, c),
				}
			},
		})
	}
	return steps
}

// pasteable is a shell command line that runs c as runInCopy does, safe
// to paste whatever c and the paths hold: c is quoted whole for sh -c.
// Only the values of the assignments are quoted: a quoted name is no
// assignment to the shell.
func pasteable(work, copy, c string) string {
	return fmt.Sprintf("cd %s && GIT_STAGE_WORK=%s GIT_STAGE_COPY=%s sh -c %s",
		gitcmd.Quote(copy), gitcmd.Quote(work), gitcmd.Quote(copy), gitcmd.Quote(c))
}

// runInCopy runs the shell command c in copy, as stage.postClone and
// stage.preSync commands run: through sh, with the Git environment a hook
// or alias would leak scrubbed, GIT_STAGE_WORK and GIT_STAGE_COPY set,
// and its output on stderr (with -q, only when it fails). Its failure is
// said as "exit status N", or errInterrupted.
func (a *App) runInCopy(ctx context.Context, work, copy, c string) error {
	cmd := exec.CommandContext(ctx, "sh", "-c", c)
	cmd.Dir = copy
	cmd.Env = append(gitcmd.Environ(), "GIT_STAGE_WORK="+work, "GIT_STAGE_COPY="+copy)
	// Interrupted, the command's whole process group gets SIGTERM (npm's
	// children too), then is killed.
	cmd.WaitDelay = 10 * time.Second
	var out bytes.Buffer
	var w io.Writer = a.Stderr
	if a.Quiet {
		w = &out
	}
	cmd.Stdout, cmd.Stderr = w, w
	err := gitcmd.RunInGroup(cmd, syscall.SIGTERM)
	if err == nil {
		return nil
	}
	a.Stderr.Write(out.Bytes())
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.Exited() {
		err = fmt.Errorf("exit status %d", exit.ExitCode())
	} else if ctx.Err() != nil || gitcmd.Interrupted(err) {
		err = errInterrupted
	}
	return err
}
