package main

import (
	"context"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/projections"
	"github.com/summit-model/summit/scenarios"
)

const appendHelp = `
Usage: summit append EVENT-FILE [flags]

Append the events of a file to the record of a store that already holds
events (a running "summit serve", or an embedded store). The file has the
scenario format: a timeline, and parties, people and meetings if it
introduces new ones; it may name whatever the store holds without declaring
it again, and needs no name or expectations. Its entries are listed in the
order they were recorded: their dates may go back (a late report).

As with a scenario, a file with any error (unknown names, an event the model
refuses) is refused whole, each error printed as file:line: reason, and
nothing is appended. A file appended again appends nothing twice, even
re-saved with comments, whitespace or key order changed; with entries added,
only those are appended.

Output: what was appended, on standard error; with --json, {"file",
"events" (appended), "known" (already on record), "steps"} on standard
output.

Exit status: 0 ok; 2 a bad file or flag (nothing appended); 3 the store
failed; 130 or 143 interrupted (what landed is said; run it again).

Examples:
  summit append ./oct-22.yaml --server nats://127.0.0.1:4222
  NATS_URL=nats://127.0.0.1:4222 summit append ./oct-22.yaml
  summit append ./oct-22.yaml --data ./summit-data
`

// runAppend appends the file args name.
func runAppend(ctx context.Context, e env, args []string) error {
	fl := newFlags("append", appendHelp, e)
	var f readFlags
	f.register(fl, e, readJSON)
	args, err := fl.parse(args)
	if err != nil {
		return err
	}
	if len(args) != 1 {
		return badInputf("want one EVENT-FILE, got %d arguments (summit append -h for help)", len(args))
	}
	sc, err := scenarios.LoadFile(args[0], scenarios.EventFile)
	if err != nil {
		return fileError(err)
	}
	s, err := f.storeFlags.openToWrite(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	out, err := record(ctx, s, eventlog.Main(), sc, writeOptions{})
	if err != nil {
		return err
	}
	reportWrite(e.stderr, args[0], out, s.where, "")
	if err := projections.CatchUp(ctx, s.log, s.views, eventlog.Main(), f.runner()); err != nil {
		return err
	}
	if f.json {
		return printJSON(e.stdout, map[string]any{"file": args[0], "events": out.Appended, "known": out.Known, "steps": out.Steps})
	}
	return nil
}
