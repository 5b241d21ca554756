package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/alecthomas/kong"
	"golang.org/x/sys/unix"

	"github.com/git-stage/git-stage/gitcmd"
	"github.com/git-stage/git-stage/stage"
)

// cli is the command line. Global flags may come before or after the
// subcommand.
type cli struct {
	WorkRoot    string `name:"work-root" placeholder:"DIR" env:"GIT_STAGE_WORK_ROOT" gitconfig:"stage.workRoot" help:"Directory holding your repositories; a relative PROJECT is found there (git config stage.workRoot)."`
	StagingRoot string `name:"staging-root" placeholder:"DIR" env:"GIT_STAGE_ROOT" gitconfig:"stage.root" help:"Directory holding the staging copies (git config stage.root; default: the current directory or the nearest one above it that holds .staging_sync.json, else the current one)."`
	ConfigPath  string `name:"config-path" placeholder:"FILE" env:"GIT_STAGE_CONFIG" gitconfig:"stage.config" help:"Config file recording the copies (git config stage.config; default: <staging-root>/.staging_sync.json)."`
	Quiet       bool   `short:"q" help:"Print only results and errors."`
	Verbose     bool   `short:"v" help:"Echo each git command with the repository it runs in."`

	Version kong.VersionFlag `help:"Print the version and exit."`

	// routed: the commands "git stage <command>" reaches through shell-init.
	Clone    cloneCmd    `cmd:"" routed:"" help:"Make a staging copy of a repository."`
	SyncBack syncBackCmd `cmd:"" routed:"" name:"sync-back" help:"Bring a staging copy's commits home through the remote."`
	Update   updateCmd   `cmd:"" routed:"" help:"Rebase a staging copy's commits onto the newest tip of its base, inside the copy, without landing anything."`
	List     listCmd     `cmd:"" routed:"" help:"Show the recorded staging copies."`
	Status   statusCmd   `cmd:"" routed:"" help:"Show each copy's commits ahead of and behind its work branch and the remote's, the copies it would conflict with, uncommitted changes and leftovers."`
	Remove   removeCmd   `cmd:"" routed:"" help:"Delete a staging copy, its temp branches and its mapping."`
	Prune    pruneCmd    `cmd:"" routed:"" help:"Forget copies whose directory is gone, delete leftover temp branches, and remove what interrupted runs left."`
	Path     pathCmd     `cmd:"" routed:"" help:"Print a staging copy's path."`
	Cd       cdCmd       `cmd:"" routed:"" help:"Go to a staging copy: with the git function of shell-init, \"git stage cd NAME\" changes the shell's directory to it."`

	Completion completionCmd `cmd:"" help:"Print the shell completion script for bash, zsh or fish."`
	ShellInit  shellInitCmd  `cmd:"" name:"shell-init" help:"Print a git function for bash, zsh or fish that makes \"git stage <command>\" run git-stage."`
	Help       helpCmd       `cmd:"" help:"Show the help, or a command's."`

	Man      manCmd      `cmd:"" hidden:"" help:"Print the manual page, for the name this was run as."`
	Complete completeCmd `cmd:"" hidden:"" name:"__complete" help:"Print completion candidates."`
}

type cloneCmd struct {
	Project        string   `arg:"" optional:"" complete:"project" help:"Repository to stage: a name relative to --work-root, a path from here (./ or ../), or absolute (default: the repository you are in)."`
	AsName         *string  `name:"as-name" placeholder:"NAME" help:"Staging name: the copy's path under the staging root (default: PROJECT)."`
	Force          int      `short:"f" type:"counter" help:"Replace an existing staging copy that holds no unique work; twice (-ff) to discard whatever it holds."`
	Branch         string   `placeholder:"BRANCH" complete:"branch" help:"Stage this branch of the work repository instead of the checked-out one."`
	AllowDirtyWork bool     `name:"allow-dirty-work" help:"Stage even though the work repository has uncommitted changes (they are not carried over)."`
	Remote         string   `placeholder:"NAME" complete:"remote" help:"Remote the work repository and the copy share (default: the branch's remote, branch.<branch>.remote, else git config stage.remote, else origin)."`
	Copy           []string `name:"copy" placeholder:"PATTERN" sep:"none" help:"Also copy the work tree's untracked or ignored files matching PATTERN (gitignore syntax; repeatable; added to git config stage.copy)."`
	NoCopy         bool     `name:"no-copy" help:"Copy no untracked files, whatever stage.copy says."`
	DryRun         bool     `name:"dry-run" short:"n" help:"Print the plan (each git command with its repository, each other change) and change nothing."`
	JSON           bool     `name:"json" help:"Print what was made as one JSON object instead of the path, for scripts (with --dry-run: what would be, the plan going to stderr)."`
}

func (c *cloneCmd) Run(ctx context.Context, app *stage.App, s stage.Settings) error {
	return app.Clone(ctx, s, stage.CloneOptions{
		Project:        c.Project,
		AsName:         c.AsName,
		Force:          c.Force,
		Branch:         c.Branch,
		AllowDirtyWork: c.AllowDirtyWork,
		Remote:         c.Remote,
		Copy:           c.Copy,
		NoCopy:         c.NoCopy,
		DryRun:         c.DryRun,
		JSON:           c.JSON,
	})
}

type syncBackCmd struct {
	Name            string  `arg:"" optional:"" stagingname:"" help:"Staging copy, by its staging name (default: the copy you are in)."`
	WorkName        string  `name:"work-name" placeholder:"PROJECT" complete:"project" help:"Update this work repository instead of the recorded one: a name relative to the work root, a path from here (./ or ../), or absolute."`
	Branch          string  `placeholder:"BRANCH" complete:"branch" help:"Branch to update, in the work repository and on the remote (default: the one the copy was made from)."`
	TempBranch      string  `name:"temp-branch" placeholder:"BRANCH" help:"Temporary remote branch to push through (default: the copy's)."`
	Remote          string  `placeholder:"NAME" complete:"remote" help:"Remote to sync through (default: the copy's)."`
	AutoCheckout    bool    `name:"auto-checkout" help:"Switch the work repository to the branch if it is on another one (only when it is clean); without it, a branch that is not checked out is moved in place."`
	Force           bool    `short:"f" help:"Move the branch to the staging HEAD even when that is not a fast-forward; the old tips are saved under refs/staging-sync/backup/ and the push is leased."`
	AllowDirtyStage bool    `name:"allow-dirty-stage" help:"Sync even though the copy has uncommitted changes (they are not synced)."`
	AllowDirtyWork  bool    `name:"allow-dirty-work" help:"Update the work repository even though it has uncommitted changes (they are kept)."`
	ReviewBranch    string  `name:"review-branch" placeholder:"BRANCH" gitconfig:"stage.reviewBranch" help:"Push the staging HEAD to this remote branch instead (%n: the staging name), for a pull request; the work repository and the remote's base branch are left alone (git config stage.reviewBranch; '' to turn it off)."`
	NoWait          bool    `name:"no-wait" help:"Refuse at once, instead of waiting, when another sync-back is landing in the same work repository."`
	Rebase          bool    `negatable:"" gitconfig:"stage.rebase" help:"When the base branch moved, rebase the copy's commits onto its newest tip inside the copy first, then land them as a fast-forward; a conflict stops with nothing pushed and the copy in git's rebase state (git config stage.rebase; --no-rebase overrides it)."`
	Squash          bool    `help:"Land the copy's commits as one commit on the base (rebased first when the base moved); the copy is then reset to it, and the squashed commits are kept under refs/staging-sync/backup/."`
	Message         *string `short:"m" placeholder:"MSG" help:"The squash commit's message (default: a summary of the squashed subjects)."`
	NoVerify        bool    `name:"no-verify" help:"Skip the gate: run none of the stage.preSync commands before landing."`
	DryRun          bool    `name:"dry-run" short:"n" help:"Print the plan (each git command with its repository, each other change) and change nothing; the remote is listed, not fetched."`
	JSON            bool    `name:"json" help:"Print what the sync did as one JSON object, for scripts (with --dry-run: what it would do, the plan going to stderr)."`
}

func (c *syncBackCmd) Run(ctx context.Context, app *stage.App, s stage.Settings) error {
	return app.SyncBack(ctx, s, stage.SyncBackOptions{
		Name:            c.Name,
		WorkName:        c.WorkName,
		Branch:          c.Branch,
		TempBranch:      c.TempBranch,
		Remote:          c.Remote,
		AutoCheckout:    c.AutoCheckout,
		Force:           c.Force,
		AllowDirtyStage: c.AllowDirtyStage,
		AllowDirtyWork:  c.AllowDirtyWork,
		NoWait:          c.NoWait,
		NoVerify:        c.NoVerify,
		DryRun:          c.DryRun,
		ReviewBranch:    c.ReviewBranch,
		Rebase:          c.Rebase,
		Squash:          c.Squash,
		Message:         deref(c.Message),
		JSON:            c.JSON,
	})
}

// Validate refuses -m without --squash, and an empty message, as git
// commit does.
func (c *syncBackCmd) Validate() error {
	switch {
	case c.Message != nil && !c.Squash:
		return fmt.Errorf("-m/--message goes with --squash")
	case c.Message != nil && strings.TrimSpace(*c.Message) == "":
		return fmt.Errorf("-m/--message: the squash commit's message is empty")
	}
	return nil
}

// deref is *p, or "" for nil.
func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

type updateCmd struct {
	Name   string `arg:"" optional:"" stagingname:"" help:"Staging copy, by its staging name (default: the copy you are in)."`
	DryRun bool   `name:"dry-run" short:"n" help:"Print the plan (each git command with its repository) and change nothing; the remote is listed, not fetched."`
}

func (c *updateCmd) Run(ctx context.Context, app *stage.App, s stage.Settings) error {
	return app.Update(ctx, s, stage.UpdateOptions{Name: c.Name, DryRun: c.DryRun})
}

type listCmd struct {
	JSON   bool `name:"json" help:"Print a JSON array of objects, for scripts."`
	Status bool `name:"status" help:"Show each copy's state too, as the status command does."`
}

func (c *listCmd) Run(ctx context.Context, app *stage.App, s stage.Settings) error {
	if c.Status {
		return app.Status(ctx, s, stage.StatusOptions{JSON: c.JSON})
	}
	return app.List(s, c.JSON)
}

type statusCmd struct {
	Name string `arg:"" optional:"" stagingname:"" help:"Staging copy, by its staging name (default: every copy)."`
	JSON bool   `name:"json" help:"Print a JSON array of objects, for scripts."`
}

func (c *statusCmd) Run(ctx context.Context, app *stage.App, s stage.Settings) error {
	return app.Status(ctx, s, stage.StatusOptions{Name: c.Name, JSON: c.JSON})
}

type removeCmd struct {
	Name   string `arg:"" stagingname:"" help:"Staging copy to remove, by its staging name."`
	Force  bool   `short:"f" help:"Discard uncommitted changes and commits no other ref reaches, on the temp branches too."`
	DryRun bool   `name:"dry-run" short:"n" help:"Print the plan (each git command with its repository, each other change) and change nothing."`
	JSON   bool   `name:"json" help:"Print what was removed as one JSON object, for scripts (with --dry-run: what would be, the plan going to stderr)."`
}

func (c *removeCmd) Run(ctx context.Context, app *stage.App, s stage.Settings) error {
	return app.Remove(ctx, s, stage.RemoveOptions{Name: c.Name, Force: c.Force, DryRun: c.DryRun, JSON: c.JSON})
}

type pruneCmd struct {
	Force  bool `short:"f" help:"Delete leftover temp branches, and remove what interrupted runs left, even when they hold commits no other ref reaches."`
	DryRun bool `name:"dry-run" short:"n" help:"Print the plan (each git command with its repository, each other change) and change nothing."`
}

func (c *pruneCmd) Run(ctx context.Context, app *stage.App, s stage.Settings) error {
	return app.Prune(ctx, s, stage.PruneOptions{Force: c.Force, DryRun: c.DryRun})
}

// helpAsTyped prints Kong's help with quotes as they were typed: Kong
// formats help text as Go doc comments, which turn two single quotes (or
// two backquotes) into a curly quote, and the empty value of
// --review-branch must be shown as the shell takes it.
func helpAsTyped(options kong.HelpOptions, ctx *kong.Context) error {
	out := ctx.Stdout
	var buf bytes.Buffer
	ctx.Stdout = &buf
	err := kong.DefaultHelpPrinter(options, ctx)
	ctx.Stdout = out
	text := strings.NewReplacer("\u201d", "''", "\u201c", "``").Replace(buf.String())
	if _, werr := io.WriteString(out, text); err == nil {
		err = werr
	}
	return err
}

// exitStatus carries an exit status out of Kong, which would otherwise
// call os.Exit itself (for --help, --version).
type exitStatus int

// run is the whole program; it returns the exit status: 0 success, 1
// refused or failed, 2 usage.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, now func() time.Time) (status int) {
	name := filepath.Base(args[0])
	defer func() {
		if r := recover(); r != nil {
			code, ok := r.(exitStatus)
			if !ok {
				panic(r)
			}
			status = int(code)
		}
	}()

	cwd, err := os.Getwd()
	if err != nil {
		fmt.Fprintf(stderr, "%s: cannot find the current directory: %v\n", name, err)
		return 1
	}
	// Whether -v was given is known only after parsing, which may already
	// run git (settings from git config): hold that trace until then.
	var early bytes.Buffer
	git := &gitcmd.Runner{Trace: &early}
	resolver := newSettingsResolver(ctx, git, cwd)

	var c cli
	parser, err := kong.New(&c,
		kong.Resolvers(resolver),
		kong.Name(name),
		kong.Description("Staging copies of git repositories: clone one, work in it, bring the commits home."),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { panic(exitStatus(code)) }),
		kong.Vars{"version": name + " " + version},
		kong.Help(helpAsTyped),
	)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 2
	}
	kctx, err := parser.Parse(args[1:])
	if err != nil && resolver.err != nil {
		// git config refused (a broken config file): not a usage error.
		fmt.Fprintf(stderr, "%s: %s\n", name, oneLine(resolver.err.Error()))
		fmt.Fprintf(stderr, "hint: correct the config file git names\n")
		return 1
	}
	if err != nil {
		return usageError(stdout, stderr, parser.Model, err)
	}

	settings := resolver.settings(&c)
	app := &stage.App{
		Git:      git,
		Stdout:   stdout,
		Stderr:   stderr,
		Quiet:    c.Quiet,
		Progress: !c.Quiet && isTerminal(stderr),
		Now:      now,
	}
	git.Stderr, git.Trace = stderr, nil
	if c.Verbose {
		stderr.Write(early.Bytes())
		git.Trace = stderr
		app.Trace = stderr
	}

	kctx.BindTo(ctx, (*context.Context)(nil))
	if err := kctx.Run(app, settings); err != nil {
		printFailure(stderr, name, err)
		if stage.IsUsage(err) {
			return 2
		}
		return 1
	}
	return 0
}

// oneLine folds a multi-line message onto one line.
func oneLine(s string) string {
	return strings.ReplaceAll(strings.TrimSpace(s), "\n", "; ")
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), ioctlGetTermios)
	return err == nil
}
