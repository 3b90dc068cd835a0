package projections

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/summit-model/summit/events"
)

// TestRefoldSeqIsTheLastEventFolded checks that a view read as of a date
// names the last event folded into it, not the last event of the meeting
// on record: a retraction of an event past the date changes nothing the
// read shows, while one of an event within it does.
func TestRefoldSeqIsTheLastEventFolded(t *testing.T) {
	s := summitFirst().
		event("summit", events.Date(2025, 10, 27), "peskov", &events.StatementMade{About: "summit", Stance: events.StanceOpposed, Claim: "ruled-out"}, func(e *events.Event) { e.RefName = "pk" })
	inTime := s.recs[len(s.recs)-1].Seq
	s.event("summit", events.Date(2025, 10, 28), "peskov", &events.EventRetracted{Retracts: "pk", Reason: "misquoted"}, nil)
	retraction := s.recs[len(s.recs)-1].Seq
	// The summit's last own event within the 25th: the statement of the
	// 23rd.
	var by25 uint64
	for _, r := range s.recs {
		if r.Event.Aggregate.ID == "summit" && r.Event.At.Before(oct(25)) {
			by25 = r.Seq
		}
	}
	tests := []struct {
		name string
		read Read
		want uint64
	}{
		{"everything", Read{}, retraction},
		{"as of the 27th: the retraction takes the statement of the 27th away", Read{AsOf: oct(27)}, retraction},
		{"as of the 25th: neither the statement nor its retraction", Read{AsOf: oct(25)}, by25},
		{"as of the 27th, known on the 27th: the statement, not yet withdrawn", Read{AsOf: oct(27), Known: oct(27)}, inTime},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, tail := range []int{1, 8} {
				b := NewBoard(events.Main, BoardOptions{Read: tt.read, Tail: tail})
				s.feed(t, b, s.recs)
				v, ok := b.View("summit", oct(30), "")
				if !ok {
					t.Fatal("no summit on the board")
				}
				// The holding of prep (seq 10) met a precondition: it is
				// folded into the view too.
				if want := max(tt.want, 10); v.Seq != want {
					t.Errorf("tail %d: seq %d, want %d", tail, v.Seq, want)
				}
			}
		})
	}
}

// TestRefoldKeepsTheHoldingAsLastActivity checks that a meeting folded
// again from its history still shows, as its last activity, the holding
// of the meeting a precondition requires when that is its latest.
func TestRefoldKeepsTheHoldingAsLastActivity(t *testing.T) {
	s := summitFirst().
		// A late report of the 17th on the summit, before what a board
		// of tail 1 keeps of it: it is folded again from its history.
		late("summit", 17, 24, "putin", &events.MeetingAccepted{})
	for _, tail := range []int{1, 8} {
		b := NewBoard(events.Main, BoardOptions{Tail: tail})
		s.feed(t, b, s.recs)
		v, _ := b.View("summit", oct(30), "")
		if a := v.LastActivity; a == nil || a.Kind != events.KindMeetingHeld || a.Meeting != "prep" {
			t.Errorf("tail %d: last activity %+v, want prep's holding of the 24th", tail, v.LastActivity)
		}
		if v.Seq != s.recs[len(s.recs)-1].Seq {
			t.Errorf("tail %d: seq %d, want the late report's %d", tail, v.Seq, s.recs[len(s.recs)-1].Seq)
		}
	}
	// Its holding retracted, prep no longer shows on the summit.
	s.event("prep", events.Date(2025, 10, 26), "rubio", &events.EventRetracted{Retracts: s.recs[9].Event.ID.String(), Reason: "it was a phone call"}, nil)
	b := NewBoard(events.Main, BoardOptions{Tail: 1})
	s.feed(t, b, s.recs)
	v, _ := b.View("summit", oct(30), "")
	if a := v.LastActivity; a == nil || a.Meeting != "" || a.Kind != events.KindStatementMade {
		t.Errorf("prep's holding retracted: last activity %+v, want the summit's own statement of the 23rd", v.LastActivity)
	}
	if want := s.recs[len(s.recs)-1].Seq; v.Seq != want {
		t.Errorf("prep's holding retracted: seq %d, want the retraction's %d", v.Seq, want)
	}
}

// TestBoardMarksLateReports checks that the activity of a late report (an
// event dated before one already recorded, and reported after that one
// happened) says it was late, whether the board places it in its tail or
// folds its meeting again; and that an event only recorded late (reported
// before the later one happened) is not.
func TestBoardMarksLateReports(t *testing.T) {
	tests := []struct {
		name string
		d, r int // the event's day and the day it was reported
		late bool
	}{
		{"reported after later events happened", 19, 24, true},
		{"reported the day it happened, recorded late", 19, 19, false},
		{"on time", 25, 25, false},
	}
	for _, tt := range tests {
		for _, tail := range []int{1, 8} {
			s := summitFirst().late("summit", tt.d, tt.r, "putin", &events.StatementMade{About: "summit", Stance: events.StanceSupportive, Claim: "willing"})
			b := NewBoard(events.Main, BoardOptions{Tail: tail})
			s.feed(t, b, s.recs)
			rec := s.recs[len(s.recs)-1]
			if got := b.Cause(rec); got.Late != tt.late || got.Seq != rec.Seq || got.Kind != events.KindStatementMade {
				t.Errorf("%s, tail %d: cause %+v, want late %v", tt.name, tail, got, tt.late)
			}
			if got := b.Cause(s.recs[len(s.recs)-2]); got.Late {
				t.Errorf("%s, tail %d: an earlier event's cause says late", tt.name, tail)
			}
		}
	}
	// A late report that ends up the latest in world order (what was
	// later is retracted) shows as the last activity, late.
	s := new(story).
		declare("m", 16, "trump", "putin").
		add("m", 16, "trump", &events.MeetingProposed{}).
		event("m", events.Date(2025, 10, 22), "peskov", &events.StatementMade{About: "m", Stance: events.StanceOpposed, Claim: "ruled-out"}, func(e *events.Event) { e.RefName = "pk" }).
		late("m", 20, 23, "putin", &events.MeetingAccepted{}).
		add("m", 24, "peskov", &events.EventRetracted{Retracts: "pk"})
	for _, tail := range []int{1, 8} {
		b := NewBoard(events.Main, BoardOptions{Tail: tail})
		s.feed(t, b, s.recs)
		v, _ := b.View("m", oct(30), "")
		if a := v.LastActivity; a == nil || a.Kind != events.KindMeetingAccepted || !a.Late {
			t.Errorf("tail %d: last activity %+v, want the late acceptance, marked late", tail, v.LastActivity)
		}
	}
}

// TestBoardPlacesALateEventWithoutItsHistory checks that a statement or a
// precondition's event dated before what a board keeps of its meeting's
// tail is folded into the base at once (aggregates.Place), with no read of
// the history, when the board can tell whether it is a late report and
// where it goes; that it asks for the history when only the events
// between can tell; and that either way the board equals one that held
// the event in its tail.
func TestBoardPlacesALateEventWithoutItsHistory(t *testing.T) {
	// The summit's tail of 1 is putin's claim of the 23rd; its base ends
	// with trump's of the 22nd. Its preconditions: fm-prep and agenda
	// added on the 16th, date added on the 17th and waived on the 18th.
	tests := []struct {
		name   string
		by     string
		d, r   int            // the event's day and the day it was reported
		p      events.Payload // nil: a statement
		refold bool
		late   bool
	}{
		{"late, as the tail shows: lavrov's first claim", "lavrov", 19, 24, nil, false, true},
		{"late, as the tail shows: peskov's claim of the 21st stands", "peskov", 19, 24, nil, false, true},
		{"late, as the base's last event shows", "lavrov", 19, 22, nil, false, true},
		{"reported the day it happened", "lavrov", 17, 17, nil, false, false},
		{"reported before the events between: only they can tell", "lavrov", 17, 19, nil, true, true},
		{"a precondition added, after every other's last event", "trump", 19, 24, &events.PreconditionAdded{Precondition: "venue"}, false, true},
		{"a precondition met after it was added", "lavrov", 19, 24, &events.PreconditionMet{Precondition: "agenda"}, false, true},
		{"a precondition added at the instant another was: which came first is in the history", "trump", 17, 24, &events.PreconditionAdded{Precondition: "venue"}, true, true},
		{"a precondition met before its last event: the history has it", "lavrov", 17, 24, &events.PreconditionMet{Precondition: "date"}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.p
			if p == nil {
				p = &events.StatementMade{About: "summit", Stance: events.StanceSupportive, Claim: "willing"}
			}
			s := summitFirst().late("summit", tt.d, tt.r, tt.by, p)
			rec := s.recs[len(s.recs)-1]
			b := NewBoard(events.Main, BoardOptions{Tail: 1})
			s.feed(t, b, s.recs[:len(s.recs)-1])
			_, err := b.Apply(rec)
			var refold *RefoldError
			if got := errors.As(err, &refold); got != tt.refold || err != nil && !got {
				t.Fatalf("Apply: %v, want a refold %v", err, tt.refold)
			}
			if refold != nil {
				b.Refold("summit", s.history("summit", rec.Seq))
			}
			if got := b.Cause(rec); got.Late != tt.late {
				t.Errorf("cause %+v, want late %v", got, tt.late)
			}
			held := NewBoard(events.Main, BoardOptions{Tail: 64})
			s.feed(t, held, s.recs)
			if diff := cmp.Diff(held.Views(oct(30), ""), b.Views(oct(30), "")); diff != "" {
				t.Errorf("board differs from one that held the event in its tail (-tail +placed):\n%s", diff)
			}
			if b.Cause(rec).Late != held.Cause(rec).Late {
				t.Errorf("late %v, while the board that held it in its tail says %v", b.Cause(rec).Late, held.Cause(rec).Late)
			}
		})
	}
}

// TestChangesOfAcceptanceAndOutcome checks that a view's acceptances,
// declines and outcome are changes: an acceptance that leaves the status
// as it was is still news.
func TestChangesOfAcceptanceAndOutcome(t *testing.T) {
	old := &View{Status: "proposed", Readiness: "0/0", Accepted: []string{"USA"}}
	tests := []struct {
		name string
		new  View
		want []Change
	}{
		{"a second party accepts", View{Status: "proposed", Readiness: "0/0", Accepted: []string{"RUS", "USA"}}, []Change{{What: "accepted", From: "USA", To: "RUS, USA"}}},
		{"a party declines", View{Status: "proposed", Readiness: "0/0", Accepted: []string{"USA"}, Declined: []string{"UKR"}}, []Change{{What: "declined", To: "UKR"}}},
		{"an outcome", View{Status: "proposed", Readiness: "0/0", Accepted: []string{"USA"}, Outcome: "no deal"}, []Change{{What: "outcome", To: "no deal"}}},
		{"nothing", View{Status: "proposed", Readiness: "0/0", Accepted: []string{"USA"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Changes(old, &tt.new)
			if len(got) != len(tt.want) {
				t.Fatalf("changes %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("change %d: %v, want %v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// TestBoardReshapesALateEventOfTheCourse checks that a late event of a
// meeting's course dated before what the board holds of it is folded on
// the course's events alone (Board.Reshape), where they can tell what it
// does, into the board that holding every event in its tail would give.
func TestBoardReshapesALateEventOfTheCourse(t *testing.T) {
	// The summit's tail of 1 is putin's claim of the 23rd; its base ends
	// with trump's of the 22nd. Its course: declared and proposed on the
	// 16th.
	tests := []struct {
		name     string
		by       string
		d, r     int // the event's day and the day it was reported
		p        events.Payload
		reshaped bool
		late     bool
		// before, if set, is an event of the course trump adds on the
		// 22nd, before the late one comes.
		before events.Payload
	}{
		{"a postponement that a later scheduling overrides", "trump", 19, 24, &events.MeetingPostponed{Reason: "later"}, true, true,
			&events.MeetingScheduled{Date: events.OneDay(events.Date(2025, 10, 30)), Venue: "Budapest"}},
		{"an acceptance before the other party's refusal", "putin", 18, 24, &events.MeetingAccepted{}, true, true,
			&events.MeetingDeclined{Reason: "no"}},
		{"a postponement, late as the tail shows", "trump", 19, 24, &events.MeetingPostponed{Reason: "later"}, true, true, nil},
		{"an acceptance reported the day it happened", "putin", 17, 17, &events.MeetingAccepted{}, true, false, nil},
		{"a refusal, late", "putin", 19, 24, &events.MeetingDeclined{Reason: "no"}, true, true, nil},
		{"a cancellation reported the next day: only the statements between could tell", "trump", 19, 20, &events.MeetingCancelled{}, false, false, nil},
		{"a holding: other meetings' views read it", "trump", 19, 24, &events.MeetingHeld{Venue: "Budapest"}, false, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, course := summitFirst(), 2
			if tt.before != nil {
				s, course = s.add("summit", 22, "trump", tt.before), 3
			}
			s = s.late("summit", tt.d, tt.r, tt.by, tt.p)
			rec := s.recs[len(s.recs)-1]
			b := NewBoard(events.Main, BoardOptions{Tail: 1})
			s.feed(t, b, s.recs[:len(s.recs)-1])
			_, err := b.Apply(rec)
			var refold *RefoldError
			if !errors.As(err, &refold) {
				t.Fatalf("Apply: %v, want a refold", err)
			}
			reshaped := false
			if refold.Course {
				seqs, ok := b.Course("summit")
				if !ok {
					t.Fatal("a refold on the course, and no course listed")
				}
				if len(seqs) != course {
					t.Errorf("the course lists %d events, want %d", len(seqs), course)
				}
				_, reshaped = b.Reshape("summit", s.course(seqs), rec)
			}
			if reshaped != tt.reshaped {
				t.Fatalf("reshaped on the course %v, want %v", reshaped, tt.reshaped)
			}
			if !reshaped {
				b.Refold("summit", s.history("summit", rec.Seq))
			}
			held := NewBoard(events.Main, BoardOptions{Tail: 64})
			s.feed(t, held, s.recs)
			if diff := cmp.Diff(held.Views(oct(30), ""), b.Views(oct(30), "")); diff != "" {
				t.Errorf("board differs from one that held the event in its tail (-tail +reshaped):\n%s", diff)
			}
			if got := b.Cause(rec).Late; got != tt.late || got != held.Cause(rec).Late {
				t.Errorf("late %v, want %v; the board that held it in its tail says %v", got, tt.late, held.Cause(rec).Late)
			}
			// The snapshot carries the course, one more event long, for a
			// command or a restarted runner.
			snap, _ := b.Snapshot("summit", rec.Seq)
			if seqs, ok := snap.Outline(); !ok || len(seqs) != course+1 || seqs[course] != rec.Seq {
				t.Errorf("snapshot's course %v (%v), want %d events, the last %d", seqs, ok, course+1, rec.Seq)
			}
		})
	}
}
