//go:build !linux

package stage

import (
	"io"
	"io/fs"
	"os"
)

// readDirNames calls fn with the name of each entry of directory dir,
// and whether it may be a symlink.
func readDirNames(dir string, _ []byte, fn func(name string, mayLink bool)) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	for {
		des, err := f.ReadDir(256)
		for _, d := range des {
			fn(d.Name(), d.Type()&fs.ModeSymlink != 0)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
