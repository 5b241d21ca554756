package stage

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// The fast paths of list's table, each held to what it stands in for.

func TestAppendSyncTimeAsFormat(t *testing.T) {
	zones := []*time.Location{time.UTC, time.FixedZone("east", 5*3600+45*60), time.FixedZone("west", -11*3600)}
	if ny, err := time.LoadLocation("America/New_York"); err == nil {
		zones = append(zones, ny)
	}
	times := []time.Time{
		time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC),
		time.Date(2026, 3, 8, 6, 59, 59, 999999999, time.UTC), // around a DST change
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 0, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-5, 6, 7, 8, 9, 0, 0, time.UTC),
		{},
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		times = append(times, time.Unix(r.Int64N(1<<36)-1<<35, 0))
	}
	for _, zone := range zones {
		saved := time.Local
		time.Local = zone
		for _, tm := range times {
			got := string(appendSyncTime([]byte("x"), &Sync{Time: tm}))
			if want := "x" + tm.Local().Format("2006-01-02 15:04"); got != want {
				t.Errorf("%s in %s: %q, want %q", tm, zone, got, want)
			}
		}
		time.Local = saved
	}
}

func TestRunesAsUTF8(t *testing.T) {
	for _, s := range []string{"", "a", "main", "12345678", "123456789", strings.Repeat("x", 40) + "é", "é" + strings.Repeat("x", 40), "\xff", "abcdefg\x80", "日本語のブランチ", "/home/us\u00e9r/code"} {
		if got, want := runes(s), utf8.RuneCountInString(s); got != want {
			t.Errorf("runes(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestPlainASCII(t *testing.T) {
	naive := func(s []byte) bool {
		for _, c := range s {
			if c < 0x20 || c == '\\' || c >= 0x80 {
				return false
			}
		}
		return true
	}
	// Every byte value at every place of strings up to 17 bytes long.
	for n := 1; n <= 17; n++ {
		for at := range n {
			for c := range 256 {
				s := []byte(strings.Repeat("a", n))
				s[at] = byte(c)
				if got, want := plainASCII(s), naive(s); got != want {
					t.Fatalf("plainASCII(%q) = %v, want %v", s, got, want)
				}
			}
		}
	}
	// Pairs of bytes whose borrows could hide one another.
	for c := range 256 {
		for d := range 256 {
			s := []byte{'a', 'a', 'a', byte(c), byte(d), 'a', 'a', 'a'}
			if got, want := plainASCII(s), naive(s); got != want {
				t.Fatalf("plainASCII(%q) = %v, want %v", s, got, want)
			}
		}
	}
}
