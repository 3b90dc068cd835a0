// Package aggregates holds the rules of the record: the meeting, and the
// actors (parties and people), each a decider.
//
// A decider is two pure functions. [Decide] takes what is known of a
// meeting's past (a [History]) and a [Command] and returns the events the
// command causes, or a [*RefusedError] naming the meeting, its status, the
// event and the rule broken ([ErrFinal], [ErrUnknownPrecondition], ...).
// [Evolve] applies one event to a state and never fails: events are facts.
//
// Decide takes a history, not a state, where the style of a decider would
// take a state, because news arrives late: a meeting's events are recorded
// in the order they were reported and read in world order ([Effective]), so
// a late event is decided in its place among the events that happened after
// it, and a correction or retraction on the history as it would stand. Most
// events come after everything known, and are decided on the state alone
// ([Partial]); the others need the whole history ([Whole], and
// [ErrNeedHistory] when it was not given), or, for a late event of the
// meeting's course (a postponement, an acceptance), only the events that
// shape the course ([Outlined]): statements and preconditions' events,
// most of a history, neither set nor read what those rules read.
//
// The meeting's life: named, floated, proposed, agreed (every participant's
// party accepted; the proposer's party accepts by proposing), scheduled, held
// (its first day; ended marks the last). Postponed can follow any status
// before held. Declined (a participant's party declined and has not accepted
// since) and cancelled are revived by a proposal, an acceptance or a
// scheduling; only held is final.
//
// The package imports only [events]: no NATS, no YAML, no I/O.
package aggregates
