package projections

import (
	"context"

	"github.com/summit-model/summit/eventlog"
)

// ReadBoard returns the board q reads: for a plain read (no as-of, no
// known-at date), the live projection's views, brought up to the end of
// the log first (see [CatchUp]), each read as of today; for a read with a
// date, the board folded from the log ([FoldView]). It is what "summit
// status --json" prints and what the web board's /api/board serves.
func ReadBoard(ctx context.Context, log *eventlog.Log, store *Store, q Query, o RunnerOptions) (BoardView, error) {
	if !q.AsOf.IsZero() || !q.KnownAt.IsZero() {
		return FoldView(ctx, log, q)
	}
	branch := q.branch()
	if err := CatchUp(ctx, log, store, branch, o); err != nil {
		return BoardView{}, err
	}
	views, err := store.Views(ctx, branch.Name)
	if err != nil {
		return BoardView{}, err
	}
	b := BoardView{Branch: branch.Name, AsOf: q.AsOfLabel(), Meetings: views}
	for i := range b.Meetings {
		b.Meetings[i].SetAsOf(q.Cutoff(), b.AsOf)
		b.Meetings[i].Cause = nil
	}
	if b.Meetings == nil {
		b.Meetings = []View{}
	}
	return b, nil
}
