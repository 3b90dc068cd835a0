package projections

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/workload"
)

// story builds a log of events by hand, numbering versions per meeting and
// stream sequences across the story.
type story struct {
	versions map[string]uint64
	recs     []eventlog.Record
}

var partyOf = map[string]string{"trump": "USA", "rubio": "USA", "putin": "RUS", "lavrov": "RUS", "peskov": "RUS"}

func (s *story) add(meeting string, d int, by string, p events.Payload) *story {
	return s.event(meeting, events.Date(2025, time.October, d), by, p, nil)
}

// event adds an event, changed by opts (a reported date, a ref, a correction).
func (s *story) event(meeting string, at events.Time, by string, p events.Payload, opt func(*events.Event)) *story {
	if s.versions == nil {
		s.versions = map[string]uint64{}
	}
	s.versions[meeting]++
	e := events.Event{
		ID: events.NewID(), Aggregate: events.Meeting(meeting), Version: s.versions[meeting],
		At: at, By: by, Party: partyOf[by], Branch: events.Main, Payload: p,
	}
	if opt != nil {
		opt(&e)
	}
	e.Key = events.Identity(e)
	s.recs = append(s.recs, eventlog.Record{Seq: uint64(len(s.recs) + 1), Event: e})
	return s
}

// late adds an event dated day d, reported on day r.
func (s *story) late(meeting string, d, r int, by string, p events.Payload) *story {
	return s.event(meeting, events.Date(2025, time.October, d), by, p, func(e *events.Event) { e.Reported = events.Date(2025, time.October, r) })
}

func (s *story) declare(meeting string, d int, people ...string) *story {
	var ps []events.Participant
	for _, p := range people {
		ps = append(ps, events.Participant{Person: p, Party: partyOf[p]})
	}
	return s.add(meeting, d, "", &events.MeetingDeclared{Title: meeting, Participants: ps})
}

// recordsOf returns evs as a stream stores them one after another, from
// sequence 1.
func recordsOf(evs []events.Event) []eventlog.Record {
	recs := make([]eventlog.Record, len(evs))
	for i, e := range evs {
		recs[i] = eventlog.Record{Seq: uint64(i + 1), Event: e}
	}
	return recs
}

// history returns meeting's records up to seq.
func (s *story) history(meeting string, upTo uint64) []eventlog.Record {
	var out []eventlog.Record
	for _, r := range s.recs {
		if r.Event.Aggregate.ID == meeting && r.Seq <= upTo {
			out = append(out, r)
		}
	}
	return out
}

// course returns the records of the sequences seqs.
func (s *story) course(seqs []uint64) []eventlog.Record {
	var out []eventlog.Record
	for _, r := range s.recs {
		if slices.Contains(seqs, r.Seq) {
			out = append(out, r)
		}
	}
	return out
}

// feed applies recs to b, giving it the meeting's course or its history
// whenever it asks, as a runner does.
func (s *story) feed(t *testing.T, b *Board, recs []eventlog.Record) {
	t.Helper()
	for _, r := range recs {
		_, err := b.Apply(r)
		var refold *RefoldError
		if errors.As(err, &refold) {
			if refold.Course {
				seqs, ok := b.Course(refold.Meeting)
				if !ok {
					t.Fatalf("seq %d: a refold of %s on its course, and the board lists no course", r.Seq, refold.Meeting)
				}
				if _, ok := b.Reshape(refold.Meeting, s.course(seqs), r); ok {
					continue
				}
			}
			b.Refold(refold.Meeting, s.history(refold.Meeting, r.Seq))
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func (s *story) board(t *testing.T, read Read) *Board {
	b := NewBoard(events.Main, BoardOptions{Read: read, Tail: 2})
	s.feed(t, b, s.recs)
	return b
}

// summary is what the tests compare of a view.
type summary struct {
	Status        aggregates.Status
	Overdue       bool
	Readiness     string
	Preconditions map[string]aggregates.PreconditionState
	Claims        map[string]string
}

func summarize(v View) summary {
	s := summary{Status: v.Status, Overdue: v.Overdue, Readiness: v.Readiness, Claims: v.Claims, Preconditions: map[string]aggregates.PreconditionState{}}
	for _, p := range v.Preconditions {
		s.Preconditions[p.ID] = p.State
	}
	return s
}

func oct(d int) time.Time { return events.Date(2025, time.October, d).End() }

func prepFirst() *story {
	return new(story).
		declare("prep", 16, "rubio", "lavrov").
		add("prep", 20, "rubio", &events.MeetingProposed{Venue: "Budapest"}).
		add("prep", 24, "rubio", &events.MeetingHeld{Venue: "Budapest"}).
		declare("summit", 25, "trump", "putin").
		add("summit", 25, "trump", &events.MeetingProposed{Within: &events.Span{Days: 14}}).
		add("summit", 26, "trump", &events.PreconditionAdded{Precondition: "fm-prep", Requires: &events.Requirement{Held: "prep"}}).
		add("summit", 26, "trump", &events.PreconditionAdded{Precondition: "agenda"})
}

func summitFirst() *story {
	return new(story).
		declare("summit", 16, "trump", "putin").
		add("summit", 16, "trump", &events.MeetingProposed{Venue: "Budapest", Within: &events.Span{Days: 14}}).
		add("summit", 16, "trump", &events.PreconditionAdded{Precondition: "fm-prep", Requires: &events.Requirement{Held: "prep"}}).
		add("summit", 16, "trump", &events.PreconditionAdded{Precondition: "agenda"}).
		add("summit", 17, "trump", &events.PreconditionAdded{Precondition: "date"}).
		add("summit", 18, "trump", &events.PreconditionWaived{Precondition: "date"}).
		add("summit", 21, "peskov", &events.StatementMade{About: "summit", Stance: events.StanceNoncommittal, Claim: "unscheduled"}).
		declare("prep", 16, "rubio", "lavrov").
		add("prep", 20, "rubio", &events.MeetingProposed{Venue: "Budapest"}).
		add("prep", 24, "rubio", &events.MeetingHeld{Venue: "Budapest"}).
		add("summit", 22, "trump", &events.StatementMade{About: "summit", Stance: events.StanceOpposed, Claim: "cancelled"}).
		add("summit", 23, "putin", &events.StatementMade{About: "summit", Stance: events.StanceNoncommittal, Claim: "postponed"})
}

// lateStory is summitFirst with news arriving late: a statement of the
// 19th reported on the 24th, an acceptance of the 17th reported on the
// 25th, a cancellation corrected into a postponement, and a retraction.
func lateStory() *story {
	oct := func(d int) events.Time { return events.Date(2025, time.October, d) }
	return summitFirst().
		late("summit", 19, 24, "putin", &events.StatementMade{About: "summit", Stance: events.StanceSupportive, Claim: "willing"}).
		late("summit", 17, 25, "putin", &events.MeetingAccepted{}).
		event("summit", oct(22), "trump", &events.MeetingCancelled{}, func(e *events.Event) { e.RefName = "cxl" }).
		event("summit", oct(22), "trump", &events.MeetingPostponed{Reason: "not cancelled"}, func(e *events.Event) {
			e.Corrects, e.Reported = "cxl", oct(26)
		}).
		event("summit", oct(27), "peskov", &events.StatementMade{About: "summit", Stance: events.StanceOpposed, Claim: "ruled-out"}, func(e *events.Event) { e.RefName = "pk" }).
		event("summit", oct(28), "peskov", &events.EventRetracted{Retracts: "pk", Reason: "misquoted"}, nil)
}

func TestBoard(t *testing.T) {
	all := map[string]aggregates.PreconditionState{"fm-prep": aggregates.Met, "agenda": aggregates.Unmet, "date": aggregates.Waived}
	tests := []struct {
		name    string
		story   *story
		meeting string
		read    Read
		asOf    time.Time
		want    summary
	}{
		{
			name: "precondition added before the meeting it requires is held", story: summitFirst(), meeting: "summit", asOf: oct(25),
			want: summary{Status: aggregates.StatusProposed, Readiness: "1/2", Preconditions: all,
				Claims: map[string]string{"peskov": "unscheduled", "trump": "cancelled", "putin": "postponed"}},
		},
		{
			name: "precondition added after the meeting it requires was held", story: prepFirst(), meeting: "summit", asOf: oct(26),
			want: summary{Status: aggregates.StatusProposed, Readiness: "1/2",
				Preconditions: map[string]aggregates.PreconditionState{"fm-prep": aggregates.Met, "agenda": aggregates.Unmet},
				Claims:        map[string]string{}},
		},
		{
			name: "as of a date before the required meeting is held", story: summitFirst(), meeting: "summit", read: Read{AsOf: oct(21)}, asOf: oct(21),
			want: summary{Status: aggregates.StatusProposed, Readiness: "0/2",
				Preconditions: map[string]aggregates.PreconditionState{"fm-prep": aggregates.Unmet, "agenda": aggregates.Unmet, "date": aggregates.Waived},
				Claims:        map[string]string{"peskov": "unscheduled"}},
		},
		{
			name: "overdue once the proposal's window has passed", story: summitFirst(), meeting: "summit", read: Read{AsOf: oct(31)}, asOf: oct(31),
			want: summary{Status: aggregates.StatusProposed, Overdue: true, Readiness: "1/2", Preconditions: all,
				Claims: map[string]string{"peskov": "unscheduled", "trump": "cancelled", "putin": "postponed"}},
		},
		{
			name: "the required meeting itself", story: summitFirst(), meeting: "prep", read: Read{AsOf: oct(22)}, asOf: oct(22),
			want: summary{Status: aggregates.StatusProposed, Readiness: "0/0", Preconditions: map[string]aggregates.PreconditionState{}, Claims: map[string]string{}},
		},
		{
			name: "late news, a correction and a retraction, as we know it now", story: lateStory(), meeting: "summit", asOf: oct(30),
			want: summary{Status: aggregates.StatusPostponed, Readiness: "1/2", Preconditions: all,
				Claims: map[string]string{"peskov": "unscheduled", "trump": "cancelled", "putin": "postponed"}},
		},
		{
			name: "as it could be known on the 24th", story: lateStory(), meeting: "summit", read: Read{Known: oct(24)}, asOf: oct(24),
			want: summary{Status: aggregates.StatusCancelled, Readiness: "1/2", Preconditions: all,
				Claims: map[string]string{"peskov": "unscheduled", "trump": "cancelled", "putin": "postponed"}},
		},
		{
			name: "the 19th as it could be known on the 24th", story: lateStory(), meeting: "summit", read: Read{AsOf: oct(19), Known: oct(24)}, asOf: oct(19),
			want: summary{Status: aggregates.StatusProposed, Readiness: "0/2",
				Preconditions: map[string]aggregates.PreconditionState{"fm-prep": aggregates.Unmet, "agenda": aggregates.Unmet, "date": aggregates.Waived},
				Claims:        map[string]string{"putin": "willing"}},
		},
		{
			name: "the 19th as we know it now", story: lateStory(), meeting: "summit", read: Read{AsOf: oct(19)}, asOf: oct(19),
			want: summary{Status: aggregates.StatusAgreed, Readiness: "0/2",
				Preconditions: map[string]aggregates.PreconditionState{"fm-prep": aggregates.Unmet, "agenda": aggregates.Unmet, "date": aggregates.Waived},
				Claims:        map[string]string{"putin": "willing"}},
		},
		{
			name: "a retraction not known yet", story: lateStory(), meeting: "summit", read: Read{Known: oct(27)}, asOf: oct(27),
			want: summary{Status: aggregates.StatusPostponed, Readiness: "1/2", Preconditions: all,
				Claims: map[string]string{"peskov": "ruled-out", "trump": "cancelled", "putin": "postponed"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, ok := tt.story.board(t, tt.read).View(tt.meeting, tt.asOf, "")
			if !ok {
				t.Fatalf("no view of %s", tt.meeting)
			}
			if diff := cmp.Diff(tt.want, summarize(v)); diff != "" {
				t.Errorf("view (-want +got):\n%s", diff)
			}
		})
	}
}

// TestBoardAnyOrder checks that the board is the same whatever order the
// meetings' events arrive in, as long as each meeting's events keep their
// record order, and whatever tail it keeps: the late ones are folded in
// their place.
func TestBoardAnyOrder(t *testing.T) {
	s := lateStory()
	for _, read := range []Read{{}, {AsOf: oct(25)}, {AsOf: oct(27), Known: oct(27)}, {Known: oct(25)}} {
		want := s.board(t, read).Views(oct(30), "")
		rng := rand.New(rand.NewPCG(1, 2))
		for i := range 20 {
			// Interleave the two meetings' records at random.
			var a, b []eventlog.Record
			for _, r := range s.recs {
				if r.Event.Aggregate.ID == "summit" {
					a = append(a, r)
				} else {
					b = append(b, r)
				}
			}
			var mixed []eventlog.Record
			for len(a)+len(b) > 0 {
				if len(b) == 0 || len(a) > 0 && rng.IntN(2) == 0 {
					mixed, a = append(mixed, a[0]), a[1:]
				} else {
					mixed, b = append(mixed, b[0]), b[1:]
				}
			}
			board := NewBoard(events.Main, BoardOptions{Read: read, Tail: 1 + i%4})
			s.feed(t, board, mixed)
			got := board.Views(oct(30), "")
			// Seq and LastActivity included: whether a meeting is folded
			// in its tail or again from its history, they name the same
			// events.
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("read %+v, order %d, tail %d: board differs (-want +got):\n%s", read, i, 1+i%4, diff)
			}
		}
	}
}

func TestBoardReportsChanges(t *testing.T) {
	s := summitFirst()
	b := NewBoard(events.Main, BoardOptions{})
	var held []string
	for _, r := range s.recs {
		changed, err := b.Apply(r)
		if err != nil {
			t.Fatal(err)
		}
		if r.Event.Kind() == events.KindMeetingHeld {
			held = changed
		}
	}
	if diff := cmp.Diff([]string{"prep", "summit"}, held); diff != "" {
		t.Errorf("holding the required meeting changed (-want +got):\n%s", diff)
	}
	// The holding of the 24th, which met fm-prep, is later in world time
	// than the summit's own latest event (a statement of the 23rd,
	// recorded after it).
	v, _ := b.View("summit", oct(25), "")
	if a := v.LastActivity; a == nil || a.Kind != events.KindMeetingHeld || a.Meeting != "prep" || a.At.String() != "2025-10-24" {
		t.Errorf("last activity = %+v, want prep's holding on the 24th", v.LastActivity)
	}
	// Applying an event again changes nothing.
	last := s.recs[len(s.recs)-1]
	if changed, err := b.Apply(last); changed != nil || err != nil {
		t.Errorf("re-applying seq %d changed %v (%v)", last.Seq, changed, err)
	}
}

func TestBoardAsksForHistory(t *testing.T) {
	s := summitFirst()
	b := NewBoard(events.Main, BoardOptions{Tail: 2})
	s.feed(t, b, s.recs)
	late := new(story)
	late.versions = map[string]uint64{"summit": s.versions["summit"]}
	late.late("summit", 17, 24, "putin", &events.MeetingAccepted{})
	r := late.recs[0]
	r.Seq = uint64(len(s.recs) + 1)
	if _, err := b.Apply(r); !errors.As(err, new(*RefoldError)) {
		t.Fatalf("an event before the tail: %v, want a RefoldError", err)
	}
	changed := b.Refold("summit", append(s.history("summit", r.Seq), r))
	if diff := cmp.Diff([]string{"summit"}, changed); diff != "" {
		t.Errorf("refold changed (-want +got):\n%s", diff)
	}
	if v, _ := b.View("summit", oct(25), ""); v.Status != aggregates.StatusAgreed || v.Seq != r.Seq {
		t.Errorf("after the refold: %s at seq %d, want agreed at %d", v.Status, v.Seq, r.Seq)
	}
}

func TestBoardRestoreResumes(t *testing.T) {
	// A board restored from the snapshots of a board stopped half way, then
	// fed the rest (and, as after a crash, some events again), equals the
	// board fed everything at once.
	s := lateStory()
	full := s.board(t, Read{})
	for stop := 1; stop < len(s.recs); stop++ {
		half := NewBoard(events.Main, BoardOptions{Tail: 2})
		s.feed(t, half, s.recs[:stop])
		resumed := NewBoard(events.Main, BoardOptions{Tail: 2})
		for _, id := range []string{"summit", "prep"} {
			if snap, ok := half.Snapshot(id, uint64(stop)); ok {
				if err := resumed.Restore(id, snap); err != nil {
					t.Fatal(err)
				}
			}
		}
		s.feed(t, resumed, s.recs[max(0, stop-3):])
		if diff := cmp.Diff(full.Views(oct(30), ""), resumed.Views(oct(30), "")); diff != "" {
			t.Fatalf("stopped after %d events: resumed board differs (-full +resumed):\n%s", stop, diff)
		}
	}
}

func TestSnapshotHolds(t *testing.T) {
	s := summitFirst()
	b := s.board(t, Read{})
	snap, ok := b.Snapshot("summit", b.Seq())
	if !ok {
		t.Fatal("no snapshot")
	}
	for _, r := range s.history("summit", b.Seq()) {
		if !snap.Holds(r.Event.Key) {
			t.Errorf("snapshot does not hold %s (%s)", r.Event.Kind(), r.Event.Key)
		}
	}
	if snap.Holds("0123456789abcdef") {
		t.Error("snapshot holds an event it never saw")
	}
	got := snap.State()
	want, _ := b.State("summit")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("snapshot state (-board +snapshot):\n%s", diff)
	}
	// As the store keeps it: in JSON.
	data, err := json.Marshal(snap)
	if err != nil {
		t.Fatal(err)
	}
	var stored Snapshot
	if err := json.Unmarshal(data, &stored); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, stored.State()); diff != "" {
		t.Errorf("stored snapshot's state (-board +stored):\n%s", diff)
	}
}

func TestChanges(t *testing.T) {
	s := summitFirst()
	b := NewBoard(events.Main, BoardOptions{})
	var views []*View
	for _, r := range s.recs {
		changed, err := b.Apply(r)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range changed {
			if id != "summit" {
				continue
			}
			v, _ := b.View(id, r.Event.At.End(), "")
			views = append(views, &v)
		}
	}
	want := [][]Change{
		{{What: "meeting", To: "summit"}, {What: "status", To: "named"}, {What: "participants", To: "trump (USA), putin (RUS)"}},
		{{What: "status", From: "named", To: "proposed"}, {What: "venue", To: "Budapest"}, {What: "window", To: "2025-10-16 to 2025-10-30"}, {What: "accepted", To: "USA"}, {What: "deadline", To: "2025-10-30"}},
		{{What: "readiness", From: "0/0", To: "0/1"}, {What: "precondition fm-prep", To: "unmet"}},
		{{What: "readiness", From: "0/1", To: "0/2"}, {What: "precondition agenda", To: "unmet"}},
		{{What: "readiness", From: "0/2", To: "0/3"}, {What: "precondition date", To: "unmet"}},
		{{What: "readiness", From: "0/3", To: "0/2"}, {What: "precondition date", From: "unmet", To: "waived"}},
		{{What: "claim of peskov", To: "unscheduled"}},
		{{What: "readiness", From: "0/2", To: "1/2"}, {What: "precondition fm-prep", From: "unmet", To: "met"}},
		{{What: "claim of trump", To: "cancelled"}},
		{{What: "claim of putin", To: "postponed"}},
	}
	var got [][]Change
	for i, v := range views {
		var old *View
		if i > 0 {
			old = views[i-1]
		}
		got = append(got, Changes(old, v))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
}

func TestBoardListsEachEventsSeq(t *testing.T) {
	// Whatever the board went through (events in place, late ones within
	// the tail, refolds, a restore), it lists the sequence of every event
	// of a meeting it applied, and its snapshot lists the same.
	s := lateStory()
	seqsOf := func(recs []eventlog.Record) []uint64 {
		var out []uint64
		for _, r := range recs {
			out = append(out, r.Seq)
		}
		return out
	}
	for stop := 1; stop <= len(s.recs); stop++ {
		b := NewBoard(events.Main, BoardOptions{Tail: 2})
		s.feed(t, b, s.recs[:stop])
		for _, id := range []string{"summit", "prep"} {
			want := seqsOf(s.history(id, uint64(stop)))
			if len(want) == 0 {
				continue
			}
			got, ok := b.Seqs(id)
			if diff := cmp.Diff(want, got); !ok || diff != "" {
				t.Fatalf("after %d events, %s's sequences (known %t) (-want +got):\n%s", stop, id, ok, diff)
			}
			snap, ok := b.Snapshot(id, uint64(stop))
			if !ok {
				continue // not declared yet
			}
			if listed, ok := snap.History(); !ok || !slices.Equal(listed, want) {
				t.Fatalf("after %d events, %s's snapshot lists %v (%t), want %v", stop, id, listed, ok, want)
			}
			restored := NewBoard(events.Main, BoardOptions{Tail: 2})
			if err := restored.Restore(id, snap); err != nil {
				t.Fatal(err)
			}
			if got, ok := restored.Seqs(id); !ok || !slices.Equal(got, want) {
				t.Fatalf("after %d events, restored %s lists %v (%t), want %v", stop, id, got, ok, want)
			}
		}
	}
}

func TestSnapshotWithoutAList(t *testing.T) {
	// A snapshot written before the list was kept, or with one that does
	// not fit its events: the board does not know the sequences, and says
	// so, until it folds the meeting again.
	s := summitFirst()
	b := s.board(t, Read{})
	snap, _ := b.Snapshot("summit", b.Seq())
	for name, seqs := range map[string]string{
		"no list":            "",
		"not base64":         "%%%",
		"one sequence short": encodeSeqs([]uint64{1, 2}),
		"not increasing":     base64.StdEncoding.EncodeToString([]byte{3, 0}),
	} {
		t.Run(name, func(t *testing.T) {
			old := snap
			old.Seqs = seqs
			if got, ok := old.History(); ok {
				t.Errorf("History() = %v, want none", got)
			}
			restored := NewBoard(events.Main, BoardOptions{Tail: 2})
			if err := restored.Restore("summit", old); err != nil {
				t.Fatal(err)
			}
			if got, ok := restored.Seqs("summit"); ok {
				t.Errorf("restored board lists %v, want none", got)
			}
			restored.Refold("summit", s.history("summit", b.Seq()))
			if _, ok := restored.Seqs("summit"); !ok {
				t.Error("after a refold the board still lists no sequences")
			}
		})
	}
}

func TestBoardHistoryHoldsItsState(t *testing.T) {
	// However the tail grows and is trimmed (in place, from the state kept
	// as events came, or folded again), a meeting's history makes its
	// state, holds no event twice, and stays within twice the tail.
	load, err := workload.Generate(workload.Options{Meetings: 20, Events: 2000, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	recs := recordsOf(load.Events)
	// One event in ten reported a little late: swapped with the next.
	for i := 0; i+1 < len(recs); i++ {
		if rng.IntN(10) == 0 {
			recs[i].Event, recs[i+1].Event = recs[i+1].Event, recs[i].Event
		}
	}
	history := func(id string, upTo uint64) []eventlog.Record {
		var out []eventlog.Record
		for _, r := range recs {
			if r.Event.Aggregate.ID == id && r.Seq <= upTo {
				out = append(out, r)
			}
		}
		return out
	}
	for _, tail := range []int{1, 2, 8} {
		b := NewBoard(events.Main, BoardOptions{Tail: tail})
		for _, r := range recs {
			_, err := b.Apply(r)
			var refold *RefoldError
			if errors.As(err, &refold) {
				b.Refold(refold.Meeting, history(refold.Meeting, r.Seq))
			} else if err != nil {
				t.Fatal(err)
			}
			id := r.Event.Aggregate.ID
			s := b.slots[id]
			if s == nil || s.h.IsWhole() {
				continue
			}
			if n := len(s.h.Tail); n > 2*tail {
				t.Fatalf("tail %d, after seq %d: %s's tail holds %d events", tail, r.Seq, id, n)
			}
			for _, e := range s.h.Tail {
				if s.h.Base.LastVersion != 0 && e.Version == s.h.Base.LastVersion {
					t.Fatalf("tail %d, after seq %d: %s's event %d is in its base and its tail", tail, r.Seq, id, e.Version)
				}
			}
			if diff := cmp.Diff(s.h.State(), s.m); diff != "" {
				t.Fatalf("tail %d, after seq %d: %s's history makes another state (-history +state):\n%s", tail, r.Seq, id, diff)
			}
		}
	}
}
