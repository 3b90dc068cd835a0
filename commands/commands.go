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
	"time"

	"github.com/google/uuid"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
)

// Handler runs commands against one branch of the log.
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
}

// NewHandler returns a handler of commands on branch.
func NewHandler(log *eventlog.Log, branch eventlog.Branch) *Handler {
	return &Handler{log: log, branch: branch, Retries: 8, Patience: 30 * time.Second}
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
}

// Handle decides cmd against the aggregate's current history and appends
// the events. Deciding again after a conflict is safe for every summit
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
	for attempt := 0; ; attempt++ {
		var hist eventlog.History
		err := h.persist(ctx, &res, func() (err error) {
			hist, err = h.log.Load(ctx, h.branch, cmd.Aggregate)
			return err
		})
		if err != nil {
			return res, err
		}
		evs, err := Decide(hist.Events, cmd)
		if err != nil {
			return res, err
		}
		if len(evs) == 0 {
			return res, nil
		}
		Stamp(evs, h.branch.Name, meta)
		var seq uint64
		err = h.persist(ctx, &res, func() (err error) {
			seq, err = h.log.Append(ctx, hist.Expect, evs...)
			return err
		})
		if err == nil {
			res.Events, res.Seq = evs, seq
			return res, nil
		}
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
