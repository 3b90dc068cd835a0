package projections

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/events"
)

// View is one meeting's status as the board shows it and as the key-value
// bucket holds it: the JSON any NATS client reads (see the README). It holds
// the meeting's whole folded state, so that a projection restarted from
// its checkpoint resumes from the views it wrote.
type View struct {
	ID           string               `json:"id"`
	Branch       string               `json:"branch"`
	Title        string               `json:"title"`
	Participants []events.Participant `json:"participants"`
	Status       aggregates.Status    `json:"status"`
	// Overdue is whether the deadline had passed as of AsOf.
	Overdue bool `json:"overdue"`
	// Deadline is the date by which the meeting should take place, if it
	// has one: see [aggregates.Meeting.Deadline].
	Deadline *events.Time `json:"deadline,omitempty"`
	// AsOf is the moment the view was read as of (the first instant after
	// the period read): Overdue is relative to it. A view in the bucket is
	// as of when it was written; [View.SetAsOf] reads it as of another
	// moment.
	AsOf time.Time `json:"as_of"`
	// Readiness is met/required preconditions, as "1/2": a waived
	// precondition is no longer required.
	Readiness     string             `json:"readiness"`
	Preconditions []PreconditionView `json:"preconditions"`
	// Claims maps each speaker to the status word of their latest claim;
	// ClaimDetails has when, and in which words.
	Claims       map[string]string  `json:"claims"`
	ClaimDetails []aggregates.Claim `json:"claim_details,omitempty"`
	Venue        string             `json:"venue,omitempty"`
	Window       *events.Window     `json:"window,omitempty"`
	Date         *events.Time       `json:"date,omitempty"`
	Until        *events.Time       `json:"until,omitempty"`
	HeldAt       *events.Time       `json:"held_at,omitempty"`
	Outcome      string             `json:"outcome,omitempty"`
	Accepted     []string           `json:"accepted,omitempty"`
	Declined     []string           `json:"declined,omitempty"`
	// LastActivity is the latest event that changed the view: one of the
	// meeting's own, or the holding of a meeting a precondition requires.
	LastActivity *Activity `json:"last_activity,omitempty"`
	// Version is the number of the meeting's own events folded; Last the
	// world time of the latest.
	Version uint64      `json:"version"`
	Last    events.Time `json:"last"`
	// Seq is the stream sequence the view is current to: it reflects every
	// event up to Seq.
	Seq uint64 `json:"seq"`
}

// PreconditionView is one precondition on the board.
type PreconditionView struct {
	ID          string `json:"id"`
	Description string `json:"description"`
	// State counts the holding of the meeting it Requires: see
	// [aggregates.Precondition.Resolve]. OwnState is the state its own
	// events gave it, Since when.
	State    aggregates.PreconditionState `json:"state"`
	Requires string                       `json:"requires,omitempty"`
	OwnState aggregates.PreconditionState `json:"own_state"`
	Since    events.Time                  `json:"since"`
}

// Activity names an event: the cause of a change on the board.
type Activity struct {
	ID     uuid.UUID   `json:"id"`
	Kind   events.Kind `json:"kind"`
	At     events.Time `json:"at"`
	By     string      `json:"by,omitempty"`
	Seq    uint64      `json:"seq"`
	Source string      `json:"source,omitempty"`
	// Meeting is the meeting the event belongs to, when it is not the
	// view's own (a required meeting held).
	Meeting string `json:"meeting,omitempty"`
}

// meeting returns the aggregate state the view was made from.
func (v View) meeting() aggregates.Meeting {
	m := aggregates.Meeting{
		ID: v.ID, Title: v.Title, Participants: v.Participants, Status: v.Status,
		Venue: v.Venue, Window: v.Window, Date: v.Date, Until: v.Until, HeldAt: v.HeldAt, Outcome: v.Outcome,
		Accepted: v.Accepted, Declined: v.Declined, Claims: v.ClaimDetails, Version: v.Version, Last: v.Last,
	}
	for _, p := range v.Preconditions {
		m.Preconditions = append(m.Preconditions, aggregates.Precondition{
			ID: p.ID, Description: p.Description, Requires: p.Requires, State: p.OwnState, Since: p.Since,
		})
	}
	return m
}

// newView renders m on branch, resolving its preconditions with heldAt
// (when each meeting was held, for those held) and its deadline as of asOf.
func newView(branch string, m aggregates.Meeting, heldAt func(string) *events.Time, asOf time.Time) View {
	v := View{
		ID: m.ID, Branch: branch, Title: m.Title, Participants: m.Participants, Status: m.Status,
		Overdue: m.Overdue(asOf), AsOf: asOf.UTC(),
		Venue: m.Venue, Window: m.Window, Date: m.Date, Until: m.Until, HeldAt: m.HeldAt, Outcome: m.Outcome,
		Accepted: m.Accepted, Declined: m.Declined, ClaimDetails: m.Claims, Version: m.Version, Last: m.Last,
		Claims:        make(map[string]string, len(m.Claims)),
		Preconditions: make([]PreconditionView, 0, len(m.Preconditions)),
	}
	if d, ok := m.Deadline(); ok {
		v.Deadline = &d
	}
	met, required := 0, 0
	for _, p := range m.Preconditions {
		var held *events.Time
		if p.Requires != "" {
			held = heldAt(p.Requires)
		}
		st := p.Resolve(held)
		v.Preconditions = append(v.Preconditions, PreconditionView{
			ID: p.ID, Description: p.Description, State: st, Requires: p.Requires, OwnState: p.State, Since: p.Since,
		})
		if st != aggregates.Waived {
			required++
		}
		if st == aggregates.Met {
			met++
		}
	}
	v.Readiness = fmt.Sprintf("%d/%d", met, required)
	for _, c := range m.Claims {
		v.Claims[c.Speaker] = c.Status
	}
	return v
}

// SetAsOf reads the view as of asOf, the first instant after the period
// read: its overdue flag follows.
func (v *View) SetAsOf(asOf time.Time) {
	v.AsOf = asOf.UTC()
	v.Overdue = v.Deadline != nil && aggregates.Passed(*v.Deadline, asOf)
}

// Precondition returns the view's precondition id.
func (v View) Precondition(id string) (PreconditionView, bool) {
	for _, p := range v.Preconditions {
		if p.ID == id {
			return p, true
		}
	}
	return PreconditionView{}, false
}
