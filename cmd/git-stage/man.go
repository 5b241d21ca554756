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
