package stage

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/git-stage/git-stage/gitcmd"
)

// Leftovers of runs that died. clone builds a copy in a hidden directory
// beside its place (.NAME.git-stage-new-<12 hex>) and moves it into
// place at the end; clone -f and remove first move the copy they replace
// aside (.NAME.git-stage-old-<12 hex>). A run killed before its cleanup
// (SIGKILL, a crash, a power cut) leaves that directory, and perhaps the
// temp branch the copy pushed. A run holds the copy's lock (lockCopy)
// while such a directory of its own exists, so one whose lock is free was
// left by a run that is gone: prune, and the next clone of the name,
// delete its temp branch and remove it when the loss rule allows.

// leftoverName matches the hidden directories runs make beside a copy:
// the copy's base name, and whether it was being built or set aside.
// (besideDir's names, with randomSuffix's 12 hex digits).
var leftoverName = regexp.MustCompile(`^\.(.+)(` + regexp.QuoteMeta(newDirMarker) + `|` + regexp.QuoteMeta(oldDirMarker) + `)[0-9a-f]{12}$`)

// maxLeftoverDepth bounds how deep prune looks below the staging root for
// the directories of nested staging names.
const maxLeftoverDepth = 16

// leftover is a hidden directory a run left, and what removing it means.
type leftover struct {
	dir    string // the hidden directory
	target string // the place of the copy it belongs to
	aside  bool   // a copy moved aside (-old-), not one being built (-new-)
	name   string // the staging name its git config records, else the target's base name
	config string // the config file its git config records; "" when it records none

	remote     string // the remote its git config pushes the temp branch to
	url        string // that remote's URL
	pushTo     string // the temp branch its git config pushes to
	unreadable error  // why its git config could not be read

	way    remoteWay   // where its remote is reached; remote "" when nowhere
	temp   *gitcmd.Ref // its temp branch on the remote, when it pushed one nothing else claims
	lost   []string    // what removing it (and deleting temp) would lose
	unsure string      // why what it holds cannot be told, if it cannot
}

// why says why the leftover is kept; "" when it is not.
func (l *leftover) why() string {
	switch {
	case l.unsure != "":
		return l.unsure
	case len(l.lost) > 0:
		return "it holds work that would be lost: " + strings.Join(l.lost, "; ")
	}
	return ""
}

func (l *leftover) String() string {
	if l.aside {
		return fmt.Sprintf("%s, the copy of %q an interrupted clone or remove had moved aside", l.dir, l.name)
	}
	return fmt.Sprintf("%s, left by an interrupted clone of %q", l.dir, l.name)
}

// readConfig reads, from the leftover's git config (written as the clone
// starts), its name, config file, and the temp branch it pushes to.
func (l *leftover) readConfig() {
	// Only a regular file, as for the copy's mark: a named pipe left
	// there must not hang prune.
	data, err := readSmallFile(filepath.Join(l.dir, ".git", "config"), maxGitConfig)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err != nil {
		l.unreadable = err
		return
	}
	entries, err := gitcmd.ParseConfigFile(string(data))
	if err != nil {
		l.unreadable = err
		return
	}
	for _, e := range entries {
		switch {
		case e.Key == "stage.name" && e.Value != "":
			l.name = e.Value
		case e.Key == "stage.config" && e.Value != "":
			l.config = e.Value
		case strings.HasPrefix(e.Key, "remote.") && strings.HasSuffix(e.Key, ".push"):
			if _, dst, ok := strings.Cut(e.Value, ":"); ok && strings.HasPrefix(dst, "refs/heads/"+TempPrefix) {
				l.remote = strings.TrimSuffix(strings.TrimPrefix(e.Key, "remote."), ".push")
				l.pushTo = strings.TrimPrefix(dst, "refs/heads/")
			}
		}
	}
	for _, e := range entries {
		if l.remote != "" && e.Key == "remote."+l.remote+".url" {
			l.url = e.Value
		}
	}
}

// newLeftover reads what dir's name says: nil when it is not a leftover's.
func newLeftover(dir string) *leftover {
	m := leftoverName.FindStringSubmatch(filepath.Base(dir))
	if m == nil {
		return nil
	}
	return &leftover{dir: dir, target: filepath.Join(filepath.Dir(dir), m[1]), aside: m[2] == oldDirMarker, name: m[1]}
}

// leftoversIn lists the leftover directories in parent (not below it),
// of the copy named base there, or of any copy when base is "".
func leftoversIn(parent, base string) []string {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if m := leftoverName.FindStringSubmatch(e.Name()); m != nil && e.IsDir() && (base == "" || m[1] == base) {
			out = append(out, filepath.Join(parent, e.Name()))
		}
	}
	return out
}

// findLeftovers lists the leftover directories beside the recorded copies
// and under the staging root, without descending into repositories or
// hidden directories.
func findLeftovers(root string, cfg *Config) []string {
	var out []string
	seen := map[string]bool{}
	add := func(dirs ...string) {
		for _, d := range dirs {
			if p := physical(d); !seen[p] {
				seen[p] = true
				out = append(out, d)
			}
		}
	}
	// Beside the recorded copies first: their paths are spelt as the runs
	// that made them spelt them, which the copy's lock is named after.
	var parents []string
	for _, m := range cfg.Stagings {
		parents = append(parents, filepath.Dir(m.StagingPath))
	}
	sort.Strings(parents)
	for _, p := range slices.Compact(parents) {
		add(leftoversIn(p, "")...)
	}
	var walk func(dir string, depth int)
	walk = func(dir string, depth int) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return
		}
		for _, e := range entries {
			if !e.IsDir() {
				continue
			}
			p := filepath.Join(dir, e.Name())
			switch {
			case leftoverName.MatchString(e.Name()):
				add(p)
			case strings.HasPrefix(e.Name(), ".") || depth >= maxLeftoverDepth:
			default:
				if there, _ := exists(filepath.Join(p, ".git")); !there {
					walk(p, depth+1)
				}
			}
		}
	}
	walk(root, 0)
	return out
}

// recordedTemps are the temp branches the config records, current and
// leftover: they are the mappings' to settle, not a leftover's.
func recordedTemps(cfg *Config) map[string]bool {
	out := map[string]bool{}
	for _, m := range cfg.Stagings {
		for _, t := range tempBranches(m, true) {
			out[t] = true
		}
	}
	return out
}

// judgeLeftover reads what the leftover l holds and what removing it
// would lose: its own commits and, for a copy set aside, its uncommitted
// changes, judged by the loss rule with the remote's branches listed now,
// less going (temp branches deleted by this command) and the leftover's
// own temp branch. A copy being built never reached the user, so the
// state of its files (perhaps half checked out) is not work. A temp
// branch is the leftover's when its git config names it as the push
// target, the copy had already switched its remote from the work
// repository to the real one (clone pushes only after), the remote has
// it, and the config records it for no copy.
func (a *App) judgeLeftover(ctx context.Context, l *leftover, cfg *Config, going []string, discard string) {
	gitDir := filepath.Join(l.dir, ".git")
	repo := validGitDir(gitDir)
	if l.unreadable != nil && repo {
		l.unsure = fmt.Sprintf("its git config cannot be read (%v)", l.unreadable)
		return
	}
	remote, url, temp := l.remote, l.url, l.pushTo

	// The work repository it was cloned from, else the one the config
	// records for its place.
	from := clonedFrom(gitDir)
	work := from
	m := cfg.Stagings[l.name]
	if work == "" && m != nil && m.StagingPath == l.target {
		work = m.WorkPath
		if remote == "" {
			remote, l.remote = m.Remote, m.Remote
		}
	}
	if ok, _ := exists(filepath.Join(work, ".git")); work == "" || !ok {
		work = ""
	}
	switched := url != "" && url != from && (from != "" || !isWorkTree(url))

	l.way = remoteWay{work: work}
	switch {
	case remote == "":
	case switched && repo:
		l.way.dir, l.way.remote = l.dir, remote
	case work != "":
		l.way.dir, l.way.remote = work, remote
	}
	var heads []gitcmd.Ref
	if l.way.remote != "" {
		var err error
		if heads, err = a.listHeads(ctx, l.way); err != nil {
			if switched && temp != "" {
				l.unsure = fmt.Sprintf("its temp branch %s cannot be checked (%v)", temp, err)
				return
			}
			heads = nil // fewer safe places: the check only errs on the side of keeping
		}
	}
	if oid, ok := gitcmd.Find(heads, "refs/heads/"+temp); ok && switched && !recordedTemps(cfg)[temp] {
		l.temp = &gitcmd.Ref{Name: temp, OID: oid}
		going = append(slices.Clip(going), temp)
	}
	var temps []gitcmd.Ref
	if l.temp != nil {
		temps = append(temps, *l.temp)
	}
	c := lossCheck{work: work, remote: cmp.Or(l.remote, "its remote"), heads: heads, going: going}

	if l.aside {
		if !repo {
			if there, _ := exists(gitDir); there {
				l.unsure = "it is not a whole git repository, so what it holds cannot be checked"
				return
			}
		}
		lost, err := a.lossOf(ctx, c, l.dir, temps, discard)
		if err != nil {
			l.unsure = fmt.Sprintf("what it holds cannot be checked (%v)", err)
			return
		}
		l.lost = append(l.lost, lost...)
		return
	}
	// A copy being built: its refs and HEAD, read through its own git
	// directory (a half-made one must not send git to a repository above).
	var tips []string
	lend := ""
	if repo {
		out, err := a.Git.Run(ctx, gitcmd.Cmd{Dir: l.dir, Env: []string{"GIT_DIR=" + gitDir},
			Args: []string{"for-each-ref", "--format=%(objectname) %(refname)"}})
		if err != nil {
			l.unsure = fmt.Sprintf("what it holds cannot be checked (%v)", err)
			return
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if oid, ref, ok := strings.Cut(line, " "); ok && !strings.HasPrefix(ref, "refs/remotes/") {
				tips = append(tips, oid)
			}
		}
		if head, err := os.ReadFile(filepath.Join(gitDir, "HEAD")); err == nil && !strings.HasPrefix(string(head), "ref: ") {
			tips = append(tips, strings.TrimSpace(string(head)))
		}
		lend = l.dir
	}
	var others []string
	for _, t := range temps {
		others = append(others, t.OID)
	}
	lost, err := a.unreached(ctx, c, lend, tips, others)
	if err != nil {
		l.unsure = fmt.Sprintf("what it holds cannot be checked (%v)", err)
		return
	}
	l.lost = append(l.lost, lostParts(lost, temps, c.remote)...)
}

// validGitDir reports whether dir looks like a git directory to git:
// HEAD, objects and refs are there. Git given a half-made one would look
// for a repository above it.
func validGitDir(dir string) bool {
	for _, f := range []string{"HEAD", "objects", "refs"} {
		if there, _ := exists(filepath.Join(dir, f)); !there {
			return false
		}
	}
	return true
}

// clonedFrom is where `git clone` made the repository at gitDir from, as
// its first reflog entry says; "" when it cannot tell.
func clonedFrom(gitDir string) string {
	f, err := os.Open(filepath.Join(gitDir, "logs", "HEAD"))
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return ""
	}
	_, msg, _ := strings.Cut(sc.Text(), "\t")
	from, ok := strings.CutPrefix(msg, "clone: from ")
	if !ok || !filepath.IsAbs(from) {
		return ""
	}
	return from
}

// isWorkTree reports whether url is the path of a repository with a work
// tree (a work repository, not a remote).
func isWorkTree(url string) bool {
	if !filepath.IsAbs(url) {
		return false
	}
	there, _ := exists(filepath.Join(url, ".git"))
	return there
}
