package main

import (
	"context"
	"errors"

	"github.com/summit-model/summit/projections"
)

const explainHelp = `
Usage: summit explain MEETING [--branch NAME] [--as-of DATE] [--known-at DATE] [--json]

Show why the board says what it says of a meeting: first, for its status, its
overdue flag, its deadline, each precondition and each claim, the event that
made it what it is; then every event that changed the meeting, in world
order, each with its world time, actor, source and quote, and what it
changed, judged as of that event's own date (a proposal is never overdue
the moment it is made; a deadline passing is a step of its own). The holding
of a meeting that a precondition requires is among them. A corrected event
is shown struck, with when and by what it was corrected; a withdrawn one with
when and why.

Output: text; with --json, {"meeting", "branch", "as_of", "known_at",
"view": {the meeting's board entry}, "why": [{"what", "value", "event"}],
"history": [{"event", "changes"}]}.

Exit status: 0 ok; 2 a bad flag, date, meeting or branch; 3 the store failed.

Examples:
  summit explain budapest-summit --data ./summit-data
  summit explain budapest-summit --branch prep-held --as-of 2025-10-25 --server nats://127.0.0.1:4222
`

// runExplain explains a meeting.
func runExplain(ctx context.Context, e env, args []string) error {
	fl := newFlags("explain", explainHelp, e)
	var f readFlags
	f.register(fl, e, readBranch|readAsOf|readKnownAt|readJSON)
	args, err := fl.parse(args)
	if err != nil {
		return err
	}
	if len(args) != 1 {
		return badInputf("want one MEETING, got %d arguments (summit explain -h for help)", len(args))
	}
	if err := checkNames("MEETING", args[0]); err != nil {
		return err
	}
	s, q, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	x, err := projections.Explain(ctx, s.log, q, args[0])
	if errors.Is(err, projections.ErrUnknownMeeting) {
		return badInput(err)
	}
	if err != nil {
		return err
	}
	if f.json {
		return printJSON(e.stdout, x)
	}
	return x.WriteText(e.stdout)
}
