package aggregates

import (
	"fmt"

	"github.com/summit-model/summit/events"
)

// Actor is a party or a person, folded from its events by [EvolveActor]: who
// it is, and how much it has done. The zero Actor has not been declared.
type Actor struct {
	ID string
	// IsParty tells a party from a person.
	IsParty bool
	Name    string
	// Party is the party a person acts for; a party's own id for a party.
	Party   string
	Role    string
	Version uint64
	Last    events.Time
}

// Declared reports whether the actor has been declared.
func (a Actor) Declared() bool { return a.ID != "" }

// EvolveActor returns a with e applied.
func EvolveActor(a Actor, e events.Event) Actor {
	a.Version = max(a.Version, e.Version)
	if e.At.After(a.Last.Time) {
		a.Last = e.At
	}
	switch p := e.Payload.(type) {
	case *events.PartyDeclared:
		a.ID, a.IsParty, a.Name, a.Party = e.Aggregate.ID, true, p.Name, e.Aggregate.ID
	case *events.PersonDeclared:
		a.ID, a.IsParty, a.Name, a.Party, a.Role = e.Aggregate.ID, false, p.Name, p.Party, p.Role
	}
	return a
}

// FoldActor returns the actor that history (in any order) makes.
func FoldActor(history []events.Event) Actor {
	var a Actor
	for _, e := range history {
		a = EvolveActor(a, e)
	}
	return a
}

// DecideActor returns the events that cmd causes on actor a, or why it is
// refused. An actor records what it did that is not about one meeting:
// calls, visits, statements, positions and sanctions. Unlike a meeting's,
// nothing is derived from the order of an actor's events. records is the
// actor's whole history in record order, or nil if the caller holds only
// its state: a correction or retraction needs it ([ErrNeedHistory]).
func DecideActor(a Actor, records []events.Event, cmd Command) ([]events.Event, error) {
	refuse := func(err error) ([]events.Event, error) {
		return nil, &RefusedError{Aggregate: cmd.Aggregate, Kind: cmd.Kind(), At: cmd.At, Err: err}
	}
	if cmd.Aggregate.Type != events.AggregateActor {
		return refuse(fmt.Errorf("%w: %s is not an actor", ErrWrongAggregate, cmd.Aggregate))
	}
	var out []events.Event
	if cmd.Declare != nil {
		if err := cmd.Declare.Validate(); err != nil {
			return refuse(fmt.Errorf("%w: %w", ErrInvalid, err))
		}
		var want Actor
		switch d := cmd.Declare.(type) {
		case *events.PartyDeclared:
			want = Actor{ID: cmd.Aggregate.ID, IsParty: true, Name: d.Name, Party: cmd.Aggregate.ID}
		case *events.PersonDeclared:
			want = Actor{ID: cmd.Aggregate.ID, Name: d.Name, Party: d.Party, Role: d.Role}
		default:
			return refuse(fmt.Errorf("%w: an actor is declared by party.declared or person.declared, not %s", ErrInvalid, cmd.Declare.Kind()))
		}
		if a.Declared() {
			if a.IsParty != want.IsParty || a.Name != want.Name || a.Party != want.Party || a.Role != want.Role {
				return refuse(fmt.Errorf("%w: on record as %s", ErrRedeclared, describeActor(a)))
			}
		} else {
			e := events.Event{Aggregate: cmd.Aggregate, Version: a.Version + 1, At: cmd.At, Zone: cmd.Zone, Payload: cmd.Declare}
			out = append(out, e)
			a = EvolveActor(a, e)
		}
	}
	if cmd.Payload == nil {
		return out, nil
	}
	if !a.Declared() {
		return refuse(fmt.Errorf("actor %s: %w", cmd.Aggregate.ID, ErrUndeclared))
	}
	e := cmd.event(a.Version + 1)
	if err := checkEvent(e); err != nil {
		return refuse(err)
	}
	switch p := cmd.Payload.(type) {
	case *events.CallHeld, *events.VisitMade, *events.PositionStated, *events.SanctionsImposed:
	case *events.StatementMade:
		if p.About != "" {
			return refuse(fmt.Errorf("%w: a statement about meeting %s belongs to the meeting", ErrWrongAggregate, p.About))
		}
	case *events.EventRetracted:
	default:
		return refuse(fmt.Errorf("%w: %s is not an actor event", ErrWrongAggregate, cmd.Payload.Kind()))
	}
	if target := corrected(e); target != "" {
		if records == nil {
			return nil, ErrNeedHistory
		}
		stands := false
		for _, t := range Effective(records, zeroTime) {
			if Names(target, t) || standsFor(records, target, t) {
				stands = !isDeclaration(t)
				break
			}
		}
		if !stands {
			return refuse(fmt.Errorf("%w %q: no such event stands in the history of %s", ErrUnknownRef, target, cmd.Aggregate))
		}
	}
	return append(out, e), nil
}

func describeActor(a Actor) string {
	if a.IsParty {
		return fmt.Sprintf("party %q", a.Name)
	}
	return fmt.Sprintf("person %q of %s (%s)", a.Name, a.Party, a.Role)
}
