package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
)

const branchesHelp = `
Usage: summit branches [--json]

List the what-if branches of a store: each with its fork (the world date it
forks at, and whether that date was given or is the latest event on record
when the branch was made), the record's sequence when it was made, the
number of its own events, and when it was made.

Output: a table; with --json, {"branches": [{"name", "fork_at", "fork"
("date" or "latest"), "fork_seq", "events", "created"}]}.

Exit status: 0 ok; 2 a bad flag; 3 the store failed.

Examples:
  summit branches --server nats://127.0.0.1:4222
  summit branches --data ./summit-data --json
`

// runBranches lists the branches.
func runBranches(ctx context.Context, e env, args []string) error {
	fl := newFlags("branches", branchesHelp, e)
	var f readFlags
	f.register(fl, e, readJSON)
	args, err := fl.parse(args)
	if err != nil {
		return err
	}
	if len(args) > 0 {
		return badInputf("branches takes no arguments, got %q", args)
	}
	s, err := f.storeFlags.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	list, err := projections.Branches(ctx, s.log)
	if err != nil {
		return err
	}
	if f.json {
		return printJSON(e.stdout, map[string]any{"branches": list})
	}
	return printBranches(e.stdout, list)
}

func printBranches(w io.Writer, list []projections.BranchInfo) error {
	if len(list) == 0 {
		_, err := fmt.Fprintln(w, "(no branches: summit inject --branch NAME makes one)")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "BRANCH\tFORK AT\tFORK SEQ\tEVENTS\tCREATED")
	for _, b := range list {
		at := b.ForkAt.String()
		if b.Fork == projections.ForkAtLatest {
			at += " (latest)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", b.Name, at, b.ForkSeq, b.Events, b.Created.Format("2006-01-02 15:04"))
	}
	return tw.Flush()
}

const branchHelp = `
Usage: summit branch delete NAME

Delete a what-if branch: its record, its events, its ref names, its views
(each purged, so that a watcher of the bucket sees them go) and its
projection's state. The record (main) and the other branches are untouched.
An injection into the branch still under way when it is deleted leaves
nothing that a new branch of the same name sees.

Exit status: 0 ok; 2 no such branch, a bad name, or a bad flag; 3 the store
failed.

Examples:
  summit branch delete prep-held --server nats://127.0.0.1:4222
  summit branch delete prep-held --data ./summit-data
`

// runBranch runs "branch delete NAME".
func runBranch(ctx context.Context, e env, args []string) error {
	fl := newFlags("branch", branchHelp, e)
	var f storeFlags
	f.register(fl, e, false, false)
	args, err := fl.parse(args)
	if err != nil {
		return err
	}
	if len(args) != 2 || args[0] != "delete" {
		return badInputf("want: summit branch delete NAME (summit branch -h for help)")
	}
	name := args[1]
	if name == events.Main {
		return badInputf("main is the record and cannot be deleted")
	}
	if err := checkNames("branch", name); err != nil {
		return err
	}
	s, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := projections.DeleteBranch(ctx, s.log, s.views, name); err != nil {
		if errors.Is(err, eventlog.ErrUnknownBranch) {
			return badInput(s.log.WithBranches(ctx, name, err))
		}
		return err
	}
	fmt.Fprintf(e.stderr, "branch %s deleted\n", name)
	return nil
}

// printJSON prints v as indented JSON.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
