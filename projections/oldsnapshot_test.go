package projections_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
)

// TestRunnerRefoldsOnASnapshotWithoutAList catches a projection up from
// snapshots that list no sequences (as a build before the lists wrote
// them), with a retraction on record since: the runner restores the
// meeting from its snapshot, cannot read its history by sequence, and
// reads it whole from the log instead. Its views are then a fold's.
func TestRunnerRefoldsOnASnapshotWithoutAList(t *testing.T) {
	ctx := context.Background()
	r := newLiveRig(t)
	main := eventlog.Main()
	r.story(2)
	if err := projections.CatchUp(ctx, r.log, r.store, main, projections.RunnerOptions{}); err != nil {
		t.Fatal(err)
	}

	// Every snapshot as the older build wrote it: no lists.
	kv, err := r.js.KeyValue(ctx, projections.SnapshotBucket)
	if err != nil {
		t.Fatal(err)
	}
	for id := range r.stored(events.Main) {
		snap, ok, err := r.store.Snapshot(ctx, main, id)
		if err != nil || !ok {
			t.Fatalf("snapshot of %s: %v, %v", id, ok, err)
		}
		if _, listed := snap.History(); !listed {
			t.Fatalf("the snapshot of %s lists no sequences before the test removes them", id)
		}
		snap.Seqs, snap.Course = "", ""
		data, err := json.Marshal(snap)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := kv.Put(ctx, projections.Key(events.Main, id), data); err != nil {
			t.Fatal(err)
		}
	}

	// Peskov's statement on the summit, withdrawn: a retraction, which
	// folds the meeting again from its whole history.
	h, err := r.log.Load(ctx, main, events.Meeting("summit"))
	if err != nil {
		t.Fatal(err)
	}
	var said string
	for _, e := range h.Events {
		if e.Kind() == events.KindStatementMade {
			said = e.ID.String()
		}
	}
	if said == "" {
		t.Fatal("the story has no statement on the summit")
	}
	r.do(main, "summit", 22, "peskov", &events.EventRetracted{Retracts: said, Reason: "misquoted"})
	if before := r.stored(events.Main)["summit"]; len(before.Claims) == 0 {
		t.Fatal("the summit's view shows no claim before the catch-up: the retraction cannot change it")
	}

	if err := projections.CatchUp(ctx, r.log, r.store, main, projections.RunnerOptions{}); err != nil {
		t.Fatal(err)
	}
	if ok, diff := r.sameAsFold(main); !ok {
		t.Fatal(diff)
	}
	if after := r.stored(events.Main)["summit"]; len(after.Claims) != 0 {
		t.Errorf("the summit's view still shows the withdrawn claim: %+v", after.Claims)
	}
}

// TestRunnerCountsAnUncountedCheckpoint resumes a projection from a
// checkpoint that does not count the messages it read (as a build before
// the counts wrote it), and checks when the runner takes the count up: at
// once if nothing followed the checkpoint on the branch (the stream's count
// is then the checkpoint's), not if events followed (the count up to the
// checkpoint is not known) until a catch-up finds nothing after the one
// it wrote, and after a rebuild. The check on open
// compares the stream with that count to find lost events.
func TestRunnerCountsAnUncountedCheckpoint(t *testing.T) {
	ctx := context.Background()
	r := newLiveRig(t)
	main := eventlog.Main()
	r.story(2)
	catchUp := func() {
		t.Helper()
		if err := projections.CatchUp(ctx, r.log, r.store, main, projections.RunnerOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	counted := func() *uint64 {
		t.Helper()
		cp, err := r.store.Checkpoint(ctx, events.Main)
		if err != nil {
			t.Fatal(err)
		}
		return cp.Events
	}
	onRecord := func() uint64 {
		t.Helper()
		n, err := r.log.Count(ctx, eventlog.BranchSubjects(events.Main))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	catchUp()
	if n := counted(); n == nil || *n != onRecord() {
		t.Fatalf("a projection caught up counts %v messages, want %d", n, onRecord())
	}

	// Nothing after the uncounted checkpoint: counted at once.
	if err := r.store.Uncount(ctx, events.Main); err != nil {
		t.Fatal(err)
	}
	catchUp()
	if n := counted(); n == nil || *n != onRecord() {
		t.Errorf("an uncounted checkpoint with nothing after it: counts %v, want %d", n, onRecord())
	}
	// An event after it: the count up to it is not known...
	if err := r.store.Uncount(ctx, events.Main); err != nil {
		t.Fatal(err)
	}
	r.do(main, "summit", 23, "putin", &events.StatementMade{About: "summit", Stance: events.StanceSupportive, Claim: "willing"})
	catchUp()
	if n := counted(); n != nil {
		t.Errorf("a checkpoint resumed with an event after it counts %d messages, want no count", *n)
	}
	// ...until a catch-up finds nothing after the checkpoint it wrote.
	catchUp()
	if n := counted(); n == nil || *n != onRecord() {
		t.Errorf("caught up again with nothing new: counts %v, want %d", n, onRecord())
	}
	if err := r.store.Uncount(ctx, events.Main); err != nil {
		t.Fatal(err)
	}
	if err := projections.NewRunner(r.log, r.store, main, projections.RunnerOptions{}).Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	if n := counted(); n == nil || *n != onRecord() {
		t.Errorf("after a rebuild: counts %v, want %d", n, onRecord())
	}
}
