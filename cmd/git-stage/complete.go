package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/alecthomas/kong"

	"github.com/git-stage/git-stage/stage"
)

// completeCmd answers the shell completion scripts: given the words after
// the program's name, the last being the one under the cursor, it prints
// the candidates, one a line. The logic lives here, walking the same Kong
// model that parses the command line, so every shell completes alike and
// completion cannot drift from the flags.
type completeCmd struct {
	Words []string `arg:"" optional:"" help:"Words after the program's name; the last is being completed."`
}

func (c *completeCmd) Run(ctx context.Context, kctx *kong.Context, app *stage.App, s stage.Settings) error {
	src := &repoSource{ctx: ctx, git: app.Git, s: s}
	for _, cand := range complete(kctx.Model, c.Words, src) {
		fmt.Fprintln(app.Stdout, cand)
	}
	return nil
}

// source gives the candidates that live outside the command line:
// complete asks it only for what the word under the cursor wants.
type source interface {
	names() []string                          // the recorded staging names
	branches(t typed) []string                // the local branches of the work repository t names
	remotes(t typed) []string                 // its remotes
	projects(t typed, prefix string) []string // the repositories under the work root
}

// typed is what the words before the cursor say.
type typed struct {
	cmd   string            // the command reached; "" before one
	flags map[string]string // the value given to each flag, by name
	args  []string          // the command's arguments
}

// complete returns the candidates for the last of words: a command, a
// flag of the command reached (or a global one), or a value where the
// model tags one: a staging name (stagingname), or, by the complete tag,
// a branch, a remote or a project, or a command's name (help's
// argument). A flag's value is completed after
// the flag and in its --flag=value form (the candidates then carry the
// "--flag=" they replace).
func complete(app *kong.Application, words []string, src source) []string {
	if len(words) == 0 {
		words = []string{""}
	}
	cur := words[len(words)-1]
	node := app.Node
	t := typed{flags: map[string]string{}}
	var pending *kong.Flag // a flag whose value is the next word
	onlyArgs := false
	for _, w := range words[:len(words)-1] {
		switch {
		case pending != nil:
			t.flags[pending.Name] = w
			pending = nil
		case w == "--":
			onlyArgs = true
		case !onlyArgs && strings.HasPrefix(w, "-") && w != "-":
			name, value, hasValue := strings.Cut(w, "=")
			if f := findFlag(node, name); f != nil && takesValue(f) {
				if hasValue {
					t.flags[f.Name] = value
				} else {
					pending = f
				}
			}
		default:
			if child := findCommand(node, w); child != nil && len(t.args) == 0 {
				node = child
				t.cmd = child.Name
			} else {
				t.args = append(t.args, w)
			}
		}
	}
	if pending != nil {
		return values(src, pending.Tag.Get("complete"), t, "", cur)
	}

	var out []string
	add := func(c string) {
		if strings.HasPrefix(c, cur) && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	if strings.HasPrefix(cur, "-") && !onlyArgs {
		if name, value, ok := strings.Cut(cur, "="); ok {
			if f := findFlag(node, name); f != nil && takesValue(f) {
				return values(src, f.Tag.Get("complete"), t, name+"=", value)
			}
			return nil
		}
		for n := node; n != nil; n = n.Parent {
			for _, f := range n.Flags {
				if !f.Hidden {
					add("--" + f.Name)
				}
			}
		}
		return out
	}
	for _, child := range node.Children {
		if !child.Hidden && len(t.args) == 0 {
			add(child.Name)
		}
	}
	if len(out) == 0 && len(t.args) < len(node.Positional) {
		arg := node.Positional[len(t.args)]
		switch {
		case arg.Tag.Has("stagingname"):
			for _, n := range src.names() {
				add(n)
			}
		case arg.Tag.Has("commandname"):
			for _, child := range app.Children {
				if !child.Hidden {
					add(child.Name)
				}
			}
		default:
			return values(src, arg.Tag.Get("complete"), t, "", cur)
		}
	}
	return out
}

// values are the candidates of kind (a complete tag's value) that begin
// with cur, each after prefix. A project that is a path from here (./,
// ../, /, ~) is the shell's to complete.
func values(src source, kind string, t typed, prefix, cur string) []string {
	var cands []string
	switch kind {
	case "branch":
		cands = src.branches(t)
	case "remote":
		cands = src.remotes(t)
	case "project":
		if cur != "" && strings.ContainsRune("./~", rune(cur[0])) {
			return nil
		}
		cands = src.projects(t, cur)
	}
	var out []string
	for _, c := range cands {
		if strings.HasPrefix(c, cur) {
			out = append(out, prefix+c)
		}
	}
	return out
}

func findCommand(node *kong.Node, name string) *kong.Node {
	for _, child := range node.Children {
		if child.Name == name || slices.Contains(child.Aliases, name) {
			return child
		}
	}
	return nil
}

// findFlag finds a flag, long (--name) or short (-n), of node or above.
func findFlag(node *kong.Node, word string) *kong.Flag {
	for n := node; n != nil; n = n.Parent {
		for _, f := range n.Flags {
			if word == "--"+f.Name || (f.Short != 0 && word == "-"+string(f.Short)) {
				return f
			}
		}
	}
	return nil
}

func takesValue(f *kong.Flag) bool { return !f.IsBool() && !f.IsCounter() }

// completionScripts are what `completion SHELL` prints. Each calls
// `git-stage __complete -- WORDS...` and offers what it prints.
var completionScripts = map[string]string{
	"bash": `# bash completion for git-stage and git-staging, and for "git staging"
# through Git's own completion (which calls _git_staging).
# For --flag=value, readline replaces only what follows "=" (a word break):
# the candidates lose their "--flag="; and for a name holding ":", another
# word break, what comes up to its last ":".
__git_stage_reply() {
	local line cur=${!#} pre=
	[[ $cur == -*=* ]] && pre=${cur%%=*}=
	[[ $cur == *:* ]] && pre=${cur%"${cur##*:}"}
	COMPREPLY=()
	while IFS= read -r line; do
		COMPREPLY+=("$(printf '%q' "${line#"$pre"}")")
	done < <(git-stage __complete -- "$@" 2>/dev/null)
}
# Not _git_stage: Git's completion has that name, for "git stage" (add).
# bash splits --flag=value into three words, and a name at each ":":
# they are joined again.
__git_stage_tool() {
	local -a w=()
	local i n
	for ((i = 1; i <= COMP_CWORD; i++)); do
		n=${#w[@]}
		if ((n)) && [[ (${COMP_WORDS[i]} == = && ${w[n-1]} == -*) || (${COMP_WORDS[i-1]} == = && ${w[n-1]} == -*=) ||
			${COMP_WORDS[i]} == : || (${COMP_WORDS[i-1]} == : && ${w[n-1]} == *:) ]]; then
			w[n-1]+=${COMP_WORDS[i]}
		else
			w+=("${COMP_WORDS[i]}")
		fi
	done
	__git_stage_reply "${w[@]}"
}
complete -o default -F __git_stage_tool git-stage git-staging
_git_staging() {
	local i=${__git_cmd_idx:-1}
	__git_stage_reply "${words[@]:i+1:cword-i}"
}
`,
	"zsh": `#compdef git-stage git-staging
# zsh completion for git-stage and git-staging, and for "git staging"
# through zsh's git completion (which calls _git-staging).
__git_stage_tool() {
	local -a cands
	cands=("${(@f)$(git-stage __complete -- "${(@)words[2,CURRENT]}" 2>/dev/null)}")
	cands=(${cands:#})
	if (( ${#cands} )); then compadd -Q -- "${cands[@]}"; else _files; fi
}
_git-staging() { __git_stage_tool "$@"; }
compdef __git_stage_tool git-stage git-staging
`,
	"fish": `# fish completion for git-stage and git-staging, and for "git staging".
function __git_stage_complete
	set -l words (commandline -opc)
	set -l cur (commandline -ct)
	set -e words[1]
	if test "$words[1]" = staging
		set -e words[1]
	end
	set -l cands (git-stage __complete -- $words "$cur" 2>/dev/null)
	if test (count $cands) -gt 0
		printf '%s\n' $cands
	else if string match -qr '^[./~]' -- "$cur"
		__fish_complete_path "$cur"
	end
end
complete -c git-stage -f -a '(__git_stage_complete)'
complete -c git-staging -f -a '(__git_stage_complete)'
complete -c git -n '__fish_seen_subcommand_from staging' -f -a '(__git_stage_complete)'
`,
}

type completionCmd struct {
	Shell string `arg:"" enum:"bash,zsh,fish" help:"bash, zsh or fish."`
}

func (c *completionCmd) Run(app *stage.App) error {
	_, err := fmt.Fprint(app.Stdout, completionScripts[c.Shell])
	return err
}

type shellInitCmd struct {
	Shell string `arg:"" enum:"bash,zsh,fish" help:"bash, zsh or fish."`
}

// Run prints a git function that sends "git stage <command>" to git-stage
// for git-stage's own commands, taken from the command line itself, and
// everything else to Git.
func (c *shellInitCmd) Run(kctx *kong.Context, app *stage.App) error {
	var cmds []string
	for _, child := range kctx.Model.Children {
		if !child.Hidden && child.Tag.Has("routed") {
			cmds = append(cmds, child.Name)
		}
	}
	var script string
	if c.Shell == "fish" {
		script = `# git-stage shell-init: "git stage <command>" runs git-stage for its own
# commands; every other git call, "git stage <path>" included, goes to Git.
# "git stage cd [NAME]" goes into the copy that "git stage path" names.
# With git config stage.cd true, "git stage clone" then cds into the copy.
function git --wraps git --description 'git, with git stage <command> sent to git-stage'
	if test (count $argv) -ge 2; and test "$argv[1]" = stage; and contains -- "$argv[2]" ` + strings.Join(cmds, " ") + `
		if test "$argv[2]" = cd
			set -l args $argv
			set -e args[1]
			set -e args[1]
			set -l out (command git-stage path $args)
			set -l st $status
			if test $st -eq 0; and test (count $out) -eq 1; and test -d "$out[1]"
				cd "$out[1]"
			else if test (count $out) -gt 0
				printf '%s\n' $out
			end
			return $st
		end
		if test "$argv[2]" = clone; and test "$(command git config --type=bool --get stage.cd 2>/dev/null)" = true
			set -l out (command git-stage $argv[2..-1])
			set -l st $status
			# printf with no argument would still print its format once.
			test (count $out) -gt 0; and printf '%s\n' $out
			if test (count $out) -eq 1; and test -d "$out[1]"
				cd "$out[1]"
			end
			return $st
		end
		command git-stage $argv[2..-1]
	else
		command git $argv
	end
end
`
	} else {
		script = `# git-stage shell-init: "git stage <command>" runs git-stage for its own
# commands; every other git call, "git stage <path>" included, goes to Git.
# "git stage cd [NAME]" goes into the copy that "git stage path" names.
# With git config stage.cd true, "git stage clone" then cds into the copy.
git() {
	if [ "$1" = stage ]; then
		case "$2" in
		` + strings.Join(cmds, "|") + `)
			shift
			if [ "$1" = cd ]; then
				shift
				local __git_stage_out
				__git_stage_out=$(command git-stage path "$@") || return
				if [ -d "$__git_stage_out" ]; then
					cd "$__git_stage_out"
					return
				fi
				[ -z "$__git_stage_out" ] || printf '%s\n' "$__git_stage_out"
				return
			fi
			if [ "$1" = clone ] && [ "$(command git config --type=bool --get stage.cd 2>/dev/null)" = true ]; then
				local __git_stage_out __git_stage_status
				__git_stage_out=$(command git-stage "$@")
				__git_stage_status=$?
				[ -n "$__git_stage_out" ] && printf '%s\n' "$__git_stage_out"
				# The copy's path is clone's only line of output (a dry run prints its plan).
				if [ -d "$__git_stage_out" ]; then
					cd "$__git_stage_out" || return
				fi
				return $__git_stage_status
			fi
			command git-stage "$@"
			return
			;;
		esac
	fi
	command git "$@"
}
`
	}
	_, err := fmt.Fprint(app.Stdout, script)
	return err
}
