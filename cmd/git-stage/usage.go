package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/alecthomas/kong"

	"github.com/git-stage/git-stage/stage"
)

// helpCmd prints the help, as git help does: the whole, or one command's.
type helpCmd struct {
	Command string `arg:"" optional:"" commandname:"" help:"The command to explain (default: all of them)."`
}

func (h *helpCmd) Run(kctx *kong.Context) error {
	var args []string
	if h.Command != "" {
		args = []string{h.Command}
	}
	// Traced, not parsed: "help remove" needs no <name>.
	traced, err := kong.Trace(kctx.Kong, args)
	if err != nil {
		return err
	}
	// A hidden command is as unknown here as it is in the help.
	if err := traced.Error; err != nil || (h.Command != "" && (traced.Selected() == nil || traced.Selected().Hidden)) {
		if err == nil {
			err = fmt.Errorf("unexpected argument %s", h.Command)
		}
		return unknownCommand(kctx.Model, err)
	}
	return traced.PrintUsage(false)
}

// unknownCommand turns Kong's "unexpected argument X" at the top level
// into git's kind of answer: the word named as an unknown command, with
// Kong's guesses, and the commands listed.
func unknownCommand(app *kong.Application, err error) error {
	msg, ok := strings.CutPrefix(err.Error(), "unexpected argument ")
	if !ok {
		return nil
	}
	word, guess, _ := strings.Cut(msg, ", did you mean ")
	msg = "unknown command '" + word + "'"
	if guess != "" {
		msg += "; did you mean " + strings.ReplaceAll(guess, `"`, "'")
	}
	var names []string
	for _, c := range app.Children {
		if !c.Hidden {
			names = append(names, c.Name)
		}
	}
	return &stage.Error{
		Msg:   msg,
		Hint:  "the commands are " + strings.Join(names, ", ") + "\nsee '" + app.Name + " help'",
		Usage: true,
	}
}

// usageError reports a command line Kong could not parse and returns the
// exit status: with no command, the help on stdout (as git prints its
// usage); an unknown command named, with the commands; any other mistake
// with a hint at the -h of the command it was made in.
func usageError(stdout, stderr io.Writer, app *kong.Application, err error) int {
	var perr *kong.ParseError
	var selected *kong.Node
	if errors.As(err, &perr) {
		selected = perr.Context.Selected()
	}
	if selected == nil && perr != nil && strings.HasPrefix(err.Error(), "expected ") {
		perr.Context.Stdout = stdout
		if perr.Context.PrintUsage(false) == nil {
			return 2
		}
	}
	if selected == nil {
		if unknown := unknownCommand(app, err); unknown != nil {
			printFailure(stderr, app.Name, unknown)
			return 2
		}
	}
	see := app.Name
	if selected != nil {
		see += " " + selected.Path()
	}
	printFailure(stderr, app.Name, &stage.Error{Msg: err.Error(), Hint: "see '" + see + " -h'"})
	return 2
}
