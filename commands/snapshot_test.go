package commands

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/nats-io/nats.go/jetstream"

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

// logAndStore opens a log and a projection store on a new server.
func logAndStore(t *testing.T) (*eventlog.Log, *projections.Store) {
	t.Helper()
	l, store, _ := logStoreAndJetStream(t)
	return l, store
}

// logStoreAndJetStream opens a log and a projection store on a new
// server, and returns the JetStream context they use, to write what summit
// does not.
func logStoreAndJetStream(t *testing.T) (*eventlog.Log, *projections.Store, jetstream.JetStream) {
	t.Helper()
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
	return l, store, js
}

func TestHandlerReadsSnapshots(t *testing.T) {
	ctx := context.Background()
	l, store := logAndStore(t)
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

// swappedList is a store's snapshot of a meeting with the list of event
// sequences (and fingerprints) of another meeting: a list that does not
// match the log.
type swappedList struct {
	store *projections.Store
	other string
}

func (s swappedList) Snapshot(ctx context.Context, b eventlog.Branch, id string) (projections.Snapshot, bool, error) {
	snap, ok, err := s.store.Snapshot(ctx, b, id)
	if err != nil || !ok {
		return snap, ok, err
	}
	other, _, err := s.store.Snapshot(ctx, b, s.other)
	snap.Keys, snap.Seqs, snap.Course = other.Keys, other.Seqs, other.Course
	return snap, true, err
}

// withoutCourse is a store whose snapshots list no course, as those
// written before it was kept: a late event of the course reads the whole
// history.
type withoutCourse struct{ Snapshots }

func (s withoutCourse) Snapshot(ctx context.Context, b eventlog.Branch, id string) (projections.Snapshot, bool, error) {
	snap, ok, err := s.Snapshots.Snapshot(ctx, b, id)
	snap.Course = ""
	return snap, ok, err
}

// TestHandlerReadsListedHistory decides late events that fall before the
// tail, which need the meeting's whole history: read by the sequences a
// snapshot lists, and when the list does not match the log, with a scan.
// Either way the decision and the state are those of the whole history.
func TestHandlerReadsListedHistory(t *testing.T) {
	for name, snapshots := range map[string]func(*projections.Store) Snapshots{
		"the snapshot's course":            func(s *projections.Store) Snapshots { return s },
		"the snapshot's list":              func(s *projections.Store) Snapshots { return withoutCourse{s} },
		"a list of another meeting's seqs": func(s *projections.Store) Snapshots { return swappedList{store: s, other: "n"} },
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			l, store := listedHistory(t)
			h := NewHandler(l, eventlog.Main())
			h.Snapshots = snapshots(store)
			// Held on the 18th, before the meeting was scheduled on the
			// 19th: refused.
			held := act("m", 18, "trump", "USA", &events.MeetingHeld{})
			held.Reported = events.Date(2025, 10, 28)
			if _, err := h.Handle(ctx, held, Meta{}); !errors.Is(err, aggregates.ErrFinal) {
				t.Fatalf("a holding before a later scheduling: %v, want ErrFinal", err)
			}
			// Accepted on the 17th, reported on the 28th: accepted, in its
			// place.
			late := act("m", 17, "putin", "RUS", &events.MeetingAccepted{})
			late.Reported = events.Date(2025, 10, 28)
			if res := handle(t, h, late); len(res.Events) != 1 {
				t.Fatalf("late acceptance: %d events, want 1", len(res.Events))
			}
			// Decided on the course, the handler read no history whole.
			if st := h.cache[events.Meeting("m")]; st == nil || (st.records == nil) != (name == "the snapshot's course") {
				t.Errorf("the cached state holds the whole history %v, want %v", st != nil && st.records != nil, name != "the snapshot's course")
			}
			c, folded := stateOf(t, h, l, "m")
			if diff := cmp.Diff(folded, c, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("state decided on the listed history differs from the fold (-fold +handler):\n%s", diff)
			}
			if folded.Status != aggregates.StatusScheduled || len(folded.Accepted) == 0 {
				t.Errorf("status %s, accepted by %v; want scheduled, accepted", folded.Status, folded.Accepted)
			}
		})
	}
}

// listedHistory returns a log with two meetings, m and n, of 13 events
// each, interleaved, and a store with their snapshots, each listing its
// events' sequences; m has one event more after its snapshot.
func listedHistory(t *testing.T) (*eventlog.Log, *projections.Store) {
	t.Helper()
	ctx := context.Background()
	l, store := logAndStore(t)
	w := NewHandler(l, eventlog.Main())
	for _, m := range []string{"m", "n"} {
		handle(t, w, declare(m))
		handle(t, w, act(m, 16, "trump", "USA", &events.MeetingProposed{Venue: "Budapest", Within: &events.Span{Days: 30}}))
	}
	for d := 17; d < 27; d++ {
		handle(t, w, say("m", d, "peskov", "RUS"))
		handle(t, w, say("n", d, "peskov", "RUS"))
		if d == 19 {
			handle(t, w, act("m", d, "trump", "USA", &events.MeetingScheduled{Date: events.OneDay(events.Date(2025, 11, 30))}))
			handle(t, w, say("n", d, "lavrov", "RUS"))
		}
	}
	if err := projections.NewRunner(l, store, eventlog.Main(), projections.RunnerOptions{}).CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if snap, ok, err := store.Snapshot(ctx, eventlog.Main(), "m"); err != nil || !ok {
		t.Fatalf("no snapshot of m: %v", err)
	} else if seqs, ok := snap.History(); !ok || len(seqs) != 13 {
		t.Fatalf("the snapshot lists %d sequences (%t), want 13", len(seqs), ok)
	}
	handle(t, w, say("m", 27, "lavrov", "RUS"))
	return l, store
}

// TestCachedStateReadsTheListAgain checks that a state the handler keeps
// of a history it let go (its events' fingerprints, not their places)
// reads the history again by the sequences the projection's snapshot
// lists, not with a scan of the stream.
func TestCachedStateReadsTheListAgain(t *testing.T) {
	ctx := context.Background()
	l, store := listedHistory(t)
	h := NewHandler(l, eventlog.Main())
	h.Snapshots, h.Tail = withoutCourse{store}, 2
	late := act("m", 17, "putin", "RUS", &events.MeetingAccepted{})
	late.Reported = events.Date(2025, 10, 28)
	handle(t, h, late) // read whole, then kept without the records
	st := h.cache[events.Meeting("m")]
	if st == nil || st.records != nil || st.snap == nil {
		t.Fatalf("the cached state %+v, want one without its records", st)
	}
	if _, listed := st.snap.History(); listed {
		t.Fatal("the cached state lists its events' sequences: the test reads nothing new")
	}
	hist, err := h.loadListed(ctx, eventlog.Main(), st)
	if err != nil {
		t.Fatalf("read by the list: %v", err)
	}
	whole, err := l.Load(ctx, eventlog.Main(), events.Meeting("m"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(whole.Events, hist.Events); diff != "" {
		t.Errorf("the history read by the list differs from the log's (-log +listed):\n%s", diff)
	}
}

// TestSnapshotThenALateEvent reads a meeting from a snapshot that a late
// event recorded after it does not reflect: a postponement of the 18th,
// which the meeting's scheduling of the 19th overrides. The state the
// handler reads must be the fold of the whole history, whatever the
// snapshot's list says.
func TestSnapshotThenALateEvent(t *testing.T) {
	for name, snapshots := range map[string]func(*projections.Store) Snapshots{
		"the snapshot's lists":       func(s *projections.Store) Snapshots { return s },
		"lists of another meeting's": func(s *projections.Store) Snapshots { return swappedList{store: s, other: "n"} },
	} {
		t.Run(name, func(t *testing.T) {
			l, store := listedHistory(t)
			w := NewHandler(l, eventlog.Main())
			late := act("m", 18, "trump", "USA", &events.MeetingPostponed{Reason: "talks stalled"})
			late.Reported = events.Date(2025, 10, 28)
			handle(t, w, late)
			h := NewHandler(l, eventlog.Main())
			h.Snapshots = snapshots(store)
			handle(t, h, say("m", 28, "peskov", "RUS"))
			c, folded := stateOf(t, h, l, "m")
			if diff := cmp.Diff(folded, c, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("state read from the snapshot and the events after it differs from the fold (-fold +handler):\n%s", diff)
			}
			if folded.Status != aggregates.StatusScheduled {
				t.Errorf("status %s, want scheduled", folded.Status)
			}
		})
	}
}

// TestPlanThenALateEvent decides, in one batch, an event on a meeting
// read from its snapshot and then a late one dated before the snapshot's
// last: the late one is decided on the history read again, with the
// batch's first event on it (versions follow on, and the state is the
// fold of what lands).
func TestPlanThenALateEvent(t *testing.T) {
	for name, snapshots := range map[string]func(*projections.Store) Snapshots{
		"on the course":        func(s *projections.Store) Snapshots { return s },
		"on the whole history": func(s *projections.Store) Snapshots { return withoutCourse{s} },
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			l, store := listedHistory(t)
			h := NewHandler(l, eventlog.Main())
			h.Snapshots = snapshots(store)
			late := act("m", 18, "trump", "USA", &events.MeetingPostponed{Reason: "talks stalled"})
			late.Reported = events.Date(2025, 10, 28)
			accepted := act("m", 28, "putin", "RUS", &events.MeetingAccepted{})
			res, err := h.HandleAll(ctx, Batch{Steps: steps(accepted, late)})
			if err != nil {
				t.Fatal(err)
			}
			if res.Appended != 2 {
				t.Fatalf("%d events appended, want 2", res.Appended)
			}
			hist, err := l.Load(ctx, eventlog.Main(), events.Meeting("m"))
			if err != nil {
				t.Fatal(err)
			}
			for i, e := range hist.Events {
				if e.Version != uint64(i+1) {
					t.Fatalf("event %d (%s) has version %d", i+1, e.Kind(), e.Version)
				}
			}
			c, folded := stateOf(t, h, l, "m")
			if diff := cmp.Diff(folded, c, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("state decided in the batch differs from the fold (-fold +handler):\n%s", diff)
			}
			if folded.Status != aggregates.StatusScheduled || len(folded.Accepted) != 2 {
				t.Errorf("status %s, accepted by %v; want scheduled, by both", folded.Status, folded.Accepted)
			}
		})
	}
}

// TestStaleCacheThenALateEvent has a handler refuse a late event on the
// state it cached, which another writer has moved on since, and decide it
// again on the meeting read afresh from a snapshot that the late event
// falls before: on the course, not refused for want of the history.
func TestStaleCacheThenALateEvent(t *testing.T) {
	ctx := context.Background()
	l, store := logAndStore(t)
	w := NewHandler(l, eventlog.Main())
	handle(t, w, declare("m"))
	handle(t, w, act("m", 16, "trump", "USA", &events.MeetingProposed{Venue: "Budapest", Within: &events.Span{Days: 30}}))
	for d := 17; d < 20; d++ {
		handle(t, w, say("m", d, "peskov", "RUS"))
	}
	h := NewHandler(l, eventlog.Main())
	h.Snapshots = store
	handle(t, h, say("m", 20, "lavrov", "RUS")) // h caches m, not held
	handle(t, w, act("m", 21, "trump", "USA", &events.MeetingHeld{Venue: "Budapest"}))
	handle(t, w, say("m", 25, "peskov", "RUS"))
	if err := projections.NewRunner(l, store, eventlog.Main(), projections.RunnerOptions{}).CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	// Ended on the 22nd, reported on the 28th: refused on h's cached
	// state (not held), accepted on the log's (held on the 21st).
	ended := act("m", 22, "trump", "USA", &events.MeetingEnded{})
	ended.Reported = events.Date(2025, 10, 28)
	res, err := h.Handle(ctx, ended, Meta{})
	if err != nil {
		t.Fatalf("a late ending of a meeting held: %v", err)
	}
	if len(res.Events) != 1 {
		t.Fatalf("%d events appended, want 1", len(res.Events))
	}
	c, folded := stateOf(t, h, l, "m")
	if diff := cmp.Diff(folded, c, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("state differs from the fold (-fold +handler):\n%s", diff)
	}
	if folded.EndedAt == nil {
		t.Error("the meeting did not end")
	}
}

// TestSnapshotTipBehindAMessage decides on a snapshot whose tip is not the
// subject's last message: a message that is no event, on the meeting's
// subject before the snapshot was taken, which the projection set aside
// and the snapshot does not list. The handler reads the events after the
// snapshot from its tip, without asking for the subject's last message;
// its append expects the tip, meets a conflict, and the handler reads the
// meeting again asking for the last message: the command lands once, on
// the meeting's whole state.
func TestSnapshotTipBehindAMessage(t *testing.T) {
	ctx := context.Background()
	l, store, js := logStoreAndJetStream(t)
	w := NewHandler(l, eventlog.Main())
	handle(t, w, declare("m"))
	handle(t, w, act("m", 16, "trump", "USA", &events.MeetingProposed{Venue: "Budapest", Within: &events.Span{Days: 14}}))
	if _, err := js.Publish(ctx, eventlog.Subject(events.Main, events.Meeting("m")), []byte("not an event")); err != nil {
		t.Fatal(err)
	}
	handle(t, w, declare("n"))
	if err := projections.NewRunner(l, store, eventlog.Main(), projections.RunnerOptions{}).CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	snap, ok, err := store.Snapshot(ctx, eventlog.Main(), "m")
	if err != nil || !ok {
		t.Fatalf("no snapshot of m: %v", err)
	}
	if tip, ok := snap.Tip(); !ok || tip.Version != 2 {
		t.Fatalf("the snapshot's tip %+v (%t), want version 2", tip, ok)
	}

	h := NewHandler(l, eventlog.Main())
	h.Snapshots = store
	res := handle(t, h, say("m", 17, "peskov", "RUS"))
	if len(res.Events) != 1 || res.Conflicts != 1 {
		t.Errorf("%d events, %d conflicts; want 1 event after 1 conflict (the tip, then the last message)", len(res.Events), res.Conflicts)
	}
	hist, err := l.Load(ctx, eventlog.Main(), events.Meeting("m"))
	if err != nil {
		t.Fatal(err)
	}
	if len(hist.Events) != 3 || len(hist.Malformed) != 1 {
		t.Errorf("m holds %d events and %d messages that are none; want 3 and 1", len(hist.Events), len(hist.Malformed))
	}
	cached, folded := stateOf(t, h, l, "m")
	if diff := cmp.Diff(folded, cached, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("state decided on differs from the fold of the history (-fold +handler):\n%s", diff)
	}
}

// TestSnapshotTipRead decides on a current snapshot, its tip the
// subject's last event: no conflict, and the state is the fold's.
func TestSnapshotTipRead(t *testing.T) {
	l, store := proposedAndProjected(t)
	h := NewHandler(l, eventlog.Main())
	h.Snapshots = store
	res := handle(t, h, say("m", 17, "peskov", "RUS"))
	if len(res.Events) != 1 || res.Conflicts != 0 || res.Loads != 1 {
		t.Errorf("%d events, %d conflicts, %d loads; want 1, 0, 1", len(res.Events), res.Conflicts, res.Loads)
	}
	cached, folded := stateOf(t, h, l, "m")
	if diff := cmp.Diff(folded, cached, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("state decided on differs from the fold of the history (-fold +handler):\n%s", diff)
	}
}

// pastTheEnd is a store's snapshot of a meeting made to claim one event
// more than the log holds, at a sequence past the stream's end: a snapshot
// that is not this log's (a bucket kept while the stream was made again).
type pastTheEnd struct{ store *projections.Store }

func (s pastTheEnd) Snapshot(ctx context.Context, b eventlog.Branch, id string) (projections.Snapshot, bool, error) {
	snap, ok, err := s.store.Snapshot(ctx, b, id)
	if err != nil || !ok {
		return snap, ok, err
	}
	keys, _ := base64.StdEncoding.DecodeString(snap.Keys)
	seqs, _ := base64.StdEncoding.DecodeString(snap.Seqs)
	snap.Keys = base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(keys, 0xdeadbeef))
	snap.Seqs = base64.StdEncoding.EncodeToString(binary.AppendUvarint(seqs, 1000))
	snap.Seq += 2000
	snap.Meeting.Version++
	snap.Meeting.LastVersion++
	return snap, true, nil
}

// TestBulkTakesNoTipPastTheEnd appends two statements as one batch (a bulk
// append, which checks no subject's sequence) on a snapshot past the
// stream's end, whose tip claims a version the log does not hold: the
// handler does not trust it, finds the snapshot does not continue into
// the log, reads the history, and the events land at the versions after
// the log's last.
func TestBulkTakesNoTipPastTheEnd(t *testing.T) {
	ctx := context.Background()
	l, store := proposedAndProjected(t)
	h := NewHandler(l, eventlog.Main())
	h.Snapshots = pastTheEnd{store}
	if snap, _, _ := h.Snapshots.Snapshot(ctx, eventlog.Main(), "m"); func() bool { _, ok := snap.Tip(); return !ok }() {
		t.Fatal("the snapshot past the end has no tip: the test tests nothing")
	}
	out, err := h.HandleAll(ctx, Batch{Steps: steps(say("m", 17, "peskov", "RUS"), say("m", 18, "lavrov", "RUS"))})
	if err != nil || out.Appended != 2 {
		t.Fatalf("%d appended, %v; want 2", out.Appended, err)
	}
	hist, err := l.Load(ctx, eventlog.Main(), events.Meeting("m"))
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range hist.Events {
		if e.Version != uint64(i+1) {
			t.Errorf("event %d of m is version %d: the versions have a gap", i+1, e.Version)
		}
	}
}

// proposedAndProjected returns a log in which meeting m was declared and
// proposed and meeting n declared, and a store with their snapshots.
func proposedAndProjected(t *testing.T) (*eventlog.Log, *projections.Store) {
	t.Helper()
	l, store := logAndStore(t)
	w := NewHandler(l, eventlog.Main())
	handle(t, w, declare("m"))
	handle(t, w, act("m", 16, "trump", "USA", &events.MeetingProposed{Venue: "Budapest", Within: &events.Span{Days: 14}}))
	handle(t, w, declare("n"))
	if err := projections.NewRunner(l, store, eventlog.Main(), projections.RunnerOptions{}).CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	return l, store
}
