package projections_test

import (
	"context"
	"strings"
	"testing"

	"github.com/summit-model/summit/commands"
	"github.com/summit-model/summit/projections"
	"github.com/summit-model/summit/scenarios"
)

// hanoiZone is a scenario whose days are Hanoi's: a proposal due within 21
// days of 6 February (the 27th, Hanoi's day), and Kim's acceptance and
// statement at 00:15 on the 28th, Hanoi time (still the 27th in UTC).
const hanoiZone = `name: hanoi-zone
title: Days of Hanoi
timezone: Asia/Ho_Chi_Minh
parties:
  USA: {name: United States}
  PRK: {name: North Korea}
people:
  trump: {name: Donald Trump, party: USA}
  kim:   {name: Kim Jong Un, party: PRK}
meetings:
  hanoi: {title: The Hanoi summit, participants: [trump, kim]}
timeline:
  - at: 2019-02-06
    event: meeting.proposed
    meeting: hanoi
    by: trump
    within: 21d
  - at: 2019-02-28T00:15:00+07:00
    event: meeting.accepted
    meeting: hanoi
    by: kim
  - at: 2019-02-28T00:15:00+07:00
    event: statement.made
    by: kim
    about: hanoi
    stance: supportive
    claim: willing
expect:
  - at: 2019-02-27
    meeting: hanoi
    status: proposed
    overdue: false
  - at: 2019-02-28
    meeting: hanoi
    status: agreed
    claims: {kim: willing}
`

// TestExpectationsReadInTheScenarioTimezone checks that a scenario's
// expectations are days of its timezone: as of Hanoi's 27th, Kim's
// acceptance of 00:15 on the 28th has not happened, though it has by the
// end of the 27th in UTC. The same file read in UTC fails that
// expectation.
func TestExpectationsReadInTheScenarioTimezone(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		failing []string
	}{
		{"in Hanoi", hanoiZone, nil},
		{"the same file in UTC", strings.Replace(hanoiZone, "timezone: Asia/Ho_Chi_Minh\n", "", 1),
			[]string{"hanoi-zone.yaml:28: as of 2019-02-27, hanoi: status is agreed, want proposed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			sc, err := scenarios.Load("hanoi-zone.yaml", []byte(tt.yaml), scenarios.ScenarioFile)
			if err != nil {
				t.Fatal(err)
			}
			r := newRig(t)
			cast, err := r.h.Cast(ctx, sc.Wanted())
			if err != nil {
				t.Fatal(err)
			}
			plan, err := sc.Plan(ctx, cast)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.h.HandleAll(ctx, commands.Batch{File: sc.File, Steps: plan.Steps}); err != nil {
				t.Fatal(err)
			}
			failures, err := projections.Check(ctx, r.log, r.h.Branch(), sc.File, sc.Expect)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range failures {
				got = append(got, f.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tt.failing, "\n") {
				t.Errorf("failures:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.failing, "\n"))
			}
			// As of the scenario's 27th, Kim's claim is not yet made in
			// Hanoi; it is in UTC. The read is labelled as asked.
			b, err := projections.FoldView(ctx, r.log, projections.Query{AsOf: sc.Expect[0].At})
			if err != nil {
				t.Fatal(err)
			}
			_, claimed := b.Meetings[0].Claims["kim"]
			if want := tt.failing != nil; claimed != want {
				t.Errorf("as of the 27th (%s), kim's claim made: %v, want %v", sc.Expect[0].At.Time, claimed, want)
			}
			if b.AsOf != "2019-02-27" {
				t.Errorf("as_of %q, want 2019-02-27", b.AsOf)
			}
		})
	}
}
