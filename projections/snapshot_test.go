package projections

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/workload"
)

// A view, as the bucket holds it, is the meeting's state: the state its
// history folds to, for every kind of life the workload writes.
func TestSnapshotIsTheFold(t *testing.T) {
	ctx := context.Background()
	r := newRig(t)
	load, err := workload.Generate(workload.Options{Meetings: 30, Events: 3000, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	pending := make([]eventlog.Pending, len(load.Events))
	for i := range load.Events {
		pending[i] = eventlog.Pending{Events: load.Events[i : i+1]}
	}
	if _, err := r.log.AppendAll(ctx, pending); err != nil {
		t.Fatal(err)
	}
	if err := NewRunner(r.log, r.store, eventlog.Main(), RunnerOptions{}).Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range load.Meetings {
		m, seq, ok, err := r.store.Snapshot(ctx, "main", id)
		if err != nil || !ok {
			t.Fatalf("snapshot of %s: %v, %v", id, ok, err)
		}
		h, err := r.log.Load(ctx, eventlog.Main(), events.Meeting(id))
		if err != nil {
			t.Fatal(err)
		}
		if seq < h.Expect {
			t.Errorf("%s: snapshot at seq %d, before the meeting's last event at %d", id, seq, h.Expect)
		}
		if diff := cmp.Diff(aggregates.Fold(h.Events), m, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("%s: snapshot differs from the fold (-fold +snapshot):\n%s", id, diff)
		}
	}
	if _, _, ok, err := r.store.Snapshot(ctx, "main", "nobody"); ok || err != nil {
		t.Errorf("snapshot of an unknown meeting: %v, %v", ok, err)
	}
}
