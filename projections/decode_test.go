package projections

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/workload"
)

// TestStoredDecodeAsWritten checks that decode (JSON v2) reads every view
// and snapshot a board makes as encoding/json, which writes them, reads
// them back: those of a synthetic record's meetings, in every state the
// record brings them to.
func TestStoredDecodeAsWritten(t *testing.T) {
	load, err := workload.Generate(workload.Options{Meetings: 300, Events: 30_000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	board := NewBoard("main", BoardOptions{})
	recs := recordsOf(load.Events)
	(&story{recs: recs}).feed(t, board, recs)
	seen := map[string]int{}
	for _, id := range board.IDs() {
		snap, ok := board.Snapshot(id, uint64(len(recs)))
		if !ok {
			t.Fatalf("meeting %s: no snapshot", id)
		}
		sameDecoded(t, snap)
		view, _ := board.View(id, time.Time{}, "")
		sameDecoded(t, view)
		m := snap.Meeting
		for name, has := range map[string]bool{
			"status " + string(m.Status): true, "a holding": snap.Held != nil, "preconditions": len(m.Preconditions) > 0,
			"claims": len(m.Claims) > 0, "a window": m.Window != nil, "dates": m.Date != nil, "a postponement's date": m.Until != nil,
			"a refusal": len(m.Declined) > 0, "a course": snap.Course != "",
		} {
			if has {
				seen[name]++
			}
		}
	}
	for _, name := range []string{"a holding", "preconditions", "claims", "a window", "dates", "a refusal", "a course"} {
		if seen[name] == 0 {
			t.Errorf("no snapshot with %s: the record does not try the decoder on it", name)
		}
	}
	t.Logf("%d snapshots: %v", board.Len(), seen)
}

// sameDecoded checks that decode reads v, written with encoding/json, as
// encoding/json reads it.
func sameDecoded[T View | Snapshot](t *testing.T, v T) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var want, got T
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	if err := decode(data, &got); err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decoded as\n%+v\nnot as encoding/json reads it:\n%+v", got, want)
	}
}

// TestSnapshotDecodeRefuses checks what decode makes of what the
// runner did not write: a field it does not know is left, as
// encoding/json leaves it (a snapshot of a later summit), and what is not
// a snapshot is an error.
func TestSnapshotDecodeRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		ok         bool
	}{
		{"an unknown field", `{"branch":"main","seq":3,"last_seq":2,"meeting":{"id":"m","title":"M","participants":null,"status":"declared","version":1,"last":"2025-10-16","last_known":"2025-10-16","last_version":1},"later":[1,2]}`, true},
		{"cut short", `{"branch":"main","seq":3,"meeting":{"id":"m"`, false},
		{"a string for a number", `{"branch":"main","seq":"3"}`, false},
		{"not an object", `[1,2,3]`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var v1, v2 Snapshot
			err1, err2 := json.Unmarshal([]byte(tc.data), &v1), decode([]byte(tc.data), &v2)
			if (err2 == nil) != tc.ok || (err1 == nil) != tc.ok {
				t.Fatalf("encoding/json: %v; decodeSnapshot: %v; want ok %v", err1, err2, tc.ok)
			}
			if tc.ok && !reflect.DeepEqual(v1, v2) {
				t.Errorf("decoded as %+v, encoding/json as %+v", v2, v1)
			}
		})
	}
}

// TestZonedSnapshotKeepsItsDays checks that the snapshot of a meeting whose
// dates are days of a time zone (its scenario's timezone) gives back, as
// the store keeps it, the state the board holds: JSON writes a date as its
// calendar day, and the snapshot's zone places each day again. Read as
// days of UTC, every date of Hanoi would begin seven hours late, and a
// command decided on the snapshot would judge deadlines and late reports
// on the wrong instants.
func TestZonedSnapshotKeepsItsDays(t *testing.T) {
	const zone = "Asia/Ho_Chi_Minh"
	loc, err := events.Location(zone)
	if err != nil {
		t.Fatal(err)
	}
	feb := func(d int) events.Time { return events.Date(2019, time.February, d).In(loc) }
	in := func(e *events.Event) { e.Zone = zone }
	s := new(story).
		event("hanoi", feb(1), "", &events.MeetingDeclared{Title: "the Hanoi summit", Participants: []events.Participant{{Person: "trump", Party: "USA"}, {Person: "putin", Party: "RUS"}}}, in).
		event("hanoi", feb(6), "trump", &events.MeetingProposed{Venue: "Hanoi", Within: &events.Span{Days: 21}}, in).
		event("hanoi", feb(7), "trump", &events.PreconditionAdded{Precondition: "agenda"}, in).
		event("hanoi", feb(10), "peskov", &events.StatementMade{About: "hanoi", Stance: events.StanceSupportive, Claim: "willing"}, in).
		event("hanoi", feb(12), "putin", &events.MeetingAccepted{}, in).
		event("hanoi", feb(14), "trump", &events.MeetingScheduled{Date: events.Days{From: feb(27), To: feb(28)}, Venue: "Hanoi"}, in)
	board := s.board(t, Read{})
	want, _ := board.State("hanoi")
	snap, ok := board.Snapshot("hanoi", board.Seq())
	if !ok {
		t.Fatal("no snapshot")
	}
	stored := asStored(t, snap)
	got := stored.State()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the stored snapshot's state (-board +stored):\n%s", diff)
	}
	// The same instants in the zone's days, not in UTC.
	days := map[string]*events.Time{"last event": &got.Last, "status since": &got.StatusCause.At}
	if got.Date != nil {
		days["first day"], days["last day"] = &got.Date.From, &got.Date.To
	}
	for _, p := range got.Preconditions {
		days["precondition "+p.ID+" since"] = &p.Since
	}
	for _, c := range got.Claims {
		days["claim of "+c.Speaker] = &c.At
	}
	if len(days) < 6 { // the two above, the two days, the precondition's, the claim's
		t.Fatalf("the state holds %d of the dates the test checks: %+v", len(days), got)
	}
	for name, d := range days {
		if d == nil || d.Location().String() != zone {
			t.Errorf("%s: %v, not a day of %s", name, d, zone)
		}
	}
	restored := NewBoard(events.Main, BoardOptions{Tail: 2})
	if err := restored.Restore("hanoi", stored); err != nil {
		t.Fatal(err)
	}
	cutoff := feb(26).End()
	wantView, _ := board.View("hanoi", cutoff, "")
	gotView, _ := restored.View("hanoi", cutoff, "")
	if diff := cmp.Diff(wantView, gotView); diff != "" {
		t.Errorf("the restored board's view on the 26th (-board +restored):\n%s", diff)
	}
}

// TestStoredSnapshotsResume checks the promise a runner rests on when it
// resumes: a board that restores each meeting from its snapshot as the
// store keeps it (JSON, read with decode), then folds the rest of the
// record, makes the views of a board that folded the whole record. A field
// the snapshot drops or gives back otherwise shows here, at whatever point
// of a meeting's life it matters: a synthetic record of 200 meetings,
// with late reports swapped in, stopped at eight points.
func TestStoredSnapshotsResume(t *testing.T) {
	load, err := workload.Generate(workload.Options{Meetings: 200, Events: 8_000, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	recs := recordsOf(load.Events)
	// One event in ten recorded a little late: swapped with the next.
	rng := rand.New(rand.NewPCG(7, 8))
	for i := 0; i+1 < len(recs); i++ {
		if rng.IntN(10) == 0 {
			recs[i].Event, recs[i+1].Event = recs[i+1].Event, recs[i].Event
		}
	}
	s := &story{recs: recs}
	full := NewBoard(events.Main, BoardOptions{Tail: 2})
	s.feed(t, full, recs)
	for _, stop := range []int{1, 150, 999, 2000, 3333, 5000, 6500, 7999} {
		half := NewBoard(events.Main, BoardOptions{Tail: 2})
		s.feed(t, half, recs[:stop])
		resumed := NewBoard(events.Main, BoardOptions{Tail: 2})
		for _, id := range half.IDs() {
			snap, ok := half.Snapshot(id, uint64(stop))
			if !ok {
				continue
			}
			if err := resumed.Restore(id, asStored(t, snap)); err != nil {
				t.Fatal(err)
			}
		}
		resumed.SetSeq(uint64(stop))
		s.feed(t, resumed, recs[stop:])
		for _, at := range []time.Time{time.Time{}, recs[stop-1].Event.At.End()} {
			for _, id := range full.IDs() {
				want, _ := full.View(id, at, "")
				got, _ := resumed.View(id, at, "")
				// An empty list and none are the same to a view: JSON
				// omits both.
				if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
					t.Fatalf("stopped after %d events, meeting %s, read at %v: resumed board differs (-full +resumed):\n%s", stop, id, at, diff)
				}
			}
		}
	}
}

// asStored returns snap as a runner's store gives it back: written with
// encoding/json, read with decode.
func asStored(t *testing.T, snap Snapshot) Snapshot {
	t.Helper()
	data, err := json.Marshal(snap)
	if err != nil {
		t.Fatal(err)
	}
	var stored Snapshot
	if err := decode(data, &stored); err != nil {
		t.Fatal(err)
	}
	return stored
}
