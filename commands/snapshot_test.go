package commands

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/natstest"
	"github.com/summit-model/summit/projections"
)

// fakeSnapshots holds one meeting's state, right or wrong.
type fakeSnapshots struct {
	m   aggregates.Meeting
	seq uint64
}

func (f fakeSnapshots) Snapshot(context.Context, eventlog.Branch, string) (projections.Snapshot, bool, error) {
	return projections.NewSnapshot(events.Main, f.m, f.seq), true, nil
}

// stateOf returns the state a handler cached for m, and the state its whole
// history folds to.
func stateOf(t *testing.T, h *Handler, l *eventlog.Log, m string) (c, folded aggregates.Meeting) {
	t.Helper()
	hist, err := l.Load(context.Background(), eventlog.Main(), events.Meeting(m))
	if err != nil {
		t.Fatal(err)
	}
	return cached(t, h, m), aggregates.Fold(hist.Events)
}

func TestHandlerReadsSnapshots(t *testing.T) {
	ctx := context.Background()
	js := natstest.JetStream(t, natstest.Start(t))
	l, err := eventlog.Open(ctx, js, eventlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	store, err := projections.OpenStore(ctx, js, projections.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w := NewHandler(l, eventlog.Main())
	handle(t, w, declare("m"))
	handle(t, w, aggregates.Command{Aggregate: events.Meeting("m"), At: events.Date(2025, 10, 16), By: "trump", Party: "USA",
		Payload: &events.MeetingProposed{Venue: "Budapest", Within: &events.Span{Days: 14}}})
	handle(t, w, aggregates.Command{Aggregate: events.Meeting("m"), At: events.Date(2025, 10, 16), By: "trump", Party: "USA",
		Payload: &events.PreconditionAdded{Precondition: "prep", Description: "ministers meet"}})
	for d := 17; d < 20; d++ {
		handle(t, w, say("m", d, "peskov", "RUS"))
	}
	if err := projections.NewRunner(l, store, eventlog.Main(), projections.RunnerOptions{}).CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	// The record moves on past the snapshot.
	handle(t, w, aggregates.Command{Aggregate: events.Meeting("m"), At: events.Date(2025, 10, 21), By: "putin", Party: "RUS",
		Payload: &events.MeetingAccepted{}})
	handle(t, w, say("m", 22, "lavrov", "RUS"))

	for name, snaps := range map[string]Snapshots{
		"current snapshot and two events": store,
		"snapshot of another history":     fakeSnapshots{m: aggregates.Meeting{ID: "m", Version: 3, LastVersion: 3, Status: aggregates.StatusCancelled}, seq: 1},
		"snapshot ahead of the log":       fakeSnapshots{m: aggregates.Meeting{ID: "m", Version: 50, LastVersion: 50}, seq: 1},
	} {
		t.Run(name, func(t *testing.T) {
			h := NewHandler(l, eventlog.Main())
			h.Snapshots = snaps
			res := handle(t, h, aggregates.Command{Aggregate: events.Meeting("m"), At: events.Date(2025, 10, 23), By: "trump", Party: "USA",
				Payload: &events.MeetingAccepted{}})
			if res.Loads != 1 || res.Conflicts != 0 {
				t.Errorf("%d loads, %d conflicts; want 1 and 0", res.Loads, res.Conflicts)
			}
			cached, folded := stateOf(t, h, l, "m")
			if diff := cmp.Diff(folded, cached, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("state read with a snapshot differs from the fold of the history (-fold +snapshot):\n%s", diff)
			}
			if folded.Status != aggregates.StatusAgreed {
				t.Errorf("status %s, want agreed", folded.Status)
			}
		})
	}
}
