package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/summit-model/summit/eventlog"
)

const branchesHelp = `
Usage: summit branches [--json]

List the what-if branches of a store: each with its fork point (the world
date it forks at, and the record's sequence when it was made), the number of
its own events, and when it was made.

Exit status: 0 ok; 2 a bad flag; 3 the store failed.

Examples:
  summit branches --server nats://127.0.0.1:4222
  summit branches --data ./summit-data --json
`

// branchesCmd is "summit branches".
type branchesCmd struct{ env }

// branchInfo is one branch as "summit branches" lists it.
type branchInfo struct {
	Name    string    `json:"name"`
	ForkAt  string    `json:"fork_at"`
	ForkSeq uint64    `json:"fork_seq"`
	Events  uint64    `json:"events"`
	Created time.Time `json:"created"`
}

// Run lists the branches.
func (c *branchesCmd) Run(ctx context.Context, args []string) error {
	fl := newFlags("branches", branchesHelp, c.stderr)
	var f verbFlags
	f.register(fl, false, false)
	args, err := parse(fl, args)
	if err != nil {
		return err
	}
	if len(args) > 0 {
		return badInputf("branches takes no arguments, got %q", args)
	}
	s, err := f.open(ctx, f.logger(c.stderr))
	if err != nil {
		return err
	}
	defer s.Close()
	bs, err := s.log.Branches(ctx)
	if err != nil {
		return err
	}
	list := []branchInfo{}
	for _, b := range bs {
		n, err := s.log.Count(ctx, eventlog.BranchSubjects(b.Name))
		if err != nil {
			return err
		}
		list = append(list, branchInfo{Name: b.Name, ForkAt: forkLabel(b), ForkSeq: b.ForkSeq, Events: n, Created: b.Created})
	}
	if f.json {
		return printJSON(c.stdout, map[string]any{"branches": list})
	}
	if len(list) == 0 {
		fmt.Fprintln(c.stdout, "(no branches: summit inject --branch NAME makes one)")
		return nil
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "BRANCH\tFORK AT\tFORK SEQ\tEVENTS\tCREATED")
	for _, b := range list {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", b.Name, b.ForkAt, b.ForkSeq, b.Events, b.Created.Format("2006-01-02 15:04"))
	}
	return tw.Flush()
}

const branchHelp = `
Usage: summit branch delete NAME

Delete a what-if branch: its events, its record and its views. The record
(main) and the other branches are untouched.

Exit status: 0 ok; 2 no such branch, or a bad flag; 3 the store failed.

Examples:
  summit branch delete prep-held --server nats://127.0.0.1:4222
  summit branch delete prep-held --data ./summit-data
`

// branchCmd is "summit branch".
type branchCmd struct{ env }

// Run runs "branch delete NAME".
func (c *branchCmd) Run(ctx context.Context, args []string) error {
	fl := newFlags("branch", branchHelp, c.stderr)
	var f verbFlags
	f.register(fl, false, false)
	args, err := parse(fl, args)
	if err != nil {
		return err
	}
	if len(args) != 2 || args[0] != "delete" {
		return badInputf("want: summit branch delete NAME (summit branch -h for help)")
	}
	name := args[1]
	s, err := f.open(ctx, f.logger(c.stderr))
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.log.DeleteBranch(ctx, name); err != nil {
		if errors.Is(err, eventlog.ErrUnknownBranch) || errors.Is(err, eventlog.ErrBranchExists) {
			return badInput(err)
		}
		return err
	}
	// summit serve, if it runs, stops the branch's projection and drops its
	// views; without it, this does.
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := s.board.DropWhenFree(dctx, name); err != nil {
		return err
	}
	if err := s.records.DeleteBranch(ctx, name); err != nil {
		return err
	}
	fmt.Fprintf(c.stderr, "branch %s deleted\n", name)
	return nil
}

// printJSON prints v as indented JSON.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
