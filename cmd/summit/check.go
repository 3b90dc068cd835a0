package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/projections"
)

const checkHelp = `
Usage: summit check [--repair] [--json]

Verify a store: read every event of the log (with direct gets, no consumer)
and check that each decodes, that each aggregate's versions run 1, 2, 3...
without a gap (on main, and on each branch's own subjects), that each
meeting's first event declares it, that every branch's events belong to a
branch on record, and that the server delivers every event it counts; then
compare each branch's views with a fold of the log, and list the dead
letters: the messages the projections skipped (quarantined) because they are
no event summit can read, or an event of a meeting never declared.

Other verbs refuse a store that lost events (exit 3); check reads it, to
say what is wrong.

With --repair it then rebuilds the views of every branch from the log as it
stands (quarantining again what it cannot fold), and records the losses
that only a copy of the store could restore as accepted, so that the other
verbs read what is left; it says what it did. Stop "summit serve" first:
it holds the projections.

Output: what was read, each problem, each dead letter, each branch's views
against the fold; with --json an object with "events", "aggregates",
"branches", "problems" (each with "kind", "subject", "detail"),
"dead_letters", "views", "repaired" and "accepted".

Exit status: 0 nothing wrong that is not handled (quarantined dead letters
and accepted losses are listed, and do not fail the check); 1 problems
found (after --repair: problems left); 2 a bad flag; 3 the store failed.

Examples:
  summit check --data ./summit-data
  summit check --repair --server nats://127.0.0.1:4222 --json
`

// checkResult is what check prints.
type checkResult struct {
	projections.Report
	Where    string            `json:"where"`
	Repaired []string          `json:"repaired,omitempty"`
	Accepted []eventlog.Damage `json:"accepted,omitempty"`
}

// runCheck verifies, and with --repair repairs, a store.
func runCheck(ctx context.Context, e env, args []string) error {
	fl := newFlags("check", checkHelp, e)
	var f readFlags
	f.register(fl, e, readJSON)
	var repair bool
	fl.BoolVar(&repair, "repair", false, "rebuild every branch's views, quarantine what cannot be folded, and accept the losses only a copy could restore")
	args, err := fl.parse(args)
	if err != nil {
		return err
	}
	if len(args) > 0 {
		return badInputf("check takes no arguments, got %q", args)
	}
	f.damaged = true
	s, err := f.storeFlags.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	res := checkResult{Where: s.where}
	if res.Report, err = projections.Verify(ctx, s.log, s.views); err != nil {
		return err
	}
	if repair {
		if err := repairStore(ctx, s, &res, f.logger()); err != nil {
			return err
		}
	}
	if f.json {
		if err := printJSON(e.stdout, res); err != nil {
			return err
		}
	} else {
		printCheck(e.stdout, res)
	}
	if n := len(res.Problems); n > 0 {
		hint := " (summit check --repair rebuilds the views and accepts the losses; or restore the store from a copy)"
		if repair {
			hint = " left after the repair"
		}
		return &exitError{code: exitExpect, err: fmt.Errorf("%d problems found%s", n, hint)}
	}
	return nil
}

// repairStore rebuilds every branch's views, then accepts the losses that
// are left, and verifies again.
func repairStore(ctx context.Context, s *store, res *checkResult, logger interface {
	Info(string, ...any)
}) error {
	bs, err := s.log.Branches(ctx)
	if err != nil {
		return err
	}
	for _, b := range append([]eventlog.Branch{eventlog.Main()}, bs...) {
		r := projections.NewRunner(s.log, s.views, b, projections.RunnerOptions{})
		if err := r.Rebuild(ctx); err != nil {
			if errors.Is(err, projections.ErrBusy) {
				return badInputf("repair: %w: stop summit serve first", err)
			}
			res.Repaired = append(res.Repaired, fmt.Sprintf("could not rebuild the views of %s: %v", b.Name, err))
			continue
		}
		res.Repaired = append(res.Repaired, fmt.Sprintf("rebuilt the views of %s: %d meetings, up to sequence %d", b.Name, r.Board().Len(), r.Board().Seq()))
	}
	rep, err := projections.Verify(ctx, s.log, s.views)
	if err != nil {
		return err
	}
	var accept []eventlog.Damage
	for _, d := range rep.Problems {
		// What the rebuilds could quarantine, they did; what is left
		// (a view aside) no rebuild mends.
		if d.Kind != "view" {
			accept = append(accept, d)
		}
	}
	if len(accept) > 0 {
		if err := s.views.AcceptDamage(ctx, accept); err != nil {
			return err
		}
		res.Accepted = accept
		res.Repaired = append(res.Repaired, fmt.Sprintf("accepted %d losses that only a copy of the store could restore: the other verbs read what is left", len(accept)))
	}
	if res.Report, err = projections.Verify(ctx, s.log, s.views); err != nil {
		return err
	}
	logger.Info("repaired", "problems left", len(res.Problems))
	return nil
}

// printCheck prints what check found, and what a repair did.
func printCheck(w io.Writer, res checkResult) {
	in := res.Integrity
	fmt.Fprintf(w, "Check · %s\n\n", res.Where)
	fmt.Fprintf(w, "log: %d events read, %d aggregates, sequences %d to %d (%d messages held, %d sequences deleted)\n",
		res.Events, res.Aggregates, in.FirstSeq, in.LastSeq, in.Msgs, in.Deleted)
	fmt.Fprintf(w, "branches: %d (%v)\n", len(res.Branches), res.Branches)
	for _, v := range res.Views {
		switch {
		case v.NotCompared != "":
			fmt.Fprintf(w, "views of %s: not compared: %s\n", v.Branch, v.NotCompared)
		case v.Behind:
			fmt.Fprintf(w, "views of %s: %d meetings, at sequence %d, behind the log: not compared (summit status brings them up to date)\n", v.Branch, v.Meetings, v.Checkpoint)
		case v.Equal:
			fmt.Fprintf(w, "views of %s: %d meetings, equal to a fold of the log\n", v.Branch, v.Meetings)
		default:
			fmt.Fprintf(w, "views of %s: %d meetings, NOT equal to a fold of the log\n", v.Branch, v.Meetings)
		}
	}
	fmt.Fprintf(w, "\ndead letters: %d\n", len(res.DeadLetters))
	for _, d := range res.DeadLetters {
		fmt.Fprintf(w, "  %s seq %d %s: %s\n", d.Branch, d.Seq, d.Subject, d.Error)
	}
	if len(res.Repaired) > 0 {
		fmt.Fprintln(w, "\nrepair:")
		for _, r := range res.Repaired {
			fmt.Fprintf(w, "  %s\n", r)
		}
		for _, d := range res.Accepted {
			fmt.Fprintf(w, "  accepted %s\n", d)
		}
	}
	fmt.Fprintf(w, "\nproblems: %d\n", len(res.Problems))
	for _, d := range res.Problems {
		fmt.Fprintf(w, "  %s\n", d)
	}
}
