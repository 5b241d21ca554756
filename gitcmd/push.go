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

// AtomicUnsupported reports whether a push with args (what follows
// "push", --atomic among them) fails because the remote does not support
// atomic pushes. git says so only in words, which it translates: a dry run
// of the push, run Untranslated, is asked. The push itself runs in the
// user's language, so that what it prints reaches them as they expect.
func (r *Runner) AtomicUnsupported(ctx context.Context, dir string, args []string) bool {
	_, err := r.Run(ctx, Cmd{Dir: dir, Env: Untranslated, Args: append([]string{"push", "--dry-run"}, args...)})
	return err != nil && strings.Contains(StderrOf(err), "the receiving end does not support --atomic push")
}
