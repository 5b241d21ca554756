package main

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kong"
)

// The manual page, for both names, names every command and every flag of
// the command line it is generated from, and is valid roff.
func TestManPageNamesEverything(t *testing.T) {
	parser, err := kong.New(&cli{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"git-stage", "git-staging"} {
		var out, errs bytes.Buffer
		if code := run(context.Background(), []string{name, "man"}, &out, &errs, time.Now); code != 0 {
			t.Fatalf("%s man: exit %d: %s", name, code, errs.String())
		}
		page := out.String()
		shown := strings.Replace(name, "git-", "git ", 1)
		if !strings.HasPrefix(page, ".TH "+strings.ToUpper(name)+" 1 ") {
			t.Errorf("%s: page starts %q", name, page[:min(40, len(page))])
		}
		mustHave := func(what string) {
			if !strings.Contains(page, what) {
				t.Errorf("%s: the page lacks %q", name, what)
			}
		}
		flags := func(fs []*kong.Flag) {
			for _, f := range fs {
				if !f.Hidden && f.Name != "help" {
					mustHave(`\fB\-\-` + strings.ReplaceAll(f.Name, "-", `\-`) + `\fR`)
				}
			}
		}
		flags(parser.Model.Flags)
		for _, cmd := range parser.Model.Children {
			if cmd.Hidden {
				if strings.Contains(page, `.SS "`+shown+" "+cmd.Name) {
					t.Errorf("%s: the page shows the hidden command %s", name, cmd.Name)
				}
				continue
			}
			mustHave(`.SS "` + shown + " " + cmd.Name)
			flags(cmd.Flags)
		}
		for _, env := range []string{"GIT_STAGE_WORK_ROOT", "GIT_STAGE_ROOT", "GIT_STAGE_CONFIG", "stage.workRoot", "stage.root", "stage.config", "stage.remote"} {
			mustHave(env)
		}

		if groff, err := exec.LookPath("groff"); err == nil {
			cmd := exec.Command(groff, "-man", "-Tutf8", "-ww", "-z")
			cmd.Stdin = strings.NewReader(page)
			if warnings, err := cmd.CombinedOutput(); err != nil || len(warnings) > 0 {
				t.Errorf("%s: groff: %v\n%s", name, err, warnings)
			}
		}
	}
}
