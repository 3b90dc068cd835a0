package main

import (
	"context"

	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
)

const diffHelp = `
Usage: summit diff BRANCH [--against main] [--as-of DATE] [--known-at DATE] [--json]

Compare a what-if branch with the record (or with another branch), meeting by
meeting: status, overdue, readiness, participants, dates, each precondition,
each claim. Values read "against -> branch". Without a date both are read as
they stand now; with --as-of and --known-at, as they stood (or could be
known) then.

Output: one block per meeting that differs, then the meetings that are the
same on both; with --json, {"branch", "against", "as_of", "known_at",
"meetings": [{"id", "changes": [{"what", "from", "to"}]}], "same": [...]}.

Exit status: 0 ok (whether or not they differ); 2 a bad flag, date or branch;
3 the store failed.

Examples:
  summit diff prep-held --server nats://127.0.0.1:4222
  summit diff prep-held --against cancelled --as-of 2025-10-31 --json --server nats://127.0.0.1:4222
`

// runDiff compares two boards.
func runDiff(ctx context.Context, e env, args []string) error {
	fl := newFlags("diff", diffHelp, e)
	var f readFlags
	f.register(fl, e, readAsOf|readKnownAt|readJSON)
	against := fl.String("against", events.Main, "compare with branch `NAME`")
	args, err := fl.parse(args)
	if err != nil {
		return err
	}
	if len(args) != 1 {
		return badInputf("want one BRANCH, got %d arguments (summit diff -h for help)", len(args))
	}
	if err := checkNames("BRANCH", args[0]); err != nil {
		return err
	}
	if err := checkNames("--against", *against); err != nil {
		return err
	}
	f.branch = args[0]
	s, q, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	mine, err := boardView(ctx, s, q, f.runner())
	if err != nil {
		return err
	}
	if q.Branch, err = s.branch(ctx, *against); err != nil {
		return err
	}
	theirs, err := boardView(ctx, s, q, f.runner())
	if err != nil {
		return err
	}
	d := projections.Diff(mine, theirs)
	if f.json {
		return printJSON(e.stdout, d)
	}
	return d.WriteText(e.stdout)
}
