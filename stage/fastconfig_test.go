package stage

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"
)

// bigConfig is n mappings as git-stage writes them.
func bigConfig(t testing.TB, n int) []byte {
	c := NewConfig()
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	for i := range n {
		name := fmt.Sprintf("team%02d/project-%05d", i%7, i)
		m := &Mapping{StagingPath: "/s/" + name, WorkPath: "/w/" + name, WorkRoot: "/w", Remote: "origin",
			RemoteURL: "git@example.com:x/y.git", BaseBranch: "main", BaseCommit: "24f15dd142580a777eeb09749aa2fac4f6e2bc5a",
			TempBranch: TempBranch(name, "main", now), Created: now, Leftovers: []string{}}
		if i%2 == 0 {
			m.LastSync = &Sync{Time: now.Add(time.Hour), Commit: "abc", Branch: "main", TempBranch: m.TempBranch, Mode: modeFastForward}
			m.Leftovers = []string{"staging-sync/old <&> \"q\" é"}
			m.ReviewBranch = "review/" + name
		}
		c.Stagings[name] = m
	}
	data, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return data
}

var fastSamples = []string{
	`{"version":1,"stagings":{}}`,
	`{"version":1}`,
	`{"stagings":null,"version":1}`,
	` {"version": 1, "stagings": {"a": {"staging_path": "/s/a", "work_path": "/w/a", "extra": [1, {"x": null}, true], "last_sync": null, "leftover_temp_branches": null}}} `,
	`{"version":1,"stagings":{"a":{"staging_path":"/s/\u00e9\n\/","work_path":"/w","created":"2026-11-24T10:00:00+01:00","leftover_temp_branches":["x",null]}}}`,
	`{"version":1,"stagings":{"a":{"Staging_Path":"/s"}}}`,
	`{"version":1,"stagings":{"a":{"staging_path":"/s","staging_path":"/t"}}}`,
	`{"version":1,"stagings":{"a":null}}`,
	`{"version":2,"stagings":{}}`,
	`{"version":1.0}`,
	`{"version":-0}`,
	`{"version":1,"stagings":{"a":{"staging_path":1}}}`,
	`{"version":1,"stagings":{"a":{"created":"yesterday"}}}`,
	`{"version":1,"stagings":{"a":{"last_sync":{"time":"2026-11-24T10:00:00Z","mode":"force","other":"x"}}}}`,
	`{"version":1,"stagings":{"a":{"ſtaging_path":"/s"}}}`,
	`{"version":1,"stagings":{"a":{"staging_path":"\ud83d\ude00"}}}`,
	`{"version":1} x`,
	`{"version":1,}`,
	"{\"version\":1,\"stagings\":{\"a\":{\"remote\":\"\xff\"}}}",
	`[]`,
	``,
}

// checkFast holds decodeFast to encoding/json: whatever it decodes,
// encoding/json decodes the same way; and decodeRows to ParseConfig: what
// it takes, ParseConfig takes, with the same rows.
func checkFast(t *testing.T, data []byte) {
	checkRows(t, data)
	version, stagings, hasVersion, ok := decodeFast(data)
	if !ok {
		return
	}
	var file struct {
		Version  *int                `json:"version"`
		Stagings map[string]*Mapping `json:"stagings"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatalf("%q: decodeFast took it, encoding/json says %v", data, err)
	}
	if hasVersion != (file.Version != nil) || hasVersion && version != *file.Version {
		t.Fatalf("%q: version %d (%v), encoding/json %v", data, version, hasVersion, file.Version)
	}
	if !reflect.DeepEqual(stagings, file.Stagings) {
		t.Fatalf("%q: stagings differ\nfast: %#v\njson: %#v", data, stagings, file.Stagings)
	}
}

func TestDecodeFastAsEncodingJSON(t *testing.T) {
	big := bigConfig(t, 200)
	if _, _, _, ok := decodeFast(big); !ok {
		t.Fatalf("decodeFast gave up on a file git-stage wrote")
	}
	checkFast(t, big)
	for _, s := range fastSamples {
		checkFast(t, []byte(s))
	}
	// What it must leave to encoding/json.
	for _, s := range []string{`{"version":1,"stagings":{"a":{"Staging_Path":"/s"}}}`, `{"version":1.0}`, `{"version":1} x`} {
		if _, _, _, ok := decodeFast([]byte(s)); ok {
			t.Errorf("%q: decoded, want it left to encoding/json", s)
		}
	}
}

func FuzzDecodeFast(f *testing.F) {
	for _, s := range fastSamples {
		f.Add([]byte(s))
	}
	f.Add(bigConfig(f, 3))
	f.Fuzz(checkFast)
}

func BenchmarkParseConfig10k(b *testing.B) {
	data := bigConfig(b, 10000)
	b.SetBytes(int64(len(data)))
	for range b.N {
		if _, err := ParseConfig(data); err != nil {
			b.Fatal(err)
		}
	}
}

func checkRows(t *testing.T, data []byte) {
	rows, ok := decodeRows(data)
	if !ok {
		return
	}
	c, err := ParseConfig(data)
	if err != nil {
		t.Fatalf("%q: decodeRows took it, ParseConfig says %v", data, err)
	}
	entries := c.Entries()
	if len(rows.rows) != len(entries) {
		t.Fatalf("%q: %d rows, %d entries", data, len(rows.rows), len(entries))
	}
	var scratch []byte
	var widths columns
	widths.widen(listHeader[:])
	for i, e := range entries {
		last := "never"
		if e.LastSync != nil {
			last = e.LastSync.Time.Local().Format("2006-01-02 15:04")
		}
		rows.markGone(i, e.Missing)
		want := [5]string{e.Name, branches(e.BaseBranch, e.ReviewBranch), last, e.StagingPath, e.WorkPath}
		if e.Missing {
			want[3] += " (missing)"
		}
		if got := rows.cells(i, &scratch); got != want {
			t.Fatalf("%q: row %d is %q, want %q", data, i, got, want)
		}
		widths.widen(want[:])
	}
	if !slices.Equal(rows.widths, widths) {
		t.Fatalf("%q: widths %v, want %v", data, rows.widths, widths)
	}
}

func TestDecodeRowsAsParseConfig(t *testing.T) {
	checkRows(t, bigConfig(t, 300))
	if _, ok := decodeRows(bigConfig(t, 3)); !ok {
		t.Fatal("decodeRows gave up on a file git-stage wrote")
	}
	for _, s := range fastSamples {
		checkRows(t, []byte(s))
	}
	for _, s := range []string{`{"version":2,"stagings":{}}`, `{"version":1,"stagings":{"a":null}}`, `{"version":1,"stagings":{"../x":{"staging_path":"/s","work_path":"/w"}}}`, `{"version":1,"stagings":{"a":{"staging_path":"rel","work_path":"/w"}}}`} {
		if _, ok := decodeRows([]byte(s)); ok {
			t.Errorf("%q: decodeRows took what ParseConfig refuses", s)
		}
	}
}

func BenchmarkDecodeRows10k(b *testing.B) {
	data := bigConfig(b, 10000)
	b.SetBytes(int64(len(data)))
	for range b.N {
		if _, ok := decodeRows(data); !ok {
			b.Fatal("gave up")
		}
	}
}
