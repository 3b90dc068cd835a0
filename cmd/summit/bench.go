package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/summit-model/summit/bench"
)

const benchHelp = `
Usage: summit bench [flags]

Measure what summit costs over NATS JetStream itself. On an embedded server
with file storage in a temporary directory, bench generates a record of
--events events of --meetings meetings (realistic kinds and sizes, each
decided by the meeting's rules), and takes each figure beside the same work
done with plain nats.go on the same server, in the same run:

  bulk_append    appending the record (a replay) vs async publish of the same bytes,
                 and vs a raw fast-ingest batch of them (jetstreamext.FastPublisher)
  command_warm   a command on a meeting met before vs a synchronous publish with
                 the same expected-sequence header (p50, p99)
  command_cold   a command with a new handler, after a restart of the server:
                 read a meeting's snapshot and the events after it (a meeting
                 of 200), decide, append
  rebuild        the projection from an empty bucket to the final board vs an
                 ordered consumer reading the same messages
  live_lag       from a command to its change seen by a key-value watcher
  late_report    from a late report (dated 100 events back in a meeting of 200)
                 to its meeting's view changed (p50, p99)
  append_process a whole "summit append" process of a file of 10 events on 10
                 meetings of 200, with a live projection (p50, p99)
  web_live       from a command to its change on the first (and the last) of
                 100 open web board pages (SSE), and the live lag with them open
  branch_create  creating a branch, at 10k events and at the full size
  branch_read    reading a new branch's board, as status --branch does, vs
                 reading the record to its fork
  rebuild_rss    peak memory of a rebuild, in a child process
  branches_idle  summit serve's idle CPU with 10,000 idle branches (--branches),
                 on a small store of their own; with its consumers, memory per
                 branch, the time to list them and an idle branch's live lag

The default size (1,000,000 events, 10,000 meetings) takes about ten
minutes on two cores, 3 GB of memory and 3 GB of disk; --events 20000
--meetings 200 takes seconds. The figures are ratios to raw nats.go in the
same run: on a machine doing other work, compare those.

With --scale, bench runs the figures that say how cost grows (rebuild,
rebuild_rss, command_cold, branch_create, branch_read) at 100k, 1M and 3M
events, a meeting for each hundred, each on a store of its own, and prints
one row a figure, one column a size: rebuild CPU per event, cold command
p99 and branch creation should stay flat, memory grow with meetings. It
takes about half an hour and 3 GB of disk.

Output: a table of each figure, ours, raw, their ratio and the target; with
--json one object keyed by figure (bulk_append, command_warm, command_cold,
rebuild, live_lag, late_report, append_process, web_live, branch_create,
branch_read, rebuild_rss, branches_idle), each
{"ours", "raw", "ratio", "unit"} (latencies also "p50" and "p99"; "raw" and
"ratio" null where there is no raw counterpart). Progress goes to standard
error.

Exit status: 0 ok (whether or not a target is met); 2 a bad flag; 3 the
benchmark failed.

Examples:
  summit bench --events 20000 --meetings 200
  summit bench --json > bench.json
  summit bench --scale
`

// runBench measures and prints the figures.
func runBench(ctx context.Context, e env, args []string) error {
	if bench.IsChild() {
		// Re-executed by a benchmark to measure a rebuild's memory.
		return bench.Child(ctx, e.stdout)
	}
	fl := newFlags("bench", benchHelp, e)
	var o bench.Options
	var asJSON, quiet bool
	fl.IntVar(&o.Events, "events", 1_000_000, "`N` events on main")
	fl.IntVar(&o.Meetings, "meetings", 10_000, "`M` meetings")
	fl.IntVar(&o.Samples, "samples", 1000, "`N` commands timed for each latency figure")
	fl.IntVar(&o.Branches, "branches", 10_000, "`N` idle branches for the branches_idle figure")
	fl.StringVar(&o.Dir, "dir", "", "`DIR` for the embedded server's store, empty, and kept at the end (default: a temporary directory, removed at the end)")
	var only string
	fl.StringVar(&only, "only", "", "`STEPS` to take after the bulk append, comma-separated ("+strings.Join(bench.Steps[1:], ", ")+"; default all); cold and branches take the rebuild too, as they read it")
	var scale bool
	fl.BoolVar(&scale, "scale", false, "measure how cost grows: the rebuild, memory, cold command and branch figures at 100k, 1M and 3M events (--events, --meetings and --only do not apply)")
	fl.BoolVar(&asJSON, "json", false, "print JSON instead of a table")
	fl.BoolVar(&quiet, "q", false, "print no progress on standard error")
	args, err := fl.parse(args)
	if err != nil {
		return err
	}
	if len(args) > 0 {
		return badInputf("bench takes no arguments, got %q", args)
	}
	if only != "" {
		o.Only = strings.Split(only, ",")
	}
	if err := o.Validate(); err != nil {
		return badInput(err)
	}
	if err := reexecute(&o); err != nil {
		return err
	}
	if !quiet {
		o.Progress = e.stderr
	}
	return measure(ctx, e, o, scale, asJSON)
}

// reexecute lets the benchmark run this binary again: as a child that
// measures a rebuild's memory, and as the summit verbs it times.
func reexecute(o *bench.Options) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find the summit binary to re-execute: %w", err)
	}
	o.Child = func(ctx context.Context, env []string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, exe, "bench")
		cmd.Env = append(os.Environ(), env...)
		return cmd
	}
	o.Summit = func(ctx context.Context, args ...string) *exec.Cmd {
		return exec.CommandContext(ctx, exe, args...)
	}
	return nil
}

// measure runs the benchmark (or, with scale, its sizes) and prints its
// figures; a failed step still prints the figures taken before it.
func measure(ctx context.Context, e env, o bench.Options, scale, asJSON bool) error {
	if scale {
		reps, err := bench.Scale(ctx, o, bench.ScaleSizes)
		if asJSON {
			return errors.Join(printJSON(e.stdout, reps), err)
		}
		return errors.Join(bench.WriteScale(e.stdout, reps), err)
	}
	rep, err := bench.Run(ctx, o)
	if rep == nil {
		return err
	}
	if asJSON {
		return errors.Join(err, printJSON(e.stdout, rep.Figures))
	}
	return errors.Join(rep.WriteTable(e.stdout), err)
}
