package projections_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/projections"
	"github.com/summit-model/summit/scenarios"
)

func ptr[T any](v T) *T { return &v }

func TestCheck(t *testing.T) {
	r := budapest(t)
	xs := []scenarios.Expectation{
		{Line: 10, At: oct(19), Meeting: "budapest-summit", Status: ptr(aggregates.StatusAgreed)},
		{Line: 11, At: oct(19), KnownAt: oct(19), Meeting: "budapest-summit", Status: ptr(aggregates.StatusAgreed)},
		{Line: 12, At: oct(25), KnownAt: oct(25), Meeting: "budapest-summit", Status: ptr(aggregates.StatusCancelled),
			Claims:        map[string]string{"peskov": "unscheduled", "putin": "willing"},
			Preconditions: map[string]aggregates.PreconditionState{"fm-prep": aggregates.Met, "agenda": aggregates.Met, "date": aggregates.Met}},
		{Line: 13, At: oct(23), Meeting: "prep", Overdue: ptr(true), Readiness: ptr("0/0")},
		{Line: 14, At: oct(22), Meeting: "prep", Overdue: ptr(true)},
		{Line: 15, At: oct(15), Meeting: "budapest-summit", Status: ptr(aggregates.StatusNamed)},
		{Line: 16, At: oct(30), Meeting: "budapest-summit", Participants: []string{"putin", "trump"}, Readiness: ptr("1/2")},
		{Line: 17, At: oct(30), Meeting: "budapest-summit", Participants: []string{"trump", "orban"}},
	}
	got, err := projections.Check(context.Background(), r.log, eventlog.Main(), "budapest.yaml", xs)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, f := range got {
		msgs = append(msgs, f.Error())
	}
	want := []string{
		"budapest.yaml:11: as of 2025-10-19 known on 2025-10-19, budapest-summit: status is proposed, want agreed",
		"budapest.yaml:12: as of 2025-10-25 known on 2025-10-25, budapest-summit: precondition agenda is unmet, want met",
		"budapest.yaml:12: as of 2025-10-25 known on 2025-10-25, budapest-summit: precondition date is not added, want met",
		"budapest.yaml:12: as of 2025-10-25 known on 2025-10-25, budapest-summit: the claim of putin is not made, want willing",
		"budapest.yaml:14: as of 2025-10-22, prep: overdue is false, want true",
		"budapest.yaml:15: as of 2025-10-15, budapest-summit: the meeting is not on the board, want on the board",
		"budapest.yaml:17: as of 2025-10-30, budapest-summit: participants is putin, trump, want orban, trump",
	}
	if diff := cmp.Diff(want, msgs); diff != "" {
		t.Errorf("failures (-want +got):\n%s", diff)
	}
	if f := got[0]; f.File != "budapest.yaml" || f.Line != 11 || f.What != "status" || f.Want != "agreed" || f.Got != "proposed" || !f.KnownAt.Equal(oct(19).Time) {
		t.Errorf("failure %+v", f)
	}
	if got, err := projections.Check(context.Background(), r.log, eventlog.Main(), "none.yaml", nil); got != nil || err != nil {
		t.Errorf("no expectations: %v, %v", got, err)
	}
}
