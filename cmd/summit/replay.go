package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/scenarios"
)

const replayHelp = `
Usage: summit replay SCENARIO [flags]

Replay a scenario: append its timeline to the record, bring the meeting-status
projection up to date, check everything the scenario expects, and print the
meeting board.

SCENARIO is the name of a built-in scenario (budapest-2025) or the path of a
scenario file; the README describes the format. A file with any error is
refused whole, each error printed as file:line: reason, and nothing is
appended from it.

Where the events go: with neither --server nor --data, into a fresh temporary
store that is removed at the end, so that replays never mix and can be run
again and again. With --data DIR (an embedded store) or --server URL (summit
serve, or any NATS deployment with JetStream) the events persist; a scenario
the store already holds is recognised by its name and content and skipped,
and another version of it is refused.

With --pace WORLD=WALL (1d=1s: a day of the story a second), the timeline is
appended an event at a time, spaced out in world time, so that a "summit
watch" in another terminal sees the story unfold; each event is printed on
standard error as it lands. Interrupted (Ctrl-C), a paced replay into a
persistent store takes up where it stopped when run again.

Output: the board on standard output, one block per meeting (or, with --json,
an object with "meetings", each with id, title, status, overdue, readiness,
preconditions and claims); on standard error, what was appended and every
expectation that failed.

Exit status: 0 every expectation met; 1 an expectation failed; 2 a bad file,
flag or name (nothing appended); 3 the store failed.

Examples:
  summit replay budapest-2025
  summit replay ./crisis.yaml --as-of 2025-10-21 --json
  summit replay budapest-2025 --data ./summit-data
  summit replay budapest-2025 --pace 1d=1s --server nats://127.0.0.1:4222
`

// replayCmd is "summit replay".
type replayCmd struct{ env }

// Run replays the scenario args name.
func (c *replayCmd) Run(ctx context.Context, args []string) error {
	fl := newFlags("replay", replayHelp, c.stderr)
	var f verbFlags
	f.register(fl, true, false)
	paceFlag := fl.String("pace", "", "append one event at a time, `WORLD=WALL` apart (1d=1s: a day a second)")
	args, err := parse(fl, args)
	if err != nil {
		return err
	}
	if len(args) != 1 {
		return badInputf("want one SCENARIO, got %d arguments (summit replay -h for help)", len(args))
	}
	asOf, err := f.asOfTime()
	if err != nil {
		return err
	}
	var opts scenarios.AppendOptions
	if *paceFlag != "" {
		if opts.Pace, err = scenarios.ParsePace(*paceFlag); err != nil {
			return badInputf("--pace: %w", err)
		}
		opts.Landed = func(st scenarios.Step, evs []events.Event) {
			for _, e := range evs {
				fmt.Fprintf(c.stderr, "%s %s %s\n", e.At, e.Kind(), e.Aggregate.ID)
			}
		}
	}
	sc, err := scenarios.Open(args[0])
	if err != nil {
		var list scenarios.ErrorList
		if errors.As(err, &list) || errors.Is(err, scenarios.ErrNotFound) || errors.Is(err, fs.ErrPermission) {
			return badInput(err)
		}
		return badInput(fmt.Errorf("read %s: %w", args[0], err))
	}
	logger := f.logger(c.stderr)
	s, err := f.open(ctx, logger)
	if err != nil {
		return err
	}
	defer s.Close()

	res, err := scenarios.Append(ctx, s.log, s.records, sc, opts)
	if err != nil {
		var list scenarios.ErrorList
		if errors.As(err, &list) || errors.Is(err, scenarios.ErrHeldDifferently) || errors.Is(err, scenarios.ErrInProgress) {
			return badInput(err)
		}
		return err
	}
	if res.Skipped {
		fmt.Fprintf(c.stderr, "%s: %s already holds this scenario (%d events, replayed %s): nothing appended\n",
			sc.Name, s.where, res.Record.Events, res.Record.Started.Format("2006-01-02 15:04"))
	} else {
		fmt.Fprintf(c.stderr, "%s: %d events appended to %s\n", sc.Name, res.Record.Events, s.where)
	}
	b, err := readBoard(ctx, s, eventlog.Main(), asOf, logger)
	if err != nil {
		return err
	}
	failures, err := scenarios.Check(ctx, s.log, sc)
	if err != nil {
		return err
	}
	if err := printBoard(c.stdout, b, f.json); err != nil {
		return err
	}
	for _, f := range failures {
		fmt.Fprintln(c.stderr, f.Error())
	}
	met := len(sc.Expect) - countLines(failures)
	if len(failures) > 0 {
		return &exitError{code: exitExpect, err: fmt.Errorf("%s: %d of %d expectations not met", sc.Name, len(sc.Expect)-met, len(sc.Expect))}
	}
	fmt.Fprintf(c.stderr, "%s: all %d expectations met\n", sc.Name, len(sc.Expect))
	return nil
}

// countLines counts the expectations (lines) among failures: one
// expectation can fail in several ways.
func countLines(failures []scenarios.Failure) int {
	lines := map[int]bool{}
	for _, f := range failures {
		lines[f.Line] = true
	}
	return len(lines)
}

// asOfTime returns the date --as-of names, or the zero Time for now.
func (f *readFlags) asOfTime() (events.Time, error) {
	if f.asOf == "" {
		return events.Time{}, nil
	}
	t, err := events.ParseTime(f.asOf)
	if err != nil {
		return events.Time{}, badInputf("--as-of: %w", err)
	}
	return t, nil
}
