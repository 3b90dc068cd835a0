package aggregates

import (
	"fmt"
	"slices"
	"strings"

	"github.com/summit-model/summit/events"
)

// Command asks an aggregate to record what happened: an event of
// Payload's kind, at world time At, by By acting for Party. Decide checks it
// against the aggregate's state and returns the events to append, or why
// not.
type Command struct {
	// Aggregate is the meeting or actor the command is for; [Route] finds
	// it from the payload.
	Aggregate events.Ref
	At        events.Time
	By        string
	Party     string
	Source    *events.Source
	// CAMEO overrides the kind's CAMEO code (say 043, a participant
	// hosting, for a meeting held).
	CAMEO string
	// Payload is the event to record; nil when the command only declares.
	Payload events.Payload
	// Declare is the declaration to record first if the aggregate is new
	// (a [events.MeetingDeclared] for a meeting, a [events.PartyDeclared] or
	// [events.PersonDeclared] for an actor). If the aggregate exists, it
	// must match the declaration on record. The declaration and the event
	// form one command, appended together or not at all.
	Declare events.Payload
}

// Route returns the aggregate an event belongs to. Meeting and precondition
// events belong to their meeting, and so does a statement about a meeting;
// a call belongs to whoever initiated it (or its first participant); every
// other event belongs to its actor.
func Route(meeting, by string, p events.Payload) events.Ref {
	switch p := p.(type) {
	case *events.MeetingDeclared, *events.MeetingFloated, *events.MeetingProposed, *events.MeetingAccepted,
		*events.MeetingDeclined, *events.MeetingScheduled, *events.MeetingPostponed, *events.MeetingCancelled,
		*events.MeetingHeld, *events.PreconditionAdded, *events.PreconditionMet, *events.PreconditionFailed,
		*events.PreconditionWaived:
		return events.Meeting(meeting)
	case *events.StatementMade:
		if p.About != "" {
			return events.Meeting(p.About)
		}
	case *events.CallHeld:
		if p.InitiatedBy != "" {
			return events.Actor(p.InitiatedBy)
		}
		if len(p.Participants) > 0 {
			return events.Actor(p.Participants[0])
		}
	}
	return events.Actor(by)
}

// Decide returns the events that cmd causes on meeting m, or why it is
// refused (a [*RefusedError]). It does not change m and does no I/O; the
// events it returns lack the id, branch and correlation that the caller
// stamps, and their record time, which the log stamps.
func Decide(m Meeting, cmd Command) ([]events.Event, error) {
	refuse := func(err error) ([]events.Event, error) {
		kind := events.KindMeetingDeclared
		if cmd.Payload != nil {
			kind = cmd.Payload.Kind()
		}
		return nil, &RefusedError{Aggregate: cmd.Aggregate, Status: m.Status, Kind: kind, Err: err}
	}
	if cmd.Aggregate.Type != events.AggregateMeeting {
		return refuse(fmt.Errorf("%w: %s is not a meeting", ErrWrongAggregate, cmd.Aggregate))
	}
	var out []events.Event
	if cmd.Declare != nil {
		d, ok := cmd.Declare.(*events.MeetingDeclared)
		if !ok {
			return refuse(fmt.Errorf("%w: a meeting is declared by %s, not %s", ErrInvalid, events.KindMeetingDeclared, cmd.Declare.Kind()))
		}
		if err := d.Validate(); err != nil {
			return refuse(fmt.Errorf("%w: %w", ErrInvalid, err))
		}
		if m.Declared() {
			if m.Title != d.Title || !slices.Equal(m.Participants, d.Participants) {
				return refuse(fmt.Errorf("%w: on record as %q with %s", ErrRedeclared, m.Title, describeParticipants(m.Participants)))
			}
		} else {
			e := events.Event{Aggregate: cmd.Aggregate, Version: 1, At: cmd.At, Payload: d}
			out = append(out, e)
			m = Evolve(m, e)
		}
	}
	if cmd.Payload == nil {
		return out, nil
	}
	if !m.Declared() {
		return refuse(fmt.Errorf("meeting %s: %w", cmd.Aggregate.ID, ErrUndeclared))
	}
	if err := cmd.Payload.Validate(); err != nil {
		return refuse(fmt.Errorf("%w: %w", ErrInvalid, err))
	}
	if cmd.At.Precedes(m.Last) {
		return refuse(fmt.Errorf("%w: %s is before %s", ErrOutOfOrder, cmd.At, m.Last))
	}
	if err := checkMeeting(m, cmd); err != nil {
		return refuse(err)
	}
	return append(out, cmd.event(m.Version+1)), nil
}

// event returns the event cmd records, at version v of its aggregate.
func (cmd Command) event(v uint64) events.Event {
	e := events.Event{
		Aggregate: cmd.Aggregate,
		Version:   v,
		At:        cmd.At,
		By:        cmd.By,
		Party:     cmd.Party,
		Source:    cmd.Source,
		CAMEO:     cmd.CAMEO,
		Payload:   cmd.Payload,
	}
	if e.CAMEO == "" {
		e.CAMEO = events.CAMEO(cmd.Payload.Kind(), cmd.Payload)
	}
	return e
}

// checkMeeting holds the rules of a meeting's life.
func checkMeeting(m Meeting, cmd Command) error {
	switch p := cmd.Payload.(type) {
	case *events.StatementMade:
		// Anyone may say anything about any meeting, final or not: the
		// claims that disagree with the record are the point.
		return nil
	case *events.MeetingDeclared:
		return fmt.Errorf("%w: a meeting is declared with the command's Declare", ErrInvalid)
	case *events.MeetingFloated, *events.MeetingProposed, *events.MeetingCancelled,
		*events.MeetingHeld, *events.MeetingPostponed:
		if m.Status.Final() {
			return ErrFinal
		}
		if p, ok := p.(*events.MeetingPostponed); ok && p.Until != nil && !cmd.At.Before(p.Until.End()) {
			return fmt.Errorf("%w: until %s, postponed on %s", ErrDateBeforeEvent, p.Until, cmd.At)
		}
	case *events.MeetingScheduled:
		if m.Status.Final() {
			return ErrFinal
		}
		if !cmd.At.Before(p.Date.End()) {
			return fmt.Errorf("%w: date %s, set on %s", ErrDateBeforeEvent, p.Date, cmd.At)
		}
	case *events.MeetingAccepted, *events.MeetingDeclined:
		if m.Status.Final() {
			return ErrFinal
		}
		if m.Status == StatusDeclared {
			return ErrNothingProposed
		}
		if !m.IsParticipant(cmd.Party) {
			return fmt.Errorf("%w: %s (for %s) is not among %v", ErrNotParticipant, cmd.By, cmd.Party, m.Parties())
		}
	case *events.PreconditionAdded:
		if m.Status.Final() {
			return ErrFinal
		}
		if _, ok := m.Precondition(p.Precondition); ok {
			return fmt.Errorf("%w: %s", ErrDuplicatePrecondition, p.Precondition)
		}
		if p.Requires != nil && p.Requires.Held == m.ID {
			return fmt.Errorf("%w: precondition %s requires %s held", ErrSelfRequirement, p.Precondition, m.ID)
		}
	case *events.PreconditionMet:
		return checkSettle(m, p.Precondition, Met)
	case *events.PreconditionFailed:
		return checkSettle(m, p.Precondition, Failed)
	case *events.PreconditionWaived:
		return checkSettle(m, p.Precondition, Waived)
	default:
		return fmt.Errorf("%w: %s is not a meeting event", ErrWrongAggregate, cmd.Payload.Kind())
	}
	return nil
}

func checkSettle(m Meeting, id string, to PreconditionState) error {
	if m.Status.Final() {
		return ErrFinal
	}
	p, ok := m.Precondition(id)
	if !ok {
		return fmt.Errorf("%w %q", ErrUnknownPrecondition, id)
	}
	if p.State == to {
		return fmt.Errorf("%w: %s is already %s", ErrPreconditionSettled, id, to)
	}
	return nil
}

func describeParticipants(ps []events.Participant) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(p.Person + " (" + p.Party + ")")
	}
	return b.String()
}
