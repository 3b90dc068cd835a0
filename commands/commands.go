// Package commands is the one way a command reaches the record. Every verb
// that writes (replay, append, inject, add) and every benchmark and
// reliability test goes through a [Handler]: load what the aggregates
// concerned hold (from the handler's cache, a projection's snapshot and the
// events after it, or the whole history; for a late event of a meeting's
// course, the events of its course the snapshot lists), let the aggregates
// decide, stamp the events, append them with optimistic concurrency, and on
// a conflict or a store that does not answer, decide again what has not
// landed.
//
// A handler also owns idempotency: an event carries its identity
// ([events.Identity]), and a step whose event an aggregate holds already is
// not appended again, however the file that holds it was re-saved. That
// makes every retry safe, and an interrupted file is resumed by appending
// it again.
package commands

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
	"github.com/summit-model/summit/scenarios"
)

// Handler runs commands against one branch of the log.
//
// A handler keeps what it knows of the aggregates it has met (each
// meeting's state and its last events, with the stream sequence an append
// to it must expect), so that a command on a meeting it met before is
// decided without loading it again: a warm command costs the append alone.
// The cache is safe because the append is: it expects the aggregate's
// subject to be where the cached state left it, so a cached state that
// another writer has since moved on meets a conflict, is dropped, and the
// command is decided again on the history loaded fresh. A command refused
// on a cached state is decided again on a fresh one too before the refusal
// is returned, as the state it was refused on may be stale. A handler is
// safe for concurrent use: a command takes its aggregate's cached state
// out of the cache while it decides and appends, and puts it back after;
// another command on the same aggregate meanwhile reads it from the log.
type Handler struct {
	log    *eventlog.Log
	branch eventlog.Branch
	// Retries is how many times steps refused for a conflict are decided
	// again on fresh state. Default 8.
	Retries int
	// Patience is how long, in all, a command waits for a store that does
	// not answer ([eventlog.ErrUnavailable]: a server stopping, a cluster
	// electing a leader) before it gives up. Default 30s.
	Patience time.Duration
	// CacheSize bounds how many aggregates the handler keeps; 0 keeps
	// none, so that every command loads its aggregate. Default 10,000.
	CacheSize int
	// Tail is how many of a meeting's latest events the handler keeps at
	// least (and up to twice as many) besides its state, to decide a late
	// report without reading the meeting's history. Default 8.
	Tail int
	// Snapshots, if set, holds meetings' states as a projection last saved
	// them: a handler that meets a meeting for the first time reads its
	// snapshot and only the events after it ([eventlog.Log.LoadSince],
	// from where the snapshot says its subject stood), rather than its
	// whole history. A snapshot that does not continue into the log
	// version by version is ignored, and the history read whole; where no
	// event follows the snapshot, the log's side of that check is the
	// append's expected subject sequence (see load).
	Snapshots Snapshots
	// Now is the handler's clock: a correction or a retraction that says
	// nothing of when it became known is known from the day it is
	// appended, in its event's zone. Default: time.Now.
	Now func() time.Time

	mu    sync.Mutex
	cache map[events.Ref]*aggregate
}

// NewHandler returns a handler of commands on branch.
func NewHandler(log *eventlog.Log, branch eventlog.Branch) *Handler {
	return &Handler{log: log, branch: branch, Retries: 8, Patience: 30 * time.Second, CacheSize: 10_000, Tail: 8, cache: map[events.Ref]*aggregate{}}
}

// Branch returns the branch the handler writes to.
func (h *Handler) Branch() eventlog.Branch {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.branch
}

// Snapshots gives a meeting's snapshot on a branch, as a projection saved
// it; false if it has none. [projections.Store] is one.
type Snapshots interface {
	Snapshot(ctx context.Context, branch eventlog.Branch, id string) (projections.Snapshot, bool, error)
}

// Meta is what a caller adds to every event of a command: its correlation
// (the run it belongs to) and causation.
type Meta struct {
	CorrelationID uuid.UUID
	CausationID   uuid.UUID
}

// Result is a command's outcome: the events appended (none if the command
// changed nothing, or its event was on record already) and the stream
// sequence of the last.
type Result struct {
	Events []events.Event
	Seq    uint64
	// Known reports that the store held the command's event already: it
	// was not appended again.
	Known bool
	// Conflicts counts the times the command met a concurrent writer and
	// was decided again.
	Conflicts int
	// Unavailable counts the times the store did not answer and the
	// command asked again.
	Unavailable int
	// Loads counts the times an aggregate was read from the log: 0 when the
	// handler's cache held its state.
	Loads int
}

// Handle decides cmd against its aggregate's history and appends the
// events: [Handler.HandleAll] of one step.
func (h *Handler) Handle(ctx context.Context, cmd aggregates.Command, meta Meta) (Result, error) {
	out, err := h.HandleAll(ctx, Batch{Steps: []scenarios.Step{{Command: cmd}}, Meta: meta})
	res := Result{Events: out.Events, Seq: out.Seq, Known: out.Known > 0, Conflicts: out.Conflicts, Unavailable: out.Unavailable, Loads: out.Loads}
	var refused Refused
	if errors.As(err, &refused) && len(refused) == 1 {
		// One command: its refusal as the aggregate said it.
		err = refused[0].Err
	}
	return res, err
}

// Batch is what [Handler.HandleAll] records: the steps of a plan (a
// scenario or an event file, or one command), each with the line it comes
// from.
type Batch struct {
	// File names the steps' source in errors.
	File  string
	Steps []scenarios.Step
	Meta  Meta
	// Pace, if not zero, appends one step at a time, spaced out in world
	// time ([scenarios.Pace]).
	Pace scenarios.Pace
	// Landed, if not nil, is called with each step's events as they land.
	Landed func(scenarios.Step, []events.Event)
	// Check, if not nil, runs once every step is decided and found good,
	// before Prepare and before anything is appended: an error ends the
	// batch with nothing appended. A verb checks its store's integrity so,
	// side by side with the reads that decide.
	Check func(context.Context) error
	// Prepare, if not nil, runs once every step is decided and found good,
	// before anything is appended: it makes the branch the events go to,
	// and returns it (with its generation), so that a file with an error
	// makes no branch.
	Prepare func(context.Context) (eventlog.Branch, error)
}

// Outcome is what [Handler.HandleAll] did.
type Outcome struct {
	// Steps counts the steps; Appended the events appended; Known the
	// steps whose event the store held already (a file appended again).
	Steps    int
	Appended int
	Known    int
	// Events are the events appended, and Seq the stream sequence of the
	// last.
	Events []events.Event
	Seq    uint64
	// Conflicts counts the times the steps met a concurrent writer and the
	// rest were decided again; Unavailable the times the store did not
	// answer and the handler asked again; Loads the aggregates read from
	// the log.
	Conflicts   int
	Unavailable int
	Loads       int
	// Landed counts the steps known to be on record when HandleAll
	// returned: all of them after a success; a prefix after a failure.
	Landed int
}

// HandleAll decides every step of b against the branch's history, in
// order, each on the aggregates as the steps before it leave them, and
// appends them all, or nothing if any is refused: the error is then a
// [Refused] naming each refused step. A step whose event the store holds
// already is skipped.
//
// Appending is pipelined ([eventlog.Log.AppendAll]) unless b has a pace.
// If another writer moves an aggregate on (a conflict), or the store stops
// answering, the steps that have not landed are decided again on the
// history loaded fresh, up to Retries times and for up to Patience: safe,
// since a step that landed after all is recognised by its identity.
func (h *Handler) HandleAll(ctx context.Context, b Batch) (Outcome, error) {
	out := Outcome{Steps: len(b.Steps)}
	done := 0
	give := time.Now().Add(h.Patience)
	wait := 50 * time.Millisecond
	for attempt := 0; ; attempt++ {
		plan, err := h.decide(ctx, b, b.Steps[done:], &out)
		if err != nil {
			return out, err
		}
		if err := plan.valid(b.File, b.Steps[done:]); err != nil {
			h.giveBack(plan)
			return out, err
		}
		if b.Check != nil && attempt == 0 {
			if err := b.Check(ctx); err != nil {
				h.giveBack(plan)
				return out, err
			}
		}
		if b.Prepare != nil && attempt == 0 {
			branch, err := b.Prepare(ctx)
			if err != nil {
				h.giveBack(plan)
				return out, err
			}
			h.setBranch(branch)
			plan.restamp(branch)
		}
		n, err := h.append(ctx, b, b.Steps[done:], plan, &out)
		done += n
		out.Landed = done
		if err == nil {
			out.Landed = len(b.Steps)
			return out, nil
		}
		h.forget(plan.refs()...)
		switch {
		case ctx.Err() != nil:
			return out, err
		case errors.Is(err, eventlog.ErrConflict) && attempt < h.Retries:
			out.Conflicts++
			// Back off a little, at random, so that writers in a crowd do
			// not meet again at once.
			if err := sleep(ctx, time.Duration(rand.IntN(1<<min(attempt, 6)))*time.Millisecond); err != nil {
				return out, err
			}
		case unavailable(err) && time.Now().Add(wait).Before(give):
			out.Unavailable++
			attempt--
			if err := sleep(ctx, wait); err != nil {
				return out, err
			}
			wait = min(2*wait, time.Second)
		default:
			return out, err
		}
	}
}

// unavailable reports an error after which the store may answer again:
// it did not answer ([eventlog.ErrUnavailable]), or the connection to the
// server was lost with appends in flight (the server stopped; the client
// reconnects to another). Whether those landed is not known; deciding
// again is safe, as a step on record already is recognised by its
// identity.
func unavailable(err error) bool {
	return errors.Is(err, eventlog.ErrUnavailable) || errors.Is(err, nats.ErrDisconnected) || errors.Is(err, nats.ErrConnectionReconnecting)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// plan is a batch's steps decided: each step's events (none for a step
// that changes nothing or is on record already), and what an append to
// each aggregate must expect.
type plan struct {
	pending []eventlog.Pending
	// states holds the state each aggregate is decided on ([plan.hold]);
	// nil until the first.
	states map[events.Ref]*aggregate
	meta   Meta
	// since, when sinceOK, is the stream's last sequence read before any
	// of the plan's states: each was read from the log after it (none
	// came from the cache), which [eventlog.Log.AppendAllSince] relies on.
	since   uint64
	sinceOK bool
	// lastAsked, set once an append of the batch met a conflict, reads
	// each aggregate after its snapshot asking the server for its last
	// message, not trusting the snapshot's tip ([Handler.load]).
	lastAsked bool
	// fold, when set, folds the events of a plan of one step into its
	// state: [Handler.appendOne] calls it while they are on their way.
	fold func()
}

// giveBack returns to the cache the states of a plan that appends
// nothing: those no step of it moved on, as they were read.
func (h *Handler) giveBack(p *plan) {
	for ref, st := range p.states {
		if !st.touched {
			h.keep(ref, st)
		}
	}
}

// hold makes st the state the plan decides ref's commands on.
func (p *plan) hold(ref events.Ref, st *aggregate) {
	if p.states == nil {
		p.states = make(map[events.Ref]*aggregate, 1)
	}
	p.states[ref] = st
}

func (p *plan) refs() []events.Ref {
	out := make([]events.Ref, 0, len(p.states))
	for ref := range p.states {
		out = append(out, ref)
	}
	return out
}

// restamp gives the plan's events the generation of the branch just made,
// and the identity that follows from it.
func (p *plan) restamp(b eventlog.Branch) {
	for _, pd := range p.pending {
		for i := range pd.Events {
			pd.Events[i].Branch, pd.Events[i].Gen = b.Name, b.Gen
			pd.Events[i].Key = events.Identity(pd.Events[i])
		}
	}
}

// valid checks every event of a plan of more than one step as the codec
// will ([events.Event.Validate]) before the first is sent: a pipelined
// append stops at an event the codec refuses, with the steps before it
// landed, where a file with an error must append nothing. (A plan of one
// step is refused whole by its own encoding.) What it finds is a
// [Refused], each at its line.
func (p *plan) valid(file string, steps []scenarios.Step) error {
	if len(p.pending) < 2 {
		return nil
	}
	var refused Refused
	for i, pd := range p.pending {
		for _, e := range pd.Events {
			if err := e.Validate(); err != nil {
				refused = append(refused, &Refusal{File: file, Line: steps[i].Line, Err: err})
				break
			}
		}
	}
	if refused != nil {
		return refused
	}
	return nil
}

// decide decides steps, the rest of b, into a plan. Refusals are collected
// into a [Refused]; nothing is appended.
func (h *Handler) decide(ctx context.Context, b Batch, steps []scenarios.Step, out *Outcome) (_ *plan, err error) {
	p := &plan{pending: make([]eventlog.Pending, len(steps)), meta: b.Meta, lastAsked: out.Conflicts > 0}
	defer func() {
		if err != nil {
			h.giveBack(p)
		}
	}()
	if len(steps) > 1 {
		// A plan of several steps goes as a bulk append, which need not
		// check each aggregate's subject if nothing landed since its
		// states were read: note where the stream ends before reading any.
		if seq, err := h.log.LastSeq(ctx); err == nil {
			p.since, p.sinceOK = seq, true
		}
	}
	var refused Refused
	var refs map[string]int // ref names of this batch -> their line
	if err := h.prefetch(ctx, p, steps, out); err != nil {
		return nil, err
	}
	for i, step := range steps {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		cmd := step.Command
		st, err := h.state(ctx, p, cmd.Aggregate, out)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where(b.File, step.Line), err)
		}
		var prov events.Event // the event cmd records, and its identity
		if cmd.Payload != nil {
			prov = h.provisional(cmd)
			prov.Key = events.Identity(prov)
			known, err := h.holds(ctx, st, prov.Key, out)
			if err != nil {
				return nil, err
			}
			if known {
				out.Known++
				p.pending[i] = eventlog.Pending{Expect: st.expect}
				continue
			}
		}
		evs, err := h.decideOn(ctx, st, cmd, out)
		if err != nil && st.cached && !st.touched && !errors.Is(err, errRead) {
			// Refused on a state that may be stale: decide again, once, on
			// the history as the log holds it.
			if st, err = h.fresh(ctx, p, cmd.Aggregate, out); err != nil {
				return nil, err
			}
			evs, err = h.decideOn(ctx, st, cmd, out)
		}
		if errors.Is(err, errRead) {
			return nil, err
		}
		if err != nil {
			refused = append(refused, &Refusal{File: b.File, Line: step.Line, Err: err})
			continue
		}
		h.stamp(evs, b.Meta, prov)
		if name := cmd.RefName; name != "" && len(evs) > 0 {
			if line, ok := refs[name]; ok {
				refused = append(refused, &Refusal{File: b.File, Line: step.Line, Err: fmt.Errorf("ref %q: %w by line %d", name, eventlog.ErrRefTaken, line)})
				continue
			}
			t, taken, err := h.log.Ref(ctx, h.branch, name)
			if err != nil {
				return nil, err
			}
			if taken {
				refused = append(refused, &Refusal{File: b.File, Line: step.Line, Err: fmt.Errorf("ref %q: %w: it names the %s of %s", name, eventlog.ErrRefTaken, t.Aggregate, t.At)})
				continue
			}
			if refs == nil {
				refs = map[string]int{}
			}
			refs[name] = step.Line
		}
		p.pending[i] = eventlog.Pending{Events: evs, Expect: st.expect}
		if len(steps) == 1 && b.Pace.IsZero() && len(evs) > 0 {
			// No step decides on st after this one: its events are folded
			// into it while they travel to the server ([Handler.appendOne]).
			p.fold = func() { st.apply(evs, h.tail()) }
			continue
		}
		st.apply(evs, h.tail())
		st.planned = append(st.planned, evs...)
		st.touched = st.touched || len(evs) > 0
	}
	if len(refused) > 0 {
		return nil, refused
	}
	return p, nil
}

// errRead marks an error of [Handler.decideOn] that is a failed read of
// the log, not a decision.
var errRead = errors.New("read for a late event")

// decideOn decides cmd on st and, where st holds too little of the
// history for a late event ([aggregates.ErrNeedHistory]), reads more and
// decides again: the meeting's course where that does, else its whole
// history. A failed read is returned wrapping errRead.
func (h *Handler) decideOn(ctx context.Context, st *aggregate, cmd aggregates.Command, out *Outcome) ([]events.Event, error) {
	evs, err := st.decide(cmd)
	if !errors.Is(err, aggregates.ErrNeedHistory) {
		return evs, err
	}
	ok, err := h.loadCourse(ctx, st, cmd, out)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errRead, err)
	}
	if ok {
		if evs, err = st.decide(cmd); !errors.Is(err, aggregates.ErrNeedHistory) {
			return evs, err
		}
	}
	if err := h.loadWhole(ctx, st, out); err != nil {
		return nil, fmt.Errorf("%w: %w", errRead, err)
	}
	return st.decide(cmd)
}

// append appends plan's events for steps, all at once or, with a pace,
// one step at a time, and returns how many steps landed. What landed is
// kept in the handler's cache.
func (h *Handler) append(ctx context.Context, b Batch, steps []scenarios.Step, p *plan, out *Outcome) (int, error) {
	landed := func(i int) {
		evs := p.pending[i].Events
		out.Appended += len(evs)
		out.Events = append(out.Events, evs...)
		if b.Landed != nil {
			b.Landed(steps[i], evs)
		}
	}
	var n int
	var err error
	if b.Pace.IsZero() {
		switch {
		case p.fold != nil:
			n, err = h.appendOne(ctx, p)
		case p.sinceOK:
			n, err = h.log.AppendAllSince(ctx, p.since, p.pending)
		default:
			n, err = h.log.AppendAll(ctx, p.pending)
		}
		for i := range n {
			landed(i)
		}
	} else {
		n, err = h.paced(ctx, b.Pace, steps, p, landed)
	}
	// What landed moves the aggregates on: an append to them expects where
	// the last landed.
	for _, pd := range p.pending[:n] {
		if len(pd.Events) == 0 {
			continue
		}
		if st := p.states[pd.Events[0].Aggregate]; st != nil {
			st.expect = pd.Seq
		}
		out.Seq = max(out.Seq, pd.Seq)
	}
	if err == nil {
		for ref, st := range p.states {
			h.keep(ref, st)
		}
	}
	return n, err
}

// appendOne appends the events of a plan of one step, as
// [eventlog.Log.AppendAll] would, and folds them into their state (the
// plan's fold) while the server stores them rather than after. In the
// package benchmark that made a warm command quicker; in summit bench, on
// a store of 100,000 events, folding before, during or after the append
// measured the same, within its noise.
func (h *Handler) appendOne(ctx context.Context, p *plan) (int, error) {
	pd := &p.pending[0]
	sent := h.log.Send(ctx, pd.Expect, pd.Events...)
	// The connection's flusher, woken by the publish, would wait for this
	// goroutine to block before it writes the message out (it is queued
	// to run next on this goroutine's processor): let it write first.
	runtime.Gosched()
	p.fold()
	seq, err := sent.Wait()
	if err != nil {
		return 0, fmt.Errorf("command 0: %w", err)
	}
	pd.Seq = seq
	return 1, nil
}

// paced appends one step at a time, waiting between steps the wall time
// their world times map to.
func (h *Handler) paced(ctx context.Context, pace scenarios.Pace, steps []scenarios.Step, p *plan, landed func(int)) (int, error) {
	expect := map[events.Ref]uint64{}
	for i, pd := range p.pending {
		if i > 0 {
			if err := pace.Wait(ctx, steps[i-1].Command.At, steps[i].Command.At); err != nil {
				return i, err
			}
		}
		if len(pd.Events) == 0 {
			continue
		}
		ref := pd.Events[0].Aggregate
		e, ok := expect[ref]
		if !ok {
			e = pd.Expect
		}
		seq, err := h.log.Append(ctx, e, pd.Events...)
		if err != nil {
			return i, err
		}
		expect[ref] = seq
		p.pending[i].Seq = seq
		landed(i)
	}
	return len(p.pending), nil
}

func where(file string, line int) string {
	if file == "" {
		return fmt.Sprintf("step at line %d", line)
	}
	return fmt.Sprintf("%s:%d", file, line)
}

// provisional returns the event cmd would record, stamped as this
// handler stamps it, to find its identity before deciding it.
func (h *Handler) provisional(cmd aggregates.Command) events.Event {
	e := cmd.Event()
	h.mu.Lock()
	e.Branch, e.Gen = h.branch.Name, h.branch.Gen
	h.mu.Unlock()
	e.Hypothetical = e.Branch != events.Main
	return e
}

// stamp gives decided events what the aggregate leaves to the caller: a
// new id, the branch and its generation (hypothetical off main), the run's
// correlation, and their identity.
func (h *Handler) stamp(evs []events.Event, meta Meta, prov events.Event) {
	stamp(evs, h.Branch(), meta, prov)
	now := time.Now
	if h.Now != nil {
		now = h.Now
	}
	KnownWhenAppended(evs, now())
}

// KnownWhenAppended gives each correction and retraction of evs that has
// no reported date the day of now (in its event's zone) as that date, and
// now as its record time: it becomes known when it is appended, so that a
// read as known on an earlier day still sees what it corrects. (Every other
// event without a reported date was known when it happened.) A correction
// whose world time is later than now keeps no reported date: it cannot be
// known before it happened.
func KnownWhenAppended(evs []events.Event, now time.Time) {
	for i := range evs {
		e := &evs[i]
		if !e.Reported.IsZero() || !e.Amends() {
			continue
		}
		loc, err := events.Location(e.Zone)
		if err != nil {
			// Validate refuses the zone when the event is appended.
			continue
		}
		day := events.At(now.In(loc)).Day()
		if day.Precedes(e.At) {
			continue
		}
		e.Reported, e.Recorded = day, now
	}
}

// Stamp gives decided events what the aggregate leaves to the caller: a
// new id, the branch and its generation (hypothetical off main), the run's
// correlation, and their identity.
func Stamp(evs []events.Event, b eventlog.Branch, meta Meta) { stamp(evs, b, meta, events.Event{}) }

// stamp stamps evs as [Stamp] does. The event of them that Decide made
// from prov's command (its payload, on prov's branch) takes prov's
// identity, Key, computed before it was decided, instead of computing it
// again: Decide copies every field the identity reads from the command.
func stamp(evs []events.Event, b eventlog.Branch, meta Meta, prov events.Event) {
	for i := range evs {
		e := &evs[i]
		e.ID = events.NewID()
		e.Branch, e.Gen = b.Name, b.Gen
		e.Hypothetical = b.Name != events.Main
		e.CorrelationID = meta.CorrelationID
		e.CausationID = meta.CausationID
		if prov.Key != "" && e.Payload == prov.Payload && e.Branch == prov.Branch && e.Gen == prov.Gen {
			e.Key = prov.Key
		} else {
			e.Key = events.Identity(*e)
		}
	}
}

func (h *Handler) setBranch(b eventlog.Branch) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.branch = b
}

func (h *Handler) tail() int {
	if h.Tail <= 0 {
		return 8
	}
	return h.Tail
}

// Refusal is one step an aggregate refused, at the line it comes from.
type Refusal struct {
	File string
	Line int
	Err  error
}

// Error reads "file:line: the refusal".
func (r *Refusal) Error() string {
	switch {
	case r.File == "" && r.Line == 0:
		return r.Err.Error()
	case r.File == "":
		return fmt.Sprintf("line %d: %v", r.Line, r.Err)
	}
	return fmt.Sprintf("%s:%d: %v", r.File, r.Line, r.Err)
}

// Unwrap returns the aggregate's refusal.
func (r *Refusal) Unwrap() error { return r.Err }

// Refused is every step of a batch the aggregates refused (or whose event
// the codec would refuse: [events.ErrInvalid]): nothing of the batch was
// appended.
type Refused []*Refusal

// Error returns every refusal, one per line.
func (r Refused) Error() string {
	s := ""
	for i, f := range r {
		if i > 0 {
			s += "\n"
		}
		s += f.Error()
	}
	return s
}

// Unwrap returns the refusals, so that errors.Is finds the rules broken.
func (r Refused) Unwrap() []error {
	out := make([]error, len(r))
	for i, f := range r {
		out[i] = f
	}
	return out
}
