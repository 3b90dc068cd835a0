package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/summit-model/summit/events"
)

// The exit statuses, each with one meaning.
const (
	exitOK       = 0
	exitExpect   = 1 // an expectation of a scenario failed, or summit check found problems
	exitBadInput = 2 // a bad file, flag, name or date: nothing was written
	exitFailed   = 3 // the store could not do what was asked (unreachable, refused, damaged)
	// An interrupted verb exits as a shell reports a process killed by
	// the signal: 128 + SIGINT (2) or SIGTERM (15).
	exitInterrupted = 130
	exitTerminated  = 143
)

// exitError carries an error and the status it exits with.
type exitError struct {
	code int
	err  error
}

// Error returns the error's message.
func (e *exitError) Error() string { return e.err.Error() }

// Unwrap returns the error carried.
func (e *exitError) Unwrap() error { return e.err }

// badInput marks err as the user's input at fault (exit 2).
func badInput(err error) error { return &exitError{code: exitBadInput, err: err} }

// badInputf is badInput of a formatted error.
func badInputf(format string, args ...any) error {
	return badInput(fmt.Errorf(format, args...))
}

// verb is one of summit's commands: its name, a line for the help page, and
// what runs it.
type verb struct {
	name, summary string
	run           func(ctx context.Context, e env, args []string) error
}

// env is what every verb reads and writes.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// getenv reads the environment ($NATS_URL); tests give their own.
	getenv func(string) string
	// signal is set once the process was told to stop (SIGINT or SIGTERM),
	// for the exit status.
	signal func() os.Signal
	// now is the clock of "today" (a plain read's date, overdue flags,
	// summit add's defaults); nil is time.Now. Tests give a fixed one.
	now func() time.Time
}

// clock returns the clock e reads "today" from.
func (e env) clock() func() time.Time {
	if e.now == nil {
		return time.Now
	}
	return e.now
}

// verbs returns summit's verbs, in the order of the help page.
func verbs() []verb {
	return []verb{
		{"replay", "append a scenario's timeline, check what it expects, print the board", runReplay},
		{"status", "print the meeting board of a store, or one meeting", runStatus},
		{"add", "record one event from the command line (summit add -h lists the kinds)", runAdd},
		{"append", "append an event file to the record of a store", runAppend},
		{"inject", "append an event file to a what-if branch, marked hypothetical", runInject},
		{"watch", "print each change of the meeting board as it happens", runWatch},
		{"serve", "run the NATS server with JetStream and keep every projection live", runServe},
		{"web", "serve the web board and its HTTP API (JSON, CSV, live events)", runWeb},
		{"explain", "show the events that made a meeting's status, readiness and claims", runExplain},
		{"timeline", "list the events in world-time order, with their sources", runTimeline},
		{"diff", "compare a branch's board with the record's, meeting by meeting", runDiff},
		{"branches", "list the what-if branches, with fork point and event count", runBranches},
		{"branch", "delete a what-if branch: summit branch delete NAME", runBranch},
		{"rebuild", "drop a projection's views and build them again from the log", runRebuild},
		{"check", "verify the log and the views, list dead letters; --repair rebuilds and accepts losses", runCheck},
		{"bench", "measure summit against raw nats.go on an embedded server", runBench},
	}
}

// run runs summit with args (without the program name) and returns the
// status to exit with. It prints every error once, here.
func run(ctx context.Context, args []string, e env) int {
	vs := verbs()
	usage := func(w io.Writer) {
		fmt.Fprintln(w, "summit models summit diplomacy as an event-sourced record on NATS JetStream.")
		fmt.Fprintln(w, "\nUsage:\n\n  summit VERB [flags] [arguments]\n\nVerbs:")
		for _, v := range vs {
			fmt.Fprintf(w, "  %-9s %s\n", v.name, v.summary)
		}
		fmt.Fprintln(w, "\nRun \"summit VERB -h\" for a verb's help page.")
		fmt.Fprintln(w, "\nExit status: 0 ok; 1 an expectation failed (or check found problems); 2 bad input (nothing written); 3 the store failed; 130 or 143 interrupted.")
	}
	if len(args) == 0 {
		usage(e.stderr)
		return exitBadInput
	}
	if name := args[0]; name == "help" || name == "-h" || name == "--help" || name == "-help" {
		if len(args) > 1 {
			return run(ctx, []string{args[1], "-h"}, e)
		}
		usage(e.stdout)
		return exitOK
	}
	i := slices.IndexFunc(vs, func(v verb) bool { return v.name == args[0] })
	if i < 0 {
		fmt.Fprintf(e.stderr, "summit: unknown verb %q (summit help lists them)\n", args[0])
		return exitBadInput
	}
	err := vs[i].run(ctx, e, args[1:])
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	fmt.Fprintf(e.stderr, "summit %s: %v\n", args[0], indent(err.Error()))
	var ee *exitError
	switch {
	case errors.As(err, &ee):
		return ee.code
	case ctx.Err() != nil:
		if e.signal != nil && e.signal() == syscall.SIGTERM {
			return exitTerminated
		}
		return exitInterrupted
	}
	return exitFailed
}

// indent indents the lines after the first of a multi-line message, so
// that a list of errors reads as one block under its heading.
func indent(s string) string {
	return strings.ReplaceAll(s, "\n", "\n  ")
}

// flags is a verb's flag set, with its help page.
type flags struct {
	*flag.FlagSet
	name, help string
	out        io.Writer
}

// newFlags returns a flag set for verb name whose help page is help.
func newFlags(name, help string, e env) *flags {
	fs := flag.NewFlagSet("summit "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return &flags{FlagSet: fs, name: name, help: help, out: e.stdout}
}

// printHelp prints the verb's help page: its text, then its flags.
func (f *flags) printHelp() {
	fmt.Fprint(f.out, strings.TrimLeft(f.help, "\n"))
	fmt.Fprintln(f.out, "\nFlags:")
	f.SetOutput(f.out)
	f.PrintDefaults()
	f.SetOutput(io.Discard)
}

// parse parses args, allowing flags after the arguments ("summit replay
// budapest-2025 --json"), and returns the arguments. A lone "--" ends the
// flags. -h prints the help page; a bad flag is an error that says so in
// one line and names -h.
func (f *flags) parse(args []string) ([]string, error) {
	var positional []string
	for {
		if err := f.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				f.printHelp()
				return nil, err
			}
			// The flag package says "flag provided but not defined: -x"
			// and has no error of its own for it.
			if name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -"); ok {
				var names []string
				f.VisitAll(func(fl *flag.Flag) { names = append(names, fl.Name) })
				guess := ""
				if near, ok := events.Nearest(name, names); ok {
					guess = ", did you mean --" + near + "?"
				}
				return nil, badInputf("--%s: not a flag of summit %s%s (summit %s -h for help)", name, f.name, guess, f.name)
			}
			return nil, badInputf("%v (summit %s -h for help)", err, f.name)
		}
		args = f.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// set reports whether the flag name was given.
func (f *flags) set(name string) bool {
	found := false
	f.Visit(func(fl *flag.Flag) { found = found || fl.Name == name })
	return found
}
