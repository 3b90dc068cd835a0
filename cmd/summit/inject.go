package main

import (
	"context"
	"errors"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
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
record (a meeting the record cancelled before the fork cannot be held on
it). A file with any error is refused whole, and then no branch is made.

Output: the branch's board, as "summit status --branch NAME" prints it.

Exit status: 0 ok; 2 a bad file, flag or date (nothing written); 3 the store
failed.

Examples:
  summit inject --branch prep-held --fork-at 2025-10-21 prep-held.yaml --server nats://127.0.0.1:4222
  summit status --branch prep-held --server nats://127.0.0.1:4222
`

// injectCmd is "summit inject".
type injectCmd struct{ env }

// Run injects the file args name.
func (c *injectCmd) Run(ctx context.Context, args []string) error {
	fl := newFlags("inject", injectHelp, c.stderr)
	var f verbFlags
	f.register(fl, false, true)
	forkAt := fl.String("fork-at", "", "fork a new branch from the record at `DATE` (default: the latest event)")
	args, err := parse(fl, args)
	if err != nil {
		return err
	}
	if len(args) != 1 {
		return badInputf("want one EVENT-FILE, got %d arguments (summit inject -h for help)", len(args))
	}
	if f.branch == events.Main || f.branch == "" {
		return badInputf("--branch: name the what-if branch to inject into; main is the record (use summit append)")
	}
	if err := events.CheckName(f.branch); err != nil {
		return badInputf("--branch: %w", err)
	}
	var fork events.Time
	if *forkAt != "" {
		if fork, err = events.ParseTime(*forkAt); err != nil {
			return badInputf("--fork-at: %w", err)
		}
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

	branch, err := s.log.Branch(ctx, f.branch)
	var prepare func(context.Context) error
	switch {
	case errors.Is(err, eventlog.ErrUnknownBranch):
		// A new branch is made only once the file is known to be good.
		if branch, err = s.log.NewBranch(ctx, f.branch, fork); err != nil {
			return err
		}
		prepare = func(ctx context.Context) error { return s.log.CreateBranchAt(ctx, branch) }
	case err != nil:
		return err
	case *forkAt != "" && !branch.ForkAt.Equal(fork.Time):
		return badInputf("branch %s exists, forked at %s: --fork-at %s cannot move it (delete it, or inject without --fork-at)", branch.Name, forkLabel(branch), fork)
	}
	res, err := appendFile(ctx, s, args[0], branch, prepare)
	if err != nil {
		return err
	}
	reportAppend(c.stderr, res, args[0], s.where, branch.Name)
	b, err := readBoard(ctx, s, branch, asOf, logger)
	if err != nil {
		return err
	}
	return printBoard(c.stdout, b, f.json)
}

// forkLabel says where a branch forks: its date, or "the latest event".
func forkLabel(b eventlog.Branch) string {
	if b.ForkAt.IsZero() {
		return "the latest event"
	}
	return b.ForkAt.String()
}
