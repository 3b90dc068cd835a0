package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/summit-model/summit/commands"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/scenarios"
)

// writeOptions say how a file's plan is appended.
type writeOptions struct {
	pace    scenarios.Pace
	landed  func(scenarios.Step, []events.Event)
	prepare func(context.Context) (eventlog.Branch, error)
}

// record appends sc to branch through the one write path: the names it
// does not declare are looked up in the store, its plan decided against
// the branch, and appended, or nothing if anything is refused. The events
// the store holds already are not appended again.
//
// A store opened to write ([storeFlags.openToWrite]) is checked while the
// file is decided: nothing is appended to a store that lost events; its
// check's error comes first, before any the reads of a damaged store led
// to, and stops those reads.
func record(ctx context.Context, s *store, branch eventlog.Branch, sc *scenarios.Scenario, o writeOptions) (commands.Outcome, error) {
	dctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		if s.inspected(dctx) != nil {
			cancel()
		}
	}()
	out, err := decideAndAppend(dctx, s, branch, sc, o)
	if ctx.Err() != nil {
		// Interrupted: err says what landed.
		return out, err
	}
	if ierr := s.inspected(ctx); ierr != nil {
		return out, ierr
	}
	return out, err
}

func decideAndAppend(ctx context.Context, s *store, branch eventlog.Branch, sc *scenarios.Scenario, o writeOptions) (commands.Outcome, error) {
	h := commands.NewHandler(s.log, branch)
	h.Snapshots = s.views
	cast, err := h.Cast(ctx, sc.Wanted())
	if err != nil {
		return commands.Outcome{}, err
	}
	plan, err := sc.Plan(ctx, cast)
	if err != nil {
		return commands.Outcome{}, fileError(err)
	}
	out, err := h.HandleAll(ctx, commands.Batch{
		File: plan.File, Steps: plan.Steps, Meta: commands.Meta{CorrelationID: events.NewID()},
		Pace: o.pace, Landed: o.landed, Prepare: o.prepare, Check: s.inspected,
	})
	var refused commands.Refused
	switch {
	case errors.As(err, &refused) && len(refused) > 1:
		return out, badInput(fmt.Errorf("%sthe model refuses %s, nothing written:\n%w", fileHead(plan.File), plural(len(refused), "entry"), err))
	case errors.As(err, &refused), errors.Is(err, eventlog.ErrRefTaken), errors.Is(err, eventlog.ErrBranchExists):
		return out, badInput(err)
	case err != nil && ctx.Err() != nil:
		return out, fmt.Errorf("interrupted: %d of %d steps of %s landed (%d events appended): run the same command again to append the rest, what landed is recognised: %w",
			out.Landed, out.Steps, plan.File, out.Appended, err)
	}
	return out, err
}

// fileHead returns "FILE: ", the start of a heading over the errors of
// file, or "" for the entry "summit add" makes of its flags, which has no
// file.
func fileHead(file string) string {
	if file == "" {
		return ""
	}
	return file + ": "
}

// fileError marks the errors of a file (its ErrorList, a missing file, a
// file that is not a regular one) as bad input.
func fileError(err error) error {
	var list scenarios.ErrorList
	if errors.As(err, &list) && len(list) > 1 {
		// A heading, so that the list reads as one block under its verb.
		return badInput(fmt.Errorf("%s%s, nothing written:\n%w", fileHead(list[0].File), plural(len(list), "error"), err))
	}
	if errors.As(err, &list) || errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) ||
		errors.Is(err, scenarios.ErrNotFound) || errors.Is(err, scenarios.ErrNotRegular) {
		return badInput(err)
	}
	return err
}

// reportWrite says on w what an append did.
func reportWrite(w io.Writer, file string, out commands.Outcome, where, branch string) {
	on := ""
	if branch != "" && branch != events.Main {
		on = " on branch " + branch
	}
	// Known counts the file's entries on record, not events: a first
	// append counts the declarations' events too (24 events of 11 entries).
	entries := fmt.Sprintf("%d entries", out.Known)
	if out.Known == 1 {
		entries = "1 entry"
	}
	switch {
	case out.Appended == 0 && out.Known > 0:
		fmt.Fprintf(w, "%s: %s already holds every event of it%s (%s on record): nothing appended\n", file, where, on, entries)
	case out.Known > 0:
		fmt.Fprintf(w, "%s: %s appended to %s%s (%s already on record)\n", file, plural(out.Appended, "event"), where, on, entries)
	default:
		fmt.Fprintf(w, "%s: %s appended to %s%s\n", file, plural(out.Appended, "event"), where, on)
	}
}

// plural reads as "1 event" or "24 events".
func plural(n int, word string) string {
	switch {
	case n == 1:
		return fmt.Sprintf("1 %s", word)
	case strings.HasSuffix(word, "y"):
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(word, "y"))
	}
	return fmt.Sprintf("%d %ss", n, word)
}
