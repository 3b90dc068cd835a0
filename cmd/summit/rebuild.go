package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/summit-model/summit/projections"
)

const rebuildHelp = `
Usage: summit rebuild [--branch NAME]

Rebuild the meeting-status projection of the record (or of a branch) from the
log: drop its views and checkpoint, fold every event again, and write the
views afresh. The log is the truth; the projection can always be made again
from it.

A running "summit serve" keeps the projection itself: stop it first (it
refuses to share the projection), or let it be.

Exit status: 0 ok; 2 a bad flag or branch, or the projection in use by
another process; 3 the store failed.

Examples:
  summit rebuild --data ./summit-data
  summit rebuild --branch prep-held --server nats://127.0.0.1:4222
`

// rebuildCmd is "summit rebuild".
type rebuildCmd struct{ env }

// Run rebuilds a branch's projection.
func (c *rebuildCmd) Run(ctx context.Context, args []string) error {
	fl := newFlags("rebuild", rebuildHelp, c.stderr)
	var f verbFlags
	f.register(fl, false, true)
	args, err := parse(fl, args)
	if err != nil {
		return err
	}
	if len(args) > 0 {
		return badInputf("rebuild takes no arguments, got %q", args)
	}
	logger := f.logger(c.stderr)
	s, branch, err := f.openBranch(ctx, logger)
	if err != nil {
		return err
	}
	defer s.Close()
	started := time.Now()
	r := projections.NewRunner(s.log, s.board, branch, projections.RunnerOptions{Logger: logger})
	if err := r.Rebuild(ctx); err != nil {
		if errors.Is(err, projections.ErrBusy) {
			return badInput(err)
		}
		return err
	}
	fmt.Fprintf(c.stderr, "rebuilt the projection of %s: %d meetings from %d events in %s\n",
		branch.Name, r.Board().Len(), r.Board().Seq(), time.Since(started).Round(time.Millisecond))
	return nil
}
