package main

import (
	"context"

	"github.com/alecthomas/kong"

	"github.com/git-stage/git-stage/gitcmd"
	"github.com/git-stage/git-stage/stage"
)

type pathCmd struct {
	Name string `arg:"" optional:"" stagingname:"" help:"Staging copy, by its staging name (default: the copy you are in)."`
}

func (c *pathCmd) Run(ctx context.Context, app *stage.App, s stage.Settings) error {
	return app.Path(ctx, s, c.Name)
}

// cdCmd is there for the git function of shell-init, which runs path and
// changes into the directory it prints: a program cannot change the
// directory of the shell that ran it, so run directly it says what to
// type instead.
type cdCmd struct {
	Name string `arg:"" optional:"" stagingname:"" help:"Staging copy, by its staging name (default: the copy you are in)."`
}

func (c *cdCmd) Run(kctx *kong.Context) error {
	name := ""
	if c.Name != "" {
		name = " " + gitcmd.Quote(c.Name)
	}
	return &stage.Error{
		Msg:  "cd cannot change the directory of the shell that ran it",
		Hint: `run cd "$(` + kctx.Model.Name + " path" + name + `)", or use the git function of git-stage shell-init, in which git stage cd` + name + " goes there",
	}
}
