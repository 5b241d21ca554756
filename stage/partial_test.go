package stage

import (
	"slices"
	"testing"
)

func TestPartialCloneCopySettings(t *testing.T) {
	records := []struct {
		key, val string
		hasValue bool
	}{
		{"remote.origin.url", "../fork.git", true},
		{"remote.up.stream.url", "https://example.com/app.git", true},
		{"remote.up.stream.url", "https://mirror.example.com/app.git", true},
		{"remote.up.stream.promisor", "", false},
		{"remote.up.stream.partialclonefilter", "blob:limit=1m", true},
		{"extensions.partialclone", "up.stream", true},
		{"stage.copy", ".env", true},
	}
	var p partialClone
	var taken []string
	for _, r := range records {
		if p.add(r.key, r.val, r.hasValue) {
			taken = append(taken, r.key)
		}
	}
	if want := 6; len(taken) != want {
		t.Errorf("add took %q, want the %d remote and extension keys", taken, want)
	}
	got := p.copySettings("origin", "/code/app")
	want := [][2]string{
		{"remote.up.stream.url", "https://example.com/app.git"},
		{"remote.up.stream.promisor", "true"},
		{"remote.up.stream.partialclonefilter", "blob:limit=1m"},
		{"core.repositoryformatversion", "1"},
		{"extensions.partialclone", "up.stream"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("copySettings = %q\nwant %q", got, want)
	}

	// The staged remote is the promisor: its URL is the copy's already.
	p = partialClone{}
	p.add("remote.origin.url", "/srv/app.git", true)
	p.add("remote.origin.promisor", "true", true)
	if got, want := p.copySettings("origin", "/code/app"), [][2]string{{"remote.origin.promisor", "true"}}; !slices.Equal(got, want) {
		t.Errorf("copySettings = %q, want %q", got, want)
	}

	// A full clone needs nothing.
	p = partialClone{}
	p.add("remote.origin.url", "/srv/app.git", true)
	if got := p.copySettings("origin", "/code/app"); got != nil {
		t.Errorf("copySettings of a full clone = %q, want none", got)
	}
}
