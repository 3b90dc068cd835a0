package main

import (
	"context"
	"strings"

	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
)

const statusHelp = `
Usage: summit status [MEETING] [flags]

Print the meeting board of a store that already holds events: every meeting,
or the one named, with its status, overdue flag, readiness, each
precondition and each claim. Without --as-of it reads the meeting-status
projection, brought up to date first; with --as-of DATE it reads the record
as it stood at the end of that date.

It needs a store: --data DIR (the embedded store of "summit replay --data")
or --server URL (a running "summit serve", or any NATS deployment).

Output: the board on standard output, one block per meeting, or with --json
an object with "meetings" (see summit replay -h).

Exit status: 0 ok; 2 a bad flag, meeting or branch; 3 the store failed.

Examples:
  summit status --data ./summit-data
  summit status budapest-summit --server nats://127.0.0.1:4222 --as-of 2025-10-21 --json
`

// statusCmd is "summit status".
type statusCmd struct{ env }

// Run prints the board.
func (c *statusCmd) Run(ctx context.Context, args []string) error {
	fl := newFlags("status", statusHelp, c.stderr)
	var f verbFlags
	f.register(fl, false, true)
	args, err := parse(fl, args)
	if err != nil {
		return err
	}
	if len(args) > 1 {
		return badInputf("want at most one MEETING, got %d arguments", len(args))
	}
	if len(args) == 1 {
		if err := events.CheckName(args[0]); err != nil {
			return badInputf("MEETING: %w", err)
		}
	}
	if err := events.CheckName(f.branch); err != nil {
		return badInputf("--branch: %w", err)
	}
	asOf, err := f.asOfTime()
	if err != nil {
		return err
	}
	logger := f.logger(c.stderr)
	s, branch, err := f.openBranch(ctx, logger)
	if err != nil {
		return err
	}
	defer s.Close()
	b, err := readBoard(ctx, s, branch, asOf, logger)
	if err != nil {
		return err
	}
	if len(args) == 1 {
		b.Meetings, err = only(b.Meetings, args[0], b.Branch)
		if err != nil {
			return err
		}
	}
	return printBoard(c.stdout, b, f.json)
}

// only returns the view of meeting id, or a bad-input error naming the
// meetings there are.
func only(views []projections.View, id, branch string) ([]projections.View, error) {
	var ids []string
	for _, v := range views {
		if v.ID == id {
			return []projections.View{v}, nil
		}
		ids = append(ids, v.ID)
	}
	if len(ids) == 0 {
		return nil, badInputf("no meeting %q: the board of %s is empty", id, branch)
	}
	return nil, badInputf("no meeting %q on the board of %s (meetings: %s)", id, branch, strings.Join(ids, ", "))
}
