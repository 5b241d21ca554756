package gitcmd

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// configSamples are config texts git reads; ParseConfigFile must read
// each as `git config --list` does, or refuse it.
var configSamples = []string{
	"[stage]\n\troot = ~/staging\n",
	"[Stage]\n\tRoot=~/staging\n\tworkRoot = /a b/c  \n",
	"[stage]\n\tcopy = .env\n\tcopy = node_modules/\n[user]\n\tname = A U Thor\n",
	"[stage] root = x ; comment\n# comment\n; comment\n[core]\n\tbare = false\n",
	"[stage]\n\troot = \"  spaced  \" tail # c\n",
	"[stage]\n\troot = a\\\n  b\n",
	"[stage]\n\troot = tab\\there\\\\ \\\"q\\\" nl\\n\n",
	"[remote \"origin\"]\n\turl = /srv/x.git\n[remote \"Up \\\"q\\\" \\\\ x\"]\n\turl = y\n",
	"[stage.Sub]\n\tkey = v\n",
	"[stage]\n\tflag\n\tcd = true\n",
	"[stage]\r\n\troot = crlf\r\n",
	"\xef\xbb\xbf[stage]\n\troot = bom\n",
	"[stage]\n\troot = \"a;b#c\"\n",
	"[stage]\n\troot =\n",
	"[stage]\n\troot = x",
	"[stage]\n\tpostClone = npm ci && echo \"done\"\n",
	"[a]b=1\n[a]c=2",
	"[stage]\n\troot = \"unterminated\n",
	"[stage]\n\tbad key = 1\n",
	"key = outside\n",
	"[include]\n\tpath = other\n",
	"[includeIf \"gitdir:~/x/\"]\n\tpath = other\n",
	"[stage]\n\troot = a \\q\n",
	"[stage]\n\tflag # comment\n",
	"[stage \"sub\"\n",
	"[]\n",
	"[stage]\n\troot = a\rb\n",
}

// gitList is what git reads from the config text: `git config -z --list`.
func gitList(t testing.TB, text string) (string, bool) {
	f := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(f, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("git", "config", "--file", f, "-z", "--list").Output()
	return string(out), err == nil
}

func listOf(entries []ConfigEntry) string {
	var b strings.Builder
	for _, e := range entries {
		b.WriteString(e.Key)
		if !e.NoValue {
			b.WriteString("\n" + e.Value)
		}
		b.WriteByte(0)
	}
	return b.String()
}

func checkAgainstGit(t testing.TB, text string) {
	entries, err := ParseConfigFile(text)
	want, gitOK := gitList(t, text)
	switch {
	case err != nil && gitOK && !strings.Contains(text, "include"):
		// Refusing what git reads is allowed (the caller asks git), but
		// only for what this reader does not claim to handle.
		if strings.Contains(err.Error(), "unterminated") || strings.Contains(err.Error(), "expected =") {
			t.Errorf("%q: git reads it, the parser says %v", text, err)
		}
	case err == nil && !gitOK:
		t.Errorf("%q: git refuses it, the parser read %q", text, listOf(entries))
	case err == nil && listOf(entries) != want:
		t.Errorf("%q:\nparsed %q\ngit    %q", text, listOf(entries), want)
	}
}

func TestParseConfigFileAsGit(t *testing.T) {
	for _, text := range configSamples {
		checkAgainstGit(t, text)
	}
	// Includes are left to git.
	for _, text := range []string{"[include]\n\tpath = x\n", "[includeIf \"onbranch:main\"]\n\tpath = x\n", "[IncludeIf \"gitdir:/\"]\n"} {
		if _, err := ParseConfigFile(text); err == nil {
			t.Errorf("%q: parsed, want it left to git", text)
		}
	}
}

// FuzzParseConfigFile checks the parser against git on any text: what it
// reads, git reads the same way.
func FuzzParseConfigFile(f *testing.F) {
	for _, text := range configSamples {
		f.Add(text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if strings.ContainsRune(text, 0) {
			return
		}
		entries, err := ParseConfigFile(text)
		if err != nil {
			return
		}
		want, ok := gitList(t, text)
		if !ok {
			t.Fatalf("%q: git refuses it, the parser read %q", text, listOf(entries))
		}
		if got := listOf(entries); got != want {
			t.Fatalf("%q:\nparsed %q\ngit    %q", text, got, want)
		}
	})
}

// ReadConfig finds the global and the repository's config as git does,
// and leaves what it cannot tell to git.
func TestReadConfig(t *testing.T) {
	home := t.TempDir()
	repo := filepath.Join(t.TempDir(), "repo")
	git(t, "", "init", "-q", repo)
	sub := filepath.Join(repo, "a", "b")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".gitconfig"), []byte("[stage]\n\troot = /global\n\tworkRoot = /code\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, repo, "config", "stage.root", "/local")
	env := map[string]string{"HOME": home, "GIT_CONFIG_NOSYSTEM": "1"}
	getenv := func(k string) string { return env[k] }
	entries, ok := ReadConfig(sub, "stage.", getenv)
	if !ok || listOf(entries) != "stage.root\n/global\x00stage.workroot\n/code\x00stage.root\n/local\x00" {
		t.Errorf("ReadConfig = %q, %v", listOf(entries), ok)
	}
	env["GIT_CEILING_DIRECTORIES"] = "/"
	if _, ok := ReadConfig(sub, "stage.", getenv); ok {
		t.Errorf("read despite GIT_CEILING_DIRECTORIES")
	}
	delete(env, "GIT_CEILING_DIRECTORIES")
	if _, ok := ReadConfig(filepath.Join(repo, ".git"), "stage.", getenv); ok {
		t.Errorf("read from inside a git directory")
	}
	if err := os.WriteFile(filepath.Join(home, ".gitconfig"), []byte("[include]\n\tpath = more\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, ok := ReadConfig(sub, "stage.", getenv); ok {
		t.Errorf("read a config with an include")
	}
}

// TestParseBool: git config booleans read as git reads them, a key
// without a value being true.
func TestParseBool(t *testing.T) {
	for _, c := range []struct {
		v       string
		noValue bool
		want    bool
		bad     bool
	}{
		{"true", false, true, false}, {"YES", false, true, false}, {"on", false, true, false}, {"1", false, true, false},
		{"false", false, false, false}, {"No", false, false, false}, {"off", false, false, false}, {"0", false, false, false},
		{"", false, false, false}, {"", true, true, false}, {"maybe", false, false, true}, {"2", false, false, true},
	} {
		got, ok := ParseBool(c.v, c.noValue)
		if ok == c.bad || got != c.want {
			t.Errorf("ParseBool(%q, %v) = %v, %v; want %v (bad: %v)", c.v, c.noValue, got, ok, c.want, c.bad)
		}
	}
}
