package scenarios

import (
	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/events"
)

// Expectation is what a scenario expects of a meeting as of a date (and,
// if KnownAt is set, as it could be known on a date). A nil or empty field
// expects nothing.
//
// (Added on the reads branch, as the scenarios rewrite will declare it, so
// that projections.Check compiles while the loader is rewritten; the merge
// keeps the rewrite's.)
type Expectation struct {
	Line    int
	At      events.Time
	KnownAt events.Time // zero: everything known now
	Meeting string
	Status  *aggregates.Status
	Overdue *bool
	// Readiness is met/required, as "1/2".
	Readiness     *string
	Preconditions map[string]aggregates.PreconditionState
	// Claims maps a speaker to the status word of their latest claim.
	Claims map[string]string
	// Participants are the ids of the people, and parties named alone,
	// the meeting brings together as of At.
	Participants []string
}
