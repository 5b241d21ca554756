// The copied untracked files, kept out of the copy's git status.

package stage

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// excludeCopied adds the copied paths to the copy's .git/info/exclude, so
// that files the work repository ignores by its own untracked settings
// (or not at all) do not make the copy dirty: sync-back would refuse it
// and remove would count them as work to lose.
func excludeCopied(dst string, paths []string) error {
	var b strings.Builder
	b.WriteString("\n# copied from the work repository by git-stage clone (stage.copy)\n")
	for _, p := range paths {
		if pat, ok := excludePattern(p); ok {
			b.WriteString(pat + "\n")
		}
	}
	info := filepath.Join(dst, ".git", "info")
	if err := os.MkdirAll(info, 0o755); err != nil {
		return fmt.Errorf("exclude the copied files: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(info, "exclude"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("exclude the copied files: %w", err)
	}
	_, err = f.WriteString(b.String())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("exclude the copied files: %w", err)
	}
	return nil
}

// excludePattern is the gitignore pattern that matches exactly the path p
// of the work tree (a directory with its trailing slash): anchored, its
// wildcard and escape characters escaped, a trailing space kept. A path
// holding a newline cannot be written as a pattern.
func excludePattern(p string) (string, bool) {
	if strings.ContainsAny(p, "\n\r") {
		return "", false
	}
	var b strings.Builder
	b.WriteByte('/')
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '*', '?', '[', '\\', '!', '#':
			b.WriteByte('\\')
			b.WriteByte(c)
		case ' ':
			if strings.TrimRight(p[i:], " /") == "" {
				b.WriteByte('\\')
			}
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true
}
