package main

import (
	"context"

	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
)

// readOpt names a flag a reading verb honours.
type readOpt int

// The flags of the reading verbs; each verb registers those it honours.
const (
	readBranch readOpt = 1 << iota
	readAsOf
	readKnownAt
	readJSON
	readCSV
	// readTemporary allows a fresh temporary store when none is named,
	// and readCreate a --data directory that does not exist yet (replay).
	readTemporary
	readCreate
)

// readFlags are where the store is and what to read of it.
type readFlags struct {
	storeFlags
	branch, asOf, knownAt, timezone string
	json, csv                       bool
	opts                            readOpt
}

// register adds the store flags and the reading flags opts names to fl.
func (f *readFlags) register(fl *flags, e env, opts readOpt) {
	f.storeFlags.register(fl, e, opts&readTemporary != 0, opts&readCreate != 0)
	f.opts = opts
	if opts&readBranch != 0 {
		fl.StringVar(&f.branch, "branch", events.Main, "read branch `NAME` instead of the record")
	}
	if opts&readAsOf != 0 {
		fl.StringVar(&f.asOf, "as-of", "", "read the world as of `DATE` (2025-10-21, or a date-time with a zone), as the record now tells it")
	}
	if opts&readKnownAt != 0 {
		fl.StringVar(&f.knownAt, "known-at", "", "read what could be known on `DATE`: events reported, and corrections made, by then")
	}
	if opts&(readAsOf|readKnownAt) != 0 {
		fl.StringVar(&f.timezone, "timezone", "UTC", "the IANA time `ZONE` whose days --as-of and --known-at name")
	}
	if opts&readJSON != 0 {
		fl.BoolVar(&f.json, "json", false, "print JSON instead of text")
	}
	if opts&readCSV != 0 {
		fl.BoolVar(&f.csv, "csv", false, "print CSV (one row per meeting or event) instead of text")
	}
}

// query returns what the flags ask to read, but for the branch: the dates,
// read as days of --timezone.
func (f *readFlags) query() (projections.Query, error) {
	q := projections.Query{Now: f.env.clock()()}
	loc, err := events.Location(f.timezone)
	if err != nil {
		return q, badInputf("--timezone: %w", err)
	}
	if f.asOf != "" {
		if q.AsOf, err = events.ParseTimeIn(f.asOf, loc); err != nil {
			return q, badInputf("--as-of: %w", err)
		}
	}
	if f.knownAt != "" {
		if q.KnownAt, err = events.ParseTimeIn(f.knownAt, loc); err != nil {
			return q, badInputf("--known-at: %w", err)
		}
	}
	if f.json && f.csv {
		return q, badInputf("--json and --csv exclude each other")
	}
	if f.branch == "" {
		f.branch = events.Main
	}
	if err := checkNames("--branch", f.branch); err != nil {
		return q, err
	}
	return q, nil
}

// open checks the flags, opens the store and the branch, and returns them
// with the query the flags make; the caller closes the store.
func (f *readFlags) open(ctx context.Context) (*store, projections.Query, error) {
	q, err := f.query()
	if err != nil {
		return nil, q, err
	}
	s, err := f.storeFlags.open(ctx)
	if err != nil {
		return nil, q, err
	}
	if q.Branch, err = s.branch(ctx, f.branch); err != nil {
		s.Close()
		return nil, q, err
	}
	return s, q, nil
}

// checkNames reports a name that cannot be an id, as bad input naming
// what it is.
func checkNames(what string, names ...string) error {
	for _, n := range names {
		if err := events.CheckName(n); err != nil {
			return badInputf("%s: %w", what, err)
		}
	}
	return nil
}

// boardView reads q's board from s: the live projection brought up to
// date, or, for a date, the fold of the log ([projections.ReadBoard]).
func boardView(ctx context.Context, s *store, q projections.Query, ro projections.RunnerOptions) (projections.BoardView, error) {
	return projections.ReadBoard(ctx, s.log, s.views, q, ro)
}
