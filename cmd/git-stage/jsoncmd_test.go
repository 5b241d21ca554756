package main

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// json keys K...: stdout is exactly one JSON object, then a newline, and
// its fields are K... (in any order), no more, no fewer.
// json K VALUE: its field K is VALUE: a string as it is, anything else
// as JSON (true, null, 2, ["a","b"]).
// json K rev DIR REV: its field K is the commit `git rev-parse REV` names
// in DIR.
func cmdJSON(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: json keys K... | json K VALUE | json K rev DIR REV")
	}
	obj := stdoutObject(ts)
	if args[0] == "keys" {
		var got []string
		for k := range obj {
			got = append(got, k)
		}
		want := slices.Clone(args[1:])
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			ts.Fatalf("the object's fields are %q, want %q", got, want)
		}
		return
	}
	var want string
	switch {
	case len(args) == 2:
		want = args[1]
	case len(args) == 4 && args[1] == "rev":
		want = strings.TrimSpace(scriptGit(ts, ts.MkAbs(args[2]), "rev-parse", "--verify", args[3]))
	default:
		ts.Fatalf("usage: json keys K... | json K VALUE | json K rev DIR REV")
	}
	raw, ok := obj[args[0]]
	if !ok {
		ts.Fatalf("the object has no field %q", args[0])
	}
	var got string
	if raw[0] == '"' {
		ts.Check(json.Unmarshal(raw, &got))
	} else {
		var b bytes.Buffer
		ts.Check(json.Compact(&b, raw))
		got = b.String()
	}
	if got != want {
		ts.Fatalf("field %s is %s, want %s", args[0], got, want)
	}
}

// stdoutObject decodes stdout, which must hold one JSON object followed
// by a newline and nothing else.
func stdoutObject(ts *testscript.TestScript) map[string]json.RawMessage {
	out := ts.ReadFile("stdout")
	dec := json.NewDecoder(strings.NewReader(out))
	var obj map[string]json.RawMessage
	if err := dec.Decode(&obj); err != nil || obj == nil {
		ts.Fatalf("stdout is not a JSON object (%v):\n%s", err, out)
	}
	if rest := out[dec.InputOffset():]; rest != "\n" {
		ts.Fatalf("stdout holds %q after the JSON object, want one newline", rest)
	}
	return obj
}
