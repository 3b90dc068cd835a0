package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
)

const explainHelp = `
Usage: summit explain MEETING [--branch NAME] [--as-of DATE] [--json]

Show why the board says what it says of a meeting: first, for its status,
each precondition and each claim, the event that made it what it is; then
every event that changed the meeting, in order, each with its world time,
actor, source and quote, and what it changed. The holding of a meeting that
a precondition requires is among them.

Output: text; with --json, {"meeting", "branch", "as_of", "view": {the
meeting's board entry}, "why": [{"what", "value", "event"}], "history":
[{"event", "changes"}]}.

Exit status: 0 ok; 2 a bad flag, meeting or branch; 3 the store failed.

Examples:
  summit explain budapest-summit --data ./summit-data
  summit explain budapest-summit --branch prep-held --as-of 2025-10-25 --server nats://127.0.0.1:4222
`

// explainCmd is "summit explain".
type explainCmd struct{ env }

// cited is an event as explain and timeline show it.
type cited struct {
	Seq          uint64      `json:"seq"`
	At           events.Time `json:"at"`
	Kind         events.Kind `json:"kind"`
	Aggregate    events.Ref  `json:"aggregate"`
	By           string      `json:"by,omitempty"`
	Summary      string      `json:"summary,omitempty"`
	Source       string      `json:"source,omitempty"`
	Quote        string      `json:"quote,omitempty"`
	Hypothetical bool        `json:"hypothetical,omitempty"`
	Branch       string      `json:"branch"`
}

func cite(r eventlog.Record) cited {
	e := r.Event
	c := cited{Seq: r.Seq, At: e.At, Kind: e.Kind(), Aggregate: e.Aggregate, By: e.By, Summary: summarize(e),
		Hypothetical: e.Hypothetical, Branch: e.Branch}
	if s := e.Source; s != nil {
		c.Source = s.Outlet
		if c.Source == "" {
			c.Source = s.ID
		}
		if s.Address != "" {
			c.Source += " " + s.Address
		}
		c.Quote = s.Quote
	}
	return c
}

// step is one event of a meeting's history and what it changed.
type step struct {
	Event   cited                `json:"event"`
	Changes []projections.Change `json:"changes"`
}

// reason is what made one part of the board what it is.
type reason struct {
	What  string `json:"what"`
	Value string `json:"value"`
	Event cited  `json:"event"`
}

// Run explains a meeting.
func (c *explainCmd) Run(ctx context.Context, args []string) error {
	fl := newFlags("explain", explainHelp, c.stderr)
	var f verbFlags
	f.register(fl, false, true)
	args, err := parse(fl, args)
	if err != nil {
		return err
	}
	if len(args) != 1 {
		return badInputf("want one MEETING, got %d arguments (summit explain -h for help)", len(args))
	}
	id := args[0]
	if err := events.CheckName(id); err != nil {
		return badInputf("meeting: %w", err)
	}
	asOf, err := f.asOfTime()
	if err != nil {
		return err
	}
	s, branch, err := f.openBranch(ctx, f.logger(c.stderr))
	if err != nil {
		return err
	}
	defer s.Close()
	// Now is everything on record, read as of today; a date is what had
	// happened by its end.
	cutoff, label := today()
	var until time.Time
	if !asOf.IsZero() {
		cutoff, label, until = asOf.End(), asOf.String(), asOf.End()
	}
	board := projections.NewBoard(branch.Name, until)
	var history []step
	var last *projections.View
	err = s.log.ReadBranch(ctx, branch, func(r eventlog.Record) error {
		changed := board.Apply(r.Seq, r.Event)
		mine := r.Event.Aggregate == events.Meeting(id)
		if !mine && !slices.Contains(changed, id) {
			return nil
		}
		v, ok := board.View(id, cutoff)
		if !ok {
			return nil // past the cutoff
		}
		if mine && v.LastActivity != nil && v.LastActivity.Seq != r.Seq {
			return nil // past the cutoff: the board did not take it
		}
		history = append(history, step{Event: cite(r), Changes: projections.Changes(last, &v)})
		last = &v
		return nil
	})
	if err != nil {
		return err
	}
	if last == nil {
		return badInputf("no meeting %q on the board of %s as of %s", id, branch.Name, label)
	}
	why := reasons(history, last)
	if f.json {
		return printJSON(c.stdout, map[string]any{"meeting": id, "branch": branch.Name, "as_of": label, "view": last, "why": why, "history": history})
	}
	printExplain(c.stdout, last, branch.Name, label, why, history)
	return nil
}

// reasons finds, for the status, each precondition and each claim of v, the
// last event of history that changed it.
func reasons(history []step, v *projections.View) []reason {
	var out []reason
	find := func(what, value string) {
		for i := len(history) - 1; i >= 0; i-- {
			for _, c := range history[i].Changes {
				if c.What == what {
					out = append(out, reason{What: what, Value: value, Event: history[i].Event})
					return
				}
			}
		}
	}
	find("status", string(v.Status))
	if v.Deadline != nil {
		find("deadline", v.Deadline.String())
	}
	for _, p := range v.Preconditions {
		find("precondition "+p.ID, string(p.State))
	}
	for _, cl := range v.ClaimDetails {
		find("claim of "+cl.Speaker, cl.Status)
	}
	return out
}

func printExplain(w io.Writer, v *projections.View, branch, asOf string, why []reason, history []step) {
	fmt.Fprintf(w, "%s · %s · %s · as of %s\n", v.ID, v.Title, branch, asOf)
	overdue := "not overdue"
	if v.Overdue {
		overdue = "OVERDUE"
	}
	fmt.Fprintf(w, "now: %s, %s, readiness %s\n", v.Status, overdue, v.Readiness)
	fmt.Fprintln(w, "\nwhy")
	width := 0
	for _, r := range why {
		width = max(width, len(r.What)+1+len(r.Value))
	}
	for _, r := range why {
		fmt.Fprintf(w, "  %-*s  since %s\n", width, r.What+" "+r.Value, describe(r.Event))
	}
	fmt.Fprintln(w, "\nhistory")
	for _, h := range history {
		fmt.Fprintf(w, "  %s\n", describe(h.Event))
		if h.Event.Quote != "" {
			fmt.Fprintf(w, "      %q\n", h.Event.Quote)
		}
		var parts []string
		for _, c := range h.Changes {
			parts = append(parts, c.String())
		}
		if len(parts) == 0 {
			parts = []string{"(no change on the board)"}
		}
		fmt.Fprintf(w, "      => %s\n", strings.Join(parts, "; "))
	}
}

// describe reads as "2025-10-21 statement.made by peskov (budapest-summit)
// · ntv.de".
func describe(c cited) string {
	s := c.At.String() + " " + string(c.Kind) + prefixed(" by ", c.By)
	if c.Aggregate.Type == events.AggregateMeeting {
		s += " (" + c.Aggregate.ID + ")"
	}
	if c.Hypothetical {
		s += " [hypothetical, " + c.Branch + "]"
	}
	return s + prefixed(" · ", c.Source)
}

// today returns the first instant after today (UTC), for reading "now" as
// of today's date, and today's date.
func today() (time.Time, string) {
	now := time.Now().UTC()
	d := events.Date(now.Year(), now.Month(), now.Day())
	return d.End(), d.String()
}
