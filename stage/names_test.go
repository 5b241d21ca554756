package stage

import (
	"os/exec"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var when = time.Date(2026, 11, 24, 9, 8, 7, 0, time.FixedZone("CET", 3600))

// gitAccepts asks the installed git whether name is a valid ref name.
func gitAccepts(t testing.TB, name string) bool {
	t.Helper()
	err := exec.Command("git", "check-ref-format", name).Run()
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("run git check-ref-format: %v", err)
		}
		return false
	}
	return true
}

func TestTempBranch(t *testing.T) {
	for _, tc := range []struct{ name, base, want string }{
		{"apps/backend", "main", "staging-sync/apps/backend-main-20261124080807"},
		{"demo-stage", "main", "staging-sync/demo-stage-main-20261124080807"},
		{"my app", "feature/x", "staging-sync/my-app-cccdfa68-feature/x-20261124080807"},
		{"prøject/ünï", "main", "staging-sync/prøject/ünï-main-20261124080807"},
		{"a..b", "main", "staging-sync/a.-b-f62b4241-main-20261124080807"},
		{".hidden/x.lock/y.", "main", "staging-sync/-hidden/x-lock/y--53f9469d-main-20261124080807"},
		{"what?*[x]~^:\\", "main", "staging-sync/what---x]-----4697d23d-main-20261124080807"},
		{"at@{home}", "main", "staging-sync/at-{home}-7fea0964-main-20261124080807"},
		{"tab\there\nnl", "main", "staging-sync/tab-here-nl-51cf2f2a-main-20261124080807"},
		{"@", "main", "staging-sync/@-main-20261124080807"},
		// Names that sanitise alike get different branches.
		{"a b", "main", "staging-sync/a-b-c8687a08-main-20261124080807"},
		{"a-b", "main", "staging-sync/a-b-main-20261124080807"},
		{"\xff\xfe", "main", "staging-sync/---b3d510ef-main-20261124080807"},
	} {
		got := TempBranch(tc.name, tc.base, when)
		if got != tc.want {
			t.Errorf("TempBranch(%q, %q) = %q, want %q", tc.name, tc.base, got, tc.want)
		}
		if !gitAccepts(t, "refs/heads/"+got) {
			t.Errorf("git check-ref-format rejects %q", got)
		}
	}
}

func TestTempBranchLongNameStaysShort(t *testing.T) {
	got := TempBranch(strings.Repeat("ü", 400)+"/"+strings.Repeat("x", 300), "main", when)
	for _, comp := range strings.Split(got, "/") {
		if len(comp) > maxRefComponent+len("-01234567-main-20261124080807") {
			t.Errorf("component of %d bytes in %q", len(comp), got)
		}
	}
	if !utf8.ValidString(got) || !gitAccepts(t, "refs/heads/"+got) {
		t.Errorf("bad temp branch %q", got)
	}
}

func TestFreeName(t *testing.T) {
	taken := map[string]bool{"t": true, "t-2": true}
	if got := FreeName("t", func(s string) bool { return taken[s] }); got != "t-3" {
		t.Errorf("got %q, want t-3", got)
	}
	if got := FreeName("u", func(s string) bool { return taken[s] }); got != "u" {
		t.Errorf("got %q, want u", got)
	}
}

func TestCleanName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"apps/backend", "apps/backend"},
		{"apps//backend/", "apps/backend"},
		{"./demo", "demo"},
		{"my app", "my app"},
		{"-dash", "-dash"},
		{"prøject", "prøject"},
		{strings.Repeat("n", maxNameComponent) + "/x", strings.Repeat("n", maxNameComponent) + "/x"},
	} {
		got, err := CleanName(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("CleanName(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"", "/abs", "..", "../x", "a/../../x", "a/../b", ".", "./", "a\nb", "a\x00b", "x/.git", ".git", "\xff", "a/" + strings.Repeat("n", maxNameComponent+1)} {
		if got, err := CleanName(in); err == nil {
			t.Errorf("CleanName(%q) = %q, want a refusal", in, got)
		}
	}
}

// TestCheckRefFormatMatchesGit keeps the Go validator honest: on each of
// these names it must agree with the installed git.
func TestCheckRefFormatMatchesGit(t *testing.T) {
	for _, name := range []string{
		"refs/heads/main", "refs/heads/a.b", "refs/heads/a..b", "refs/heads/.a", "refs/heads/a.",
		"refs/heads/a.lock", "refs/heads/a.lock/b", "refs/heads/a@{b", "refs/heads/a@b", "@", "refs/@",
		"refs/heads//a", "refs/heads/a/", "/refs/heads/a", "main", "refs/heads/a b", "refs/heads/a~b",
		"refs/heads/a^b", "refs/heads/a:b", "refs/heads/a?b", "refs/heads/a*b", "refs/heads/a[b",
		"refs/heads/a\\b", "refs/heads/a\tb", "refs/heads/a\x7fb", "refs/heads/ü", "refs/heads/-x",
		"refs/heads/x-", "refs/heads/.lock", "refs/heads/a/.b", "refs/heads/{x}", "refs/heads/a]b",
	} {
		want := gitAccepts(t, name)
		got := CheckRefFormat(name) == nil
		if got != want {
			t.Errorf("CheckRefFormat(%q) accepts=%v, git accepts=%v", name, got, want)
		}
	}
}

// FuzzTempBranch: whatever the staging name, the temp branch is a valid
// ref name (by the Go validator, which FuzzCheckRefFormat checks against
// git), keeps the prefix and ends with the timestamp.
func FuzzTempBranch(f *testing.F) {
	for _, s := range []string{"apps/backend", "a..b", ".x.lock", "@{", "@", "a b/c\td", "\xff", "//", "", "ü/../x", strings.Repeat("y", 300)} {
		f.Add(s, "main")
	}
	f.Add("x", "feature/y")
	f.Fuzz(func(t *testing.T, name, base string) {
		if CheckRefFormat("refs/heads/"+base) != nil {
			base = "main"
		}
		got := TempBranch(name, base, when)
		if err := CheckRefFormat("refs/heads/" + got); err != nil {
			t.Fatalf("TempBranch(%q, %q) = %q: %v", name, base, got, err)
		}
		if !strings.HasPrefix(got, TempPrefix) || !strings.HasSuffix(got, "-20261124080807") {
			t.Fatalf("TempBranch(%q, %q) = %q: lost prefix or timestamp", name, base, got)
		}
		// A name that sanitises to another name does not share its branch.
		if clean := sanitizeRef(name); clean != name && TempBranch(clean, base, when) == got {
			t.Fatalf("TempBranch(%q) and TempBranch(%q) are both %q", name, clean, got)
		}
	})
}

// FuzzCheckRefFormat compares the Go validator with git itself.
func FuzzCheckRefFormat(f *testing.F) {
	for _, s := range []string{"refs/heads/main", "refs/heads/a..b", "refs/x.lock", "a/@{b", "@", "refs//x", "refs/heads/ü"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if strings.ContainsRune(name, 0) || strings.HasPrefix(name, "-") {
			return // cannot be a command-line argument / would be an option
		}
		if got, want := CheckRefFormat(name) == nil, gitAccepts(t, name); got != want {
			t.Fatalf("CheckRefFormat(%q) accepts=%v, git accepts=%v", name, got, want)
		}
	})
}

func TestReviewBranchName(t *testing.T) {
	for _, c := range []struct{ pattern, name, want string }{
		{"review/%n", "apps/web", "review/apps/web"},
		{"pr-%n-%n", "x", "pr-x-x"},
		{"100%%/%n", "x", "100%/x"},
		{"plain", "x", "plain"},
		{"trailing%", "x", "trailing%"},
		{"%q%n", "x", "%qx"},
	} {
		if got := ReviewBranchName(c.pattern, c.name); got != c.want {
			t.Errorf("ReviewBranchName(%q, %q) = %q, want %q", c.pattern, c.name, got, c.want)
		}
	}
}
