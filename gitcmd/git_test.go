package gitcmd

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// git runs a setup command with a fixed identity, failing the test on error.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(ScrubbedEnv(os.Environ()), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir,
		"GIT_AUTHOR_NAME=A", "GIT_AUTHOR_EMAIL=a@example.com", "GIT_COMMITTER_NAME=A", "GIT_COMMITTER_EMAIL=a@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func newRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	return dir
}

func TestLocalEnvVarsMatchGit(t *testing.T) {
	out, err := exec.Command("git", "rev-parse", "--local-env-vars").Output()
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Fields(string(out))
	for _, v := range want {
		if !isLocalEnvVar(v) {
			t.Errorf("git lists %s as repository-local, but it is not scrubbed", v)
		}
	}
	got := append([]string(nil), localEnvVars...)
	sort.Strings(got)
	sort.Strings(want)
	extra := map[string]bool{}
	for _, v := range got {
		extra[v] = true
	}
	for _, v := range want {
		delete(extra, v)
	}
	// Names this git no longer lists are kept for older gits; say which.
	for v := range extra {
		t.Logf("scrubbed but not listed by this git: %s", v)
	}
}

func TestScrubbedEnv(t *testing.T) {
	// The settings of git -c and GIT_CONFIG_COUNT stay, as git keeps them
	// for a submodule.
	in := []string{"PATH=/bin", "GIT_DIR=/x", "GIT_INDEX_FILE=/i", "GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=a.b",
		"GIT_CONFIG_VALUE_0=c", "GIT_AUTHOR_NAME=A", "GIT_PREFIX=sub/", "HOME=/h", "GIT_TRACE=1",
		"GIT_CONFIG=/c", "GIT_CONFIG_PARAMETERS='x.y'='z'"}
	got := ScrubbedEnv(in)
	want := []string{"PATH=/bin", "GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=a.b", "GIT_CONFIG_VALUE_0=c",
		"GIT_AUTHOR_NAME=A", "HOME=/h", "GIT_TRACE=1", "GIT_CONFIG_PARAMETERS='x.y'='z'"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ScrubbedEnv = %v, want %v", got, want)
	}
}

// A hook or alias exports GIT_DIR and friends; the runner must still act
// on the repository it is pointed at.
func TestRunnerIgnoresInheritedRepositoryEnv(t *testing.T) {
	a, b := newRepo(t), newRepo(t)
	t.Setenv("GIT_DIR", filepath.Join(b, ".git"))
	t.Setenv("GIT_WORK_TREE", b)
	t.Setenv("GIT_INDEX_FILE", filepath.Join(b, ".git", "index"))
	r := &Runner{}
	out, err := r.Output(context.Background(), a, "rev-parse", "--absolute-git-dir")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := filepath.EvalSymlinks(filepath.Join(a, ".git"))
	if got := strings.TrimSpace(string(out)); got != want {
		t.Errorf("git ran in %s, want %s", got, want)
	}
	if r.Started() != 1 {
		t.Errorf("Started() = %d, want 1", r.Started())
	}
}

func TestRunnerError(t *testing.T) {
	dir := newRepo(t)
	r := &Runner{}
	_, err := r.Output(context.Background(), dir, "rev-parse", "--verify", "--end-of-options", "nosuch")
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %T %v, want *Error", err, err)
	}
	if e.ExitCode != 128 || e.Dir != dir || !strings.Contains(e.Stderr, "fatal: Needed a single revision") {
		t.Errorf("error fields: %+v", e)
	}
	if got := e.Error(); got != "git rev-parse failed (exit status 128): Needed a single revision" {
		t.Errorf("Error() = %q", got)
	}
	if ExitCode(err) != 128 || ExitCode(errors.New("x")) != -1 {
		t.Errorf("ExitCode wrong")
	}
	if _, err := r.Output(context.Background(), "", "status"); err == nil {
		t.Errorf("a command without a directory ran")
	}
}

func TestRunnerCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := (&Runner{}).Output(ctx, t.TempDir(), "version")
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "interrupted") {
		t.Errorf("err = %v, want an interrupted git", err)
	}
}

func TestRunnerTrace(t *testing.T) {
	dir := newRepo(t)
	var trace strings.Builder
	r := &Runner{Trace: &trace}
	_, err := r.Run(context.Background(), Cmd{Dir: dir, Args: []string{"hash-object", "--stdin"}, Stdin: []byte("x\n")})
	if err != nil {
		t.Fatal(err)
	}
	want := "+ git -C " + Quote(dir) + " hash-object --stdin\n  < x\n"
	if trace.String() != want {
		t.Errorf("trace = %q, want %q", trace.String(), want)
	}
}

func TestStatusOfRealRepository(t *testing.T) {
	dir := newRepo(t)
	r := &Runner{}
	st, err := r.Status(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Unborn() || st.Branch != "main" || st.Dirty() {
		t.Errorf("new repository: %+v", st)
	}
	for _, f := range []string{"a.txt", "b c.txt", "old.txt"} {
		os.WriteFile(filepath.Join(dir, f), []byte(f+"\n"), 0o644)
	}
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "one")
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("changed\n"), 0o644)
	git(t, dir, "mv", "old.txt", "new name.txt")
	os.WriteFile(filepath.Join(dir, "untracked\nfile"), nil, 0o644)
	st, err = r.Status(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.Unborn() || st.Detached || st.Branch != "main" || !st.Dirty() || len(st.OID) != 40 {
		t.Errorf("status: %+v", st)
	}
	want := []Change{
		{Kind: '1', XY: ".M", Sub: "N...", Path: "a.txt"},
		{Kind: '2', XY: "R.", Sub: "N...", Path: "new name.txt", Orig: "old.txt"},
		{Kind: '?', XY: "??", Path: "untracked\nfile"},
	}
	if !reflect.DeepEqual(st.Changes, want) {
		t.Errorf("changes = %+v, want %+v", st.Changes, want)
	}
	git(t, dir, "checkout", "-q", "--detach")
	st, _ = r.Status(context.Background(), dir)
	if !st.Detached || st.Branch != "" {
		t.Errorf("detached: %+v", st)
	}
}

func TestParseStatusHeaders(t *testing.T) {
	out := "# branch.oid 1234\x00# branch.head topic\x00# branch.upstream origin/topic\x00# branch.ab +2 -3\x00" +
		"u UU N... 100644 100644 100644 100644 a b c conflict.txt\x00! ignored/\x00"
	st, err := ParseStatus([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if st.OID != "1234" || st.Branch != "topic" || st.Upstream != "origin/topic" || st.Ahead != 2 || st.Behind != 3 {
		t.Errorf("headers: %+v", st)
	}
	if len(st.Changes) != 2 || st.Changes[0].Path != "conflict.txt" || st.Changes[0].Kind != 'u' || !st.Dirty() {
		t.Errorf("changes: %+v", st.Changes)
	}
	if (&Status{Changes: []Change{{Kind: '!'}}}).Dirty() {
		t.Errorf("ignored files made the tree dirty")
	}
	for _, bad := range []string{"x y\x00", "1 .M short\x00", "2 R. N... 1 2 3 a b R100 only\x00", "# branch.ab x\x00"} {
		if _, err := ParseStatus([]byte(bad)); err == nil {
			t.Errorf("ParseStatus(%q) succeeded", bad)
		}
	}
}

func TestPushAndRefsOfRealRemote(t *testing.T) {
	remote := t.TempDir()
	git(t, remote, "init", "-q", "--bare")
	dir := newRepo(t)
	git(t, dir, "commit", "-q", "--allow-empty", "-m", "one")
	git(t, dir, "remote", "add", "origin", remote)
	r := &Runner{}
	ctx := context.Background()
	out, err := r.Output(ctx, dir, "push", "--porcelain", "origin", "main", "main:refs/heads/other")
	if err != nil {
		t.Fatal(err)
	}
	pushed := ParsePush(out)
	if len(pushed) != 2 || pushed[0].Flag != '*' || pushed[0].To != "refs/heads/main" || pushed[0].Summary != "[new branch]" {
		t.Errorf("pushed: %+v", pushed)
	}
	head := strings.TrimSpace(git(t, dir, "rev-parse", "HEAD"))
	out, err = r.Output(ctx, dir, "push", "--porcelain", "--force-with-lease=refs/heads/gone:"+head, "origin", ":refs/heads/gone")
	if err == nil {
		t.Fatal("push with a stale lease succeeded")
	}
	if p := ParsePush(out); len(p) != 1 || !p[0].Rejected() || p[0].Reason != "stale info" {
		t.Errorf("stale lease: %+v", p)
	}

	refs, err := r.LsRemote(ctx, dir, "origin", "refs/heads/other")
	if err != nil || !reflect.DeepEqual(refs, []Ref{{Name: "refs/heads/other", OID: head}}) {
		t.Errorf("LsRemote = %+v, %v", refs, err)
	}
	refs, err = r.ForEachRef(ctx, dir, "refs/heads/")
	if err != nil || !reflect.DeepEqual(refs, []Ref{{Name: "refs/heads/main", OID: head}}) {
		t.Errorf("ForEachRef = %+v, %v", refs, err)
	}
	if oid, ok := Find(refs, "refs/heads/main"); !ok || oid != head {
		t.Errorf("Find = %q, %v", oid, ok)
	}
	missing, err := r.MissingObjects(ctx, dir, nil, []string{head, strings.Repeat("1", 40)})
	if err != nil || !reflect.DeepEqual(missing, map[string]bool{strings.Repeat("1", 40): true}) {
		t.Errorf("MissingObjects = %v, %v", missing, err)
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"plain":            "plain",
		"refs/heads/a:b":   "refs/heads/a:b",
		"":                 "''",
		"a b":              "'a b'",
		"it's":             `'it'\''s'`,
		"--format=%(x) %y": "'--format=%(x) %y'",
		"~/x":              "'~/x'",
	} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
	if got := (Cmd{Dir: "/a b", Args: []string{"push", "x y"}}).String(); got != "git -C '/a b' push 'x y'" {
		t.Errorf("Cmd.String() = %s", got)
	}
}

func TestSubcommand(t *testing.T) {
	if got := Subcommand([]string{"-c", "a=b", "--no-pager", "push", "x"}); got != "push" {
		t.Errorf("Subcommand = %q", got)
	}
}

// Env reaches git: with the other repository's objects as alternates, its
// commit is found without being copied, and Cmd.String shows the setting.
func TestCmdEnvAlternates(t *testing.T) {
	a, b := newRepo(t), newRepo(t)
	git(t, b, "commit", "-q", "--allow-empty", "-m", "only in b")
	oid := strings.TrimSpace(git(t, b, "rev-parse", "HEAD"))
	r := &Runner{}
	ctx := context.Background()
	if missing, err := r.MissingObjects(ctx, a, nil, []string{oid}); err != nil || !missing[oid] {
		t.Fatalf("without alternates: %v, %v", missing, err)
	}
	env := []string{"GIT_ALTERNATE_OBJECT_DIRECTORIES=" + b + "/.git/objects"}
	if missing, err := r.MissingObjects(ctx, a, env, []string{oid}); err != nil || missing[oid] {
		t.Fatalf("with alternates: %v, %v", missing, err)
	}
	c := Cmd{Dir: "/r", Env: []string{"A=b c"}, Args: []string{"status"}}
	if got := c.String(); got != "A='b c' git -C /r status" {
		t.Errorf("String = %q", got)
	}
}

func TestIsOID(t *testing.T) {
	for s, want := range map[string]bool{
		strings.Repeat("a", 40): true, strings.Repeat("0", 64): true,
		strings.Repeat("a", 39): false, strings.Repeat("A", 40): false,
		"ref: refs/heads/main": false, "": false, strings.Repeat("g", 40): false,
	} {
		if IsOID(s) != want {
			t.Errorf("IsOID(%q) = %v, want %v", s, !want, want)
		}
	}
}

// git reads the object directories AlternateObjects lends whatever their
// names hold: ':', quotes, backslashes, control characters.
func TestAlternateObjectsOddNames(t *testing.T) {
	a := newRepo(t)
	r := &Runner{}
	ctx := context.Background()
	for _, name := range []string{"plain", "a:b", `q"uote`, `back\slash`, "tab\there", "new\nline", `"leading`, "x:\"y\\z:"} {
		b := filepath.Join(t.TempDir(), name)
		if err := os.MkdirAll(b, 0o755); err != nil {
			t.Fatal(err)
		}
		git(t, b, "init", "-q", "-b", "main")
		git(t, b, "commit", "-q", "--allow-empty", "-m", "in "+name)
		oid := strings.TrimSpace(git(t, b, "rev-parse", "HEAD"))
		env := []string{AlternateObjects(filepath.Join(b, ".git", "objects"), filepath.Join(a, ".git", "objects"))}
		if missing, err := r.MissingObjects(ctx, a, env, []string{oid}); err != nil || missing[oid] {
			t.Errorf("%q: lent objects not found (%v, %v; %s)", name, missing, err, env[0])
		}
	}
}

// TestReasonInAnyLanguage: git translates "fatal:" and "error:"; a
// translated stderr still gives its first message, not a progress line,
// the remote's words, or the last line of a paragraph.
func TestReasonInAnyLanguage(t *testing.T) {
	for _, c := range []struct{ stderr, want string }{
		{"hint: x\nfatal: not possible to fast-forward\n", "not possible to fast-forward"},
		{"Schwerwiegend: '/r.git' scheint kein Git-Repository zu sein\nSchwerwiegend: Konnte nicht vom Remote-Repository lesen.\n\n" +
			"Bitte stellen Sie sicher, dass die korrekten Zugriffsberechtigungen bestehen\nund das Repository existiert.\n",
			"Schwerwiegend: '/r.git' scheint kein Git-Repository zu sein"},
		{"remote: Objekte aufzählen: 3, fertig.\nObjekte aufzählen: 100% (3/3)\rObjekte aufzählen: 3, fertig.\n" +
			"fatal : la référence distante a été rejetée\n", "fatal : la référence distante a été rejetée"},
		{"\n", ""},
	} {
		if got := (&Error{Stderr: c.stderr}).Reason(); got != c.want {
			t.Errorf("Reason of %q = %q, want %q", c.stderr, got, c.want)
		}
	}
}

// TestReadOnly: the commands that only read run without optional locks;
// a command that writes, or a config that sets, does not.
func TestReadOnly(t *testing.T) {
	for _, c := range []struct {
		args []string
		want bool
	}{
		{[]string{"status", "--porcelain=v2"}, true},
		{[]string{"-c", "core.quotePath=false", "log", "-1"}, true},
		{[]string{"-C", "dir", "rev-list", "--count", "HEAD"}, true},
		{[]string{"config", "-z", "--get-regexp", "^stage\\."}, true},
		{[]string{"config", "remote.origin.url", "x"}, false},
		{[]string{"-c", "core.logAllRefUpdates=always", "reset", "--keep", "HEAD"}, false},
		{[]string{"push", "--porcelain"}, false},
		{[]string{"update-ref", "--stdin"}, false},
		{[]string{"symbolic-ref", "HEAD", "refs/heads/x"}, false},
		{nil, false},
	} {
		if got := readOnly(c.args); got != c.want {
			t.Errorf("readOnly(%q) = %v, want %v", c.args, got, c.want)
		}
	}
}
