package stage

import (
	"bytes"
	"encoding/binary"
	"io/fs"
	"syscall"
	"unsafe"
)

// readDirNames calls fn with the name of each entry of directory dir
// (but . and ..), and whether it may be a symlink, reading the entries
// into buf with getdents64: no memory per entry.
func readDirNames(dir string, buf []byte, fn func(name string, mayLink bool)) error {
	fd, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	for err == syscall.EINTR {
		fd, err = syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	}
	if err != nil {
		return &fs.PathError{Op: "open", Path: dir, Err: err}
	}
	defer syscall.Close(fd)
	for {
		n, err := syscall.ReadDirent(fd, buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return &fs.PathError{Op: "getdents", Path: dir, Err: err}
		}
		if n <= 0 {
			return nil
		}
		// struct linux_dirent64: ino u64, off s64, reclen u16, type u8,
		// name NUL-terminated, padded to reclen.
		for rec := buf[:n]; len(rec) > 19; {
			size := int(binary.NativeEndian.Uint16(rec[16:]))
			if size <= 19 || size > len(rec) {
				return &fs.PathError{Op: "getdents", Path: dir, Err: syscall.EIO}
			}
			typ, name := rec[18], rec[19:size]
			rec = rec[size:]
			if k := bytes.IndexByte(name, 0); k >= 0 {
				name = name[:k]
			}
			if len(name) == 0 || string(name) == "." || string(name) == ".." {
				continue
			}
			fn(unsafe.String(&name[0], len(name)), typ == syscall.DT_LNK || typ == syscall.DT_UNKNOWN)
		}
	}
}
