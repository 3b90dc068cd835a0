package projections

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/summit-model/summit/eventlog"
)

// readHistory reads the history of the meeting of rec, a record that board
// b could not place, on branch up to rec: the events b applied, by their
// sequences ([eventlog.Log.LoadSeqs]: a lookup each), then rec; or, when
// b does not know them all or they do not match the log, with a scan of
// the meeting's subjects ([eventlog.Log.LoadUpTo]), which finds the events
// however they were lost or moved.
//
// Both read with direct gets, which in a cluster a replica may answer
// before it holds every event its leader acknowledged. A history is whole
// when it holds every version of the meeting up to rec's; in a replicated
// log, one that is not is read again until it is, for at most the log's
// timeout (then it is folded as read, with a warning: a record may lack a
// version for good, if a message is malformed; logger, if not nil, hears
// of it).
func readHistory(ctx context.Context, log *eventlog.Log, branch eventlog.Branch, b *Board, rec eventlog.Record, logger *slog.Logger) ([]eventlog.Record, error) {
	ref := rec.Event.Aggregate
	if seqs, ok := b.Seqs(ref.ID); ok {
		h, err := log.LoadSeqs(ctx, branch, ref, seqs)
		switch {
		case err == nil && len(h.Malformed) == 0:
			if records := append(h.Records, rec); !log.Replicated() || whole(records, rec.Event.Version) {
				return records, nil
			}
		case err != nil && !errors.Is(err, eventlog.ErrNotThere):
			return nil, err
		}
	}
	deadline := time.Now().Add(log.Timeout())
	for wait := time.Millisecond; ; wait = min(2*wait, 100*time.Millisecond) {
		h, err := log.LoadUpTo(ctx, branch, ref, rec.Seq)
		if err != nil || !log.Replicated() || whole(h.Records, rec.Event.Version) {
			return h.Records, err
		}
		if time.Now().After(deadline) {
			if logger == nil {
				logger = slog.Default()
			}
			logger.Warn("folding a meeting again on a history that lacks versions", "meeting", ref.ID, "seq", rec.Seq, "version", rec.Event.Version, "events", len(h.Records))
			return h.Records, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
	}
}

// reshape folds rec, a late event of its meeting's course that b cannot
// place with what it holds, on the meeting's course: the events b lists
// for it ([Board.Course]), read by sequence ([Board.Reshape]). It returns
// false when that does not do (the course cannot be read whole, or cannot
// tell what rec does): fold the meeting's whole history again then. A
// meeting of 200 events has some 60 in its course: a late postponement
// reads those, not 200.
func reshape(ctx context.Context, log *eventlog.Log, branch eventlog.Branch, b *Board, rec eventlog.Record) ([]string, bool) {
	id := rec.Event.Aggregate.ID
	seqs, ok := b.Course(id)
	if !ok {
		return nil, false
	}
	h, err := log.LoadSeqs(ctx, branch, rec.Event.Aggregate, seqs)
	if err != nil || len(h.Malformed) > 0 || len(h.Records) != len(seqs) {
		return nil, false
	}
	return b.Reshape(id, h.Records, rec)
}

// whole reports whether records, in record order, are every event of a
// meeting up to version: versions 1 to version.
func whole(records []eventlog.Record, version uint64) bool {
	if uint64(len(records)) != version {
		return false
	}
	for i, r := range records {
		if r.Event.Version != uint64(i)+1 {
			return false
		}
	}
	return true
}
