package projections

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
)

// forkBase is what [restoreFork] put on a branch's board: the meetings it
// restored; the histories, up to the fork, of the meetings whose snapshots
// are past it, to apply before the rest; and the sequence from which the
// record is still to be read up to the fork.
type forkBase struct {
	meetings []string
	late     []eventlog.Record
	from     uint64
}

// lateShare bounds the events [restoreFork] reads by sequence, for the
// meetings whose snapshots are past the fork: at most one for every
// lateShare events a fold of the record up to the fork would read (a
// direct get costs a few times what a consumer's delivery does).
const lateShare = 4

// restoreFork puts on board the record up to branch b's fork as main's
// projection last saved it, and reports whether it could: rather than
// fold the record from its first event (a million events, a few seconds),
// a new branch's projection starts from main's snapshots, and reads only
// the events after main's checkpoint, up to the fork. Each snapshot holds
// its meeting's state as of main's checkpoint or later (a save writes the
// snapshots of every meeting changed since the last before the
// checkpoint); an event it holds already changes nothing when applied
// again ([Board.Apply]). A meeting whose snapshot is past the fork (main
// saved after the fork was made, as a live projection does after each
// burst of commands) is read instead by the sequences its snapshot lists,
// up to the fork, and folded from its first event. Main's dead letters up
// to its checkpoint (and the fork) are noted on the branch too, as the
// fold would have noted them.
//
// It does not when main's snapshots cannot stand for the fork, and the
// caller folds the record from the start:
//   - b forks at a world time: the fork cuts each history at its first
//     event after that time ([eventlog.Log.ReadFork]), which a state
//     cannot be cut back to;
//   - main's projection was never saved;
//   - the meetings whose snapshots are past the fork hold more than one
//     event in [lateShare] of the record up to the fork, or a snapshot
//     does not list its events, or they are not where it says.
func restoreFork(ctx context.Context, log *eventlog.Log, store *Store, b eventlog.Branch, board *Board) (forkBase, bool, error) {
	if b.IsMain() || b.ForkSeq == 0 || !b.Latest && !b.ForkAt.IsZero() {
		return forkBase{}, false, nil
	}
	cp, err := store.Checkpoint(ctx, events.Main)
	if err != nil {
		return forkBase{}, false, err
	}
	if cp.Seq == 0 {
		return forkBase{}, false, nil
	}
	// Main's checkpoint may be past the fork: a snapshot at or before the
	// fork is then its meeting's state at the fork all the same (a meeting
	// changed after its snapshot and by the checkpoint has a later one),
	// and nothing is left to read after the checkpoint.
	upTo := min(cp.Seq, b.ForkSeq)
	snaps, err := store.snapshotsOf(ctx, events.Main, theirs)
	if err != nil {
		return forkBase{}, false, err
	}
	var ids []string
	late := map[string][]uint64{} // meeting -> its events' sequences up to the fork
	reads := 0
	for id, snap := range snaps {
		if snap.Seq <= b.ForkSeq {
			ids = append(ids, id)
			continue
		}
		seqs, ok := snap.History()
		if !ok {
			return forkBase{}, false, nil
		}
		seqs = seqs[:sortedCut(seqs, b.ForkSeq)]
		if reads += len(seqs); reads*lateShare > int(b.ForkSeq) {
			return forkBase{}, false, nil
		}
		late[id] = seqs
	}
	fork := forkBase{from: cp.Seq + 1}
	for _, id := range slices.Sorted(maps.Keys(late)) {
		h, err := log.LoadSeqs(ctx, eventlog.Main(), events.Meeting(id), late[id])
		if errors.Is(err, eventlog.ErrNotThere) || err == nil && len(h.Malformed) > 0 {
			return forkBase{}, false, nil
		}
		if err != nil {
			return forkBase{}, false, fmt.Errorf("fork of %s: meeting %s: %w", b.Name, id, err)
		}
		fork.late = append(fork.late, h.Records...)
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
		if d.Seq > upTo {
			break // past the fork, or met again by the read after the checkpoint
		}
		if err := store.quarantine(ctx, b.Name, d.Seq, d.Subject, errors.New(d.Error)); err != nil {
			return forkBase{}, false, fmt.Errorf("fork of %s: %w", b.Name, err)
		}
	}
	board.SetSeq(upTo)
	fork.meetings = ids
	return fork, true, nil
}

// sortedCut returns how many of seqs, in ascending order, are at most seq.
func sortedCut(seqs []uint64, seq uint64) int {
	n, _ := slices.BinarySearch(seqs, seq+1)
	return n
}
