package main

import "testing"

// TestGitBool: git config booleans read as git reads them, a key without
// a value being true.
func TestGitBool(t *testing.T) {
	for _, c := range []struct {
		v        string
		implicit bool
		want     bool
		bad      bool
	}{
		{"true", false, true, false}, {"YES", false, true, false}, {"on", false, true, false}, {"1", false, true, false},
		{"false", false, false, false}, {"No", false, false, false}, {"off", false, false, false}, {"0", false, false, false},
		{"", false, false, false}, {"", true, true, false}, {"maybe", false, false, true}, {"2", false, false, true},
	} {
		got, err := gitBool(c.v, c.implicit)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("gitBool(%q, %v) = %v, %v; want %v (error: %v)", c.v, c.implicit, got, err, c.want, c.bad)
		}
	}
}
