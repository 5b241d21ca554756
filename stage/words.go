// The words of messages: short commit ids and lists kept short.

package stage

import (
	"fmt"
	"strings"

	"github.com/git-stage/git-stage/gitcmd"
)

// short is a commit id cut to 12 characters, as messages show it.
func short(oid string) string {
	if len(oid) > 12 {
		return oid[:12]
	}
	return oid
}

// changeList names the first few changed paths.
func changeList(changes []gitcmd.Change) string {
	var paths []string
	for _, c := range changes {
		if c.Kind != '!' {
			paths = append(paths, c.Path)
		}
	}
	return listSome(paths, 3)
}

// listSome joins the first n items, saying how many more there are.
func listSome(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:n], ", ") + fmt.Sprintf(" and %d more", len(items)-n)
}
