package gitcmd

import (
	"bytes"
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"https://user:TOKEN@example.com/r.git", "https://user:***@example.com/r.git"},
		{"https://user:TOKEN@example.com", "https://user:***@example.com"},
		{"https://user:TOKEN@example.com:8443/r?x=1#f", "https://user:***@example.com:8443/r?x=1#f"},
		{"https://user:TOKEN@example.com?x=1", "https://user:***@example.com?x=1"},
		{"ssh://git:TOKEN@example.com:22/r.git", "ssh://git:***@example.com:22/r.git"},
		{"https://x-access-token:ghs_AbC123@github.com/o/r", "https://x-access-token:***@github.com/o/r"},
		// Percent-encoded, or raw '@' and ':' in the password: git ends it
		// at the first '@', RFC 3986 at the last; either is covered.
		{"https://user:p%40ss%3Aw@example.com/r", "https://user:***@example.com/r"},
		{"https://user:p@ss@example.com/r", "https://user:***@example.com/r"},
		{"https://user:pa:ss@example.com/r", "https://user:***@example.com/r"},
		{"https://us%40er:pw@example.com/r", "https://us%40er:***@example.com/r"},
		{"https://user:a b@example.com/r", "https://user:***@example.com/r"},
		// Two URLs glued together.
		{"https://a:b@c://d:e@f/", "https://a:***@c://d:***@f/"},
		// No password: unchanged.
		{"https://example.com/r.git", "https://example.com/r.git"},
		{"https://example.com:8443/r.git", "https://example.com:8443/r.git"},
		{"https://user@example.com/r.git", "https://user@example.com/r.git"},
		{"https://user:@example.com/r.git", "https://user:@example.com/r.git"},
		{"https://user:***@example.com/r.git", "https://user:***@example.com/r.git"},
		{"https://example.com/a:b@c", "https://example.com/a:b@c"},
		{"git@github.com:org/r.git", "git@github.com:org/r.git"},
		{"user:pass@host:path", "user:pass@host:path"},
		{"/srv/git/a:b@c.git", "/srv/git/a:b@c.git"},
		{"../a:b@c", "../a:b@c"},
		{"file:///srv/git/r.git", "file:///srv/git/r.git"},
		{"", ""},
	} {
		if got := RedactURL(c.in); got != c.want {
			t.Errorf("RedactURL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestRedactText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"fatal: unable to access 'https://u:TOKEN@h/r.git/': 403", "fatal: unable to access 'https://u:***@h/r.git/': 403"},
		{"remote \"origin\" (https://u:TOKEN@h)", "remote \"origin\" (https://u:***@h)"},
		{"To https://u:T1@h/r\nand https://v:T2@k/s\n", "To https://u:***@h/r\nand https://v:***@k/s\n"},
		// White space ends a URL in text: what follows is not its password.
		{"see https://h and mail a:b@c", "see https://h and mail a:b@c"},
		{"progress 50% (1/2)\r", "progress 50% (1/2)\r"},
		{"git -C /a:b@c config x y", "git -C /a:b@c config x y"},
	} {
		if got := Redact(c.in); got != c.want {
			t.Errorf("Redact(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCmdStringRedacts(t *testing.T) {
	c := Cmd{Dir: "/w", Args: []string{"config", "remote.origin.url", "https://u:it's a secret@h/r"},
		Env: []string{"X=https://u:TOKEN@h/"}, Stdin: []byte("url https://u:TOKEN@h/\n")}
	got := c.Show()
	if strings.Contains(got, "secret") || strings.Contains(got, "TOKEN") {
		t.Errorf("Show() = %q, shows the password", got)
	}
	if want := `X='https://u:***@h/' git -C /w config remote.origin.url 'https://u:***@h/r'`; !strings.HasPrefix(got, want+"\n") {
		t.Errorf("Show() = %q, want it to start with %q", got, want)
	}
}

func TestErrorRedacts(t *testing.T) {
	e := &Error{Args: []string{"ls-remote", "https://u:TOKEN@h/r"}, ExitCode: 128,
		Stderr: "fatal: repository 'https://u:TOKEN@h/r/' not found\n"}
	if got, want := e.Error(), "git ls-remote failed (exit status 128): repository 'https://u:***@h/r/' not found"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// TestRedactingWriter: whatever the writes' boundaries, what comes out is
// the whole text redacted; a line or a word without ':' is not held back.
func TestRedactingWriter(t *testing.T) {
	text := "To https://user:s3cr3t@host/r.git\nremote: see https://u:p@h \rprogress 1/2\rdone"
	for size := 1; size <= len(text); size++ {
		var out bytes.Buffer
		w := newRedactingWriter(&out)
		for i := 0; i < len(text); i += size {
			w.Write([]byte(text[i:min(i+size, len(text))]))
		}
		w.Flush()
		if got, want := out.String(), Redact(text); got != want {
			t.Fatalf("writes of %d bytes: got %q, want %q", size, got, want)
		}
	}
	var out bytes.Buffer
	w := newRedactingWriter(&out)
	w.Write([]byte("Counting objects: 50% (1/2)"))
	if got := out.String(); got != "Counting objects: 50% (1/2)" {
		t.Errorf("a progress line was held back: %q", got)
	}
	w.Write([]byte("\rsee https://u:s3"))
	if got := out.String(); strings.Contains(got, "s3") {
		t.Errorf("a URL's start was not held back: %q", got)
	}
	w.Write([]byte("cr3t@h/ ok\n"))
	if got, want := out.String(), "Counting objects: 50% (1/2)\rsee https://u:***@h/ ok\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestWithoutRedacted(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"https://user:***@h/r", "https://user@h/r"},
		{"https://user:***@h", "https://user@h"},
		{"https://user@h/r", "https://user@h/r"},
		{"https://user:pw@h/r", "https://user:pw@h/r"},
		{"/srv/r.git", "/srv/r.git"},
	} {
		if got := WithoutRedacted(c.in); got != c.want {
			t.Errorf("WithoutRedacted(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// FuzzRedact: a URL's password never changes what Redact and RedactURL
// give (so it cannot be in it), a text without "://" is left as it is,
// redacting twice is redacting once, a URL without a password is left as
// it is, and the writer gives what Redact gives wherever the text is cut.
func FuzzRedact(f *testing.F) {
	f.Add("fatal: '", "https", "user", "s3cr3t", "example.com", "/r.git", "': x", 5)
	f.Add("", "ssh", "u@v", "p@ss:w%40rd", "h:22", "", "\n", 0)
	f.Add("x://a:b@", "https", "us:er", "tok", "h@o", "?q", "@z", 30)
	f.Fuzz(func(t *testing.T, prefix, scheme, user, pass, host, path, suffix string, cut int) {
		build := func(pass string) string {
			return prefix + scheme + "://" + user + ":" + pass + "@" + host + path + suffix
		}
		if pass != "" && !strings.ContainsAny(pass+user, "/?#") {
			url := scheme + "://" + user + ":" + pass + "@" + host + path
			other := scheme + "://" + user + ":p@" + host + path
			if got, want := RedactURL(url), RedactURL(other); got != want {
				t.Errorf("RedactURL(%q) = %q, but for password p %q", url, got, want)
			}
			if !strings.ContainsAny(pass+user, " \t\n\r\v\f") {
				if got, want := Redact(build(pass)), Redact(build("p")); got != want {
					t.Errorf("Redact(%q) = %q, but for password p %q", build(pass), got, want)
				}
			}
		}
		text := build(pass)
		once := Redact(text)
		if twice := Redact(once); twice != once {
			t.Errorf("Redact(Redact(%q)) = %q, not %q", text, twice, once)
		}
		if s := prefix + user + pass + host + path + suffix; !strings.Contains(s, "://") && Redact(s) != s {
			t.Errorf("Redact(%q) = %q, changed a text without a URL", s, Redact(s))
		}
		if !strings.ContainsAny(user, ":/?#@") && !strings.ContainsAny(host, "/?#@") && (path == "" || strings.ContainsAny(path[:1], "/?#")) {
			plain := scheme + "://" + user + "@" + host + path
			if !strings.Contains(scheme, "://") && RedactURL(plain) != plain {
				t.Errorf("RedactURL(%q) = %q, changed a URL without a password", plain, RedactURL(plain))
			}
		}
		var out bytes.Buffer
		w := newRedactingWriter(&out)
		cut = min(max(cut, 0), len(text))
		w.Write([]byte(text[:cut]))
		w.Write([]byte(text[cut:]))
		w.Flush()
		if out.String() != once {
			t.Errorf("written in two parts at %d, %q came out as %q, not %q", cut, text, out.String(), once)
		}
	})
}
