package commands

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
	"github.com/summit-model/summit/scenarios"
)

// aggregate is what a handler knows of one aggregate: for a meeting, its
// history as [aggregates.Decide] takes it (the state and its last events,
// or the whole history), for an actor, its state; the records in record
// order when it was read whole; the identities of its events; and the
// stream sequence an append to it must expect.
//
// An aggregate has one holder at a time: the handler's cache, or the plan
// that took it from there ([Handler.state]) and decides on it, which gives
// it back when it is done ([Handler.keep]). Nothing is copied for a
// command; a plan of another goroutine that wants the same aggregate
// meanwhile reads it from the log.
type aggregate struct {
	ref  events.Ref
	hist aggregates.History
	// records is the whole history in record order, when it was read
	// whole (and what was appended since); nil otherwise.
	records []events.Event
	actor   aggregates.Actor
	expect  uint64
	// keys holds the identities of the events the handler has seen: all
	// of them, when records is set; else those after the snapshot, whose
	// fingerprints answer for the rest.
	keys map[string]bool
	snap *projections.Snapshot
	// prints holds snap's fingerprints, once decoded ([aggregate.snapHolds]).
	prints []uint32
	// cached reports a state taken from the handler's cache, and touched
	// one that steps of the plan have moved on.
	cached, touched bool
	// planned holds the events steps of the plan decided on this state,
	// not yet on record: a state read again from the log (whole, or its
	// course) takes them again.
	planned []events.Event
	// ownTail reports that hist's tail array is this state's own, made
	// when an event was folded into it: the next event after every one
	// goes into its spare capacity ([aggregates.History.Extend]). False
	// when hist was read or outlined, and its tail may lie in an array
	// of another's.
	ownTail bool
}

// decide decides cmd on a.
func (a *aggregate) decide(cmd aggregates.Command) ([]events.Event, error) {
	switch cmd.Aggregate.Type {
	case events.AggregateMeeting:
		if a.records != nil && needsWhole(cmd) {
			return aggregates.Decide(aggregates.Whole(a.records), cmd)
		}
		evs, err := aggregates.Decide(a.hist, cmd)
		if errors.Is(err, aggregates.ErrNeedHistory) && a.records != nil {
			return aggregates.Decide(aggregates.Whole(a.records), cmd)
		}
		return evs, err
	case events.AggregateActor:
		return aggregates.DecideActor(a.actor, a.records, cmd)
	}
	return nil, fmt.Errorf("command for %q: %w", cmd.Aggregate, aggregates.ErrWrongAggregate)
}

// needsWhole reports whether cmd corrects or retracts: decided on the
// whole history.
func needsWhole(cmd aggregates.Command) bool {
	_, retracts := cmd.Payload.(*events.EventRetracted)
	return retracts || cmd.Corrects != ""
}

// apply folds evs, decided on a, into it, keeping tail events besides
// the state, and up to twice as many.
func (a *aggregate) apply(evs []events.Event, tail int) {
	if len(evs) == 0 {
		return
	}
	if a.keys == nil {
		a.keys = make(map[string]bool, len(evs))
	}
	for _, e := range evs {
		a.keys[e.Key] = true
	}
	if a.records != nil {
		a.records = append(a.records, evs...)
	}
	switch a.ref.Type {
	case events.AggregateMeeting:
		takes := !slices.ContainsFunc(evs, func(e events.Event) bool { return !a.hist.Takes(e) })
		if !takes && a.records != nil {
			// What a correction stands in place of, or where a late
			// event goes, may lie in the base: fold the whole history
			// again.
			a.hist = aggregates.Whole(a.records).Trim(tail).Settled()
			a.ownTail = false // its tail may lie in records' array
		} else {
			// The tail grows to twice its length before it is trimmed:
			// a trim folds and copies, and a warm command need not. An
			// event after every one goes into the room left in the
			// tail's array, if the array is this state's own.
			extended := false
			if len(evs) == 1 && a.ownTail {
				a.hist, extended = a.hist.Extend(evs[0])
			}
			if !extended {
				a.hist = a.hist.With(evs...)
			}
			if len(a.hist.Tail) > 2*tail {
				a.hist = a.hist.Trim(tail)
			}
			a.hist = a.hist.Settled()
			// With and Trim make a tail array of the new history's own
			// (or one without room), and Extend leaves the room past
			// the new history's end to it.
			a.ownTail = true
		}
	case events.AggregateActor:
		for _, e := range evs {
			a.actor = aggregates.EvolveActor(a.actor, e)
		}
	}
}

// snapHolds reports whether a's snapshot may hold an event of identity
// key, as [projections.Snapshot.Holds] does, its fingerprints decoded once.
func (a *aggregate) snapHolds(key string) bool {
	if a.snap == nil {
		return false
	}
	if a.prints == nil {
		ps, err := a.snap.Fingerprints()
		if err != nil {
			return true // unreadable: the history tells
		}
		a.prints = ps
	}
	return slices.Contains(a.prints, projections.Fingerprint(key))
}

// holds reports whether a holds an event of identity key: certainly when
// the handler has seen it; when only the snapshot's fingerprint says so,
// after reading the whole history to be sure.
func (h *Handler) holds(ctx context.Context, a *aggregate, key string, out *Outcome) (bool, error) {
	if a.keys[key] {
		return true, nil
	}
	if !a.snapHolds(key) {
		return false, nil
	}
	if err := h.loadWhole(ctx, a, out); err != nil {
		return false, err
	}
	return a.keys[key], nil
}

// state returns the state the plan decides ref's commands on: the plan's own,
// the cached one (which the plan takes: the cache holds it no more until
// the plan gives it back), or one read from the log.
func (h *Handler) state(ctx context.Context, p *plan, ref events.Ref, out *Outcome) (*aggregate, error) {
	if st := p.states[ref]; st != nil {
		return st, nil
	}
	if err := ref.Check(); err != nil {
		return nil, fmt.Errorf("%w: %w", aggregates.ErrInvalid, err)
	}
	h.mu.Lock()
	cached := h.cache[ref]
	delete(h.cache, ref) // the plan holds it now
	h.mu.Unlock()
	if cached != nil {
		st := cached
		st.cached = true
		p.hold(ref, st)
		p.sinceOK = false // read before the plan began
		return st, nil
	}
	return h.fresh(ctx, p, ref, out)
}

// lookups is how many reads of the store a handler makes at once.
const lookups = 16

// atOnce calls fn(i) for each i below n, lookups of them at a time, and
// waits for them all: each is a round trip or two to the server, which
// answers them side by side.
func atOnce(n int, fn func(i int)) {
	slots := make(chan struct{}, lookups)
	var wg sync.WaitGroup
	for i := range n {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			fn(i)
		})
	}
	wg.Wait()
}

// prefetch reads into the plan the state of each aggregate that steps
// command and the handler has not cached, several at once ([atOnce]): a
// snapshot and the events after it each, and a file of ten statements
// names ten meetings. A state that does not load
// is left for [Handler.state] to read again, and report, in its turn.
func (h *Handler) prefetch(ctx context.Context, p *plan, steps []scenarios.Step, out *Outcome) error {
	if len(steps) < 2 {
		return nil
	}
	var refs []events.Ref
	seen := map[events.Ref]bool{}
	h.mu.Lock()
	for _, step := range steps {
		ref := step.Command.Aggregate
		if seen[ref] || p.states[ref] != nil || h.cache[ref] != nil || ref.Check() != nil {
			continue
		}
		seen[ref] = true
		refs = append(refs, ref)
	}
	h.mu.Unlock()
	if len(refs) < 2 {
		return nil
	}
	states := make([]*aggregate, len(refs))
	counts := make([]Outcome, len(refs))
	atOnce(len(refs), func(i int) { states[i], _ = h.load(ctx, p, refs[i], &counts[i]) })
	for i, st := range states {
		out.Unavailable += counts[i].Unavailable
		if st != nil {
			p.hold(refs[i], st)
		}
	}
	return ctx.Err()
}

// fresh reads ref's state from the log into the plan.
func (h *Handler) fresh(ctx context.Context, p *plan, ref events.Ref, out *Outcome) (*aggregate, error) {
	st, err := h.load(ctx, p, ref, out)
	if err != nil {
		return nil, err
	}
	p.hold(ref, st)
	return st, nil
}

// load reads ref's state from the log for p: from its snapshot and the
// events after it where there is one, else its whole history.
//
// The events after a snapshot are read from its tip ([eventlog.Log.LoadSince]),
// unless p met a conflict: a tip that was wrong made it, and the subject's
// last message tells ([eventlog.Log.LoadAfter]). So does a snapshot past
// the stream's end that p noted before reading any state: a bulk append
// checks no subject's sequence, and the snapshot is not this log's.
func (h *Handler) load(ctx context.Context, p *plan, ref events.Ref, out *Outcome) (*aggregate, error) {
	branch := h.Branch()
	st := &aggregate{ref: ref}
	if h.Snapshots != nil && ref.Type == events.AggregateMeeting {
		snap, ok, err := h.snapshot(ctx, branch, ref, out)
		if err != nil {
			return nil, err
		}
		if ok {
			var rest eventlog.History
			err := h.persist(ctx, out, func() (err error) {
				rest, err = h.log.LoadSince(ctx, branch, ref, snap.Seq, p.tip(snap))
				return err
			})
			if err != nil {
				return nil, err
			}
			m := snap.State()
			// The snapshot must be this history's, up to a version that
			// the events after it continue, and they must come after it
			// or place in it.
			if continues(m, rest) {
				st.hist, st.snap, st.prints, st.expect = aggregates.Partial(m, nil), &snap, nil, rest.Expect
				if st.take(rest.Events, h.tail()) {
					out.Loads++
					return st, nil
				}
				st = &aggregate{ref: ref}
			}
		}
		// No snapshot, or one that does not fit: read the whole history.
	}
	return st, h.loadWhole(ctx, st, out)
}

// tip returns snap's tip, for reading the events after it, or a zero tip
// if p does not trust it ([Handler.load]).
func (p *plan) tip(snap projections.Snapshot) eventlog.Tip {
	tip, ok := snap.Tip()
	if !ok || p.lastAsked || p.sinceOK && snap.Seq > p.since {
		return eventlog.Tip{}
	}
	return tip
}

// continues reports whether rest, the events after a snapshot of meeting
// m, continue it: the snapshot is of this history, up to a version the
// events after it continue.
func continues(m aggregates.Meeting, rest eventlog.History) bool {
	return m.Declared() && (len(rest.Events) == 0 && rest.Version == m.Version || len(rest.Events) > 0 && rest.Events[0].Version == m.Version+1)
}

// take folds evs, events recorded after what st was read from, into st
// one by one, and reports false, with st part-way, at the first that st's
// history cannot place ([aggregates.History.Takes]): a late event before
// the snapshot's last, a correction. Read the history whole then.
func (a *aggregate) take(evs []events.Event, tail int) bool {
	for i := range evs {
		if !a.hist.Takes(evs[i]) {
			return false
		}
		a.apply(evs[i:i+1], tail)
	}
	return true
}

// loadCourse reads, for cmd, the events that shape the course of st's
// meeting, by the sequences its snapshot lists, and the events after the
// snapshot, and makes st's history the outlined one they give
// ([aggregates.Outlined]), with the plan's events on it: what a late
// event of the course is decided on, without the statements and
// preconditions' events between (most of a history). It reports false
// when cmd is not of the course, the snapshot lists no course, or the log
// does not match it: read the history whole then.
func (h *Handler) loadCourse(ctx context.Context, st *aggregate, cmd aggregates.Command, out *Outcome) (bool, error) {
	if h.Snapshots == nil || st.ref.Type != events.AggregateMeeting || st.records != nil || needsWhole(cmd) || cmd.Payload == nil || !aggregates.ShapesCourse(cmd.Event()) {
		return false, nil
	}
	branch := h.Branch()
	snap, ok, err := h.snapshot(ctx, branch, st.ref, out)
	if err != nil || !ok {
		return false, err
	}
	seqs, ok := snap.Outline()
	if !ok {
		return false, nil
	}
	var course, rest eventlog.History
	err = h.persist(ctx, out, func() (err error) {
		course, rest, err = h.readBeside(ctx, branch, st.ref, seqs, snap.Seq)
		return err
	})
	m := snap.State()
	switch {
	case errors.Is(err, eventlog.ErrNotThere):
		return false, nil
	case err != nil:
		return false, err
	case len(course.Malformed) > 0 || len(course.Events) != len(seqs) || !continues(m, rest):
		return false, nil
	}
	c := &aggregate{ref: st.ref, hist: aggregates.Outlined(m, course.Events), snap: &snap, expect: rest.Expect}
	if !c.take(rest.Events, h.tail()) || !c.take(st.planned, h.tail()) {
		return false, nil
	}
	out.Loads++
	st.hist, st.snap, st.prints, st.expect, st.keys, st.ownTail = c.hist, c.snap, nil, c.expect, c.keys, false
	return true, nil
}

// loadWhole reads st's whole history from the log.
func (h *Handler) loadWhole(ctx context.Context, st *aggregate, out *Outcome) error {
	branch := h.Branch()
	var hist eventlog.History
	err := h.persist(ctx, out, func() (err error) {
		if hist, err = h.loadListed(ctx, branch, st); errors.Is(err, eventlog.ErrNotThere) {
			hist, err = h.log.Load(ctx, branch, st.ref)
		}
		return err
	})
	if err != nil {
		return err
	}
	out.Loads++
	st.records = slices.Concat(hist.Events, st.planned)
	if st.records == nil {
		st.records = []events.Event{}
	}
	st.snap, st.prints, st.expect = nil, nil, hist.Expect
	keys := make(map[string]bool, len(st.records))
	for _, e := range st.records {
		keys[e.Key] = true
	}
	st.keys = keys
	switch st.ref.Type {
	case events.AggregateMeeting:
		st.hist = aggregates.Whole(st.records).Trim(h.tail())
	case events.AggregateActor:
		st.actor = aggregates.FoldActor(st.records)
	}
	return nil
}

// loadListed reads st's whole history by the sequences its snapshot lists
// ([eventlog.Log.LoadSeqs]), and the events after the snapshot. It returns
// an error wrapping [eventlog.ErrNotThere] when st has no such snapshot or
// the log does not match it: read the history with a scan instead.
func (h *Handler) loadListed(ctx context.Context, branch eventlog.Branch, st *aggregate) (eventlog.History, error) {
	var seqs []uint64
	snap := st.snap
	if snap != nil {
		seqs, _ = snap.History()
	}
	if len(seqs) == 0 && h.Snapshots != nil && st.ref.Type == events.AggregateMeeting {
		// A state the cache kept of a history it let go answers for
		// its events' identities, not their places: the projection's
		// snapshot lists them.
		if s, ok, err := h.Snapshots.Snapshot(ctx, branch, st.ref.ID); err == nil && ok {
			snap = &s
			seqs, _ = snap.History()
		}
	}
	if len(seqs) == 0 {
		return eventlog.History{}, fmt.Errorf("%s: no list of its events: %w", st.ref, eventlog.ErrNotThere)
	}
	listed, rest, err := h.readBeside(ctx, branch, st.ref, seqs, snap.Seq)
	if err != nil {
		return listed, err
	}
	version := snap.State().Version
	switch {
	case len(listed.Malformed) > 0 || listed.Version != version:
		return listed, fmt.Errorf("%s: the snapshot's events end at version %d, not %d: %w", st.ref, listed.Version, version, eventlog.ErrNotThere)
	case len(rest.Events) > 0 && rest.Events[0].Version != version+1:
		return listed, fmt.Errorf("%s: the events after the snapshot begin at version %d, not %d: %w", st.ref, rest.Events[0].Version, version+1, eventlog.ErrNotThere)
	}
	listed.Events = append(listed.Events, rest.Events...)
	listed.Records = append(listed.Records, rest.Records...)
	listed.Malformed = rest.Malformed
	listed.Expect = rest.Expect
	if len(rest.Events) > 0 {
		listed.Version = rest.Version
	}
	return listed, nil
}

// snapshot reads the projection's snapshot of meeting ref, riding out a
// store that does not answer ([Handler.persist]).
func (h *Handler) snapshot(ctx context.Context, branch eventlog.Branch, ref events.Ref, out *Outcome) (snap projections.Snapshot, ok bool, err error) {
	err = h.persist(ctx, out, func() (err error) {
		snap, ok, err = h.Snapshots.Snapshot(ctx, branch, ref.ID)
		return err
	})
	return snap, ok, err
}

// readBeside reads ref's events at the stream sequences seqs (a snapshot's
// list) and, beside them, its events after the snapshot's sequence after:
// a late event decided on them waits for the longer of the two reads, not
// their sum.
func (h *Handler) readBeside(ctx context.Context, branch eventlog.Branch, ref events.Ref, seqs []uint64, after uint64) (listed, rest eventlog.History, err error) {
	var restErr error
	var wg sync.WaitGroup
	wg.Go(func() { rest, restErr = h.log.LoadAfter(ctx, branch, ref, after) })
	listed, err = h.log.LoadSeqs(ctx, branch, ref, seqs)
	wg.Wait()
	return listed, rest, errors.Join(err, restErr)
}

// persist runs op until it returns anything but [eventlog.ErrUnavailable],
// waiting a little longer each time, for up to h.Patience in all.
func (h *Handler) persist(ctx context.Context, out *Outcome, op func() error) error {
	return retry(ctx, h.Patience, op, func() { out.Unavailable++ })
}

// keep caches st as ref's state. A full cache drops an entry at random to
// make room.
func (h *Handler) keep(ref events.Ref, st *aggregate) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.CacheSize <= 0 {
		return
	}
	if h.cache == nil {
		h.cache = map[events.Ref]*aggregate{}
	}
	if _, ok := h.cache[ref]; !ok && len(h.cache) >= h.CacheSize {
		for k := range h.cache {
			delete(h.cache, k)
			break
		}
	}
	// The plan that decided on st is done with it: st itself is kept.
	// A whole history is not kept: a command that needs one reads it
	// again.
	c := st
	c.cached, c.touched, c.planned = false, false, nil
	if c.hist.Outline != nil {
		// The course read for a late event is not kept: the state
		// answers for what follows, and a warm command extends its tail
		// in place.
		c.hist, c.ownTail = aggregates.Partial(c.hist.State(), nil).Settled(), false
	}
	if c.records != nil && len(c.records) > 4*h.tail() {
		// What answers for the events dropped: their fingerprints, taken
		// before the records go.
		c.snap, c.prints = fingerprints(c.records), nil
		c.records = nil
		keys := map[string]bool{}
		for _, e := range c.hist.Tail {
			keys[e.Key] = true
		}
		c.keys = keys
	}
	h.cache[ref] = c
}

// fingerprints returns a snapshot that answers only for the identities of
// records: what a cached state keeps of a history it no longer holds.
func fingerprints(records []events.Event) *projections.Snapshot {
	s := projections.SnapshotOf(records)
	return &s
}

func (h *Handler) forget(refs ...events.Ref) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, ref := range refs {
		delete(h.cache, ref)
	}
}
