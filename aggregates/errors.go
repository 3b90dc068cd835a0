package aggregates

import (
	"errors"
	"fmt"

	"github.com/summit-model/summit/events"
)

// The rules a command can break. [Decide] returns them wrapped in a
// [*RefusedError] that names the meeting, its status and the event refused;
// callers branch with [errors.Is].
var (
	// ErrFinal: the meeting is held or cancelled, and the event would
	// change it.
	ErrFinal = errors.New("the meeting is final")
	// ErrUndeclared: the meeting, or actor, has not been declared.
	ErrUndeclared = errors.New("not declared")
	// ErrRedeclared: a declaration differs from the one on record.
	ErrRedeclared = errors.New("already declared differently")
	// ErrOutOfOrder: the event is dated before the meeting's latest event.
	// A meeting's events are kept in world-time order, so that its status
	// on any date is the fold of its events up to that date.
	ErrOutOfOrder = errors.New("dated before the meeting's latest event")
	// ErrNotParticipant: the acting party is not among the meeting's.
	ErrNotParticipant = errors.New("not a participant")
	// ErrNothingProposed: nobody has floated or proposed the meeting yet,
	// so there is nothing to accept or decline.
	ErrNothingProposed = errors.New("nothing has been floated or proposed")
	// ErrUnknownPrecondition: the meeting has no such precondition.
	ErrUnknownPrecondition = errors.New("unknown precondition")
	// ErrDuplicatePrecondition: the meeting already has a precondition of
	// that id.
	ErrDuplicatePrecondition = errors.New("precondition already added")
	// ErrPreconditionSettled: the precondition is already in the state the
	// event gives it (met twice, failed twice, waived twice).
	ErrPreconditionSettled = errors.New("precondition already in that state")
	// ErrSelfRequirement: a precondition requires its own meeting.
	ErrSelfRequirement = errors.New("a meeting cannot require itself")
	// ErrDateBeforeEvent: a scheduled date, or a postponement's until, lies
	// before the event that sets it.
	ErrDateBeforeEvent = errors.New("date lies before the event that sets it")
	// ErrWrongAggregate: the event does not belong to this kind of
	// aggregate.
	ErrWrongAggregate = errors.New("event does not belong here")
	// ErrInvalid: the command's payload is malformed.
	ErrInvalid = errors.New("invalid command")
)

// RefusedError is a command refused by an aggregate: which aggregate, in which
// state, refused which event, and why ([RefusedError.Err], one of the
// package's sentinel errors, possibly wrapped with detail).
type RefusedError struct {
	Aggregate events.Ref
	// Status is the meeting's status when it refused; empty for actors and
	// for meetings not yet declared.
	Status Status
	Kind   events.Kind
	Err    error
}

// Error reads as "meeting budapest-summit (cancelled) refuses meeting.held:
// the meeting is final".
func (e *RefusedError) Error() string {
	state := ""
	if e.Status != "" {
		state = " (" + string(e.Status) + ")"
	}
	return fmt.Sprintf("%s %s%s refuses %s: %v", e.Aggregate.Type, e.Aggregate.ID, state, e.Kind, e.Err)
}

// Unwrap returns the rule broken.
func (e *RefusedError) Unwrap() error { return e.Err }
