package stage

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// AbsPath makes p absolute against base and cleans it; "~" and "~/..." are
// the home directory.
func AbsPath(p, base string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(home, p[1:])
		}
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(base, p)
	}
	return filepath.Clean(p)
}

// cwdRelative reports whether p is a path relative to the current
// directory, as git reads it: ".", "..", or starting with "./" or "../".
// Other relative paths (a bare name) are relative to the work root.
func cwdRelative(p string) bool {
	return p == "." || p == ".." || strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../")
}

// ProjectPath is where a project named on the command line (clone's
// PROJECT, sync-back's --work-name) is: a path from cwd when it is
// absolute, starts with ~, ./ or ../; else a name under the work root,
// and "" when no work root is set.
func ProjectPath(project, workRoot, cwd string) string {
	switch {
	case filepath.IsAbs(project) || project == "~" || strings.HasPrefix(project, "~/") || cwdRelative(project):
		return AbsPath(project, cwd)
	case workRoot == "":
		return ""
	}
	return AbsPath(project, workRoot)
}

// physical resolves the symlinks of the longest existing prefix of an
// absolute, clean path, so that paths can be compared whatever links lead
// to them.
func physical(p string) string {
	rest := ""
	for cur := p; ; {
		if r, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(r, rest)
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return p
		}
		rest = filepath.Join(filepath.Base(cur), rest)
		cur = parent
	}
}

// within reports whether p is dir or inside it. Both are compared through
// their physical paths.
func within(p, dir string) bool {
	rel, err := filepath.Rel(physical(dir), physical(p))
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}

// exists reports whether something (even a broken link) is at p.
func exists(p string) (bool, error) {
	_, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// mkdirTracked creates dir and its missing parents and returns the
// directories it created, outermost first.
func mkdirTracked(dir string) ([]string, error) {
	var missing []string
	for cur := dir; ; cur = filepath.Dir(cur) {
		ok, err := exists(cur)
		if err != nil {
			return nil, err
		}
		if ok || filepath.Dir(cur) == cur {
			break
		}
		missing = append([]string{cur}, missing...)
	}
	var created []string
	for _, d := range missing {
		if err := os.Mkdir(d, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return created, err
		}
		created = append(created, d)
	}
	return created, nil
}

// sameDevice reports whether path and the nearest existing directory at
// or above place are on one file system, where git can hard-link from one
// to the other. When either cannot be read, it says yes.
func sameDevice(path, place string) bool {
	a, err := os.Stat(path)
	if err != nil {
		return true
	}
	for cur := place; ; cur = filepath.Dir(cur) {
		b, err := os.Stat(cur)
		if err == nil {
			sa, okA := a.Sys().(*syscall.Stat_t)
			sb, okB := b.Sys().(*syscall.Stat_t)
			return !okA || !okB || sa.Dev == sb.Dev
		}
		if filepath.Dir(cur) == cur {
			return true
		}
	}
}

// removeCreated removes directories mkdirTracked made (and files made in
// them), innermost first, keeping any directory that is no longer empty.
func removeCreated(created []string) {
	for i := len(created) - 1; i >= 0; i-- {
		os.Remove(created[i])
	}
}

// FindStagingRoot is the nearest directory, from dir upwards, that holds a
// config file; dir itself when none does.
func FindStagingRoot(dir string) string {
	for cur := dir; ; {
		if ok, _ := exists(filepath.Join(cur, ConfigFileName)); ok {
			return cur
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return dir
		}
		cur = parent
	}
}
