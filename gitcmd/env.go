package gitcmd

import (
	"os"
	"strings"
)

// localEnvVars is what `git rev-parse --local-env-vars` prints: the variables
// that tie a git process to one particular repository. Git exports them to
// hooks and `!` aliases; a child git that inherits them acts on that
// repository instead of the one it was pointed at. The list is fixed here so
// that finding it costs no process; TestLocalEnvVarsMatchGit keeps it equal
// to what the installed git says.
var localEnvVars = []string{
	"GIT_ALTERNATE_OBJECT_DIRECTORIES",
	"GIT_CONFIG",
	"GIT_CONFIG_PARAMETERS",
	"GIT_CONFIG_COUNT",
	"GIT_OBJECT_DIRECTORY",
	"GIT_DIR",
	"GIT_WORK_TREE",
	"GIT_IMPLICIT_WORK_TREE",
	"GIT_GRAFT_FILE",
	"GIT_INDEX_FILE",
	"GIT_NO_REPLACE_OBJECTS",
	"GIT_REPLACE_REF_BASE",
	"GIT_PREFIX",
	"GIT_INTERNAL_SUPER_PREFIX",
	"GIT_SHALLOW_FILE",
	"GIT_COMMON_DIR",
}

// ScrubbedEnv returns environ without the repository-local git variables,
// but for the settings of `git -c` and GIT_CONFIG_COUNT (with its
// GIT_CONFIG_KEY_<n>/GIT_CONFIG_VALUE_<n>): git itself keeps those when it
// runs git in another repository (prepare_other_repo_env, for
// submodules), so `git -c k=v staging ...` reaches every git call.
func ScrubbedEnv(environ []string) []string {
	out := make([]string, 0, len(environ))
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if isLocalEnvVar(name) && !keptForOtherRepos(name) {
			continue
		}
		out = append(out, kv)
	}
	return out
}

func isLocalEnvVar(name string) bool {
	for _, v := range localEnvVars {
		if name == v {
			return true
		}
	}
	return false
}

// Environ is the environment every git child gets: the process environment,
// scrubbed.
func Environ() []string { return ScrubbedEnv(os.Environ()) }

// keptForOtherRepos reports whether git keeps the repository-local
// variable name when it runs git in another repository: the settings of
// `git -c` and GIT_CONFIG_COUNT (whose GIT_CONFIG_KEY_<n> and
// GIT_CONFIG_VALUE_<n> git never lists).
func keptForOtherRepos(name string) bool {
	return name == "GIT_CONFIG_PARAMETERS" || name == "GIT_CONFIG_COUNT"
}

// Untranslated is the environment of a git command whose messages a
// decision reads: git translates them through gettext, which LC_ALL=C
// turns off. LANGUAGE is cleared as well: gettext honours it before the
// locale unless that is exactly C (it still translates under C.UTF-8).
// Only such a command runs with it; every other keeps the user's
// language, for the messages the user reads. That includes the commands
// whose output is parsed: they ask for formats git never translates
// (--porcelain, -z, --format, plumbing), and a message they print on
// failure is shown, not read; locale_de runs every command under German.
var Untranslated = []string{"LC_ALL=C", "LANGUAGE="}
