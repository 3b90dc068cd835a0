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
	// ErrFinal: the meeting is held, and the event would change its life.
	ErrFinal = errors.New("the meeting is held, which is final")
	// ErrCancelled: the meeting is cancelled, and the event would hold it.
	// A proposal, an acceptance or a scheduling revives it first.
	ErrCancelled = errors.New("the meeting is cancelled (a proposal, an acceptance or a scheduling would revive it)")
	// ErrNotHeld: the meeting ends before it was held.
	ErrNotHeld = errors.New("the meeting has not been held, so it cannot end")
	// ErrEnded: the meeting ended already.
	ErrEnded = errors.New("the meeting ended already")
	// ErrUndeclared: the meeting, or actor, has not been declared.
	ErrUndeclared = errors.New("not declared")
	// ErrRedeclared: a declaration differs from the one on record.
	ErrRedeclared = errors.New("already declared differently")
	// ErrNotParticipant: the acting party is not among the meeting's.
	ErrNotParticipant = errors.New("not a participant")
	// ErrParticipants: a change of participants adds someone who is there,
	// removes someone who is not, or leaves nobody.
	ErrParticipants = errors.New("a change of participants that does not fit them")
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
	// ErrUnknownRef: a correction or retraction names no event that stands
	// in the aggregate's history.
	ErrUnknownRef = errors.New("unknown event")
	// ErrWrongAggregate: the event does not belong to this kind of
	// aggregate.
	ErrWrongAggregate = errors.New("event does not belong here")
	// ErrInvalid: the command's payload is malformed.
	ErrInvalid = errors.New("invalid command")
	// ErrNeedHistory is not a refusal: the history given to Decide holds
	// too little to place the event (a partial history, and an event dated
	// before its base, a correction or a retraction). Decide again on the
	// whole history.
	ErrNeedHistory = errors.New("the whole history is needed to decide this event")
)

// RefusedError is a command refused by an aggregate: which aggregate, in which
// state, refused which event, and why ([RefusedError.Err], one of the
// package's sentinel errors, possibly wrapped with detail). A late event, a
// correction or a retraction that would break a rule further on in the
// history names the event that would then break it: Conflict.
type RefusedError struct {
	Aggregate events.Ref
	// Status is the meeting's status where the rule is broken; empty for
	// actors and for meetings not yet declared.
	Status Status
	Kind   events.Kind
	// At is the refused event's world time.
	At  events.Time
	Err error
	// Conflict is the other event the refusal names: the event that would
	// break a rule once the refused one is in place, or the event a
	// correction corrects; nil if the refused event breaks the rule itself.
	Conflict *events.Event
}

// Error reads as "meeting budapest-summit (cancelled) refuses meeting.held
// of 2025-10-23: the meeting is cancelled (...)", and for a conflict further
// on, "meeting x refuses meeting.held of 2025-10-20: then the
// meeting.cancelled of 2025-10-22 by trump, which stands, breaks a rule: the
// meeting is held, which is final".
func (e *RefusedError) Error() string {
	state := ""
	if e.Status != "" {
		state = " (" + string(e.Status) + ")"
	}
	of := ""
	if !e.At.IsZero() {
		of = " of " + e.At.String()
	}
	if c := e.Conflict; c != nil {
		return fmt.Sprintf("%s %s refuses %s%s: then the %s, which stands, breaks a rule: %v", e.Aggregate.Type, e.Aggregate.ID, e.Kind, of, Describe(*c), e.Err)
	}
	return fmt.Sprintf("%s %s%s refuses %s%s: %v", e.Aggregate.Type, e.Aggregate.ID, state, e.Kind, of, e.Err)
}

// Unwrap returns the rule broken.
func (e *RefusedError) Unwrap() error { return e.Err }

// Describe names an event as an error or a history cites it: "meeting.cancelled
// of 2025-10-22 by trump (ref trump-letter)".
func Describe(e events.Event) string {
	s := string(e.Kind()) + " of " + e.At.String()
	if e.By != "" {
		s += " by " + e.By
	}
	if e.RefName != "" {
		s += " (ref " + e.RefName + ")"
	}
	return s
}
