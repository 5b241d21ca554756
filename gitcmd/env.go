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

// ScrubbedEnv returns environ without the repository-local git variables.
// GIT_CONFIG_KEY_<n>/GIT_CONFIG_VALUE_<n> go with GIT_CONFIG_COUNT.
func ScrubbedEnv(environ []string) []string {
	out := make([]string, 0, len(environ))
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if isLocalEnvVar(name) {
			continue
		}
		out = append(out, kv)
	}
	return out
}

func isLocalEnvVar(name string) bool {
	if strings.HasPrefix(name, "GIT_CONFIG_KEY_") || strings.HasPrefix(name, "GIT_CONFIG_VALUE_") {
		return true
	}
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

// Untranslated is the environment of a git command whose messages a
// decision reads: git translates them through gettext, which LC_ALL=C
// turns off. LANGUAGE is cleared as well: gettext honours it before the
// locale unless that is exactly C (it still translates under C.UTF-8).
// Only such a command runs with it; every other keeps the user's
// language, for the messages the user reads.
var Untranslated = []string{"LC_ALL=C", "LANGUAGE="}
