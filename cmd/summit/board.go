package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
)

// board is the meeting board as the read verbs print it.
type board struct {
	Branch string `json:"branch"`
	// AsOf is the date read (or the moment, when no date was asked for).
	AsOf     string             `json:"as_of"`
	Meetings []projections.View `json:"meetings"`
}

// readBoard reads branch's board: as of the date asOf from the log, or, if
// asOf is zero, as it stands now from the projection, brought up to date
// first, with its deadlines read as of today.
func readBoard(ctx context.Context, s *store, branch eventlog.Branch, asOf events.Time, logger *slog.Logger) (board, error) {
	b := board{Branch: branch.Name}
	if !asOf.IsZero() {
		folded, err := projections.Read(ctx, s.log, branch, asOf.End())
		if err != nil {
			return b, err
		}
		b.AsOf, b.Meetings = asOf.String(), folded.Views(asOf.End())
		return b, nil
	}
	if err := catchUp(ctx, s, branch, logger); err != nil {
		return b, err
	}
	views, err := s.board.Views(ctx, branch.Name)
	if err != nil {
		return b, err
	}
	// Now is everything on record, its deadlines read as of today: the same
	// board all day, until something happens.
	cutoff, label := today()
	for i := range views {
		views[i].SetAsOf(cutoff)
	}
	b.AsOf, b.Meetings = label, views
	return b, nil
}

// catchUp brings branch's projection up to the end of the log: it projects
// what is missing itself, or, if another process (summit serve) holds the
// projection's lease, waits for that process to get there.
func catchUp(ctx context.Context, s *store, branch eventlog.Branch, logger *slog.Logger) error {
	r := projections.NewRunner(s.log, s.board, branch, projections.RunnerOptions{Logger: logger})
	err := r.CatchUp(ctx)
	if !errors.Is(err, projections.ErrBusy) {
		return err
	}
	last, err := s.log.LastSeq(ctx)
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, err = s.board.WaitFor(wctx, branch.Name, last)
	return err
}

// printBoard prints b as JSON, or as one block per meeting.
func printBoard(w io.Writer, b board, asJSON bool) error {
	if asJSON {
		if b.Meetings == nil {
			b.Meetings = []projections.View{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(b)
	}
	fmt.Fprintf(w, "Meeting board · %s · as of %s\n", b.Branch, b.AsOf)
	if len(b.Meetings) == 0 {
		fmt.Fprintln(w, "\n(no meetings)")
	}
	for _, v := range b.Meetings {
		fmt.Fprintln(w)
		printView(w, v)
	}
	return nil
}

// printView prints one meeting's block: status, overdue, readiness, each
// precondition, each claim, and what happened last.
func printView(w io.Writer, v projections.View) {
	line := func(label, format string, args ...any) {
		fmt.Fprintf(w, "  %-13s %s\n", label, fmt.Sprintf(format, args...))
	}
	fmt.Fprintf(w, "%s · %s\n", v.ID, v.Title)
	line("status", "%s", v.Status)
	switch {
	case v.Deadline == nil:
		line("overdue", "no (no deadline)")
	case v.Overdue:
		line("overdue", "YES, deadline %s", v.Deadline)
	default:
		line("overdue", "no, deadline %s", v.Deadline)
	}
	if len(v.Preconditions) == 0 {
		line("readiness", "%s (no preconditions)", v.Readiness)
	} else {
		line("readiness", "%s preconditions met", v.Readiness)
	}
	var who []string
	for _, p := range v.Participants {
		who = append(who, p.Person+" ("+p.Party+")")
	}
	line("participants", "%s", strings.Join(who, ", "))
	if v.Venue != "" {
		line("venue", "%s", v.Venue)
	}
	switch {
	case v.HeldAt != nil:
		line("held", "%s%s", v.HeldAt, prefixed(": ", v.Outcome))
	case v.Date != nil:
		line("date", "%s", v.Date)
	case v.Window != nil:
		line("window", "%s to %s", v.Window.From, v.Window.To)
	}
	if v.Until != nil {
		line("postponed to", "%s", v.Until)
	}
	if len(v.Accepted)+len(v.Declined) > 0 {
		line("accepted", "%s%s", orNone(v.Accepted), prefixed("; declined: ", strings.Join(v.Declined, ", ")))
	}
	if len(v.Preconditions) > 0 {
		fmt.Fprintf(w, "  preconditions\n")
		width := 0
		for _, p := range v.Preconditions {
			width = max(width, len(p.ID))
		}
		for _, p := range v.Preconditions {
			req := ""
			if p.Requires != "" {
				req = " (met when " + p.Requires + " is held)"
			}
			fmt.Fprintf(w, "    %-*s  %-7s %s%s\n", width, p.ID, p.State, p.Description, req)
		}
	}
	if len(v.Claims) > 0 {
		fmt.Fprintf(w, "  claims\n")
		speakers := slices.Sorted(maps.Keys(v.Claims))
		width := 0
		for _, s := range speakers {
			width = max(width, len(s))
		}
		for _, c := range v.ClaimDetails {
			fmt.Fprintf(w, "    %-*s  %-11s %s\n", width, c.Speaker, c.Status, c.At)
		}
	}
	if a := v.LastActivity; a != nil {
		src := prefixed(" · ", a.Source)
		if a.Meeting != "" {
			src = " (" + a.Meeting + ")" + src
		}
		line("last", "%s %s%s%s", a.At, a.Kind, prefixed(" by ", a.By), src)
	}
}

func prefixed(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}

func orNone(ss []string) string {
	if len(ss) == 0 {
		return "none"
	}
	return strings.Join(ss, ", ")
}
