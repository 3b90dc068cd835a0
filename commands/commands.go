// Package commands is the way a command reaches the record: load the
// aggregate's history from the log, let the aggregate decide, stamp the
// events, append them with optimistic concurrency, and on a conflict do it
// all again on the fresh history.
package commands

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
)

// Handler runs commands against one branch of the log.
//
// A handler keeps the state of the aggregates it has met, folded, with the
// stream sequence each was at, so that a command on a meeting it met
// before is decided without loading the meeting's history again: a warm
// command costs the append alone. The cache is safe because the append
// is: it expects the aggregate's subject to be where the cached state left
// it, so a cached state that another writer has since moved on meets a
// conflict, is dropped, and the command is decided again on the history
// loaded fresh. A command refused on a cached state is decided again on a
// fresh one too before the refusal is returned, as the state it was
// refused on may be stale. A handler is safe for concurrent use.
type Handler struct {
	log    *eventlog.Log
	branch eventlog.Branch
	// Retries is how many times a command refused for a conflict is
	// decided again on fresh state. Default 8.
	Retries int
	// Patience is how long, in all, a command waits for a store that does
	// not answer ([eventlog.ErrUnavailable]: a server stopping, a cluster
	// electing a leader) before it gives up. Default 30s.
	Patience time.Duration
	// CacheSize bounds how many aggregates the handler keeps; 0 keeps
	// none, so that every command loads its aggregate. Default 10,000.
	CacheSize int
	// Snapshots, if set, holds meetings' states on the record as a
	// projection last saw them: a handler of main that meets a meeting
	// for the first time reads its snapshot and only the events after it
	// ([eventlog.Log.LoadAfter]), rather than its whole history. A
	// snapshot that does not continue into the log version by version is
	// ignored, and the history read whole.
	Snapshots Snapshots

	mu    sync.Mutex
	cache map[events.Ref]State
}

// NewHandler returns a handler of commands on branch.
func NewHandler(log *eventlog.Log, branch eventlog.Branch) *Handler {
	return &Handler{log: log, branch: branch, Retries: 8, Patience: 30 * time.Second, CacheSize: 10_000, cache: map[events.Ref]State{}}
}

// Snapshots gives a meeting's state on a branch and the stream sequence
// up to which it reflects every event of the branch; false if it has none.
// [projections.Store] is one.
type Snapshots interface {
	Snapshot(ctx context.Context, branch, id string) (aggregates.Meeting, uint64, bool, error)
}

// State is an aggregate's state folded from its history, and the stream
// sequence an append to it must expect ([eventlog.History.Expect]).
type State struct {
	Meeting aggregates.Meeting
	Actor   aggregates.Actor
	Expect  uint64
}

// Fold returns the state of aggregate ref that history makes.
func Fold(ref events.Ref, h eventlog.History) State {
	st := State{Expect: h.Expect}
	st.apply(ref, h.Events)
	return st
}

func (st *State) apply(ref events.Ref, evs []events.Event) {
	for _, e := range evs {
		switch ref.Type {
		case events.AggregateMeeting:
			st.Meeting = aggregates.Evolve(st.Meeting, e)
		case events.AggregateActor:
			st.Actor = aggregates.EvolveActor(st.Actor, e)
		}
	}
}

// Meta is what a caller adds to every event of a command: its correlation
// (the run it belongs to) and causation.
type Meta struct {
	CorrelationID uuid.UUID
	CausationID   uuid.UUID
}

// Result is a command's outcome: the events appended (none if the command
// changed nothing) and the stream sequence of the last.
type Result struct {
	Events []events.Event
	Seq    uint64
	// Conflicts counts the times the command met a concurrent writer and
	// was decided again.
	Conflicts int
	// Unavailable counts the times the store did not answer and the
	// command asked again.
	Unavailable int
	// Loads counts the times the aggregate's history was read from the
	// log: 0 when the handler's cache held its state.
	Loads int
}

// Handle decides cmd against the aggregate's current state and appends the
// events. Deciding again after a conflict is safe for every summit
// command: Decide checks the command against whatever state it is given, and
// the command says what happened, not what to change the state from.
//
// When the store does not answer ([eventlog.ErrUnavailable]), Handle asks
// again, for up to Patience: a load as it was, an append with the same
// events and the same expected sequence. That is safe too: if the first
// append landed and only its acknowledgement was lost, the second finds it
// (the events' ids are their Nats-Msg-Id) instead of storing it twice.
func (h *Handler) Handle(ctx context.Context, cmd aggregates.Command, meta Meta) (Result, error) {
	var res Result
	ref := cmd.Aggregate
	// fresh is set once a refusal on a cached state sends the command to
	// the log's state: it is read from the log from then on.
	fresh := false
	for attempt := 0; ; attempt++ {
		st, cached := h.cached(ref)
		if fresh {
			cached = false
		}
		if !cached {
			err := h.persist(ctx, &res, func() (err error) {
				st, err = h.load(ctx, ref)
				return err
			})
			if err != nil {
				return res, err
			}
			res.Loads++
			h.keep(ref, st)
		}
		evs, err := DecideState(st, cmd)
		if err != nil && cached {
			// Refused on a state that may be stale: decide again, once,
			// on the history as the log holds it.
			h.forget(ref)
			fresh = true
			attempt--
			continue
		}
		if err != nil {
			return res, err
		}
		if len(evs) == 0 {
			return res, nil
		}
		Stamp(evs, h.branch.Name, meta)
		var seq uint64
		err = h.persist(ctx, &res, func() (err error) {
			seq, err = h.log.Append(ctx, st.Expect, evs...)
			return err
		})
		if err == nil {
			st.apply(ref, evs)
			st.Expect = seq
			h.keep(ref, st)
			res.Events, res.Seq = evs, seq
			return res, nil
		}
		// Whatever went wrong, the cached state may no longer be the
		// log's.
		h.forget(ref)
		if !errors.Is(err, eventlog.ErrConflict) || attempt >= h.Retries {
			return res, err
		}
		res.Conflicts++
		// Back off a little, at random, so that writers in a crowd do not
		// meet again at once.
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-time.After(time.Duration(rand.IntN(1<<min(attempt, 6))) * time.Millisecond):
		}
	}
}

// persist runs op until it returns anything but [eventlog.ErrUnavailable],
// waiting a little longer each time, for up to h.Patience in all.
func (h *Handler) persist(ctx context.Context, res *Result, op func() error) error {
	give := time.Now().Add(h.Patience)
	wait := 50 * time.Millisecond
	for {
		err := op()
		if !errors.Is(err, eventlog.ErrUnavailable) || ctx.Err() != nil || time.Now().Add(wait).After(give) {
			return err
		}
		res.Unavailable++
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Second)
	}
}

// load reads the state of ref from the log: from its snapshot and the
// events after it where there is one, else from its whole history.
func (h *Handler) load(ctx context.Context, ref events.Ref) (State, error) {
	if h.Snapshots != nil && h.branch.IsMain() && ref.Type == events.AggregateMeeting {
		m, seq, ok, err := h.Snapshots.Snapshot(ctx, h.branch.Name, ref.ID)
		if err == nil && ok {
			rest, err := h.log.LoadAfter(ctx, ref, seq)
			if err != nil {
				return State{}, err
			}
			// The snapshot must be this history's, up to a version that
			// the events after it continue.
			if rest.Version == m.Version+uint64(len(rest.Events)) && (len(rest.Events) == 0 || rest.Events[0].Version == m.Version+1) && m.Version > 0 {
				st := State{Meeting: m, Expect: rest.Expect}
				st.apply(ref, rest.Events)
				return st, nil
			}
		}
		// No snapshot, or one that does not fit: read the whole history.
	}
	hist, err := h.log.Load(ctx, h.branch, ref)
	if err != nil {
		return State{}, err
	}
	return Fold(ref, hist), nil
}

// cached returns the cached state of ref, if the handler holds one.
func (h *Handler) cached(ref events.Ref) (State, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	st, ok := h.cache[ref]
	return st, ok
}

// keep caches st as ref's state, unless the cache holds a later one. A full
// cache drops an entry at random to make room. (States share their slices
// safely: Evolve copies a slice before it changes it.)
func (h *Handler) keep(ref events.Ref, st State) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.CacheSize <= 0 {
		return
	}
	if old, ok := h.cache[ref]; ok && old.Expect > st.Expect {
		return
	}
	if h.cache == nil {
		h.cache = map[events.Ref]State{}
	}
	if _, ok := h.cache[ref]; !ok && len(h.cache) >= h.CacheSize {
		for k := range h.cache {
			delete(h.cache, k)
			break
		}
	}
	h.cache[ref] = st
}

func (h *Handler) forget(ref events.Ref) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.cache, ref)
}

// DecideState decides cmd on the aggregate's state st.
func DecideState(st State, cmd aggregates.Command) ([]events.Event, error) {
	switch cmd.Aggregate.Type {
	case events.AggregateMeeting:
		return aggregates.Decide(st.Meeting, cmd)
	case events.AggregateActor:
		return aggregates.DecideActor(st.Actor, cmd)
	}
	return nil, fmt.Errorf("command for %s: %w", cmd.Aggregate, aggregates.ErrWrongAggregate)
}

// Decide folds history into its aggregate's state and decides cmd on it.
func Decide(history []events.Event, cmd aggregates.Command) ([]events.Event, error) {
	switch cmd.Aggregate.Type {
	case events.AggregateMeeting:
		return aggregates.Decide(aggregates.Fold(history), cmd)
	case events.AggregateActor:
		var a aggregates.Actor
		for _, e := range history {
			a = aggregates.EvolveActor(a, e)
		}
		return aggregates.DecideActor(a, cmd)
	}
	return nil, fmt.Errorf("command for %s: %w", cmd.Aggregate, aggregates.ErrWrongAggregate)
}

// Stamp gives decided events what the aggregate leaves to the caller: a new
// id, the branch (hypothetical off main), and the run's correlation.
func Stamp(evs []events.Event, branch string, meta Meta) {
	for i := range evs {
		evs[i].ID = events.NewID()
		evs[i].Branch = branch
		evs[i].Hypothetical = branch != events.Main
		evs[i].CorrelationID = meta.CorrelationID
		evs[i].CausationID = meta.CausationID
	}
}
