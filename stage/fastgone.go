package stage

import (
	"errors"
	"io/fs"
	"os"
	"slices"
	"strings"
)

// goneDirs says which of n staging directories, path(i), are gone. It
// reads each parent directory once instead of stating each copy (10,000
// copies live in far fewer directories), and keeps none of the entries
// it reads: it looks each one up among the copies' names. A symlink is
// followed, as os.Stat would; a path that is not clean and absolute, or
// whose directory cannot be listed, is stated.
func goneDirs(n int, path func(int) string) []bool {
	gone := make([]bool, n)
	// The clean absolute paths, sorted by directory and then name.
	type entry struct{ i, base int32 }
	order := make([]entry, 0, n)
	for i := range n {
		if p := path(i); len(p) < 1<<31 {
			if _, base, ok := splitCleanAbs(p); ok {
				order = append(order, entry{int32(i), int32(len(p) - len(base))})
				continue
			}
		}
		gone[i] = statGone(path(i))
	}
	split := func(e entry) (dir, base string) {
		p := path(int(e.i))
		return p[:max(e.base-1, 1)], p[e.base:]
	}
	byDirName := func(a, b entry) int {
		da, ba := split(a)
		db, bb := split(b)
		if c := strings.Compare(da, db); c != 0 {
			return c
		}
		return strings.Compare(ba, bb)
	}
	if !slices.IsSortedFunc(order, byDirName) {
		slices.SortFunc(order, byDirName)
	}
	buf := make([]byte, 16<<10)
	for len(order) > 0 {
		dir, _ := split(order[0])
		k := 1
		for ; k < len(order); k++ {
			if d, _ := split(order[k]); d != dir {
				break
			}
		}
		group := order[:k]
		order = order[k:]
		for _, e := range group {
			gone[e.i] = true
		}
		err := readDirNames(dir, buf, func(name string, mayLink bool) {
			k, _ := slices.BinarySearchFunc(group, name, func(e entry, name string) int {
				_, base := split(e)
				return strings.Compare(base, name)
			})
			for ; k < len(group); k++ {
				if _, base := split(group[k]); base != name {
					break
				}
				i := group[k].i
				gone[i] = mayLink && statGone(path(int(i)))
			}
		})
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			for _, e := range group {
				gone[e.i] = statGone(path(int(e.i)))
			}
		}
	}
	return gone
}

// splitCleanAbs splits a clean absolute path other than / into its
// directory and last element; ok is false for any other path.
func splitCleanAbs(p string) (dir, base string, ok bool) {
	if len(p) < 2 || p[0] != '/' || p[len(p)-1] == '/' {
		return "", "", false
	}
	// Clean: no empty, . or .. element.
	for i := 0; i < len(p); i++ {
		if p[i] != '/' {
			continue
		}
		rest := p[i+1:]
		if rest == "" || rest[0] == '/' || rest[0] == '.' && (len(rest) == 1 || rest[1] == '/' || rest[1] == '.' && (len(rest) == 2 || rest[2] == '/')) {
			return "", "", false
		}
	}
	k := strings.LastIndexByte(p, '/')
	return p[:max(k, 1)], p[k+1:], true
}

func statGone(path string) bool {
	_, err := os.Stat(path)
	return err != nil
}
