package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
)

const timelineHelp = `
Usage: summit timeline [MEETING] [--branch NAME] [--json]

List the events of a store in world-time order (events of the same time in
the order they were recorded), with who acted and the source: every event,
or those of one meeting (its life, its preconditions and the statements
about it). On a branch, the record up to the fork, then the branch's own
events, marked hypothetical.

Output: one line per event; with --json, {"events": [{"seq", "at", "kind",
"aggregate", "by", "summary", "source", "quote", "hypothetical",
"branch"}]}.

Exit status: 0 ok; 2 a bad flag, meeting or branch; 3 the store failed.

Examples:
  summit timeline --data ./summit-data
  summit timeline budapest-summit --branch prep-held --server nats://127.0.0.1:4222
`

// timelineCmd is "summit timeline".
type timelineCmd struct{ env }

// Run lists the events.
func (c *timelineCmd) Run(ctx context.Context, args []string) error {
	fl := newFlags("timeline", timelineHelp, c.stderr)
	var f verbFlags
	f.register(fl, false, true)
	args, err := parse(fl, args)
	if err != nil {
		return err
	}
	if len(args) > 1 {
		return badInputf("want at most one MEETING, got %d arguments", len(args))
	}
	var meeting string
	if len(args) == 1 {
		meeting = args[0]
		if err := events.CheckName(meeting); err != nil {
			return badInputf("meeting: %w", err)
		}
	}
	s, branch, err := f.openBranch(ctx, f.logger(c.stderr))
	if err != nil {
		return err
	}
	defer s.Close()
	var list []cited
	err = s.log.ReadBranch(ctx, branch, func(r eventlog.Record) error {
		if meeting == "" || r.Event.Aggregate == events.Meeting(meeting) {
			list = append(list, cite(r))
		}
		return nil
	})
	if err != nil {
		return err
	}
	if meeting != "" && len(list) == 0 {
		return badInputf("no meeting %q on %s", meeting, branch.Name)
	}
	slices.SortStableFunc(list, func(a, b cited) int { return a.At.Compare(b.At.Time) })
	if f.json {
		if list == nil {
			list = []cited{}
		}
		return printJSON(c.stdout, map[string]any{"events": list})
	}
	for _, e := range list {
		who := e.Aggregate.ID
		if e.By != "" && e.By != who {
			who = e.By + " -> " + who
		}
		line := fmt.Sprintf("%-10s  %-19s %-32s %s", e.At, e.Kind, who, e.Summary)
		if e.Hypothetical {
			line += "  [hypothetical]"
		}
		fmt.Fprintln(c.stdout, strings.TrimRight(line, " ")+prefixed("  · ", e.Source))
	}
	return nil
}

// summarize says in a few words what an event's payload holds.
func summarize(e events.Event) string {
	var parts []string
	add := func(label, value string) {
		if value != "" {
			parts = append(parts, label+value)
		}
	}
	switch p := e.Payload.(type) {
	case *events.PartyDeclared:
		add("party ", p.Name)
	case *events.PersonDeclared:
		add("", p.Name)
		add("of ", p.Party)
		add("", p.Role)
	case *events.MeetingDeclared:
		add("", p.Title)
		var who []string
		for _, pt := range p.Participants {
			who = append(who, pt.Person)
		}
		add("with ", strings.Join(who, ", "))
	case *events.MeetingProposed:
		add("in ", p.Venue)
		if p.Within != nil {
			add("within ", p.Within.String())
		}
		if p.Window != nil {
			add("window ", p.Window.From.String()+" to "+p.Window.To.String())
		}
	case *events.MeetingDeclined:
		add("", p.Reason)
	case *events.MeetingScheduled:
		add("for ", p.Date.String())
		add("in ", p.Venue)
	case *events.MeetingPostponed:
		add("", p.Reason)
		if p.Until != nil {
			add("until ", p.Until.String())
		}
	case *events.MeetingCancelled:
		add("", p.Reason)
	case *events.MeetingHeld:
		add("in ", p.Venue)
		add("", p.Outcome)
	case *events.PreconditionAdded:
		add("", p.Precondition)
		add("", p.Description)
		if p.Requires != nil {
			add("requires ", p.Requires.Held+" held")
		}
	case *events.PreconditionMet:
		add("", p.Precondition)
	case *events.PreconditionFailed:
		add("", p.Precondition)
		add("", p.Reason)
	case *events.PreconditionWaived:
		add("", p.Precondition)
		add("", p.Reason)
	case *events.CallHeld:
		add("", strings.Join(p.Participants, ", "))
		add("tone ", p.Tone)
	case *events.VisitMade:
		add("to ", p.Host)
		add("in ", p.Place)
	case *events.StatementMade:
		add("", string(p.Stance))
		add("about ", p.About)
		add("claims ", p.Claim)
	case *events.PositionStated:
		add("", p.Issue+": "+p.Position)
	case *events.SanctionsImposed:
		add("on ", p.Target)
		add("", p.Description)
	}
	return strings.Join(parts, ", ")
}
