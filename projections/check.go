package projections

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/scenarios"
)

// Failure is an expectation of a scenario that the board does not meet:
// where it is written (File, Line), what it reads (the meeting as of At,
// as known on KnownAt if set), and what differs: What, of which the
// scenario wants Want and the board says Got.
type Failure struct {
	File    string
	Line    int
	At      events.Time
	KnownAt events.Time
	Meeting string
	What    string
	Want    string
	Got     string
}

// Error reads as "budapest-2025.yaml:81: as of 2025-10-21, budapest-summit:
// status is proposed, want agreed", or with a known-at date "...: as of
// 2025-10-21 known on 2025-10-19, budapest-summit: ...".
func (f Failure) Error() string {
	known := ""
	if !f.KnownAt.IsZero() {
		known = " known on " + f.KnownAt.String()
	}
	return fmt.Sprintf("%s:%d: as of %s%s, %s: %s is %s, want %s", f.File, f.Line, f.At, known, f.Meeting, f.What, f.Got, f.Want)
}

// Check compares each expectation of xs (written in file) with the board
// of branch as of the expectation's date, and as known on its known-at
// date if it has one, folded from the log, and returns those the board
// does not meet, in the order of xs (an expectation may fail in several
// ways: one Failure each). Overdue is judged as of the expectation's date.
// The branch is read once, however many dates the expectations name.
func Check(ctx context.Context, log *eventlog.Log, branch eventlog.Branch, file string, xs []scenarios.Expectation) ([]Failure, error) {
	if len(xs) == 0 {
		return nil, nil
	}
	branch = Query{Branch: branch}.branch()
	var reads []Read
	which := make([]int, len(xs))
	seen := map[Read]int{}
	for i, x := range xs {
		r := Query{AsOf: x.At, KnownAt: x.KnownAt}.Read()
		// Time values are not comparable keys: their locations may differ
		// for the same instant. Their instants are.
		key := Read{AsOf: r.AsOf.UTC(), Known: r.Known.UTC()}
		n, ok := seen[key]
		if !ok {
			n = len(reads)
			seen[key] = n
			reads = append(reads, r)
		}
		which[i] = n
	}
	boards, err := foldBoards(ctx, log, branch, reads, nil)
	if err != nil {
		return nil, fmt.Errorf("check %s: %w", file, err)
	}
	var out []Failure
	for i, x := range xs {
		out = append(out, check(file, x, boards[which[i]])...)
	}
	return out, nil
}

// check returns the ways the board fails x.
func check(file string, x scenarios.Expectation, board *Board) []Failure {
	q := Query{AsOf: x.At, KnownAt: x.KnownAt}
	fail := func(what, want, got string) Failure {
		return Failure{File: file, Line: x.Line, At: x.At, KnownAt: x.KnownAt, Meeting: x.Meeting, What: what, Want: want, Got: got}
	}
	v, ok := board.View(x.Meeting, q.Cutoff(), q.AsOfLabel())
	if !ok {
		return []Failure{fail("the meeting", "on the board", "not on the board")}
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
	if x.Participants != nil {
		want := slices.Sorted(slices.Values(x.Participants))
		var got []string
		for _, p := range v.Participants {
			got = append(got, events.Participant{Person: p.Person, Party: p.Party}.ID())
		}
		slices.Sort(got)
		if !slices.Equal(want, got) {
			out = append(out, fail("participants", orNone(strings.Join(want, ", ")), orNone(strings.Join(got, ", "))))
		}
	}
	return out
}
