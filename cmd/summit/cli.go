package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// The exit statuses, each with one meaning.
const (
	exitOK       = 0
	exitExpect   = 1 // an expectation of a scenario failed
	exitBadInput = 2 // a bad file, flag, name or date: nothing was written
	exitFailed   = 3 // the store could not do what was asked (unreachable, refused)
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

// verb is one of summit's commands.
type verb interface {
	Run(ctx context.Context, args []string) error
}

// env is what every verb writes to.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// verbs returns summit's verbs by name, with a line for the help page each.
func verbs(e env) []struct {
	name, summary string
	verb          verb
} {
	return []struct {
		name, summary string
		verb          verb
	}{
		{"replay", "append a scenario's timeline, check what it expects, print the board", &replayCmd{env: e}},
		{"status", "print the meeting board of a store, or one meeting", &statusCmd{env: e}},
		{"serve", "run the NATS server with JetStream and keep every projection live", &serveCmd{env: e}},
		{"watch", "print each change of the meeting board as it happens", &watchCmd{env: e}},
		{"append", "append an event file to the record of a store", &appendCmd{env: e}},
		{"inject", "append an event file to a what-if branch, marked hypothetical", &injectCmd{env: e}},
		{"branches", "list the what-if branches, with fork point and event count", &branchesCmd{env: e}},
		{"branch", "delete a what-if branch: summit branch delete NAME", &branchCmd{env: e}},
		{"diff", "compare a branch's board with the record's, meeting by meeting", &diffCmd{env: e}},
		{"explain", "show the events that made a meeting's status, readiness and claims", &explainCmd{env: e}},
		{"timeline", "list the events in world-time order, with their sources", &timelineCmd{env: e}},
		{"rebuild", "drop a projection's views and build them again from the log", &rebuildCmd{env: e}},
		{"bench", "measure summit against raw nats.go on an embedded server", &benchCmd{env: e}},
	}
}

// run runs summit with args (without the program name) and returns the
// status to exit with. It prints every error once, here.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := env{stdin: stdin, stdout: stdout, stderr: stderr}
	vs := verbs(e)
	usage := func(w io.Writer) {
		fmt.Fprintln(w, "summit models summit diplomacy as an event-sourced record on NATS JetStream.")
		fmt.Fprintln(w, "\nUsage:\n\n  summit VERB [flags] [arguments]\n\nVerbs:")
		for _, v := range vs {
			fmt.Fprintf(w, "  %-9s %s\n", v.name, v.summary)
		}
		fmt.Fprintln(w, "\nRun \"summit VERB -h\" for a verb's help page.")
		fmt.Fprintln(w, "\nExit status: 0 ok; 1 an expectation failed; 2 bad input (nothing written); 3 the store failed.")
	}
	if len(args) == 0 {
		usage(stderr)
		return exitBadInput
	}
	if name := args[0]; name == "help" || name == "-h" || name == "--help" || name == "-help" {
		if len(args) > 1 {
			return run(ctx, []string{args[1], "-h"}, stdin, stdout, stderr)
		}
		usage(stdout)
		return exitOK
	}
	i := slices.IndexFunc(vs, func(v struct {
		name, summary string
		verb          verb
	}) bool {
		return v.name == args[0]
	})
	if i < 0 {
		fmt.Fprintf(stderr, "summit: unknown verb %q\n\n", args[0])
		usage(stderr)
		return exitBadInput
	}
	err := vs[i].verb.Run(ctx, args[1:])
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	fmt.Fprintf(stderr, "summit %s: %v\n", args[0], indent(err.Error()))
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if ctx.Err() != nil {
		return exitOK // interrupted: the verb stopped cleanly
	}
	return exitFailed
}

// indent indents the lines after the first of a multi-line message, so
// that a list of errors reads as one block under its verb.
func indent(s string) string {
	if !strings.Contains(s, "\n") {
		return s
	}
	return "\n  " + strings.ReplaceAll(s, "\n", "\n  ")
}

// parse parses args with fs, allowing flags after the arguments
// ("summit replay budapest-2025 --json"), and returns the arguments. A
// lone "--" ends the flags.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, badInput(err)
		}
		args = fs.Args()
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

// newFlags returns a flag set for a verb whose help page is help, printed
// to w.
func newFlags(name, help string, w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("summit "+name, flag.ContinueOnError)
	fs.SetOutput(w)
	fs.Usage = func() {
		fmt.Fprint(w, strings.TrimLeft(help, "\n"))
		fmt.Fprintln(w, "\nFlags:")
		fs.PrintDefaults()
	}
	return fs
}
