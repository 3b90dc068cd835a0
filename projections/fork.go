package projections

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
)

// forkBase is what [restoreFork] put on a branch's board: the meetings it
// restored, and the sequence from which the record is still to be read
// up to the fork.
type forkBase struct {
	meetings []string
	from     uint64
}

// restoreFork puts on board the record up to branch b's fork as main's
// projection last saved it, and reports whether it could: rather than
// fold the record from its first event (a million events, a few seconds),
// a new branch's projection starts from main's snapshots, and reads only
// the events after main's checkpoint, up to the fork. Each snapshot holds
// its meeting's state as of main's checkpoint or later (a save writes the
// snapshots of every meeting changed since the last before the
// checkpoint); an event it holds already changes nothing when applied
// again ([Board.Apply]). Main's dead letters up to its checkpoint are
// noted on the branch too, as the fold would have noted them.
//
// It does not when main's snapshots cannot stand for the fork, and the
// caller folds the record from the start:
//   - b forks at a world time: the fork cuts each history at its first
//     event after that time ([eventlog.Log.ReadFork]), which a state
//     cannot be cut back to;
//   - main has no checkpoint, or one past the fork;
//   - a snapshot is past the fork (main saved after the fork was made):
//     its meeting's state holds events the branch does not see.
func restoreFork(ctx context.Context, store *Store, b eventlog.Branch, board *Board) (forkBase, bool, error) {
	if b.IsMain() || b.ForkSeq == 0 || !b.Latest && !b.ForkAt.IsZero() {
		return forkBase{}, false, nil
	}
	cp, err := store.Checkpoint(ctx, events.Main)
	if err != nil {
		return forkBase{}, false, err
	}
	if cp.Seq == 0 || cp.Seq > b.ForkSeq {
		return forkBase{}, false, nil
	}
	snaps, err := store.snapshotsOf(ctx, events.Main)
	if err != nil {
		return forkBase{}, false, err
	}
	ids := make([]string, 0, len(snaps))
	for id, snap := range snaps {
		if snap.Seq > b.ForkSeq {
			return forkBase{}, false, nil
		}
		ids = append(ids, id)
	}
	dead, err := store.DeadLetters(ctx, events.Main)
	if err != nil {
		return forkBase{}, false, err
	}
	slices.Sort(ids)
	for _, id := range ids {
		if err := board.Restore(id, snaps[id]); err != nil {
			return forkBase{}, false, err
		}
	}
	for _, d := range dead {
		if d.Seq > cp.Seq {
			break // the read after the checkpoint meets it again
		}
		if err := store.quarantine(ctx, b.Name, d.Seq, d.Subject, errors.New(d.Error)); err != nil {
			return forkBase{}, false, fmt.Errorf("fork of %s: %w", b.Name, err)
		}
	}
	board.SetSeq(cp.Seq)
	return forkBase{meetings: ids, from: cp.Seq + 1}, true, nil
}
