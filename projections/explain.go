package projections

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
)

// Explanation is why the board says what it says of a meeting: its view,
// what made each part of it what it is, and the meeting's history. JSON:
//
//	{"meeting", "branch", "as_of", "known_at" (omitted when not asked),
//	 "view": View, "why": [{"what", "value", "event": Cited}],
//	 "history": [{"event": Cited, "changes": [{"what", "from", "to"}]}]}
//
// Why and History are never nil, nor is any step's Changes.
type Explanation struct {
	Meeting string `json:"meeting"`
	Branch  string `json:"branch"`
	AsOf    string `json:"as_of"`
	KnownAt string `json:"known_at,omitempty"`
	View    View   `json:"view"`
	// Why names, for the status, the overdue flag, the deadline, each
	// precondition and each claim, the step of History that last changed
	// it.
	Why []Reason `json:"why"`
	// History is every event of the meeting that the read sees, in world
	// order, and the holding of each meeting a precondition requires where
	// it changed something; each step's changes are judged as of its own
	// date, and a deadline passing with no event is a step of its own
	// (kind deadline.passed). An event that no longer stands is there too,
	// with no changes: corrected (CorrectedBy; the correction follows it,
	// in its place) or withdrawn (Retracted).
	History []Step `json:"history"`
	// dated is whether the read asked for a date (as of, known at): the
	// text then says which, not "now".
	dated bool
}

// Reason is what made one part of a view what it is: the event that last
// changed it.
type Reason struct {
	What  string `json:"what"`
	Value string `json:"value"`
	Event Cited  `json:"event"`
}

// Step is one event of a meeting's history and what it changed on the
// meeting's view.
type Step struct {
	Event   Cited    `json:"event"`
	Changes []Change `json:"changes"`
}

// Explain returns why the board of q says what it says of meeting id: its
// view, and every event that made it (see [Explanation]). A meeting not on
// the board of q is an error wrapping [ErrUnknownMeeting] that names the
// meetings there are.
func Explain(ctx context.Context, log *eventlog.Log, q Query, id string) (Explanation, error) {
	branch := q.branch()
	b, err := Fold(ctx, log, q)
	if err != nil {
		return Explanation{}, fmt.Errorf("explain %s: %w", id, err)
	}
	x := Explanation{Meeting: id, Branch: branch.Name, AsOf: q.AsOfLabel(), KnownAt: q.KnownLabel(), Why: []Reason{}, History: []Step{}, dated: !q.AsOf.IsZero() || !q.KnownAt.IsZero()}
	v, ok := b.View(id, q.Cutoff(), x.AsOf)
	if !ok {
		return Explanation{}, unknownMeeting(id, branch.Name, x.AsOf, b.IDs())
	}
	v.KnownAt = x.KnownAt
	x.View = v
	lines, err := meetingLines(ctx, log, branch, q.Read(), b.Seq(), id, q.Cutoff())
	if err != nil {
		return Explanation{}, fmt.Errorf("explain %s: %w", id, err)
	}
	for _, l := range lines {
		if !l.inTime || l.aside || l.holding && len(l.changes) == 0 {
			continue
		}
		x.History = append(x.History, Step{Event: l.cited, Changes: l.changes})
	}
	x.Why = reasons(x.History, v)
	return x, nil
}

// meetingLines returns the story of meeting id on branch as read, up to
// stream sequence upTo, with the holdings of the meetings its
// preconditions require; with deadline lines up to end, unless end is
// zero.
func meetingLines(ctx context.Context, log *eventlog.Log, branch eventlog.Branch, read Read, upTo uint64, id string, end time.Time) ([]line, error) {
	own, err := log.LoadUpTo(ctx, branch, events.Meeting(id), upTo)
	if err != nil {
		return nil, err
	}
	late := lateReports(own.Records, read.Known)
	var holdings []eventlog.Record
	for _, req := range requirements(own.Records, read) {
		h, err := log.LoadUpTo(ctx, branch, events.Meeting(req), upTo)
		if err != nil {
			return nil, fmt.Errorf("meeting %s, which %s requires: %w", req, id, err)
		}
		if r, ok := holdingOf(h.Records, read); ok {
			holdings = append(holdings, r)
			if lateReports(h.Records, read.Known)[r.Seq] {
				if late == nil {
					late = map[uint64]bool{}
				}
				late[r.Seq] = true
			}
		}
	}
	t := telling{branch: branch.Name, read: read, fold: true, deadlines: !end.IsZero(), end: end, late: late}
	return t.tell(own.Records, holdings), nil
}

// reasons finds, for the status, overdue flag, deadline, each
// precondition and each claim of v, the last step of history that changed
// it.
func reasons(history []Step, v View) []Reason {
	out := []Reason{}
	find := func(what, value string) {
		for i := len(history) - 1; i >= 0; i-- {
			for _, c := range history[i].Changes {
				if c.What == what {
					out = append(out, Reason{What: what, Value: value, Event: history[i].Event})
					return
				}
			}
		}
	}
	find("status", string(v.Status))
	if v.Overdue {
		find("overdue", "true")
	}
	if v.Deadline != nil {
		find("deadline", v.Deadline.String())
	}
	for _, p := range v.Preconditions {
		find("precondition "+p.ID, string(p.State))
	}
	for _, c := range v.ClaimDetails {
		find("claim of "+c.Speaker, c.Status)
	}
	return out
}

// WriteText writes x as the CLI prints it: the meeting now, why, and its
// history, one event a line (struck events marked "x", with when they were
// corrected or withdrawn), each followed by its quote and what it changed.
func (x Explanation) WriteText(w io.Writer) error {
	p := &printer{w: w}
	v := x.View
	p.printf("%s · %s · %s · as of %s%s\n", v.ID, v.Title, x.Branch, x.AsOf, prefixed(" · as known on ", x.KnownAt))
	overdue := "not overdue"
	if v.Overdue {
		overdue = "OVERDUE"
	}
	// A plain read is the meeting now; a read of a date says which.
	label := "now"
	if x.dated {
		label = "as of " + x.AsOf + prefixed(", as known on ", x.KnownAt)
	}
	p.printf("%s: %s, %s, readiness %s\n", label, v.Status, overdue, v.Readiness)
	if len(x.Why) > 0 {
		p.printf("\nwhy\n")
		width := 0
		for _, r := range x.Why {
			width = max(width, len(r.What)+1+len(r.Value))
		}
		for _, r := range x.Why {
			p.printf("  %-*s  since %s\n", width, r.What+" "+r.Value, describe(r.Event))
		}
	}
	p.printf("\nhistory\n")
	for _, s := range x.History {
		p.printf("%s%s\n", gutter(s.Event), describe(s.Event))
		if s.Event.Quote != "" {
			p.printf("      \"%s\"\n", oneLine(s.Event.Quote))
		}
		if note := struck(s.Event); note != "" {
			p.printf("      %s\n", note)
			continue
		}
		var parts []string
		for _, c := range s.Changes {
			parts = append(parts, c.String())
		}
		if len(parts) == 0 {
			parts = []string{"(no change on the board)"}
		}
		p.printf("      => %s\n", strings.Join(parts, "; "))
	}
	return p.err
}

// oneLine returns a quote as it prints on one line: as said, its quotation
// marks unescaped, with line breaks and other control characters as spaces.
func oneLine(quote string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, quote)
}

// describe reads as "2025-10-21 statement.made by peskov (ref pk),
// reported 2025-10-24 [late] · ntv.de", with "(prep)" after the kind for
// the holding of a required meeting, and "[hypothetical, BRANCH]" for an
// event of a branch.
func describe(c Cited) string {
	s := c.At.String() + " " + string(c.Kind)
	if c.Meeting != "" {
		s += " (" + c.Meeting + ")"
	}
	s += prefixed(" by ", c.By)
	if c.Ref != "" {
		s += " (ref " + c.Ref + ")"
	}
	if c.Corrects != "" {
		s += " (corrects " + c.Corrects + ")"
	}
	if c.Retracts != "" {
		s += " (retracts " + c.Retracts + ")"
	}
	if !c.Reported.IsZero() {
		s += ", reported " + c.Reported.String()
	}
	if c.Late {
		s += " [late]"
	}
	if c.Hypothetical {
		s += " [hypothetical, " + c.Branch + "]"
	}
	return s + prefixed(" · ", c.Source)
}

// gutter marks a struck event.
func gutter(c Cited) string {
	if c.CorrectedBy != nil || c.Retracted != nil {
		return "  x "
	}
	return "    "
}

// struck says when and why an event was corrected or withdrawn, or "".
func struck(c Cited) string {
	switch {
	case c.CorrectedBy != nil:
		k := c.CorrectedBy
		return "corrected on " + k.Reported.String() + " by " + string(k.Kind) + prefixed(" (", k.Summary) + closing(k.Summary)
	case c.Retracted != nil:
		r := c.Retracted
		return "withdrawn on " + r.Reported.String() + prefixed(": ", r.Reason) + prefixed(" (by ", r.By) + closing(r.By)
	}
	return ""
}

func closing(s string) string {
	if s == "" {
		return ""
	}
	return ")"
}

// prefixed returns prefix+s, or "" if s is empty.
func prefixed(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}

// printer writes formatted text, keeping the first error.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}
