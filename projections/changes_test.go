package projections

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/summit-model/summit/events"
)

func TestChanges(t *testing.T) {
	s := summitFirst()
	b := NewBoard(events.Main, time.Time{})
	var views []*View
	var kinds []events.Kind
	for _, r := range s.recs {
		for _, id := range b.Apply(r.seq, r.e) {
			if id != "summit" {
				continue
			}
			v, _ := b.View(id, oct(25))
			views = append(views, &v)
			kinds = append(kinds, r.e.Kind())
		}
	}
	want := [][]Change{
		{{What: "meeting", To: "summit"}, {What: "status", To: "declared"}},
		{{What: "status", From: "declared", To: "proposed"}, {What: "venue", To: "Budapest"}, {What: "deadline", To: "2025-10-30"}},
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
		t.Errorf("changes (-want +got):\n%s\nkinds: %v", diff, kinds)
	}
	if c := Changes(views[len(views)-1], views[len(views)-1]); len(c) != 0 {
		t.Errorf("a view compared with itself: %v", c)
	}
	// The same claim made again, later, is a change too.
	again := new(story).declare("m", 16, "trump", "putin").
		add("m", 21, "peskov", &events.StatementMade{About: "m", Stance: events.StanceNoncommittal, Claim: "unscheduled"}).
		add("m", 23, "peskov", &events.StatementMade{About: "m", Stance: events.StanceNoncommittal, Claim: "unscheduled"})
	ab := NewBoard(events.Main, time.Time{})
	var first, second View
	for i, r := range again.recs {
		ab.Apply(r.seq, r.e)
		if i == 1 {
			first, _ = ab.View("m", oct(25))
		}
	}
	second, _ = ab.View("m", oct(25))
	if diff := cmp.Diff([]Change{{What: "claim of peskov", From: "unscheduled (2025-10-21)", To: "unscheduled (2025-10-23)"}}, Changes(&first, &second)); diff != "" {
		t.Errorf("a claim made again (-want +got):\n%s", diff)
	}
	if got := (Change{What: "status", From: "proposed", To: "cancelled"}).String(); got != "status proposed -> cancelled" {
		t.Errorf("String = %q", got)
	}
}
