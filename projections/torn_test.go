package projections_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
)

// TestResumeAfterATornSave resumes a projection whose writer died in the
// middle of a save: the new snapshot of a meeting that was held is stored,
// its view is not (views and snapshots are two buckets: a kill can keep
// one write and lose the other), and the checkpoint is from before. The
// resumed projection, which skips the events the snapshot holds, must
// still write the meeting's view (and that of the meeting whose
// precondition the holding meets), as a rebuild has them.
func TestResumeAfterATornSave(t *testing.T) {
	ctx := context.Background()
	r := newLiveRig(t)
	r.story(1)
	main := eventlog.Main()
	if err := projections.NewRunner(r.log, r.store, main, projections.RunnerOptions{}).CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	r.do(main, "prep", 25, "rubio", &events.MeetingHeld{Venue: "Moscow"})
	last, err := r.log.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// What the dead writer got out before it died: the prep meeting's new
	// snapshot, and nothing else.
	board := projections.NewBoard(events.Main, projections.BoardOptions{})
	if err := r.log.ReadBranch(ctx, main, func(rec eventlog.Record) error {
		_, err := board.Apply(rec)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	snap, ok := board.Snapshot("prep", last)
	if !ok {
		t.Fatal("no snapshot of prep")
	}
	data, err := projections.ASCII(snap)
	if err != nil {
		t.Fatal(err)
	}
	kv, err := r.js.KeyValue(ctx, projections.SnapshotBucket)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Put(ctx, projections.Key(events.Main, "prep"), data); err != nil {
		t.Fatal(err)
	}
	if got := r.stored(events.Main)["prep"].Status; got == aggregates.StatusHeld {
		t.Fatalf("before the resume, prep's view is %s; the test wants it stale", got)
	}
	if err := projections.NewRunner(r.log, r.store, main, projections.RunnerOptions{}).CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r.folded(main), r.stored(events.Main), sameBoard); diff != "" {
		t.Errorf("resumed projection differs from the fold (-fold +bucket):\n%s", diff)
	}
}
