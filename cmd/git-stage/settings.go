package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/alecthomas/kong"

	"github.com/git-stage/git-stage/gitcmd"
	"github.com/git-stage/git-stage/stage"
)

// settingsResolver gives the flags that are settings their value when the
// command line does not: first the environment variable of the flag's env
// tag, then the git config key of its gitconfig tag, read with a single
// `git config` call. That call starts with the resolver, so that it runs
// while Kong builds its model and parses the command line. What neither
// gives keeps its default.
//
// The environment is read here, not left to Kong: Kong writes env values
// before it asks resolvers, which would let git config override them.
type settingsResolver struct {
	ctx context.Context
	git *gitcmd.Runner
	cwd string

	loaded chan struct{}     // closed once keys and err are set
	keys   map[string]string // lower-cased key -> last value
	// implicit are the keys whose last setting has no value ("[stage]
	// rebase"), which git reads as true.
	implicit map[string]bool
	err      error
	// from says where each resolved flag got its value: "env" or "git".
	from map[string]string
	// preSync is every value of stage.preSync, in order.
	preSync []string
}

func newSettingsResolver(ctx context.Context, git *gitcmd.Runner, cwd string) *settingsResolver {
	r := &settingsResolver{ctx: ctx, git: git, cwd: cwd, from: map[string]string{}, loaded: make(chan struct{})}
	go func() {
		defer close(r.loaded)
		r.load()
	}()
	return r
}

func (r *settingsResolver) Validate(*kong.Application) error { return nil }

func (r *settingsResolver) Resolve(_ *kong.Context, _ *kong.Path, flag *kong.Flag) (any, error) {
	for _, env := range flag.Envs {
		if v := os.Getenv(env); v != "" {
			r.from[flag.Name] = "env"
			return v, nil
		}
	}
	key := flag.Tag.Get("gitconfig")
	if key == "" {
		return nil, nil
	}
	<-r.loaded
	if r.err != nil {
		return nil, r.err
	}
	v, ok := r.keys[strings.ToLower(key)]
	if flag.IsBool() && ok {
		// git's booleans: a key without a value is true.
		b, valid := gitcmd.ParseBool(v, r.implicit[strings.ToLower(key)])
		if !valid {
			return nil, fmt.Errorf("bad boolean value %q for %s in git config", v, key)
		}
		r.from[flag.Name] = "git"
		return b, nil
	}
	if ok && v != "" {
		r.from[flag.Name] = "git"
		return v, nil
	}
	return nil, nil
}

// load reads every stage.* key visible from the current directory with
// one `git config` call: what git itself reads there (system, global and,
// inside a repository git trusts, its own config; includes; `git -c` and
// GIT_CONFIG_COUNT), and nothing else. A repository git refuses for its
// owner (safe.directory) is left out, as git leaves it out.
func (r *settingsResolver) load() {
	r.keys, r.implicit = map[string]string{}, map[string]bool{}
	out, err := r.git.Output(r.ctx, r.cwd, "config", "-z", "--get-regexp", `^stage\.`)
	if gitcmd.ExitCode(err) == 1 {
		return // no such keys
	}
	if err != nil {
		r.err = fmt.Errorf("read the stage.* settings from git config: %w", err)
		return
	}
	for _, rec := range bytes.Split(out, []byte{0}) {
		k, v, ok := strings.Cut(string(rec), "\n")
		k = strings.ToLower(k)
		if k != "" {
			r.keys[k] = v
			r.implicit[k] = !ok
		}
		if ok && k == "stage.presync" {
			r.preSync = append(r.preSync, v)
		}
	}
}

// settings turns the resolved flags into absolute paths, with the
// defaults of design.md section 3.
func (r *settingsResolver) settings(c *cli) stage.Settings {
	<-r.loaded
	s := stage.Settings{Cwd: r.cwd}
	if c.WorkRoot != "" {
		s.WorkRoot = stage.AbsPath(c.WorkRoot, r.cwd)
	}
	if c.StagingRoot != "" {
		s.StagingRoot = stage.AbsPath(c.StagingRoot, r.cwd)
	} else {
		s.StagingRoot = stage.FindStagingRoot(r.cwd)
	}
	// A staging root given on the command line or in the environment
	// brings its own config file, even inside a staging copy whose git
	// config names the one it came from.
	rootExplicit := c.StagingRoot != "" && r.from["staging-root"] != "git"
	if c.ConfigPath != "" && !(rootExplicit && r.from["config-path"] == "git") {
		s.ConfigPath = stage.AbsPath(c.ConfigPath, r.cwd)
	}
	// Inside a staging copy, its name.
	s.Here = r.keys["stage.name"]
	// Clone's remote when neither --remote nor the branch names one.
	s.Remote = r.keys["stage.remote"]
	// sync-back's gate, when the current directory is in the copy.
	s.PreSync = r.preSync
	return s
}
