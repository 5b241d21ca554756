package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/alecthomas/kong"

	"github.com/git-stage/git-stage/stage"
)

// manCmd prints the manual page, generated from the command line itself,
// for the name it was run as: install.sh writes git-stage.1 and
// git-staging.1 with it, and `git staging --help` opens the latter.
type manCmd struct{}

func (m *manCmd) Run(kctx *kong.Context, app *stage.App) error {
	return writeMan(app.Stdout, kctx.Model)
}

// writeMan renders the page in man(7) roff.
func writeMan(w io.Writer, app *kong.Application) error {
	name := app.Name
	shown := name // how the user types it
	if rest, ok := strings.CutPrefix(name, "git-"); ok {
		shown = "git " + rest
	}
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }

	p(`.TH %s 1 "" "git-stage %s" "Git Manual"`, roffText(strings.ToUpper(name)), roffText(version))
	p(".SH NAME")
	p(`%s \- %s`, roffText(name), roffText(strings.TrimSuffix(app.Help, ".")))
	p(".SH SYNOPSIS")
	p(`\fB%s\fR [\fIoptions\fR] \fIcommand\fR [\fIarguments\fR]`, roffText(shown))
	p(".SH DESCRIPTION")
	for _, para := range manDescription {
		p(".PP")
		p("%s", roffText(strings.ReplaceAll(para, "NAME", shown)))
	}
	var routed []string
	for _, cmd := range app.Children {
		if !cmd.Hidden && cmd.Tag.Has("routed") {
			routed = append(routed, cmd.Name)
		}
	}
	p(".PP")
	p("%s", roffText("The function of git-stage shell-init sends git stage <command> to git-stage when <command> is one of "+strings.Join(routed, ", ")+"; every other git stage, git stage <path> included, goes to Git untouched."))

	p(".SH COMMANDS")
	type setting struct {
		flag *kong.Flag
		of   string // the command it belongs to, "" for a global option
	}
	var all []setting
	for _, f := range app.Flags {
		all = append(all, setting{f, ""})
	}
	for _, cmd := range app.Children {
		if cmd.Hidden {
			continue
		}
		for _, f := range cmd.Flags {
			all = append(all, setting{f, cmd.Name})
		}
		usage := shown + " " + cmd.Name
		for _, pos := range cmd.Positional {
			if pos.Required {
				usage += " <" + pos.Name + ">"
			} else {
				usage += " [<" + pos.Name + ">]"
			}
		}
		p(`.SS "%s"`, roffText(usage))
		p("%s", roffText(cmd.Help))
		for _, pos := range cmd.Positional {
			p(".TP")
			p(`\fI%s\fR`, roffText(pos.Name))
			p("%s", roffText(pos.Help))
		}
		writeManFlags(p, cmd.Flags)
	}

	p(".SH OUTPUT")
	for _, sec := range manOutput {
		p(`.SS "%s"`, roffFlag(sec.title))
		p("%s", roffText(sec.intro))
		for _, f := range sec.fields {
			p(".TP")
			p(`.B %s`, roffText(f[0]))
			p("%s", roffText(f[1]))
		}
	}

	p(".SH OPTIONS")
	p("These options are accepted before or after the command.")
	writeManFlags(p, app.Flags)

	option := func(s setting) string {
		o := `\fB\-\-` + roffFlag(s.flag.Name) + `\fR`
		if s.of != "" {
			o += " of " + roffText(s.of)
		}
		return o
	}
	p(".SH ENVIRONMENT")
	for _, s := range all {
		for _, env := range s.flag.Envs {
			p(".TP")
			p(`.B %s`, roffText(env))
			p("Sets %s when the command line does not.", option(s))
		}
	}
	p(".SH CONFIGURATION")
	p("Read with git config, after the command line and the environment:")
	for _, s := range all {
		if key := s.flag.Tag.Get("gitconfig"); key != "" {
			p(".TP")
			p(`.B %s`, roffText(key))
			p("Sets %s.", option(s))
		}
	}
	for _, k := range manMoreKeys {
		p(".TP")
		p(`.B %s`, roffText(k[0]))
		p("%s", roffText(k[1]))
	}
	p(".PP")
	p("A staging copy's own git config holds stage.config and stage.name: where its mapping lives, so that commands run inside it need no option.")
	p(".SH EXAMPLES")
	for _, ex := range manExamples {
		p(".PP")
		p("%s", roffText(ex[0]))
		p(".PP")
		p(".RS 4")
		p(".nf")
		p("%s", roffText(ex[1]))
		p(".fi")
		p(".RE")
	}
	p(".SH FILES")
	p(".TP")
	p(".B .staging_sync.json")
	p("In the staging root: the mappings, versioned JSON, updated under a lock with atomic writes.")
	p(".SH EXIT STATUS")
	p("0 on success, 1 when refused or failed, 2 for a usage mistake.")
	p(".SH SEE ALSO")
	p(`\fBgit\fR(1), \fBgit\-clone\fR(1), \fBgit\-push\fR(1), \fBgit\-worktree\fR(1)`)
	_, err := io.WriteString(w, b.String())
	return err
}

// manMoreKeys are the git config keys that are not flags.
var manMoreKeys = [][2]string{
	{"stage.copy", "Multi-valued, gitignore-style patterns: clone copies the work tree's untracked and ignored files that match them into the new copy (reflinked or copied, never hard-linked)."},
	{"stage.postClone", "Multi-valued shell commands clone runs in order in the new copy, with GIT_STAGE_WORK and GIT_STAGE_COPY set; a failure makes clone exit 1 and keeps the copy."},
	{"stage.preSync", "Multi-valued shell commands sync-back runs in order in the staging copy before it pushes anything (a push for review too), with GIT_STAGE_WORK and GIT_STAGE_COPY set; read as git reads config in the copy (global, the copy's own, git -c), an empty value dropping the ones before it. A failure makes sync-back exit 1 with nothing pushed; --no-verify skips them, --dry-run lists them."},
	{"stage.cd", "When true, the git function of shell-init changes into the copy that git stage clone made."},
}

// manDescription is the page's prose; NAME becomes the name it was run as.
var manDescription = []string{
	"You keep canonical repositories under a work root. For risky or parallel work (a review, an experiment, a coding agent's sandbox) NAME clone makes a staging copy under a staging root: a separate, complete clone, built from the work repository's own objects, that shares its remote and pushes to its own temporary branch there.",
	"You commit in the copy; NAME sync-back brings the commits home through the remote: it fast-forwards the work branch, pushes it, and deletes the temporary branch, all checks first and nothing lost on any failure. When other copies landed first, sync-back --rebase rebases the copy's commits onto the new base inside the copy before it lands them, --squash lands them as one commit, and NAME update does the rebase without landing; a conflict stops with nothing pushed and the copy in git's own rebase. NAME list shows the copies, recorded in .staging_sync.json in the staging root.",
	"NAME status shows where each copy stands against its work branch and the remote's, and which other copies it would conflict with if both landed; NAME remove deletes a copy when nothing in it would be lost, and NAME prune forgets copies deleted by hand and deletes leftover temporary branches. Every command that changes something prints its plan instead with --dry-run.",
	"Git's own git stage is a synonym for git add, which no program can override: use git staging, or the function that git-stage shell-init prints.",
}

// manSection is a part of the OUTPUT section: what a command prints, and
// the meaning of each column or field.
type manSection struct {
	title, intro string
	fields       [][2]string
}

// manOutput describes the tables and the JSON that list and status print,
// and the JSON of clone, sync-back and remove --json. The JSON field names
// are those of stage.ListEntry, stage.Mapping, stage.Sync,
// stage.CopyStatus, stage.CloneResult, stage.SyncResult and
// stage.RemoveResult; man_test.go holds the two lists equal.
var manOutput = []manSection{
	{"list", "One row per recorded copy, sorted by name:", [][2]string{
		{"NAME", "The staging name: the copy's path under the staging root."},
		{"BRANCH", "The base branch: the work repository's branch the copy was made from, that sync-back lands on; followed by (review: R) once a --review-branch sync pushed to R."},
		{"LAST SYNC", "When the last sync-back landed, in local time (YYYY-MM-DD HH:MM), or never."},
		{"STAGING", "The copy's directory, marked (missing) when it is gone."},
		{"WORK", "The work repository."},
	}},
	{"status", "status, and list --status, read local repositories only, in parallel, without network and without the index lock; one row per copy:", [][2]string{
		{"NAME, BRANCH", "As for list."},
		{"AHEAD", "The copy's commits that the work repository's branch lacks: what sync-back would bring home."},
		{"BEHIND", "The work branch's commits that the copy lacks; a copy behind needs update, or sync-back --rebase."},
		{"BEHIND-REMOTE", "The commits of the remote's branch, as the work repository last fetched it (refs/remotes/<remote>/<branch>), that the copy lacks; - when the work repository has no such ref."},
		{"STATE", "clean, dirty(N) (N paths changed or untracked), missing (the directory is gone; prune forgets it), or error, with the reason on stderr."},
		{"CONFLICTS", "The other copies of the same work branch whose committed work would conflict with this copy's if both landed (git merge-tree, nothing written to any repository); a name ending in ? could not be compared, with the reason on stderr."},
		{"LEFTOVERS", "Temp branches that could not be deleted from the remote; prune deletes them."},
		{"STAGING", "The copy's directory."},
	}},
	{"list --json", "A JSON array of objects, one per copy, sorted by name. The field names are stable: fields may be added, never renamed.", [][2]string{
		{"name", "The staging name."},
		{"staging_path", "The copy's directory, absolute."},
		{"work_path", "The work repository, absolute."},
		{"work_root", "The work root the copy was made under."},
		{"remote", "The name of the remote the copy and the work repository share."},
		{"remote_url", "Its URL, a password in it shown as ***."},
		{"base_branch", "The branch the copy was made from, that sync-back lands on."},
		{"base_commit", "That branch's commit when the copy was made."},
		{"temp_branch", "The copy's temporary branch on the remote (staging-sync/...)."},
		{"created", "When the copy was made, RFC 3339, UTC."},
		{"last_sync", "null until a sync-back landed; then an object with time (RFC 3339, UTC), commit (the commit that landed), branch (the branch it landed on; the review branch for a review), temp_branch (the temporary branch it went through) and mode: fast-forward, force, rebase, squash or review."},
		{"review_branch", "The remote branch the last --review-branch sync pushed to; empty when none did."},
		{"leftover_temp_branches", "Temp branches that could not be deleted from the remote; an empty array when none."},
		{"missing", "true when the copy's directory is gone."},
	}},
	{"status --json", "The objects of list --json, each with one more field, status: null when the directory is missing, else an object with these fields (stable as above):", [][2]string{
		{"head", "The copy's HEAD commit."},
		{"branch", "Its checked-out branch; empty when HEAD is detached."},
		{"dirty", "true when it has uncommitted changes, untracked files included."},
		{"changes", "How many paths are changed or untracked."},
		{"ahead", "The commits of HEAD that the work branch lacks."},
		{"behind", "The commits of the work branch that HEAD lacks."},
		{"error", "Why the state could not be read in full (then ahead and behind are 0); empty when it was."},
		{"behind_remote", "The commits of the remote's branch, as the work repository last fetched it, that HEAD lacks; null when the work repository has no such ref."},
		{"conflicts_with", "The names of the other copies of the same work branch whose HEAD would conflict with this one's if both landed."},
		{"conflict_files", "For each of those copies, the paths in conflict."},
		{"conflicts_unknown", "The names of the copies that could not be compared with this one (git older than 2.38, unrelated histories)."},
	}},
	{"clone --json", "One JSON object, then a newline, instead of the copy's path; nothing else on stdout. With --dry-run, the object of what a run would make (the plan goes to stderr). When clone fails, no object, but for a failed stage.postClone command: the copy is made and recorded, so its object is printed, and clone exits 1. The field names are stable, as above:", [][2]string{
		{"name", "The staging name."},
		{"staging_path", "The copy's directory, absolute."},
		{"work_path", "The work repository, absolute."},
		{"remote", "The name of the remote the copy and the work repository share."},
		{"remote_url", "Its URL, a password in it shown as ***."},
		{"base_branch", "The branch staged, that sync-back lands on."},
		{"base_commit", "Its commit: the copy's HEAD, and the temp branch's commit on the remote."},
		{"temp_branch", "The copy's temporary branch on the remote, where a plain git push in the copy goes."},
		{"replaced", "true when --force replaced a copy that was there."},
		{"dry_run", "true for --dry-run: nothing was made."},
	}},
	{"sync-back --json", "One JSON object, then a newline; nothing else on stdout. With --dry-run, the object of what a run would do (the plan goes to stderr). When sync-back fails or refuses, no object. The field names are stable, as above:", [][2]string{
		{"name", "The staging name."},
		{"staging_path", "The copy's directory, absolute."},
		{"work_path", "The work repository, absolute."},
		{"remote", "The remote synced through."},
		{"branch", "The branch synced: in the work repository and on the remote; for a review, the branch to merge into."},
		{"mode", "fast-forward, force, rebase, squash or review, as last_sync records it; empty when there was nothing to sync."},
		{"up_to_date", "true when there was nothing to sync: the branch, in the work repository and on the remote, held the staging HEAD already (the temp branch is still cleaned up)."},
		{"old", "The branch's commit before the sync, in the work repository; for a review, the review branch's on the remote, empty when it is new."},
		{"new", "Its commit after: what landed, in the work repository and on the remote (for a review, on the review branch); the same as old when there was nothing to sync. Empty in a dry run of --rebase or --squash, whose commit only the run makes."},
		{"rebased_onto", "The base's tip the copy's commits were rebased onto (--rebase, --squash); empty when they were not rebased."},
		{"review_branch", "The review branch pushed to (--review-branch); empty otherwise."},
		{"temp_branch", "The temporary branch the sync went through."},
		{"temp_deleted", "true when the temp branch is off the remote at the end; false when it was left there and recorded as a leftover, for prune."},
		{"backups", "The refs made in the work repository under refs/staging-sync/backup/ (the tips --force replaced, the commits --squash squashed); an empty array when none."},
		{"dry_run", "true for --dry-run: nothing was changed."},
	}},
	{"remove --json", "One JSON object, then a newline; nothing else on stdout. With --dry-run, the object of what a run would do (the plan goes to stderr). When remove fails or refuses, no object. The field names are stable, as above:", [][2]string{
		{"name", "The staging name."},
		{"staging_path", "The copy's directory, absolute."},
		{"work_path", "Its work repository."},
		{"remote", "The name of its remote."},
		{"staging_deleted", "true when the copy's directory was deleted; false when it was gone already, or could not be deleted (a warning says so)."},
		{"temp_branches_deleted", "The temp branches deleted from the remote."},
		{"temp_branches_kept", "The temp branches left on the remote: with --force, when the remote could not be reached."},
		{"dry_run", "true for --dry-run: nothing was changed."},
	}},
}

// manExamples are the EXAMPLES section: what each does, then the commands.
var manExamples = [][2]string{
	{"Say once where your repositories and your copies live:", "git config --global stage.workRoot ~/code\ngit config --global stage.root ~/staging"},
	{"Make a copy of ~/code/apps/backend as ~/staging/apps/backend; or, inside a repository, make a copy of it and go there:", "git staging clone apps/backend\ncd \"$(git staging clone -q)\""},
	{"Inside a copy, after committing there: bring the commits home; or rebase them first onto what other copies landed meanwhile; or land them as one commit:", "git staging sync-back\ngit staging sync-back --rebase\ngit staging sync-back --squash -m \"Add the importer\""},
	{"Push a copy to a branch of its own for a pull request, instead of to its base branch:", "git staging sync-back --review-branch 'review/%n'"},
	{"Go to a copy, from anywhere; or, with the git function of git-stage shell-init, the same in fewer words:", "cd \"$(git staging path apps/backend)\"\ngit stage cd apps/backend"},
	{"See where every copy stands; bring one that fell behind up to date without landing anything:", "git staging status\ngit staging update apps/backend"},
	{"For scripts: the names of the copies whose directory is gone, and of those with commits to bring home:", "git staging list --json | jq -r '.[] | select(.missing) | .name'\ngit staging status --json | jq -r '.[] | select(.status.ahead > 0) | .name'"},
	{"In a script: make a copy and go there; land it, and print the commit that landed:", "cd \"$(git staging clone --json apps/backend | jq -r .staging_path)\"\ngit staging sync-back --json | jq -r .new"},
	{"See what removing a copy would do, then remove it; tidy up after copies deleted by hand:", "git staging remove --dry-run apps/backend\ngit staging remove apps/backend\ngit staging prune"},
	{"Bring .env along into every new copy of a repository, and install its dependencies there:", "git config --add stage.copy .env\ngit config --add stage.postClone 'npm ci'"},
}

// writeManFlags lists flags as tagged paragraphs.
func writeManFlags(p func(string, ...any), flags []*kong.Flag) {
	for _, f := range flags {
		if f.Hidden || f.Name == "help" {
			continue
		}
		head := `\fB\-\-` + roffFlag(f.Name) + `\fR`
		if f.Short != 0 {
			head = `\fB\-` + string(f.Short) + `\fR, ` + head
		}
		if !f.IsBool() && !f.IsCounter() {
			head += `=\fI` + roffText(f.FormatPlaceHolder()) + `\fR`
		}
		p(".TP")
		p("%s", head)
		p("%s", roffText(f.Help))
	}
}

// roffFlag writes a flag name with real hyphens.
func roffFlag(s string) string { return strings.ReplaceAll(roffText(s), "-", `\-`) }

// roffText escapes text for roff: backslashes, and a dot or quote that
// would start a request at the beginning of a line.
func roffText(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'") {
			lines[i] = `\&` + l
		}
	}
	return strings.Join(lines, "\n")
}
