package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/scenarios"
)

const appendHelp = `
Usage: summit append EVENT-FILE [flags]

Append the events of a file to the record of a store that already holds
events (a running "summit serve", or an embedded store). The file has the
scenario format: a timeline, and parties, people and meetings if it
introduces new ones; it may name whatever the store holds without declaring
it again, and needs no name or expectations.

As with a scenario, a file with any error (unknown names, dates out of order,
an event the model refuses) is refused whole, each error printed as
file:line: reason, and nothing is appended. A file appended before is
recognised (by its name, or its content if it has none) and not appended
twice.

Output: what was appended, on standard error; with --json, {"events": N,
"skipped": bool} on standard output.

Exit status: 0 ok; 2 a bad file or flag (nothing appended); 3 the store
failed.

Examples:
  summit append ./oct-22.yaml --server nats://127.0.0.1:4222
  summit append ./oct-22.yaml --data ./summit-data
`

// appendCmd is "summit append".
type appendCmd struct{ env }

// Run appends the file args name.
func (c *appendCmd) Run(ctx context.Context, args []string) error {
	fl := newFlags("append", appendHelp, c.stderr)
	var f verbFlags
	f.register(fl, false, false)
	args, err := parse(fl, args)
	if err != nil {
		return err
	}
	if len(args) != 1 {
		return badInputf("want one EVENT-FILE, got %d arguments (summit append -h for help)", len(args))
	}
	logger := f.logger(c.stderr)
	s, err := f.open(ctx, logger)
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := appendFile(ctx, s, args[0], eventlog.Main(), nil)
	if err != nil {
		return err
	}
	c.report(res, args[0], s.where, "")
	if err := catchUp(ctx, s, eventlog.Main(), logger); err != nil {
		return err
	}
	if f.json {
		return printJSON(c.stdout, map[string]any{"events": res.Record.Events, "skipped": res.Skipped})
	}
	return nil
}

// appendFile loads the event file at path against the cast the store holds
// on branch, and appends it there, once. prepare, if not nil, runs once the
// file is decided and before anything is written.
func appendFile(ctx context.Context, s *store, path string, branch eventlog.Branch, prepare func(context.Context) error) (scenarios.Replayed, error) {
	known, err := scenarios.CastOf(ctx, s.log, branch)
	if err != nil {
		return scenarios.Replayed{}, err
	}
	f, err := scenarios.LoadFile(path, known)
	if err != nil {
		var list scenarios.ErrorList
		if errors.As(err, &list) || errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
			return scenarios.Replayed{}, badInput(err)
		}
		return scenarios.Replayed{}, err
	}
	if len(f.Expect) > 0 {
		return scenarios.Replayed{}, badInputf("%s: an event file has no expectations (replay a scenario to check them)", path)
	}
	res, err := scenarios.Append(ctx, s.log, s.records, f, scenarios.AppendOptions{Branch: branch, Known: known, Prepare: prepare})
	if err != nil {
		var list scenarios.ErrorList
		if errors.As(err, &list) || errors.Is(err, scenarios.ErrHeldDifferently) || errors.Is(err, scenarios.ErrInProgress) {
			return res, badInput(err)
		}
		return res, err
	}
	return res, nil
}

// report says on standard error what an append did.
func (c *appendCmd) report(res scenarios.Replayed, path, where, branch string) {
	reportAppend(c.stderr, res, path, where, branch)
}

func reportAppend(w interface{ Write([]byte) (int, error) }, res scenarios.Replayed, path, where, branch string) {
	on := ""
	if branch != "" {
		on = " on branch " + branch
	}
	if res.Skipped {
		fmt.Fprintf(w, "%s: %s already holds this file%s (%d events, appended %s): nothing appended\n",
			path, where, on, res.Record.Events, res.Record.Started.Format("2006-01-02 15:04"))
		return
	}
	fmt.Fprintf(w, "%s: %d events appended to %s%s\n", path, res.Record.Events, where, on)
}
