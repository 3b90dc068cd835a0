package projections

import (
	"context"
	"time"

	"github.com/summit-model/summit/eventlog"
)

// Read folds branch's events from the log into a new board: the board as of
// cutoff (zero for everything). It writes nothing: it is how summit reads a
// branch as of a date, and how tests check that the views a runner wrote are
// the views the log makes.
func Read(ctx context.Context, log *eventlog.Log, branch eventlog.Branch, cutoff time.Time) (*Board, error) {
	b := NewBoard(branch.Name, cutoff)
	err := log.ReadBranch(ctx, branch, func(r eventlog.Record) error {
		b.Apply(r.Seq, r.Event)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}
