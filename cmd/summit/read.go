package main

import (
	"context"
	"flag"
	"io"
	"log/slog"

	"github.com/summit-model/summit/eventlog"
)

// readFlags are the flags every verb that prints the board takes.
type readFlags struct {
	asOf    string
	branch  string
	json    bool
	verbose bool
}

func (f *readFlags) register(fs *flag.FlagSet, branch bool) {
	fs.StringVar(&f.asOf, "as-of", "", "read the board as of `DATE` (2025-10-21, or a date-time with a zone) instead of now")
	fs.BoolVar(&f.json, "json", false, "print JSON instead of text")
	fs.BoolVar(&f.verbose, "v", false, "log the store's work to standard error")
	if branch {
		fs.StringVar(&f.branch, "branch", "main", "read branch `NAME` instead of the record")
	}
}

// logger returns where the verb's libraries log: standard error with -v,
// nowhere otherwise.
func (f *readFlags) logger(w io.Writer) *slog.Logger {
	if !f.verbose {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// verbFlags are the flags of a verb that works on a store: where the store
// is, and what to read of it.
type verbFlags struct {
	storeFlags
	readFlags
}

// register adds the flags to fs: temporary allows a fresh temporary store
// (replay), branch the --branch flag.
func (f *verbFlags) register(fs *flag.FlagSet, temporary, branch bool) {
	f.storeFlags.register(fs, temporary)
	f.readFlags.register(fs, branch)
}

// openBranch opens the store and the branch --branch names; the caller
// closes the store.
func (f *verbFlags) openBranch(ctx context.Context, logger *slog.Logger) (*store, eventlog.Branch, error) {
	s, err := f.open(ctx, logger)
	if err != nil {
		return nil, eventlog.Branch{}, err
	}
	branch, err := s.branch(ctx, f.branch)
	if err != nil {
		s.Close()
		return nil, eventlog.Branch{}, err
	}
	return s, branch, nil
}
