package projections

import (
	"context"
	"errors"

	"github.com/summit-model/summit/eventlog"
)

// readHistory reads the history of the meeting of rec, a record that board
// b could not place, on branch up to rec: the events b applied, by their
// sequences ([eventlog.Log.LoadSeqs]: a lookup each), then rec; or, when
// b does not know them all or they do not match the log, with a scan of
// the meeting's subjects ([eventlog.Log.LoadUpTo]), which finds the events
// however they were lost or moved.
func readHistory(ctx context.Context, log *eventlog.Log, branch eventlog.Branch, b *Board, rec eventlog.Record) ([]eventlog.Record, error) {
	ref := rec.Event.Aggregate
	if seqs, ok := b.Seqs(ref.ID); ok {
		h, err := log.LoadSeqs(ctx, branch, ref, seqs)
		switch {
		case err == nil && len(h.Malformed) == 0:
			return append(h.Records, rec), nil
		case err != nil && !errors.Is(err, eventlog.ErrNotThere):
			return nil, err
		}
	}
	h, err := log.LoadUpTo(ctx, branch, ref, rec.Seq)
	return h.Records, err
}
