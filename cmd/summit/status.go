package main

import (
	"context"
	"fmt"
	"io"

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
object with "branch", "as_of", "known_at", "meetings" and "dead_letters" (how
many messages the projection skipped: summit check lists them); with --csv
one row per meeting.

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
	dead, err := s.views.DeadLetters(ctx, b.Branch)
	if err != nil {
		return err
	}
	switch {
	case f.csv:
		return projections.WriteBoardCSV(e.stdout, b)
	case f.json:
		return printJSON(e.stdout, struct {
			projections.BoardView
			DeadLetters int `json:"dead_letters"`
		}{b, len(dead)})
	}
	if err := printBoard(e.stdout, b, false); err != nil {
		return err
	}
	printDeadLetters(e.stdout, b.Branch, dead)
	return nil
}

// printDeadLetters says, under a board, how many messages its projection
// skipped, names the first few, and points to summit check.
func printDeadLetters(w io.Writer, branch string, dead []projections.DeadLetter) {
	if len(dead) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%d messages on %s skipped (dead letters: no event summit can read, or an event of a meeting never declared); every other meeting is live:\n", len(dead), branch)
	for i, d := range dead {
		if i == 3 {
			fmt.Fprintf(w, "  and %d more\n", len(dead)-i)
			break
		}
		fmt.Fprintf(w, "  seq %d %s: %s\n", d.Seq, d.Subject, d.Error)
	}
	fmt.Fprintln(w, "summit check lists them all.")
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
