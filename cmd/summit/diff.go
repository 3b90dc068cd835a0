package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
)

const diffHelp = `
Usage: summit diff BRANCH [--against main] [--as-of DATE] [--json]

Compare a what-if branch with the record (or with another branch), meeting by
meeting: status, overdue, readiness, each precondition, each claim. Values
read "against -> branch". Without --as-of both are read as they stand now;
with it, as they stood at the end of that date.

Output: one block per meeting that differs, then the meetings that are the
same on both; with --json, {"branch", "against", "as_of", "meetings":
[{"id", "changes": [{"what", "from", "to"}]}], "same": [...]}.

Exit status: 0 ok (whether or not they differ); 2 a bad flag or branch; 3 the
store failed.

Examples:
  summit diff prep-held --server nats://127.0.0.1:4222
  summit diff prep-held --against cancelled --as-of 2025-10-31 --json --server nats://127.0.0.1:4222
`

// diffCmd is "summit diff".
type diffCmd struct{ env }

// meetingDiff is what differs of one meeting between two boards.
type meetingDiff struct {
	ID      string               `json:"id"`
	Changes []projections.Change `json:"changes"`
}

// Run compares two boards.
func (c *diffCmd) Run(ctx context.Context, args []string) error {
	fl := newFlags("diff", diffHelp, c.stderr)
	var f verbFlags
	f.register(fl, false, false)
	against := fl.String("against", events.Main, "compare with branch `NAME`")
	args, err := parse(fl, args)
	if err != nil {
		return err
	}
	if len(args) != 1 {
		return badInputf("want one BRANCH, got %d arguments (summit diff -h for help)", len(args))
	}
	asOf, err := f.asOfTime()
	if err != nil {
		return err
	}
	logger := f.logger(c.stderr)
	s, err := f.open(ctx, logger)
	if err != nil {
		return err
	}
	defer s.Close()
	var boards [2]board
	for i, name := range []string{args[0], *against} {
		b, err := s.branch(ctx, name)
		if err != nil {
			return err
		}
		if boards[i], err = readBoard(ctx, s, b, asOf, logger); err != nil {
			return err
		}
	}
	diffs, same := compareBoards(boards[1], boards[0])
	if f.json {
		return printJSON(c.stdout, map[string]any{
			"branch": boards[0].Branch, "against": boards[1].Branch, "as_of": boards[0].AsOf,
			"meetings": diffs, "same": same,
		})
	}
	printDiff(c.stdout, boards[0], boards[1], diffs, same)
	return nil
}

// compareBoards returns, meeting by meeting, what differs from board a to
// board b, and the meetings the same on both.
func compareBoards(a, b board) (diffs []meetingDiff, same []string) {
	index := func(bd board) map[string]*projections.View {
		m := map[string]*projections.View{}
		for i := range bd.Meetings {
			m[bd.Meetings[i].ID] = &bd.Meetings[i]
		}
		return m
	}
	av, bv := index(a), index(b)
	var ids []string
	for id := range av {
		ids = append(ids, id)
	}
	for id := range bv {
		if av[id] == nil {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	diffs, same = []meetingDiff{}, []string{}
	for _, id := range ids {
		var changes []projections.Change
		switch {
		case bv[id] == nil:
			changes = []projections.Change{{What: "meeting", From: av[id].Title + " (" + string(av[id].Status) + ")", To: "not on " + b.Branch}}
		default:
			changes = projections.Changes(av[id], bv[id])
			if av[id] == nil {
				changes[0].From = "not on " + a.Branch
			}
		}
		if len(changes) == 0 {
			same = append(same, id)
			continue
		}
		diffs = append(diffs, meetingDiff{ID: id, Changes: changes})
	}
	return diffs, same
}

func printDiff(w io.Writer, branch, against board, diffs []meetingDiff, same []string) {
	fmt.Fprintf(w, "diff %s against %s · as of %s · values read %s -> %s\n", branch.Branch, against.Branch, branch.AsOf, against.Branch, branch.Branch)
	if len(diffs) == 0 {
		fmt.Fprintln(w, "\nno difference")
	}
	for _, d := range diffs {
		fmt.Fprintf(w, "\n%s\n", d.ID)
		width := 0
		for _, c := range d.Changes {
			width = max(width, len(c.What))
		}
		for _, c := range d.Changes {
			from, to := c.From, c.To
			if from == "" {
				from = "(none)"
			}
			if to == "" {
				to = "(none)"
			}
			fmt.Fprintf(w, "  %-*s  %s -> %s\n", width, c.What, from, to)
		}
	}
	if len(same) > 0 {
		fmt.Fprintf(w, "\nthe same on both: %s\n", strings.Join(same, ", "))
	}
}
