package main

import (
	"context"

	"github.com/summit-model/summit/projections"
)

const statusHelp = `
Usage: summit status [MEETING] [flags]

Print the meeting board of a store that already holds events: every meeting,
or the one named, with its status, overdue flag, readiness, participants,
each precondition and each claim with its date. Without a date it reads the
meeting-status projection, brought up to date first, as of today. With
--as-of DATE it reads the world on that date as the record now tells it;
with --known-at DATE, what could be known on that date (events reported, and
corrections made, by then). The two combine: --as-of D --known-at D is the
board a desk saw that evening.

It needs a store: --server URL (a running "summit serve", or any NATS
deployment), $NATS_URL, --context NAME (a NATS CLI context), or --data DIR
(the embedded store of "summit replay --data").

Output: the board on standard output, one block per meeting; with --json an
object with "branch", "as_of", "known_at" and "meetings"; with --csv one row
per meeting.

Exit status: 0 ok; 2 a bad flag, date, meeting or branch; 3 the store failed.

Examples:
  summit status --data ./summit-data
  summit status budapest-summit --server nats://127.0.0.1:4222 --as-of 2025-10-21 --json
  summit status --as-of 2018-05-25 --known-at 2018-05-25 --server nats://127.0.0.1:4222
`

// runStatus prints the board.
func runStatus(ctx context.Context, e env, args []string) error {
	fl := newFlags("status", statusHelp, e)
	var f readFlags
	f.register(fl, e, readBranch|readAsOf|readKnownAt|readJSON|readCSV)
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
	s, q, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	b, err := boardView(ctx, s, q, f.runner())
	if err != nil {
		return err
	}
	if len(args) == 1 {
		if b.Meetings, err = only(b.Meetings, args[0], b.Branch, b.AsOf); err != nil {
			return err
		}
	}
	switch {
	case f.csv:
		return projections.WriteBoardCSV(e.stdout, b)
	default:
		return printBoard(e.stdout, b, f.json)
	}
}

// only returns the view of meeting id, or a bad-input error naming the
// meetings there are.
func only(views []projections.View, id, branch, asOf string) ([]projections.View, error) {
	var ids []string
	for _, v := range views {
		if v.ID == id {
			return []projections.View{v}, nil
		}
		ids = append(ids, v.ID)
	}
	return nil, badInput(projections.UnknownMeeting(id, branch, asOf, ids))
}
