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

// runRebuild rebuilds a branch's projection.
func runRebuild(ctx context.Context, e env, args []string) error {
	fl := newFlags("rebuild", rebuildHelp, e)
	var f readFlags
	f.register(fl, e, readBranch)
	args, err := fl.parse(args)
	if err != nil {
		return err
	}
	if len(args) > 0 {
		return badInputf("rebuild takes no arguments, got %q", args)
	}
	s, q, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	started := time.Now()
	r := projections.NewRunner(s.log, s.views, q.Branch, f.runner())
	if err := r.Rebuild(ctx); err != nil {
		if errors.Is(err, projections.ErrBusy) {
			return badInput(err)
		}
		return err
	}
	fmt.Fprintf(e.stderr, "rebuilt the projection of %s: %d meetings, up to sequence %d, in %s\n",
		q.Branch.Name, r.Board().Len(), r.Board().Seq(), time.Since(started).Round(time.Millisecond))
	return nil
}
