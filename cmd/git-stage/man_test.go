package main

import (
	"bytes"
	"context"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kong"

	"github.com/git-stage/git-stage/stage"
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
		for _, section := range []string{".SH OUTPUT", ".SH EXAMPLES", `.SS "status"`, `.SS "list \-\-json"`, `.SS "status \-\-json"`, `.SS "clone \-\-json"`, `.SS "sync\-back \-\-json"`, `.SS "remove \-\-json"`} {
			mustHave(section)
		}
		// The commands shell-init routes are named from the same tags.
		var routed []string
		for _, cmd := range parser.Model.Children {
			if cmd.Tag.Has("routed") {
				routed = append(routed, cmd.Name)
			}
		}
		_, listed, _ := strings.Cut(page, "is one of ")
		listed, _, _ = strings.Cut(listed, ";")
		if got := strings.Split(listed, ", "); !slices.Equal(got, routed) {
			t.Errorf("%s: the page says shell-init routes %q, the command line routes %q", name, got, routed)
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

// The OUTPUT section documents every JSON field that list --json,
// status --json, clone --json, sync-back --json and remove --json print,
// and no other: the field names come from the struct tags of what they
// encode.
func TestManPageJSONFields(t *testing.T) {
	documented := map[string][]string{}
	text := map[string]string{}
	for _, sec := range manOutput {
		for _, f := range sec.fields {
			documented[sec.title] = append(documented[sec.title], f[0])
			text[sec.title+" "+f[0]] = f[1]
		}
	}
	same := func(what string, got, want []string) {
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: the manual documents %q, the code prints %q", what, got, want)
		}
	}
	list := append(jsonFields(reflect.TypeFor[stage.ListEntry]()), jsonFields(reflect.TypeFor[stage.Mapping]())...)
	same("list --json", documented["list --json"], list)
	same("status --json", documented["status --json"], jsonFields(reflect.TypeFor[stage.CopyStatus]()))
	if !slices.Contains(jsonFields(reflect.TypeFor[stage.StatusEntry]()), "status") {
		t.Errorf("status --json: no status field in stage.StatusEntry")
	}
	same("clone --json", documented["clone --json"], jsonFields(reflect.TypeFor[stage.CloneResult]()))
	same("sync-back --json", documented["sync-back --json"], jsonFields(reflect.TypeFor[stage.SyncResult]()))
	same("remove --json", documented["remove --json"], jsonFields(reflect.TypeFor[stage.RemoveResult]()))
	for _, f := range jsonFields(reflect.TypeFor[stage.Sync]()) {
		if !strings.Contains(text["list --json last_sync"], f+" (") && !strings.Contains(text["list --json last_sync"], "and "+f) {
			t.Errorf("list --json: last_sync's text does not describe its field %s", f)
		}
	}
}

// jsonFields are the JSON names of a struct's own fields (not those of
// an embedded struct, which encoding/json lifts into it).
func jsonFields(typ reflect.Type) []string {
	var names []string
	for f := range typ.Fields() {
		if f.Anonymous {
			continue
		}
		if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); name != "" && name != "-" {
			names = append(names, name)
		}
	}
	return names
}
