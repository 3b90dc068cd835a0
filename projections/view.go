package projections

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/events"
)

// View is one meeting's status as the board shows it: the JSON of the
// meeting-status bucket (one key per BRANCH.MEETING), of every read verb's
// --json and of the web board's API. It holds what holds on the date read:
// a postponed meeting has no date, a held one no postponement, a scheduled
// one its date and not an old proposal's window.
type View struct {
	ID     string `json:"id"`
	Branch string `json:"branch"`
	Title  string `json:"title"`
	// Participants are the people, each with their party, and the parties
	// named alone, as of the read.
	Participants []Participant     `json:"participants"`
	Status       aggregates.Status `json:"status"`
	// StatusSince is the event that gave the meeting its status.
	StatusSince *Activity `json:"status_since,omitempty"`
	// Overdue is whether the deadline had passed as of AsOf.
	Overdue bool `json:"overdue"`
	// Deadline is the date by which the meeting should take place, if it
	// has one: see [aggregates.Meeting.Deadline].
	Deadline *events.Time `json:"deadline,omitempty"`
	// AsOf is the date (or date-time) the view was read as of, as asked:
	// today's date for a plain read. KnownAt is the date it was read as
	// known on, if one was asked.
	AsOf    string `json:"as_of"`
	KnownAt string `json:"known_at,omitempty"`
	// Readiness is met/required preconditions, as "1/2": a waived
	// precondition is no longer required.
	Readiness     string             `json:"readiness"`
	Preconditions []PreconditionView `json:"preconditions"`
	// Claims maps each speaker to the status word of their latest claim;
	// ClaimDetails has when, and in which words.
	Claims       map[string]string `json:"claims"`
	ClaimDetails []ClaimView       `json:"claim_details,omitempty"`
	Venue        string            `json:"venue,omitempty"`
	Window       *events.Window    `json:"window,omitempty"`
	Date         *events.Days      `json:"date,omitempty"`
	Until        *events.Time      `json:"until,omitempty"`
	HeldAt       *events.Time      `json:"held_at,omitempty"`
	EndedAt      *events.Time      `json:"ended_at,omitempty"`
	Early        bool              `json:"early,omitempty"`
	Outcome      string            `json:"outcome,omitempty"`
	Accepted     []string          `json:"accepted,omitempty"`
	Declined     []string          `json:"declined,omitempty"`
	// LastActivity is the latest event, in world time, that changed the
	// view: one of the meeting's own, or the holding of a meeting a
	// precondition requires.
	LastActivity *Activity `json:"last_activity,omitempty"`
	// Cause, in a view a live projection wrote, is what wrote it: the event
	// just applied (which may be a late report, older than LastActivity),
	// or a deadline passing.
	Cause *Activity `json:"cause,omitempty"`
	// Version is the number of the meeting's own events on record; Seq the
	// stream sequence of the last event folded into the view.
	Version uint64 `json:"version"`
	Seq     uint64 `json:"seq"`
}

// Participant is one participant of a meeting on the board: a person with
// their party, or a party alone.
type Participant struct {
	Person string `json:"person,omitempty"`
	Party  string `json:"party"`
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

// ClaimView is one speaker's latest claim: the word, the date it was
// made, and the speaker's words.
type ClaimView struct {
	Speaker string      `json:"speaker"`
	Status  string      `json:"status"`
	At      events.Time `json:"at"`
	Quote   string      `json:"quote,omitempty"`
}

// Activity names an event: the cause of a change on the board.
type Activity struct {
	ID     uuid.UUID   `json:"id,omitzero"`
	Kind   events.Kind `json:"kind"`
	At     events.Time `json:"at"`
	By     string      `json:"by,omitempty"`
	Seq    uint64      `json:"seq,omitempty"`
	Source string      `json:"source,omitempty"`
	// Meeting is the meeting the event belongs to, when it is not the
	// view's own (a required meeting held).
	Meeting string `json:"meeting,omitempty"`
	// Late reports an event reported after events dated later than it.
	Late bool `json:"late,omitempty"`
}

// KindDeadlinePassed is the cause of a view a live projection writes when a
// meeting's deadline passes, with no event.
const KindDeadlinePassed events.Kind = "deadline.passed"

func activity(seq uint64, e *events.Event, meeting string) Activity {
	a := Activity{ID: e.ID, Kind: e.Kind(), At: e.At, By: e.By, Seq: seq, Meeting: meeting}
	if e.Source != nil {
		a.Source = e.Source.Outlet
		if a.Source == "" {
			a.Source = e.Source.ID
		}
	}
	return a
}

// Label returns how a read names the date it was read as of: the date (or
// date-time) as asked, or today's date (UTC) for a plain read.
func Label(t events.Time, now time.Time) string {
	if t.IsZero() {
		return now.UTC().Format(events.DateLayout)
	}
	return t.String()
}

// NewView renders m on branch as of cutoff (the first instant after the
// period read, for its overdue flag), labelled asOf, resolving its
// preconditions with heldAt (when each meeting was held, for those held).
func NewView(branch string, m aggregates.Meeting, heldAt func(string) *events.Time, cutoff time.Time, asOf string) View {
	v := View{
		ID: m.ID, Branch: branch, Title: m.Title, Status: m.Status,
		Overdue: m.Overdue(cutoff), AsOf: asOf,
		Venue: m.Venue, Window: m.Window, Date: m.Date, Until: m.Until,
		HeldAt: m.HeldAt, EndedAt: m.EndedAt, Early: m.Early, Outcome: m.Outcome,
		Accepted: m.Accepted, Declined: m.Declined, Version: m.Version,
		Claims:        make(map[string]string, len(m.Claims)),
		Preconditions: make([]PreconditionView, 0, len(m.Preconditions)),
		Participants:  make([]Participant, 0, len(m.Participants)),
	}
	if c := m.StatusCause; c.Kind != "" {
		v.StatusSince = &Activity{Kind: c.Kind, At: c.At, By: c.By}
	}
	for _, p := range m.Participants {
		v.Participants = append(v.Participants, Participant{Person: p.Person, Party: p.Party})
	}
	if d, ok := m.Deadline(); ok {
		v.Deadline = &d
	}
	met, required := 0, 0
	for _, p := range m.Preconditions {
		var held *events.Time
		if p.Requires != "" && heldAt != nil {
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
		v.ClaimDetails = append(v.ClaimDetails, ClaimView{Speaker: c.Speaker, Status: c.Status, At: c.At, Quote: c.Quote})
	}
	return v
}

// SetAsOf reads the view as of cutoff, the first instant after the period
// read, labelled asOf: its overdue flag follows.
func (v *View) SetAsOf(cutoff time.Time, asOf string) {
	v.AsOf = asOf
	v.Overdue = v.Deadline != nil && aggregates.Passed(*v.Deadline, cutoff)
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

// String reads as "trump (USA)", or "UKR" for a party alone.
func (p Participant) String() string {
	return events.Participant{Person: p.Person, Party: p.Party}.String()
}
