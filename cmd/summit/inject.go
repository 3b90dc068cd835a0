package main

import (
	"context"
	"errors"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/scenarios"
)

const injectHelp = `
Usage: summit inject --branch NAME [--fork-at DATE] EVENT-FILE

Try a what-if: append the events of a file to a branch, marked hypothetical,
never touching the record. A new branch forks from the record (main) at
--fork-at DATE (default: the latest event), and sees the record as it stands
when it is made: later events on main do not reach it. Reading the branch
means the record up to the fork, then the branch's own events; making one
copies no event.

The file has the scenario format, as for "summit append"; its events must not
be dated before the fork, and the model's rules hold on the branch as on the
record. A file with any error is refused whole, and then no branch is made.

Output: the branch's board, as "summit status --branch NAME" prints it.

Exit status: 0 ok; 2 a bad file, flag or date (nothing written); 3 the store
failed.

Examples:
  summit inject --branch prep-held --fork-at 2025-10-21 prep-held.yaml --server nats://127.0.0.1:4222
  summit status --branch prep-held --server nats://127.0.0.1:4222
`

// runInject injects the file args name.
func runInject(ctx context.Context, e env, args []string) error {
	fl := newFlags("inject", injectHelp, e)
	var f readFlags
	f.register(fl, e, readJSON)
	fl.StringVar(&f.branch, "branch", "", "the what-if branch `NAME` to inject into (required; made if new)")
	forkAt := fl.String("fork-at", "", "fork a new branch from the record at `DATE` (default: the latest event)")
	args, err := fl.parse(args)
	if err != nil {
		return err
	}
	if len(args) != 1 {
		return badInputf("want one EVENT-FILE, got %d arguments (summit inject -h for help)", len(args))
	}
	if f.branch == events.Main || f.branch == "" {
		return badInputf("--branch: name the what-if branch to inject into; main is the record (use summit append)")
	}
	if err := checkNames("--branch", f.branch); err != nil {
		return err
	}
	var fork events.Time
	if *forkAt != "" {
		if fork, err = events.ParseTime(*forkAt); err != nil {
			return badInputf("--fork-at: %w", err)
		}
	}
	sc, err := scenarios.LoadFile(args[0], scenarios.EventFile)
	if err != nil {
		return fileError(err)
	}
	q, err := f.query()
	if err != nil {
		return err
	}
	s, err := f.storeFlags.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	branch, o, err := target(ctx, s, f.branch, *forkAt != "", fork)
	if err != nil {
		return err
	}
	if err := forkRule(sc, branch); err != nil {
		return err
	}
	out, err := record(ctx, s, branch, sc, o)
	if err != nil {
		return err
	}
	if q.Branch, err = s.branch(ctx, f.branch); err != nil {
		return err
	}
	reportWrite(e.stderr, args[0], out, s.where, q.Branch.Name)
	board, err := boardView(ctx, s, q, f.runner())
	if err != nil {
		return err
	}
	return printBoard(e.stdout, board, f.json)
}

// target returns the branch an inject appends to: the one on record, or,
// if there is none, the fork point of a new one, which the write options
// make only once the file is known to be good. --fork-at (forked) cannot
// move a branch that exists.
func target(ctx context.Context, s *store, name string, forked bool, fork events.Time) (eventlog.Branch, writeOptions, error) {
	var o writeOptions
	branch, err := s.log.Branch(ctx, name)
	switch {
	case errors.Is(err, eventlog.ErrUnknownBranch):
		if branch, err = s.log.ForkPoint(ctx, name, fork); err != nil {
			return branch, o, err
		}
		o.prepare = func(ctx context.Context) (eventlog.Branch, error) { return s.log.CreateBranch(ctx, branch) }
	case err != nil:
		return branch, o, err
	case forked && (branch.Latest || !branch.ForkAt.Equal(fork.Time)):
		return branch, o, badInputf("branch %s exists, forked at %s: --fork-at %s cannot move it (delete it, or inject without --fork-at)", branch.Name, branch.ForkAt, fork)
	}
	return branch, o, nil
}

// forkRule refuses an entry dated before a branch's fork: a branch adds to
// the record after its fork.
func forkRule(sc *scenarios.Scenario, b eventlog.Branch) error {
	if b.Latest || b.ForkAt.IsZero() {
		return nil
	}
	var errs scenarios.ErrorList
	for _, en := range sc.Timeline {
		if !en.At.IsZero() && en.At.Precedes(b.ForkAt) {
			errs.Add(sc.File, en.Line, "%s: at %s is before the branch's fork (%s): a branch adds to the record after its fork", en.Kind, en.At, b.ForkAt)
		}
	}
	if err := errs.Err(); err != nil {
		return badInput(err)
	}
	return nil
}
