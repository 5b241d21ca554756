package main

import (
	"reflect"
	"testing"

	"github.com/alecthomas/kong"
)

func TestComplete(t *testing.T) {
	parser, err := kong.New(&cli{})
	if err != nil {
		t.Fatal(err)
	}
	names := func() []string { return []string{"app", "apps/backend", "demo"} }
	for _, tc := range []struct {
		words []string
		want  []string
	}{
		{nil, []string{"clone", "sync-back", "update", "list", "status", "remove", "prune", "path", "cd", "completion", "shell-init", "help"}},
		{[]string{"c"}, []string{"clone", "cd", "completion"}},
		{[]string{"--staging-root", "/x", "sy"}, []string{"sync-back"}},
		{[]string{"--staging-root=/x", "sync-back", "ap"}, []string{"app", "apps/backend"}},
		{[]string{"-q", "sync-back", "-f", "d"}, []string{"demo"}},
		{[]string{"sync-back", "--branch", ""}, nil}, // a flag's value
		{[]string{"sync-back", "--branch=main", "de"}, []string{"demo"}},
		{[]string{"sync-back", "demo", ""}, nil}, // one name only
		{[]string{"clone", ""}, nil},             // a path: the shell's
		{[]string{"list", "--j"}, []string{"--json"}},
		{[]string{"list", "--", "--j"}, nil},
		{[]string{"__complete"}, nil},
		{[]string{"m"}, nil}, // hidden commands are not offered
		{[]string{"help", "re"}, []string{"remove"}},
		{[]string{"help", "remove", ""}, nil},
	} {
		got := complete(parser.Model, tc.words, names)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("complete(%q) = %q, want %q", tc.words, got, tc.want)
		}
	}
}
