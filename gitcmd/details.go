package gitcmd

import (
	"fmt"
	"regexp"
	"strings"
)

// maxDetails is how many lines of git's output a failure shows at most:
// the last ones, where git and a hook put their conclusion.
const maxDetails = 20

// Details are the lines of git's output that say why it failed, to show
// under the one-line message as git would show them: first what the
// remote said ("remote: tests failing", a host's "protected branch"
// text; its empty lines and progress left out), then each ref a push
// had refused ("! [remote rejected] refs/heads/main (pre-receive hook
// declined)", from --porcelain), then git's own lines ("error: ...", a
// local hook's output), without progress or git's advice ("hint:", which
// names commands git-stage ran, not the user). The last maxDetails are
// kept, after a line that says how many are not; URLs' passwords are
// redacted, control characters masked (Masked). Only the refused refs
// when git's stderr was shown as it ran (StderrShown). Nil when they
// would say no more than Reason. They are shown, never parsed.
func (e *Error) Details() []string {
	var remote, own []string
	stderr := e.Stderr
	if e.StderrShown {
		stderr = ""
	}
	for _, l := range outputLines(stderr) {
		if body, ok := remoteLine(l); ok {
			if body != "" {
				remote = append(remote, "remote: "+body)
			}
			continue
		}
		if !progressLine.MatchString(l) && !totalLine.MatchString(l) && !strings.HasPrefix(l, "hint:") {
			own = append(own, l)
		}
	}
	if Subcommand(e.Args) == "push" {
		for _, r := range ParsePush(e.Stdout) {
			if r.Rejected() {
				remote = append(remote, fmt.Sprintf("! %s %s (%s)", r.Summary, r.To, r.Reason))
			}
		}
	}
	lines := append(remote, own...)
	if reason := e.reason(); len(lines) == 0 || len(lines) == 1 && reason != "" && strings.HasSuffix(lines[0], reason) {
		return nil
	}
	if over := len(lines) - maxDetails; over > 0 {
		lines = append([]string{fmt.Sprintf("(%d lines before these not shown)", over)}, lines[over:]...)
	}
	for i, l := range lines {
		lines[i] = Masked(Redact(l))
	}
	return lines
}

// RemoteLines are the remote's words in git's stderr (its "remote: "
// lines), without that prefix, empty lines or progress, as the remote
// sent them: a decision may look in them for a word only to add a hint.
func (e *Error) RemoteLines() []string {
	var lines []string
	for _, l := range outputLines(e.Stderr) {
		if body, ok := remoteLine(l); ok && body != "" {
			lines = append(lines, body)
		}
	}
	return lines
}

// remoteLine is the text of a "remote: " line (git does not translate
// that prefix), "" for its empty lines and progress.
func remoteLine(l string) (string, bool) {
	body, ok := strings.CutPrefix(l, "remote:")
	if !ok {
		return "", false
	}
	if body = strings.TrimSpace(body); progressLine.MatchString(body) || totalLine.MatchString(body) {
		body = ""
	}
	return body, true
}

// outputLines splits git's stderr into its lines (progress rewrites a
// line with "\r"), without the padding and the terminal's "clear to end
// of line" that git puts after a remote's words, and without empty lines.
func outputLines(s string) []string {
	var lines []string
	for _, l := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }) {
		l = strings.TrimRight(strings.ReplaceAll(l, "\x1b[K", ""), " \t")
		if l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// totalLine matches the summary of a pack git sent or received ("Total 3
// (delta 0), reused 0 (delta 0)", "Gesamt 3 (Delta 0), ..."), whose words
// alone are translated.
var totalLine = regexp.MustCompile(`^[^ ]+ [0-9]+ \([^ ]+ [0-9]+\)`)
