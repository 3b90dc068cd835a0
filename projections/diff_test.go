package projections_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/summit-model/summit/commands"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
)

func TestDiff(t *testing.T) {
	ctx := context.Background()
	r := newRig(t)
	r.declare("geneva", oct(10), "Geneva talks", "USA", "RUS")
	r.declare("summit", oct(16), "the summit", "trump", "putin")
	r.declare("prep", oct(16), "the preparatory meeting", "rubio", "lavrov")
	r.do("summit", oct(16), "trump", &events.MeetingProposed{Venue: "Budapest", Within: &events.Span{Days: 14}})
	r.do("summit", oct(16), "trump", &events.PreconditionAdded{Precondition: "fm-prep", Requires: &events.Requirement{Held: "prep"}})
	b, err := r.log.Fork(ctx, "prep-held", oct(18))
	if err != nil {
		t.Fatal(err)
	}
	r.declare("alaska", oct(20), "the Alaska summit", "trump", "putin")
	r.do("summit", oct(21), "peskov", &events.StatementMade{About: "summit", Stance: events.StanceNoncommittal, Claim: "unscheduled"})
	h := commands.NewHandler(r.log, b)
	r.on(h, "prep", oct(19), "rubio", &events.MeetingHeld{Venue: "Vienna"})
	r.on(h, "summit", oct(20), "putin", &events.MeetingAccepted{})
	r.declareOn(h, "vienna", oct(20), "Vienna talks", "UKR", "RUS")
	q := query(oct(21), events.Time{})
	main, err := projections.FoldView(ctx, r.log, q)
	if err != nil {
		t.Fatal(err)
	}
	q.Branch = b
	branch, err := projections.FoldView(ctx, r.log, q)
	if err != nil {
		t.Fatal(err)
	}
	d := projections.Diff(branch, main)
	want := projections.DiffView{
		Branch: "prep-held", Against: "main", AsOf: "2025-10-21",
		Meetings: []projections.MeetingDiff{
			{ID: "alaska", Changes: []projections.Change{{What: "meeting", From: "the Alaska summit (named)", To: "not on prep-held"}}},
			{ID: "prep", Changes: []projections.Change{
				{What: "status", From: "named", To: "held"}, {What: "venue", To: "Vienna"}, {What: "held", To: "2025-10-19"},
			}},
			{ID: "summit", Changes: []projections.Change{
				{What: "status", From: "proposed", To: "agreed"}, {What: "readiness", From: "0/1", To: "1/1"}, {What: "accepted", From: "USA", To: "RUS, USA"},
				{What: "precondition fm-prep", From: "unmet", To: "met"}, {What: "claim of peskov", From: "unscheduled"},
			}},
			{ID: "vienna", Changes: []projections.Change{
				{What: "meeting", From: "not on main", To: "Vienna talks"}, {What: "status", To: "named"}, {What: "participants", To: "UKR, RUS"},
			}},
		},
		Same: []string{"geneva"},
	}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("diff (-want +got):\n%s", diff)
	}
	if d := projections.Diff(main, main); len(d.Meetings) != 0 || len(d.Same) != 4 {
		t.Errorf("a board against itself: %+v", d)
	}
	var text bytes.Buffer
	if err := d.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	golden(t, "diff.txt", text.Bytes())
	golden(t, "diff.json", stable(t, d))
}
