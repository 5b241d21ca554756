package stage

import (
	"context"
	"fmt"
)

// Path prints the path of the staging copy name (default: the copy
// containing the current directory), one line on stdout, so that
// cd "$(git staging path NAME)" goes there. A copy whose directory is
// gone is refused: there is nowhere to go.
func (a *App) Path(ctx context.Context, s Settings, name string) error {
	l, err := a.locate(ctx, s, name)
	if err != nil {
		return err
	}
	present, err := exists(l.m.StagingPath)
	if err != nil {
		return wrap(err, "", "inspect %s", l.m.StagingPath)
	}
	if !present {
		return refuse("`git staging prune` forgets it", "the directory of staging copy %q, %s, is gone", l.name, l.m.StagingPath)
	}
	_, err = fmt.Fprintln(a.Stdout, l.m.StagingPath)
	return err
}
