package projections

import (
	"context"

	"github.com/summit-model/summit/eventlog"
)

// ReadBoard returns the board q reads: for a plain read (no as-of, no
// known-at date), the live projection's views, brought up to the end of
// the log first (see [CatchUp]), each read as of today (taken from the
// board of the runner that caught up, if it had to fold, else from the
// bucket); for a read with a date, the board folded from the log
// ([FoldView]). It is what "summit status --json" prints and what the web
// board's /api/board serves.
func ReadBoard(ctx context.Context, log *eventlog.Log, store *Store, q Query, o RunnerOptions) (BoardView, error) {
	if !q.AsOf.IsZero() || !q.KnownAt.IsZero() {
		return FoldView(ctx, log, q)
	}
	branch := q.branch()
	r, err := catchUp(ctx, log, store, branch, o)
	if err != nil {
		return BoardView{}, err
	}
	b := BoardView{Branch: branch.Name, AsOf: q.AsOfLabel()}
	if r != nil && r.holdsAll() {
		// The runner folded the board itself: its views are the ones it
		// has just written, without reading them back.
		b.Meetings = r.board.Views(q.Cutoff(), b.AsOf)
		return b, nil
	}
	if b.Meetings, err = store.Views(ctx, branch.Name); err != nil {
		return BoardView{}, err
	}
	for i := range b.Meetings {
		b.Meetings[i].SetAsOf(q.Cutoff(), b.AsOf)
		b.Meetings[i].Cause = nil
	}
	if b.Meetings == nil {
		b.Meetings = []View{}
	}
	return b, nil
}
