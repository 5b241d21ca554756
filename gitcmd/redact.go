package gitcmd

import (
	"io"
	"strings"
	"sync"
)

// Redacted stands for a URL's password wherever git-stage shows or stores
// the URL.
const Redacted = "***"

// RedactURL returns the URL u with its password replaced by Redacted:
// https://user:TOKEN@host/r.git becomes https://user:***@host/r.git. A URL
// without a password (https://user@host/..., user@host:path, a file path)
// comes back unchanged. u is one value (a command's argument, a
// config's field), so its password may hold any character but '/', '?'
// and '#', which end a URL's authority.
func RedactURL(u string) string { return redact(u, false) }

// Redact returns the text s with the password of every URL in it
// replaced by Redacted, as RedactURL does; in text a URL also ends at
// white space. Everything git-stage prints passes through it: messages,
// errors, git's stderr, the command lines of -v and --dry-run.
func Redact(s string) string { return redact(s, true) }

// redact replaces, in each scheme://authority of s, whatever stands
// between the first ':' of the authority's user part and its last '@'.
// That covers every reading of a password holding a raw '@' or ':': git's
// (the first '@' ends it) and that of RFC 3986 and curl (the last one
// does). Whatever the scheme, and in text whatever comes before "://".
func redact(s string, text bool) string {
	var b strings.Builder
	done := 0 // s[:done] is in b
	for i := 0; ; {
		k := strings.Index(s[i:], "://")
		if k < 0 {
			break
		}
		start := i + k + len("://")
		end := start
		for end < len(s) && !endsAuthority(s[end], text) {
			end++
		}
		auth := s[start:end]
		if at := strings.LastIndexByte(auth, '@'); at > 0 {
			if colon := strings.IndexByte(auth[:at], ':'); colon >= 0 && colon+1 < at && auth[colon+1:at] != Redacted {
				b.WriteString(s[done : start+colon+1])
				b.WriteString(Redacted)
				done = start + at
			}
		}
		// The authority holds no '/': a "://" after start begins after it.
		i = start
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// endsAuthority says whether c ends a URL's authority: the start of its
// path, query or fragment, and in text white space.
func endsAuthority(c byte, text bool) bool {
	switch c {
	case '/', '?', '#':
		return true
	case ' ', '\t', '\n', '\r', '\v', '\f':
		return text
	}
	return false
}

// redactingWriter passes what is written to it on to w with Redact
// applied, a line at a time (lines end in '\n' or, for progress, '\r').
// The last word of an unfinished line is held back only when it holds a
// ':' (it may be the start of a URL whose password comes in the next
// write); Flush writes what is held.
type redactingWriter struct {
	mu   sync.Mutex
	w    io.Writer
	held []byte
}

func newRedactingWriter(w io.Writer) *redactingWriter { return &redactingWriter{w: w} }

func (r *redactingWriter) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	buf := append(r.held, p...)
	cut := len(buf)
	if last := lastIndexAny(buf, " \t\n\r\v\f"); last+1 < len(buf) && strings.IndexByte(string(buf[last+1:]), ':') >= 0 {
		cut = last + 1
	}
	out := Redact(string(buf[:cut]))
	r.held = append(r.held[:0:0], buf[cut:]...)
	if _, err := io.WriteString(r.w, out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes what Write held back.
func (r *redactingWriter) Flush() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.held) == 0 {
		return nil
	}
	_, err := io.WriteString(r.w, Redact(string(r.held)))
	r.held = nil
	return err
}

func lastIndexAny(b []byte, chars string) int {
	for i := len(b) - 1; i >= 0; i-- {
		if strings.IndexByte(chars, b[i]) >= 0 {
			return i
		}
	}
	return -1
}

// WithoutRedacted is the URL u with a redacted password (Redacted) taken
// out: https://user:***@host/r becomes https://user@host/r, which git can
// use, asking the user's credential helper for the password instead of
// sending "***".
func WithoutRedacted(u string) string {
	start := strings.Index(u, "://")
	if start < 0 {
		return u
	}
	start += len("://")
	end := start
	for end < len(u) && !endsAuthority(u[end], false) {
		end++
	}
	at := strings.LastIndexByte(u[start:end], '@')
	if at < 0 || !strings.HasSuffix(u[start:start+at], ":"+Redacted) {
		return u
	}
	return u[:start+at-len(":"+Redacted)] + u[start+at:]
}
