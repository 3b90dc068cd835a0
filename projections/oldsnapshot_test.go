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
