package projections

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/events"
)

// story builds a log of events by hand, numbering versions per meeting and
// stream sequences across the story.
type story struct {
	versions map[string]uint64
	recs     []rec
}

type rec struct {
	seq uint64
	e   events.Event
}

func (s *story) add(meeting string, d int, by string, p events.Payload) *story {
	if s.versions == nil {
		s.versions = map[string]uint64{}
	}
	s.versions[meeting]++
	party := map[string]string{"trump": "USA", "rubio": "USA", "putin": "RUS", "lavrov": "RUS", "peskov": "RUS"}[by]
	e := events.Event{
		ID: events.NewID(), Aggregate: events.Meeting(meeting), Version: s.versions[meeting],
		At: events.Date(2025, time.October, d), By: by, Party: party, Branch: events.Main, Payload: p,
	}
	s.recs = append(s.recs, rec{seq: uint64(len(s.recs) + 1), e: e})
	return s
}

func (s *story) declare(meeting string, d int, people ...string) *story {
	var ps []events.Participant
	for _, p := range people {
		ps = append(ps, events.Participant{Person: p, Party: map[string]string{"trump": "USA", "rubio": "USA", "putin": "RUS", "lavrov": "RUS"}[p]})
	}
	return s.add(meeting, d, "", &events.MeetingDeclared{Title: meeting, Participants: ps})
}

func (s *story) board(cutoff time.Time) *Board {
	b := NewBoard(events.Main, cutoff)
	for _, r := range s.recs {
		b.Apply(r.seq, r.e)
	}
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

func TestBoard(t *testing.T) {
	tests := []struct {
		name    string
		story   *story
		meeting string
		asOf    time.Time
		// cutoff folds the board only up to it; zero folds everything.
		cutoff time.Time
		want   summary
	}{
		{
			name: "precondition added before the meeting it requires is held", story: summitFirst(), meeting: "summit", asOf: oct(25),
			want: summary{Status: aggregates.StatusProposed, Readiness: "1/2",
				Preconditions: map[string]aggregates.PreconditionState{"fm-prep": aggregates.Met, "agenda": aggregates.Unmet, "date": aggregates.Waived},
				Claims:        map[string]string{"peskov": "unscheduled", "trump": "cancelled", "putin": "postponed"}},
		},
		{
			name: "precondition added after the meeting it requires was held", story: prepFirst(), meeting: "summit", asOf: oct(26),
			want: summary{Status: aggregates.StatusProposed, Readiness: "1/2",
				Preconditions: map[string]aggregates.PreconditionState{"fm-prep": aggregates.Met, "agenda": aggregates.Unmet},
				Claims:        map[string]string{}},
		},
		{
			name: "as of a date before the required meeting is held", story: summitFirst(), meeting: "summit", asOf: oct(21), cutoff: oct(21),
			want: summary{Status: aggregates.StatusProposed, Readiness: "0/2",
				Preconditions: map[string]aggregates.PreconditionState{"fm-prep": aggregates.Unmet, "agenda": aggregates.Unmet, "date": aggregates.Waived},
				Claims:        map[string]string{"peskov": "unscheduled"}},
		},
		{
			name: "overdue once the proposal's window has passed", story: summitFirst(), meeting: "summit", asOf: oct(31), cutoff: oct(31),
			want: summary{Status: aggregates.StatusProposed, Overdue: true, Readiness: "1/2",
				Preconditions: map[string]aggregates.PreconditionState{"fm-prep": aggregates.Met, "agenda": aggregates.Unmet, "date": aggregates.Waived},
				Claims:        map[string]string{"peskov": "unscheduled", "trump": "cancelled", "putin": "postponed"}},
		},
		{
			name: "the required meeting itself", story: summitFirst(), meeting: "prep", asOf: oct(22), cutoff: oct(22),
			want: summary{Status: aggregates.StatusProposed, Readiness: "0/0", Preconditions: map[string]aggregates.PreconditionState{}, Claims: map[string]string{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, ok := tt.story.board(tt.cutoff).View(tt.meeting, tt.asOf)
			if !ok {
				t.Fatalf("no view of %s", tt.meeting)
			}
			if diff := cmp.Diff(tt.want, summarize(v)); diff != "" {
				t.Errorf("view (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBoardReportsChanges(t *testing.T) {
	s := summitFirst()
	b := NewBoard(events.Main, time.Time{})
	var held []string
	for _, r := range s.recs {
		changed := b.Apply(r.seq, r.e)
		if r.e.Kind() == events.KindMeetingHeld {
			held = changed
		}
	}
	if diff := cmp.Diff([]string{"prep", "summit"}, held); diff != "" {
		t.Errorf("holding the required meeting changed (-want +got):\n%s", diff)
	}
	v, _ := b.View("summit", oct(25))
	if v.LastActivity == nil || v.LastActivity.Kind != events.KindStatementMade {
		t.Errorf("last activity = %+v, want the latest statement", v.LastActivity)
	}
	// Applying an event again changes nothing.
	last := s.recs[len(s.recs)-1]
	if changed := b.Apply(last.seq, last.e); changed != nil {
		t.Errorf("re-applying seq %d changed %v", last.seq, changed)
	}
}

func TestBoardRestoreResumes(t *testing.T) {
	// A board restored from the views of a board stopped half way, then fed
	// the rest (and, as after a crash, some events again), equals the board
	// fed everything at once.
	s := summitFirst()
	full := s.board(time.Time{})
	for stop := 1; stop < len(s.recs); stop++ {
		half := NewBoard(events.Main, time.Time{})
		for _, r := range s.recs[:stop] {
			half.Apply(r.seq, r.e)
		}
		resumed := NewBoard(events.Main, time.Time{})
		for _, v := range half.Views(oct(30)) {
			resumed.Restore(v)
		}
		for _, r := range s.recs[max(0, stop-3):] {
			resumed.Apply(r.seq, r.e)
		}
		if diff := cmp.Diff(full.Views(oct(30)), resumed.Views(oct(30))); diff != "" {
			t.Fatalf("stopped after %d events: resumed board differs (-full +resumed):\n%s", stop, diff)
		}
	}
}
