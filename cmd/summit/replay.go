package main

import (
	"context"
	"fmt"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
	"github.com/summit-model/summit/scenarios"
)

const replayHelp = `
Usage: summit replay SCENARIO [flags]

Replay a scenario: append its timeline to the record, bring the meeting-status
projection up to date, check everything the scenario expects, and print the
meeting board.

SCENARIO is the name of a built-in scenario (budapest-2025, and the others
"summit replay -h" lists below) or the path of a scenario file; the README
describes the format. A file with any error is refused whole, each error
printed as file:line: reason, and nothing is appended from it.

Where the events go: with no store named (--server, $NATS_URL, --context or
--data), into a fresh temporary store that is removed at the end, so that
replays never mix and can be run again and again: nothing is left for a
later "summit status". With --data DIR (an embedded store) or a NATS
deployment the events persist; appending a scenario the store already holds
appends nothing twice: each event is recognised, and a version with entries
added appends only those.

With --pace WORLD=WALL (1d=1s: a day of the story a second), the timeline is
appended an event at a time, spaced out in world time, so that a "summit
watch" in another terminal sees the story unfold; each event is printed on
standard error as it lands. Interrupted (Ctrl-C), it says how much landed;
run it again to append the rest.

The board is read as it stands now (today's date), or --as-of a date, or as
it could be known --known-at a date; the dates are days of the scenario's
timezone unless --timezone says otherwise.

Output: the board on standard output, one block per meeting (or, with
--json, an object with "branch", "as_of" and "meetings", each with id,
title, status, overdue, readiness, preconditions, claims, participants and
more: see the README); on standard error, what was appended and every
expectation that failed.

Exit status: 0 every expectation met; 1 an expectation failed; 2 a bad file,
flag or name (nothing appended); 3 the store failed; 130 or 143 interrupted.

Examples:
  summit replay budapest-2025
  summit replay ./crisis.yaml --as-of 2025-10-21 --json
  summit replay budapest-2025 --data ./summit-data
  summit replay budapest-2025 --pace 1d=1s --server nats://127.0.0.1:4222
`

// runReplay replays the scenario args name.
func runReplay(ctx context.Context, e env, args []string) error {
	fl := newFlags("replay", replayHelp+builtinsLine(), e)
	var f readFlags
	f.register(fl, e, readAsOf|readKnownAt|readJSON|readTemporary|readCreate)
	paceFlag := fl.String("pace", "", "append one event at a time, `WORLD=WALL` apart (1d=1s: a day a second)")
	args, err := fl.parse(args)
	if err != nil {
		return err
	}
	if len(args) != 1 {
		return badInputf("want one SCENARIO, got %d arguments (summit replay -h for help)", len(args))
	}
	o, err := paced(e, *paceFlag)
	if err != nil {
		return err
	}
	sc, err := scenarios.Open(args[0])
	if err != nil {
		return fileError(err)
	}
	if !fl.set("timezone") && sc.Zone != "" {
		f.timezone = sc.Zone
	}
	q, err := f.query()
	if err != nil {
		return err
	}
	s, err := f.storeFlags.openToWrite(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	q.Branch = eventlog.Main()
	out, err := record(ctx, s, q.Branch, sc, o)
	if err != nil {
		return err
	}
	reportWrite(e.stderr, sc.Name, out, s.where, "")
	board, err := boardView(ctx, s, q, f.runner())
	if err != nil {
		return err
	}
	failures, err := projections.Check(ctx, s.log, q.Branch, sc.File, sc.Expect)
	if err != nil {
		return err
	}
	if err := printBoard(e.stdout, board, f.json); err != nil {
		return err
	}
	for _, x := range failures {
		fmt.Fprintln(e.stderr, x.Error())
	}
	if n := countLines(failures); n > 0 {
		return &exitError{code: exitExpect, err: fmt.Errorf("%s: %d of %d expectations not met", sc.Name, n, len(sc.Expect))}
	}
	fmt.Fprintf(e.stderr, "%s: all %d expectations met\n", sc.Name, len(sc.Expect))
	return nil
}

// paced returns the write options of --pace: none, or the pace and a line
// on standard error for each event as it lands.
func paced(e env, pace string) (writeOptions, error) {
	var o writeOptions
	if pace == "" {
		return o, nil
	}
	var err error
	if o.pace, err = scenarios.ParsePace(pace); err != nil {
		return o, badInputf("--pace: %w", err)
	}
	o.landed = func(_ scenarios.Step, evs []events.Event) {
		for _, ev := range evs {
			fmt.Fprintf(e.stderr, "%s %s %s\n", ev.At, ev.Kind(), ev.Aggregate.ID)
		}
	}
	return o, nil
}

// countLines counts the expectations (lines) among failures: one
// expectation can fail in several ways.
func countLines(failures []projections.Failure) int {
	lines := map[int]bool{}
	for _, x := range failures {
		lines[x.Line] = true
	}
	return len(lines)
}

// builtinsLine lists the built-in scenarios, for the help page.
func builtinsLine() string {
	s := "\nBuilt-in scenarios:"
	for _, name := range scenarios.Builtins() {
		s += " " + name
	}
	return s + "\n"
}
