//go:build !linux

package stage

import "errors"

const mmapPopulate = 0

// reflink is left to Linux; elsewhere a file is copied.
func reflink(out, in int) error { return errors.ErrUnsupported }
