// Package aggregates holds the rules of the record: the meeting, and the
// actors (parties and people), each a decider.
//
// A decider is two pure functions. [Decide] takes a meeting's state and a
// [Command] and returns the events the command causes, or a
// [*RefusedError] naming the meeting, its status, the event and the rule
// broken ([ErrFinal], [ErrUnknownPrecondition], ...). [Evolve] applies one
// event to a state and never fails: events are facts. Loading a meeting is
// [Fold] over its history; a branch is the same fold over another history.
//
// The meeting's life (the domain page's order): declared, floated,
// proposed, agreed (every participant's party accepted), scheduled, held;
// postponed can follow any status before held, and a new schedule or
// proposal revives it; held and cancelled are final. A meeting's events
// arrive in world-time order, so its status on any date is the fold of the
// events up to that date.
//
// The package imports only [events]: no NATS, no YAML, no I/O.
package aggregates
