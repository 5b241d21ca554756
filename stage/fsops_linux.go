// File system calls Linux has: mmap populating its pages at once (the
// config reader), and reflinks (stage.copy).

package stage

import "golang.org/x/sys/unix"

// mmapPopulate asks mmap to map all of a file's pages at once: one call
// instead of a fault for each page the config's reader touches.
const mmapPopulate = unix.MAP_POPULATE

// reflink makes out share in's blocks (FICLONE), where the file system can.
func reflink(out, in int) error { return unix.IoctlFileClone(out, in) }
