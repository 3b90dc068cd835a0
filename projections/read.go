package projections

import (
	"context"
	"time"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
)

// Read folds branch's events from the log into a new board: the board as of
// cutoff (zero for everything). It writes nothing: it is how summit reads a
// branch as of a date, and how tests check that the views a runner wrote are
// the views the log makes.
func Read(ctx context.Context, log *eventlog.Log, branch eventlog.Branch, cutoff time.Time) (*Board, error) {
	b := NewBoard(branch.Name, cutoff)
	apply := func(r eventlog.Record) error {
		b.Apply(r.Seq, r.Event)
		return nil
	}
	from := uint64(1)
	if !branch.IsMain() {
		if branch.ForkSeq > 0 {
			base := cutoff
			if fork := branch.ForkAt; !fork.IsZero() && (base.IsZero() || fork.End().Before(base)) {
				base = fork.End()
			}
			b.SetCutoff(base)
			if err := log.Read(ctx, eventlog.BranchSubjects(events.Main), 1, branch.ForkSeq, apply); err != nil {
				return nil, err
			}
			b.SetCutoff(cutoff)
		}
		from = branch.ForkSeq + 1
	}
	if err := log.Read(ctx, eventlog.BranchSubjects(branch.Name), from, 0, apply); err != nil {
		return nil, err
	}
	return b, nil
}
