package main

import (
	"context"
	"errors"

	"github.com/summit-model/summit/projections"
)

const timelineHelp = `
Usage: summit timeline [MEETING] [--branch NAME] [--as-of DATE] [--known-at DATE] [--all] [--json | --csv]

List the events of a store in world-time order (events of the same time in
the order they became known, then in the order they were recorded), with
who acted and the source: every event, or those of one meeting (its life,
its preconditions, the statements about it, and the holding of the meetings
its preconditions require). Each meeting event shows the meeting's status
after it, judged as of its own date. A late report (known after events dated
later) is marked; a corrected or withdrawn event says when and why. On a
branch, the record up to the fork, then the branch's own events, marked
hypothetical. The declarations summit records when a scenario names a
party, person or meeting are left out unless --all.

Output: one line per event; with --json, {"branch", "as_of", "known_at",
"meeting", "events": [{"seq", "at", "reported", "late", "kind", "cameo",
"aggregate", "by", "party", "summary", "stance", "claim", "source",
"address", "quote", "ref", "corrects", "corrected_by", "retracted",
"hypothetical", "branch", "status", "overdue"}]}; with --csv, one row per
event.

Exit status: 0 ok; 2 a bad flag, date, meeting or branch; 3 the store failed.

Examples:
  summit timeline --data ./summit-data
  summit timeline budapest-summit --branch prep-held --server nats://127.0.0.1:4222
  summit timeline --as-of 2025-10-21 --csv --data ./summit-data > timeline.csv
`

// runTimeline lists the events.
func runTimeline(ctx context.Context, e env, args []string) error {
	fl := newFlags("timeline", timelineHelp, e)
	var f readFlags
	f.register(fl, e, readBranch|readAsOf|readKnownAt|readJSON|readCSV)
	all := fl.Bool("all", false, "also list the declarations of parties, people and meetings")
	args, err := fl.parse(args)
	if err != nil {
		return err
	}
	if len(args) > 1 {
		return badInputf("want at most one MEETING, got %d arguments", len(args))
	}
	if err := checkNames("MEETING", args...); err != nil {
		return err
	}
	meeting := ""
	if len(args) == 1 {
		meeting = args[0]
	}
	s, q, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	t, err := projections.Timeline(ctx, s.log, q, meeting, projections.TimelineOptions{Bookkeeping: *all})
	if errors.Is(err, projections.ErrUnknownMeeting) {
		return badInput(err)
	}
	switch {
	case err != nil:
		return err
	case f.json:
		return printJSON(e.stdout, t)
	case f.csv:
		return projections.WriteTimelineCSV(e.stdout, t)
	}
	return t.WriteText(e.stdout)
}
