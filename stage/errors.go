// Package stage holds git-stage's rules: how staging copies are made and
// synced, how names become branch names, and the config file that records
// the mappings.
package stage

import (
	"errors"
	"fmt"
)

// Error is a refusal or failure with advice. The command line prints Msg
// (and the wrapped cause) on one line and Hint on the next.
type Error struct {
	Msg  string
	Hint string
	Err  error
	// Usage marks a mistake in how the command was called (exit status 2).
	Usage bool
}

// Error is the message, then the error it wraps, if any.
func (e *Error) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

// Unwrap gives the error it wraps, for errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Err }

// refuse builds an *Error with a hint.
func refuse(hint, format string, args ...any) *Error {
	return &Error{Msg: fmt.Sprintf(format, args...), Hint: hint}
}

// wrap adds what was being done, and a hint, to a cause.
func wrap(err error, hint, format string, args ...any) *Error {
	return &Error{Msg: fmt.Sprintf(format, args...), Hint: hint, Err: err}
}

// HintOf returns the hint of the first *Error in err's chain.
func HintOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		for e != nil {
			if e.Hint != "" {
				return e.Hint
			}
			var inner *Error
			if !errors.As(e.Err, &inner) {
				break
			}
			e = inner
		}
	}
	return ""
}

// IsUsage reports whether err is a usage mistake.
func IsUsage(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Usage
}
