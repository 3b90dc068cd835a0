package projections_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
)

// step is what the tests compare of a step of a history.
type step struct {
	Line    string
	Changes []string
}

func steps(h []projections.Step) []step {
	var out []step
	for _, s := range h {
		e := s.Event
		line := e.At.String() + " " + string(e.Kind)
		if e.Meeting != "" {
			line += " (" + e.Meeting + ")"
		}
		if e.Late {
			line += " late"
		}
		if e.CorrectedBy != nil {
			line += " corrected by " + string(e.CorrectedBy.Kind) + " on " + e.CorrectedBy.Reported.String()
		}
		if e.Retracted != nil {
			line += " withdrawn on " + e.Retracted.Reported.String() + ": " + e.Retracted.Reason
		}
		var cs []string
		for _, c := range s.Changes {
			cs = append(cs, c.String())
		}
		out = append(out, step{Line: line, Changes: cs})
	}
	return out
}

func TestExplain(t *testing.T) {
	r := budapest(t)
	x, err := projections.Explain(context.Background(), r.log, query(events.Time{}, events.Time{}), "budapest-summit")
	if err != nil {
		t.Fatal(err)
	}
	want := []step{
		{"2025-10-16 meeting.declared", []string{"meeting: Trump-Putin summit in Budapest", "status: named", "participants: trump (USA), putin (RUS)"}},
		{"2025-10-16 meeting.proposed", []string{"status named -> proposed", "venue: Budapest", "window: 2025-10-16 to 2025-10-30", "accepted: USA", "deadline: 2025-10-30"}},
		{"2025-10-16 precondition.added", []string{"readiness 0/0 -> 0/1", "precondition fm-prep: unmet"}},
		{"2025-10-16 precondition.added", []string{"readiness 0/1 -> 0/2", "precondition agenda: unmet"}},
		{"2025-10-17 meeting.accepted late", []string{"status proposed -> agreed", "accepted USA -> RUS, USA"}},
		{"2025-10-21 statement.made", []string{"claim of peskov: unscheduled"}},
		{"2025-10-22 meeting.cancelled corrected by meeting.postponed on 2025-10-26", nil},
		{"2025-10-22 meeting.postponed", []string{"status agreed -> postponed", "window 2025-10-16 to 2025-10-30 -> (none)", "deadline 2025-10-30 -> (none)"}},
		{"2025-10-24 meeting.held (prep)", []string{"readiness 0/2 -> 1/2", "precondition fm-prep unmet -> met"}},
		{"2025-10-27 statement.made withdrawn on 2025-10-28: misquoted", nil},
	}
	if diff := cmp.Diff(want, steps(x.History)); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	board, err := projections.FoldView(context.Background(), r.log, query(events.Time{}, events.Time{}))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(board.Meetings[0], x.View); diff != "" {
		t.Errorf("the explained view is not the board's (-board +explain):\n%s", diff)
	}
	// The last of the meeting's own steps that stands tells the board's
	// view (the step after it is the prep meeting held, whose status it
	// carries, then a withdrawn statement).
	last := x.History[len(x.History)-3]
	if last.Event.Status != x.View.Status || last.Event.Overdue == nil || *last.Event.Overdue {
		t.Errorf("the last step leaves %s (overdue %v), the board says %s", last.Event.Status, last.Event.Overdue, x.View.Status)
	}
	var why []string
	for _, r := range x.Why {
		why = append(why, r.What+" "+r.Value+" <- "+r.Event.At.String()+" "+string(r.Event.Kind))
	}
	wantWhy := []string{
		"status postponed <- 2025-10-22 meeting.postponed",
		"precondition fm-prep met <- 2025-10-24 meeting.held",
		"precondition agenda unmet <- 2025-10-16 precondition.added",
		"claim of peskov unscheduled <- 2025-10-21 statement.made",
	}
	if diff := cmp.Diff(wantWhy, why); diff != "" {
		t.Errorf("why (-want +got):\n%s", diff)
	}
	var text bytes.Buffer
	if err := x.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	golden(t, "explain-budapest-summit.txt", text.Bytes())
	golden(t, "explain-budapest-summit.json", stable(t, x))
}

// Each change is judged as of its own event's date: the prep meeting is
// not overdue when proposed, becomes overdue the day after its window
// (with no event: a step of its own), and the holding ends it.
func TestExplainOverdueByDate(t *testing.T) {
	r := budapest(t)
	x, err := projections.Explain(context.Background(), r.log, query(events.Time{}, events.Time{}), "prep")
	if err != nil {
		t.Fatal(err)
	}
	want := []step{
		{"2025-10-16 meeting.declared", []string{"meeting: Rubio-Lavrov preparatory meeting", "status: named", "participants: rubio (USA), lavrov (RUS)"}},
		{"2025-10-20 meeting.proposed", []string{"status named -> proposed", "window: 2025-10-20 to 2025-10-22", "accepted: USA", "deadline: 2025-10-22"}},
		{"2025-10-23 deadline.passed", []string{"overdue false -> true"}},
		{"2025-10-24 meeting.held", []string{"status proposed -> held", "overdue true -> false", "venue: Budapest", "window 2025-10-20 to 2025-10-22 -> (none)", "held: 2025-10-24", "deadline 2025-10-22 -> (none)"}},
	}
	if diff := cmp.Diff(want, steps(x.History)); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	// As of the 23rd, the deadline passing is why it is overdue.
	x, err = projections.Explain(context.Background(), r.log, query(oct(23), events.Time{}), "prep")
	if err != nil {
		t.Fatal(err)
	}
	if !x.View.Overdue || len(x.Why) < 2 || x.Why[1].What != "overdue" || x.Why[1].Event.Kind != projections.KindDeadlinePassed {
		t.Errorf("as of the 23rd: overdue %v, why %+v; want overdue since the deadline passed", x.View.Overdue, x.Why)
	}
	if n := len(x.History); n != 3 {
		t.Errorf("as of the 23rd: %d steps, want 3", n)
	}
}

// As it could be known on the 25th: the cancellation stands, the late
// acceptance is known, the correction and the retraction are not.
func TestExplainKnownAt(t *testing.T) {
	r := budapest(t)
	x, err := projections.Explain(context.Background(), r.log, query(oct(25), oct(25)), "budapest-summit")
	if err != nil {
		t.Fatal(err)
	}
	if x.AsOf != "2025-10-25" || x.KnownAt != "2025-10-25" || x.View.KnownAt != "2025-10-25" || x.View.Status != aggregates.StatusCancelled {
		t.Errorf("explain as of %q known %q: view known %q, %s", x.AsOf, x.KnownAt, x.View.KnownAt, x.View.Status)
	}
	for _, s := range x.History {
		if s.Event.CorrectedBy != nil || s.Event.Retracted != nil || s.Event.Kind == events.KindMeetingPostponed {
			t.Errorf("known on the 25th, the history shows %s of %s corrected %v, retracted %v", s.Event.Kind, s.Event.At, s.Event.CorrectedBy, s.Event.Retracted)
		}
	}
}
