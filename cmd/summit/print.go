package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/summit-model/summit/projections"
)

// printBoard prints b as JSON, or as one block per meeting.
func printBoard(w io.Writer, b projections.BoardView, asJSON bool) error {
	if asJSON {
		return printJSON(w, b)
	}
	known := ""
	if b.KnownAt != "" {
		known = " · as known on " + b.KnownAt
	}
	fmt.Fprintf(w, "Meeting board · %s · as of %s%s\n", b.Branch, b.AsOf, known)
	if len(b.Meetings) == 0 {
		fmt.Fprintln(w, "\n(no meetings)")
	}
	for _, v := range b.Meetings {
		fmt.Fprintln(w)
		printView(w, v)
	}
	return nil
}

// statusWords says what each status means, in one line each, for the
// board and the README.
var statusWords = map[string]string{
	"named":     "named, nothing has happened yet",
	"floated":   "the idea is voiced",
	"proposed":  "a concrete proposal",
	"agreed":    "every party accepted",
	"scheduled": "a date is set",
	"postponed": "pushed back",
	"declined":  "a party declined",
	"cancelled": "called off",
	"held":      "it took place",
}

// printView prints one meeting's block: status, overdue, readiness,
// participants, what holds of its dates, each precondition, each claim,
// and what happened last.
func printView(w io.Writer, v projections.View) {
	line := func(label, format string, args ...any) {
		fmt.Fprintf(w, "  %-13s %s\n", label, fmt.Sprintf(format, args...))
	}
	fmt.Fprintf(w, "%s · %s\n", v.ID, v.Title)
	status := string(v.Status)
	if s := v.StatusSince; s != nil {
		status += " (" + statusWords[status] + "; since " + s.At.String() + " " + string(s.Kind) + prefixed(" by ", s.By) + ")"
	}
	line("status", "%s", status)
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
		who = append(who, p.String())
	}
	line("participants", "%s", strings.Join(who, ", "))
	if v.Venue != "" {
		line("venue", "%s", v.Venue)
	}
	switch {
	case v.HeldAt != nil:
		held := v.HeldAt.String()
		if v.EndedAt != nil && !v.EndedAt.Equal(v.HeldAt.Time) {
			held += " to " + v.EndedAt.String()
		}
		if v.Early {
			held += ", ended early"
		}
		line("held", "%s%s", held, prefixed(": ", v.Outcome))
	case v.Date != nil:
		line("date", "%s", v.Date)
	case v.Until != nil:
		line("postponed to", "%s", v.Until)
	case v.Window != nil:
		line("window", "%s to %s", v.Window.From, v.Window.To)
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
	if len(v.ClaimDetails) > 0 {
		fmt.Fprintf(w, "  claims\n")
		width := 0
		for _, c := range v.ClaimDetails {
			width = max(width, len(c.Speaker))
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

func orNone(ss []string) string {
	if len(ss) == 0 {
		return "none"
	}
	return strings.Join(ss, ", ")
}
