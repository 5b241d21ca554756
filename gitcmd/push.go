package gitcmd

import (
	"bufio"
	"bytes"
	"context"
	"strings"
)

// PushedRef is one line of `git push --porcelain`: what happened to a ref.
type PushedRef struct {
	Flag    byte // ' ' fast-forward, '+' forced, '-' deleted, '*' new, '!' rejected, '=' up to date
	From    string
	To      string
	Summary string // e.g. "[rejected]", "[new branch]", "abc..def"
	Reason  string // e.g. "stale info", "pre-receive hook declined"
}

// Rejected reports whether the remote or git refused this ref.
func (p PushedRef) Rejected() bool { return p.Flag == '!' }

// ParsePush reads the per-ref lines of `git push --porcelain` output.
func ParsePush(out []byte) []PushedRef {
	var refs []PushedRef
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		fields := strings.SplitN(sc.Text(), "\t", 3)
		if len(fields) != 3 || len(fields[0]) != 1 {
			continue // "To <url>", "Done", messages
		}
		p := PushedRef{Flag: fields[0][0]}
		p.From, p.To, _ = strings.Cut(fields[1], ":")
		p.Summary = fields[2]
		if i := strings.Index(p.Summary, " ("); i >= 0 && strings.HasSuffix(p.Summary, ")") {
			p.Reason = p.Summary[i+2 : len(p.Summary)-1]
			p.Summary = p.Summary[:i]
		}
		refs = append(refs, p)
	}
	return refs
}

// Push is one `git push --porcelain`, whose porcelain lines say what
// happened to each ref (--quiet would silence them): to Remote, its
// Refspecs, each ref guarded by a Lease, all or none when Atomic, with
// git's progress shown when Progress.
type Push struct {
	Dir      string
	Remote   string
	Refspecs []string
	Leases   []Lease
	Atomic   bool
	Progress bool
}

// Lease is a --force-with-lease: Ref is updated only while the remote
// has it at Expect ("" for "absent").
type Lease struct{ Ref, Expect string }

// args are the push's arguments after "push".
func (p Push) args() []string {
	args := []string{"--porcelain"}
	if p.Progress {
		args = append(args, "--progress")
	}
	if p.Atomic {
		args = append(args, "--atomic")
	}
	for _, l := range p.Leases {
		args = append(args, "--force-with-lease="+l.Ref+":"+l.Expect)
	}
	return append(append(args, p.Remote), p.Refspecs...)
}

// Cmd is the push as a command to run or show; its progress passes
// through when Progress.
func (p Push) Cmd() Cmd {
	return Cmd{Dir: p.Dir, Tee: p.Progress, Args: append([]string{"push"}, p.args()...)}
}

// AtomicUnsupported reports whether p, an atomic push that failed, failed
// because the remote does not support atomic pushes. git says so only in
// words, which it translates: a dry run of the push, run Untranslated, is
// asked. The push itself runs in the user's language, so that what it
// prints reaches them as they expect.
func (r *Runner) AtomicUnsupported(ctx context.Context, p Push) bool {
	p.Progress = false
	_, err := r.Run(ctx, Cmd{Dir: p.Dir, Env: Untranslated, Args: append([]string{"push", "--dry-run"}, p.args()...)})
	return err != nil && strings.Contains(StderrOf(err), "the receiving end does not support --atomic push")
}
