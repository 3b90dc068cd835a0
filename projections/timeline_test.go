package projections_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
)

// lines renders what the tests compare of a timeline: "at kind aggregate",
// then its marks.
func lines(tv projections.TimelineView) []string {
	var out []string
	for _, c := range tv.Events {
		s := c.At.String() + " " + string(c.Kind) + " " + c.Aggregate.ID
		if c.Meeting != "" {
			s += " (held, for " + tv.Meeting + ")"
		}
		if c.Late {
			s += " late"
		}
		if c.CorrectedBy != nil {
			s += " corrected"
		}
		if c.Retracted != nil {
			s += " withdrawn"
		}
		if c.Status != "" {
			s += " => " + string(c.Status)
			if *c.Overdue {
				s += " overdue"
			}
		}
		out = append(out, s)
	}
	return out
}

func TestTimeline(t *testing.T) {
	r := budapest(t)
	ctx := context.Background()
	tests := []struct {
		name    string
		q       projections.Query
		meeting string
		opts    projections.TimelineOptions
		want    []string
	}{
		{
			name: "the branch, in world order, bookkeeping hidden", q: query(events.Time{}, events.Time{}),
			want: []string{
				"2025-10-16 call.held trump",
				"2025-10-16 meeting.proposed budapest-summit => proposed",
				"2025-10-16 precondition.added budapest-summit => proposed",
				"2025-10-16 precondition.added budapest-summit => proposed",
				"2025-10-17 meeting.accepted budapest-summit late => agreed",
				"2025-10-20 meeting.proposed prep => proposed",
				"2025-10-21 statement.made budapest-summit => agreed",
				"2025-10-22 meeting.cancelled budapest-summit corrected",
				"2025-10-22 meeting.postponed budapest-summit => postponed",
				"2025-10-24 meeting.held prep => held",
				"2025-10-27 statement.made budapest-summit withdrawn",
				"2025-10-28 event.retracted budapest-summit",
			},
		},
		{
			name: "with bookkeeping", q: query(oct(16), events.Time{}), opts: projections.TimelineOptions{Bookkeeping: true},
			want: []string{
				"2025-10-16 person.declared trump",
				"2025-10-16 call.held trump",
				"2025-10-16 meeting.declared budapest-summit => named",
				"2025-10-16 meeting.declared prep => named",
				"2025-10-16 meeting.proposed budapest-summit => proposed",
				"2025-10-16 precondition.added budapest-summit => proposed",
				"2025-10-16 precondition.added budapest-summit => proposed",
			},
		},
		{
			name: "one meeting, with the holding of the meeting it requires", q: query(events.Time{}, events.Time{}), meeting: "budapest-summit",
			want: []string{
				"2025-10-16 meeting.proposed budapest-summit => proposed",
				"2025-10-16 precondition.added budapest-summit => proposed",
				"2025-10-16 precondition.added budapest-summit => proposed",
				"2025-10-17 meeting.accepted budapest-summit late => agreed",
				"2025-10-21 statement.made budapest-summit => agreed",
				"2025-10-22 meeting.cancelled budapest-summit corrected",
				"2025-10-22 meeting.postponed budapest-summit => postponed",
				"2025-10-24 meeting.held prep (held, for budapest-summit) => held",
				"2025-10-27 statement.made budapest-summit withdrawn",
				"2025-10-28 event.retracted budapest-summit",
			},
		},
		{
			name: "the required meeting alone", q: query(events.Time{}, events.Time{}), meeting: "prep",
			want: []string{
				"2025-10-20 meeting.proposed prep => proposed",
				"2025-10-24 meeting.held prep => held",
			},
		},
		{
			name: "as it could be known on the 25th", q: query(events.Time{}, oct(25)), meeting: "budapest-summit",
			want: []string{
				"2025-10-16 meeting.proposed budapest-summit => proposed",
				"2025-10-16 precondition.added budapest-summit => proposed",
				"2025-10-16 precondition.added budapest-summit => proposed",
				"2025-10-17 meeting.accepted budapest-summit late => agreed",
				"2025-10-21 statement.made budapest-summit => agreed",
				"2025-10-22 meeting.cancelled budapest-summit => cancelled",
				"2025-10-24 meeting.held prep (held, for budapest-summit) => held",
			},
		},
		{
			name: "as of the 21st", q: query(oct(21), events.Time{}), meeting: "budapest-summit",
			want: []string{
				"2025-10-16 meeting.proposed budapest-summit => proposed",
				"2025-10-16 precondition.added budapest-summit => proposed",
				"2025-10-16 precondition.added budapest-summit => proposed",
				"2025-10-17 meeting.accepted budapest-summit late => agreed",
				"2025-10-21 statement.made budapest-summit => agreed",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tv, err := projections.Timeline(ctx, r.log, tt.q, tt.meeting, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, lines(tv)); diff != "" {
				t.Errorf("timeline (-want +got):\n%s", diff)
			}
			if tv.AsOf != tt.q.AsOfLabel() || tv.KnownAt != tt.q.KnownLabel() || tv.Meeting != tt.meeting || tv.Branch != "main" {
				t.Errorf("timeline labelled %+v", tv)
			}
		})
	}
	tv, err := projections.Timeline(ctx, r.log, query(events.Time{}, events.Time{}), "", projections.TimelineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	if err := tv.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	golden(t, "timeline.txt", text.Bytes())
	golden(t, "timeline.json", stable(t, tv))
}

// Events of the same day are ordered by when they became known, then in
// the order they were recorded; an event dated before one recorded
// earlier, and reported after it happened, is a late report; one reported
// before (only recorded late) is not.
func TestTimelineTies(t *testing.T) {
	r := newRig(t)
	r.declare("m", oct(10), "a meeting", "trump", "putin")
	r.do("m", oct(10), "trump", &events.MeetingFloated{})
	r.do("m", oct(18), "peskov", &events.StatementMade{About: "m", Stance: events.StanceNoncommittal, Claim: "willing"}, reported(oct(20)))
	r.do("m", oct(18), "trump", &events.StatementMade{About: "m", Stance: events.StanceSupportive, Claim: "floated"})
	r.do("m", oct(15), "putin", &events.StatementMade{About: "m", Stance: events.StanceSupportive}, reported(oct(19)))
	r.do("m", oct(12), "lavrov", &events.StatementMade{About: "m", Stance: events.StanceSupportive})
	r.do("m", oct(18), "rubio", &events.StatementMade{About: "m", Stance: events.StanceSupportive}, reported(oct(19)))
	tv, err := projections.Timeline(context.Background(), r.log, query(events.Time{}, events.Time{}), "m", projections.TimelineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range tv.Events {
		s := c.At.String() + " " + c.By
		if !c.Reported.IsZero() {
			s += " reported " + c.Reported.String()
		}
		if c.Late {
			s += " late"
		}
		got = append(got, s)
	}
	want := []string{
		"2025-10-10 trump",
		"2025-10-12 lavrov",
		"2025-10-15 putin reported 2025-10-19 late",
		"2025-10-18 trump",
		"2025-10-18 rubio reported 2025-10-19",
		"2025-10-18 peskov reported 2025-10-20",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("timeline (-want +got):\n%s", diff)
	}
}

func TestUnknownMeeting(t *testing.T) {
	r := budapest(t)
	ctx := context.Background()
	_, err := projections.Explain(ctx, r.log, query(events.Time{}, events.Time{}), "alaska")
	if !errors.Is(err, projections.ErrUnknownMeeting) {
		t.Fatalf("explain alaska: %v, want ErrUnknownMeeting", err)
	}
	if !strings.Contains(err.Error(), "budapest-summit, prep") {
		t.Errorf("%q does not name the meetings there are", err)
	}
	_, err = projections.Explain(ctx, r.log, query(events.Time{}, events.Time{}), "budapest-sumit")
	if !errors.Is(err, projections.ErrUnknownMeeting) || !strings.Contains(err.Error(), ", did you mean budapest-summit? (") {
		t.Errorf("explain budapest-sumit: %v, want ErrUnknownMeeting guessing budapest-summit", err)
	}
	_, err = projections.Timeline(ctx, r.log, query(oct(1), events.Time{}), "prep", projections.TimelineOptions{})
	if !errors.Is(err, projections.ErrUnknownMeeting) || !strings.Contains(err.Error(), "there are no meetings") {
		t.Errorf("timeline of prep before anything happened: %v, want ErrUnknownMeeting naming none", err)
	}
}
