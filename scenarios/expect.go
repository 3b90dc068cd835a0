package scenarios

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
)

// Failure is an expectation the board does not meet.
type Failure struct {
	File    string
	Line    int
	At      events.Time
	Meeting string
	// What is the part of the view that differs, Want what the scenario
	// expects and Got what the board says.
	What, Want, Got string
}

// Error reads as "budapest-2025.yaml:81: as of 2025-10-21, budapest-summit:
// status is proposed, want agreed".
func (f Failure) Error() string {
	return fmt.Sprintf("%s:%d: as of %s, %s: %s is %s, want %s", f.File, f.Line, f.At, f.Meeting, f.What, f.Got, f.Want)
}

// Check compares each of s's expectations with the board of the record as
// of the expectation's date, folded from the log, and returns those the
// board does not meet.
func Check(ctx context.Context, log *eventlog.Log, s *Scenario) ([]Failure, error) {
	var recs []eventlog.Record
	err := log.Read(ctx, eventlog.BranchSubjects(events.Main), 1, 0, func(r eventlog.Record) error {
		recs = append(recs, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []Failure
	for _, x := range s.Expect {
		board := projections.NewBoard(events.Main, x.At.End())
		for _, r := range recs {
			board.Apply(r.Seq, r.Event)
		}
		out = append(out, check(s.File, x, board)...)
	}
	return out, nil
}

func check(file string, x Expectation, board *projections.Board) []Failure {
	fail := func(what, want, got string) Failure {
		return Failure{File: file, Line: x.Line, At: x.At, Meeting: x.Meeting, What: what, Want: want, Got: got}
	}
	v, ok := board.View(x.Meeting, x.At.End())
	if !ok {
		return []Failure{fail("the meeting", "on the board", "not on the board yet")}
	}
	var out []Failure
	if x.Status != nil && v.Status != *x.Status {
		out = append(out, fail("status", string(*x.Status), string(v.Status)))
	}
	if x.Overdue != nil && v.Overdue != *x.Overdue {
		out = append(out, fail("overdue", strconv.FormatBool(*x.Overdue), strconv.FormatBool(v.Overdue)))
	}
	if x.Readiness != nil && v.Readiness != *x.Readiness {
		out = append(out, fail("readiness", *x.Readiness, v.Readiness))
	}
	for _, id := range slices.Sorted(maps.Keys(x.Preconditions)) {
		want := x.Preconditions[id]
		p, ok := v.Precondition(id)
		switch {
		case !ok:
			out = append(out, fail("precondition "+id, string(want), "not added"))
		case p.State != want:
			out = append(out, fail("precondition "+id, string(want), string(p.State)))
		}
	}
	for _, speaker := range slices.Sorted(maps.Keys(x.Claims)) {
		want := x.Claims[speaker]
		got, ok := v.Claims[speaker]
		switch {
		case !ok:
			out = append(out, fail("the claim of "+speaker, want, "not made"))
		case got != want:
			out = append(out, fail("the claim of "+speaker, want, got))
		}
	}
	return out
}
