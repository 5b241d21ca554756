package main

import (
	"fmt"
	"slices"
	"sort"
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

func (c *completeCmd) Run(kctx *kong.Context, app *stage.App, s stage.Settings) error {
	names := func() []string {
		cfg, err := (&stage.Store{Path: s.Config()}).Load()
		if err != nil {
			return nil
		}
		var out []string
		for name := range cfg.Stagings {
			out = append(out, name)
		}
		sort.Strings(out)
		return out
	}
	for _, cand := range complete(kctx.Model, c.Words, names) {
		fmt.Fprintln(app.Stdout, cand)
	}
	return nil
}

// complete returns the candidates for the last of words: a command, a
// flag of the command reached (or a global one), a staging name where
// the command takes one, or a command's name (help's argument).
func complete(app *kong.Application, words []string, names func() []string) []string {
	if len(words) == 0 {
		words = []string{""}
	}
	cur := words[len(words)-1]
	node := app.Node
	positional := 0
	var pending *kong.Flag // a flag whose value is the next word
	onlyArgs := false
	for _, w := range words[:len(words)-1] {
		switch {
		case pending != nil:
			pending = nil
		case w == "--":
			onlyArgs = true
		case !onlyArgs && strings.HasPrefix(w, "-") && w != "-":
			name, _, hasValue := strings.Cut(w, "=")
			if f := findFlag(node, name); f != nil && takesValue(f) && !hasValue {
				pending = f
			}
		default:
			if child := findCommand(node, w); child != nil && positional == 0 {
				node = child
			} else {
				positional++
			}
		}
	}
	if pending != nil {
		return nil // a flag's value: let the shell offer files
	}

	var out []string
	add := func(c string) {
		if strings.HasPrefix(c, cur) && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	if strings.HasPrefix(cur, "-") && !onlyArgs {
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
		if !child.Hidden && positional == 0 {
			add(child.Name)
		}
	}
	if len(out) == 0 && positional < len(node.Positional) && node.Positional[positional].Tag.Has("stagingname") {
		for _, n := range names() {
			add(n)
		}
	}
	if positional < len(node.Positional) && node.Positional[positional].Tag.Has("commandname") {
		for _, child := range app.Children {
			if !child.Hidden {
				add(child.Name)
			}
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
__git_stage_reply() {
	local line
	COMPREPLY=()
	while IFS= read -r line; do
		COMPREPLY+=("$(printf '%q' "$line")")
	done < <(git-stage __complete -- "$@" 2>/dev/null)
}
# Not _git_stage: Git's completion has that name, for "git stage" (add).
__git_stage_tool() {
	__git_stage_reply "${COMP_WORDS[@]:1:COMP_CWORD}"
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
	set -e words[1]
	if test "$words[1]" = staging
		set -e words[1]
	end
	git-stage __complete -- $words (commandline -ct) 2>/dev/null
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
			else
				printf '%s\n' $out
			end
			return $st
		end
		if test "$argv[2]" = clone; and test "$(command git config --type=bool --get stage.cd 2>/dev/null)" = true
			set -l out (command git-stage $argv[2..-1])
			set -l st $status
			printf '%s\n' $out
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
