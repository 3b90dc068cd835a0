package commands

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/scenarios"
)

// Cast returns what the handler's branch holds of the names a file uses
// but does not declare: each party's, person's and meeting's declaration,
// and each ref name's event. A name the branch does not hold is left out:
// the plan reports it, at its line.
func (h *Handler) Cast(ctx context.Context, wanted scenarios.Wanted) (scenarios.Cast, error) {
	c := scenarios.Cast{Parties: map[string]scenarios.Party{}, People: map[string]scenarios.Person{}, Meetings: map[string]scenarios.Meeting{}, Refs: map[string]scenarios.Target{}}
	branch := h.Branch()
	var out Outcome
	refs := make([]events.Ref, 0, len(wanted.Actors)+len(wanted.Meetings))
	for _, id := range wanted.Actors {
		refs = append(refs, events.Actor(id))
	}
	for _, id := range wanted.Meetings {
		refs = append(refs, events.Meeting(id))
	}
	missing := map[events.AggregateType]bool{}
	for i, d := range h.declarations(ctx, branch, refs) {
		if d.err != nil {
			return c, d.err
		}
		if !d.ok {
			// Not on the branch: the plan says so, at its line.
			missing[refs[i].Type] = true
			continue
		}
		id := refs[i].ID
		switch p := d.e.Payload.(type) {
		case *events.PartyDeclared:
			c.Parties[id] = scenarios.Party{ID: id, Name: p.Name}
		case *events.PersonDeclared:
			c.People[id] = scenarios.Person{ID: id, Name: p.Name, Party: p.Party, Role: p.Role}
		case *events.MeetingDeclared:
			m := scenarios.Meeting{ID: id, Title: p.Title}
			for _, p := range p.Participants {
				m.Participants = append(m.Participants, p.ID())
			}
			c.Meetings[id] = m
		}
	}
	// The guesses are a courtesy: a store that cannot list its names
	// leaves the plan's errors without them, not failed.
	if missing[events.AggregateActor] {
		c.Others.Actors, _ = h.log.IDs(ctx, branch, events.AggregateActor)
	}
	if missing[events.AggregateMeeting] {
		c.Others.Meetings, _ = h.log.IDs(ctx, branch, events.AggregateMeeting)
	}
	for _, name := range wanted.Refs {
		if _, err := uuid.Parse(name); err == nil {
			continue // an event id: the plan asks for its meeting
		}
		var t eventlog.Target
		var ok bool
		err := h.persist(ctx, &out, func() (err error) {
			t, ok, err = h.log.Ref(ctx, branch, name)
			return err
		})
		if err != nil {
			return c, err
		}
		if ok {
			c.Refs[name] = scenarios.Target{Aggregate: t.Aggregate, At: t.At}
		}
	}
	return c, nil
}

// found is what [Handler.declaration] found of one name.
type found struct {
	e   events.Event
	ok  bool
	err error
}

// declarations looks up the declaration of each of refs on branch, several
// at once ([atOnce]): a file names dozens.
func (h *Handler) declarations(ctx context.Context, b eventlog.Branch, refs []events.Ref) []found {
	out := make([]found, len(refs))
	atOnce(len(refs), func(i int) {
		var o Outcome
		out[i].e, out[i].ok, out[i].err = h.declaration(ctx, b, refs[i], &o)
	})
	return out
}

// declaration returns the first event of ref on branch (its declaration),
// and false if the branch holds none.
func (h *Handler) declaration(ctx context.Context, b eventlog.Branch, ref events.Ref, out *Outcome) (events.Event, bool, error) {
	if err := ref.Check(); err != nil {
		return events.Event{}, false, nil
	}
	var r eventlog.Record
	var ok bool
	err := h.persist(ctx, out, func() (err error) {
		r, ok, err = h.log.First(ctx, ref)
		return err
	})
	if err != nil {
		return events.Event{}, false, fmt.Errorf("read %s: %w", ref, err)
	}
	if ok && (b.IsMain() || r.Seq <= b.ForkSeq && b.Includes(r.Event)) {
		return r.Event, true, nil
	}
	if b.IsMain() {
		return events.Event{}, false, nil
	}
	// Declared on the branch itself.
	hist, err := h.log.Load(ctx, b, ref)
	if err != nil && !errors.Is(err, eventlog.ErrUnknownBranch) {
		return events.Event{}, false, err
	}
	if len(hist.Events) == 0 {
		return events.Event{}, false, nil
	}
	return hist.Events[0], true, nil
}
