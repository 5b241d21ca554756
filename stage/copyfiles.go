package stage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/git-stage/git-stage/gitcmd"
)

// untrackedMatching lists the paths of the work tree that git does not
// track and that match patterns (gitignore syntax), with one `git
// ls-files`. A directory holding nothing tracked is listed once, with a
// trailing slash, not file by file.
func (a *App) untrackedMatching(ctx context.Context, work string, patterns []string) ([]string, error) {
	if len(patterns) == 0 {
		return nil, nil
	}
	args := []string{"ls-files", "-z", "--others", "--ignored", "--directory"}
	for _, p := range patterns {
		args = append(args, "--exclude="+p)
	}
	out, err := a.Git.Output(ctx, work, args...)
	if err != nil {
		return nil, wrap(err, "", "list the untracked files of %s", work)
	}
	// git may list a directory whose every file matches and its files
	// too: keep the directory.
	listed := strings.Split(string(out), "\x00")
	sort.Strings(listed)
	var paths []string
	for _, p := range listed {
		if p == "" {
			continue
		}
		if n := len(paths); n > 0 && strings.HasSuffix(paths[n-1], "/") && strings.HasPrefix(p, paths[n-1]) {
			continue
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// copyStep copies the listed untracked paths of the work tree into the
// new copy before it is moved into place, so that a failure undoes it
// with the rest. The plan lists the paths as the step's input.
func (a *App) copyStep(work, dst string, paths []string) *step {
	var b strings.Builder
	fmt.Fprintf(&b, "copy untracked files from %s into %s (reflinked where the file system can; never over a tracked file), excluded in its .git/info/exclude", gitcmd.Quote(work), gitcmd.Quote(dst))
	for _, p := range paths {
		b.WriteString("\n  < " + p)
	}
	return &step{desc: b.String(), do: func(ctx context.Context) error {
		st, err := copyPaths(ctx, work, dst, paths, a.copyProgress())
		if err != nil {
			return fmt.Errorf("copy untracked files from %s: %w", work, err)
		}
		for _, b := range st.blocked {
			a.warnf("not copying %s: %v", b.path, b.why)
		}
		a.infof("copied %d untracked file(s) from %s%s", st.files, work, st.notes())
		return excludeCopied(dst, paths)
	}}
}

// copyProgress reports the copy's progress on a terminal, at most ten
// times a second; nil when git's progress is off too.
func (a *App) copyProgress() func(done, total int64, last bool) {
	if !a.Progress {
		return nil
	}
	var mu sync.Mutex
	var next time.Time
	return func(done, total int64, last bool) {
		mu.Lock()
		defer mu.Unlock()
		if now := time.Now(); last || now.After(next) {
			next = now.Add(100 * time.Millisecond)
			end := ""
			if last {
				end = ", done.\n"
			}
			fmt.Fprintf(a.Stderr, "\rCopying untracked files: %d%% (%d/%d)%s", done*100/max(total, 1), done, total, end)
		}
	}
}

// copyStats says what copyPaths did.
type copyStats struct {
	files, links, skipped, special int64
	// blocked are the paths skipped because a link (or a file) stands
	// where the copy needs a directory.
	blocked []blocked
}

func (s copyStats) notes() string {
	var n []string
	if s.links > 0 {
		n = append(n, fmt.Sprintf("%d symlink(s)", s.links))
	}
	if s.skipped > 0 {
		n = append(n, fmt.Sprintf("%d already in the copy, left as they are", s.skipped))
	}
	if s.special > 0 {
		n = append(n, fmt.Sprintf("%d special file(s) not copied", s.special))
	}
	if len(n) == 0 {
		return ""
	}
	return " (" + strings.Join(n, "; ") + ")"
}

// copyWorkers is how many files are copied at once.
const copyWorkers = 16

// copyPaths copies paths (relative to src; a trailing slash marks a
// directory) from src to dst, one way: regular files are reflinked where
// the file system can and copied otherwise, never hard-linked; symlinks
// are copied as symlinks; modes and modification times are kept. Nothing
// already in dst is overwritten: the copy's tracked files stay as checked
// out. Directories are made first, then files are copied in parallel.
func copyPaths(ctx context.Context, src, dst string, paths []string, progress func(done, total int64, last bool)) (copyStats, error) {
	var st copyStats
	type dir struct {
		rel string
		fi  fs.FileInfo
	}
	var dirs []dir
	var files []string
	// made holds, for each directory of the copy already looked at, nil
	// when it is a real directory files may go into.
	made := map[string]error{}
	// mkdir makes rel in dst (and its parents) like its source. A
	// directory already there must be a real one: a link the copy's
	// branch tracks (conf -> /elsewhere) would take the files out of the
	// copy, to a place the branch's author chose (*linkedError).
	var mkdir func(rel string) error
	mkdir = func(rel string) error {
		if rel == "." {
			return nil
		}
		if err, ok := made[rel]; ok {
			return err
		}
		err := mkdir(filepath.Dir(rel))
		if err == nil {
			err = makeDir(src, dst, rel, func(fi fs.FileInfo) { dirs = append(dirs, dir{rel, fi}) })
		}
		made[rel] = err
		return err
	}
	var linked *linkedError
	for _, p := range paths {
		root := filepath.Clean(filepath.FromSlash(strings.TrimSuffix(p, "/")))
		if err := mkdir(filepath.Dir(root)); errors.As(err, &linked) {
			st.blocked = append(st.blocked, blocked{p, linked})
			continue
		} else if err != nil {
			return st, err
		}
		err := filepath.WalkDir(filepath.Join(src, root), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if err := ctx.Err(); err != nil {
				return errInterrupted
			}
			rel, _ := filepath.Rel(src, path)
			switch {
			case d.IsDir():
				err := mkdir(rel)
				if errors.As(err, &linked) {
					st.blocked = append(st.blocked, blocked{filepath.ToSlash(rel) + "/", linked})
					return fs.SkipDir
				}
				return err
			case d.Type()&fs.ModeSymlink != 0:
				target, err := os.Readlink(path)
				if err != nil {
					return err
				}
				if err := os.Symlink(target, filepath.Join(dst, rel)); errors.Is(err, fs.ErrExist) {
					st.skipped++
				} else if err != nil {
					return err
				} else {
					st.links++
				}
			case d.Type().IsRegular():
				files = append(files, rel)
			default:
				st.special++
			}
			return nil
		})
		if err != nil {
			return st, err
		}
	}

	// The files, in parallel.
	var done, skipped atomic.Int64
	total := int64(len(files))
	jobs := make(chan string)
	errc := make(chan error, copyWorkers)
	var wg sync.WaitGroup
	for range min(copyWorkers, max(len(files), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for rel := range jobs {
				copied, err := copyFile(filepath.Join(src, rel), filepath.Join(dst, rel))
				if err != nil {
					errc <- err
					return
				}
				if !copied {
					skipped.Add(1)
				}
				if n := done.Add(1); progress != nil {
					progress(n, total, false)
				}
			}
		}()
	}
	var err error
feed:
	for _, rel := range files {
		select {
		case jobs <- rel:
		case err = <-errc:
			break feed
		case <-ctx.Done():
			err = errInterrupted
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errc:
		default:
		}
	}
	if err != nil {
		return st, err
	}
	if progress != nil && total > 0 {
		progress(total, total, true)
	}
	st.files = total - skipped.Load()
	st.skipped += skipped.Load()

	// Directory modes and times last: adding files changed them.
	for i := len(dirs) - 1; i >= 0; i-- {
		d := dirs[i]
		p := filepath.Join(dst, d.rel)
		if err := os.Chmod(p, d.fi.Mode()&modeBits); err != nil {
			return st, err
		}
		if err := os.Chtimes(p, d.fi.ModTime(), d.fi.ModTime()); err != nil {
			return st, err
		}
	}
	return st, nil
}

// makeDir makes the directory rel of dst, like the one of src, and
// reports it to made. One already there is left as it is if it is a real
// directory, and refused (*linkedError) if it is anything else: checked
// with Lstat, so that a link is never followed.
func makeDir(src, dst, rel string, made func(fs.FileInfo)) error {
	fi, err := os.Lstat(filepath.Join(src, rel))
	if err != nil {
		return err
	}
	err = os.Mkdir(filepath.Join(dst, rel), 0o700)
	if errors.Is(err, fs.ErrExist) {
		there, lerr := os.Lstat(filepath.Join(dst, rel))
		if lerr != nil {
			return lerr
		}
		if !there.IsDir() {
			return &linkedError{rel: filepath.ToSlash(rel), mode: there.Mode()}
		}
		return nil // the copy's own (checked out) directory: left as it is
	}
	if err != nil {
		return err
	}
	made(fi)
	return nil
}

// linkedError is a directory the copied files would go through that is,
// in the copy, a symbolic link or another file.
type linkedError struct {
	rel  string
	mode fs.FileMode
}

func (e *linkedError) Error() string {
	if e.mode&fs.ModeSymlink != 0 {
		return e.rel + " is a symbolic link in the copy, and git-stage never writes through one"
	}
	return e.rel + " is not a directory in the copy"
}

// blocked is a path of stage.copy not copied because the way to it in the
// copy is not a real directory.
type blocked struct {
	path string
	why  *linkedError
}

// modeBits are the mode bits a copy keeps.
const modeBits = fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky

// copyFile copies the regular file from to the new file to, keeping its
// mode and modification time: a reflink (FICLONE) where the file system
// shares blocks, else copy_file_range through io.Copy, else a plain copy.
// It reports false, and leaves to alone, when to already exists.
func copyFile(from, to string) (bool, error) {
	in, err := os.Open(from)
	if err != nil {
		return false, err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return false, err
	}
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if fi.Size() > 0 {
		if reflink(int(out.Fd()), int(in.Fd())) != nil {
			if _, err := io.Copy(out, in); err != nil {
				out.Close()
				return false, err
			}
		}
	}
	if err := out.Chmod(fi.Mode() & modeBits); err != nil {
		out.Close()
		return false, err
	}
	if err := out.Close(); err != nil {
		return false, err
	}
	return true, os.Chtimes(to, fi.ModTime(), fi.ModTime())
}
