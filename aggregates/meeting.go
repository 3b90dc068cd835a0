package aggregates

import (
	"slices"
	"time"

	"github.com/summit-model/summit/events"
)

// Status is where a meeting stands in its life.
type Status string

// The statuses of a meeting, in the order of its life. Declared is summit's
// own: a meeting a scenario names but that nobody has yet floated, proposed
// or held. Postponed can follow any status before held; cancelled and held
// are final.
const (
	StatusDeclared  Status = "declared"
	StatusFloated   Status = "floated"
	StatusProposed  Status = "proposed"
	StatusAgreed    Status = "agreed"
	StatusScheduled Status = "scheduled"
	StatusPostponed Status = "postponed"
	StatusCancelled Status = "cancelled"
	StatusHeld      Status = "held"
)

// Statuses lists every status, in the order of a meeting's life.
var Statuses = []Status{StatusDeclared, StatusFloated, StatusProposed, StatusAgreed, StatusScheduled, StatusPostponed, StatusCancelled, StatusHeld}

// Final reports whether nothing can change s: a held or cancelled meeting.
func (s Status) Final() bool { return s == StatusHeld || s == StatusCancelled }

// PreconditionState is the fate of a precondition.
type PreconditionState string

// The states of a precondition. A new one is unmet.
const (
	Unmet  PreconditionState = "unmet"
	Met    PreconditionState = "met"
	Failed PreconditionState = "failed"
	Waived PreconditionState = "waived"
)

// PreconditionStates lists every state a precondition can be in.
var PreconditionStates = []PreconditionState{Unmet, Met, Failed, Waived}

// Precondition is something a meeting needs before it can be held.
type Precondition struct {
	ID          string `json:"id"`
	Description string `json:"description"`
	// Requires names a meeting whose holding meets this precondition.
	Requires string `json:"requires,omitempty"`
	// State is the state the precondition's own events gave it, and Since
	// the world time of the event that did. Holding the meeting it requires
	// is not among its own events: see [Precondition.Resolve].
	State PreconditionState `json:"state"`
	Since events.Time       `json:"since"`
}

// Resolve returns the precondition's state once the meeting it requires is
// taken into account: heldAt is when that meeting was held (nil if it was
// not). Holding the required meeting counts as the precondition being met
// at that moment, so whichever is later in world time, the holding or the
// precondition's own last event, decides.
func (p Precondition) Resolve(heldAt *events.Time) PreconditionState {
	if p.Requires == "" || heldAt == nil || p.State == Met {
		return p.State
	}
	if p.State == Unmet || !heldAt.Before(p.Since.Time) {
		return Met
	}
	return p.State
}

// Claim is what one speaker says a meeting's status is.
type Claim struct {
	Speaker string      `json:"speaker"`
	Status  string      `json:"status"`
	At      events.Time `json:"at"`
	Quote   string      `json:"quote,omitempty"`
}

// Meeting is a meeting's state, folded from its events by [Evolve]. The zero
// Meeting is one that has not been declared.
type Meeting struct {
	ID           string               `json:"id"`
	Title        string               `json:"title"`
	Participants []events.Participant `json:"participants"`
	Status       Status               `json:"status"`
	Venue        string               `json:"venue,omitempty"`
	// Window is the latest proposal's window; Date the scheduled date;
	// Until the date a postponement names.
	Window *events.Window `json:"window,omitempty"`
	Date   *events.Time   `json:"date,omitempty"`
	Until  *events.Time   `json:"until,omitempty"`
	// HeldAt is when the meeting took place, and Outcome what came of it.
	HeldAt  *events.Time `json:"held_at,omitempty"`
	Outcome string       `json:"outcome,omitempty"`
	// Accepted and Declined are the parties that last accepted or declined,
	// sorted.
	Accepted []string `json:"accepted,omitempty"`
	Declined []string `json:"declined,omitempty"`
	// Preconditions are in the order they were added.
	Preconditions []Precondition `json:"preconditions,omitempty"`
	// Claims hold each speaker's latest claim, sorted by speaker.
	Claims []Claim `json:"claims,omitempty"`
	// Version is the number of events folded; Last the world time of the
	// latest.
	Version uint64      `json:"version"`
	Last    events.Time `json:"last"`
}

// Declared reports whether the meeting has been declared: whether it exists.
func (m Meeting) Declared() bool { return m.Version > 0 }

// Parties returns the distinct parties of the meeting's participants, sorted.
func (m Meeting) Parties() []string {
	var ps []string
	for _, p := range m.Participants {
		if !slices.Contains(ps, p.Party) {
			ps = append(ps, p.Party)
		}
	}
	slices.Sort(ps)
	return ps
}

// IsParticipant reports whether party is among the meeting's parties.
func (m Meeting) IsParticipant(party string) bool {
	for _, p := range m.Participants {
		if p.Party == party {
			return true
		}
	}
	return false
}

// allAccepted reports whether every participant's party has accepted.
func (m Meeting) allAccepted() bool {
	for _, p := range m.Parties() {
		if !slices.Contains(m.Accepted, p) {
			return false
		}
	}
	return len(m.Participants) > 0
}

// Precondition returns the precondition id, if the meeting has it.
func (m Meeting) Precondition(id string) (Precondition, bool) {
	for _, p := range m.Preconditions {
		if p.ID == id {
			return p, true
		}
	}
	return Precondition{}, false
}

// Deadline returns the date by which the meeting should take place, and
// false if it has none. A final meeting has none; a postponed one has its
// postponement's until, if any; otherwise it is the scheduled date once one
// is set, else the end of the latest proposal's window.
func (m Meeting) Deadline() (events.Time, bool) {
	switch {
	case m.Status.Final():
		return events.Time{}, false
	case m.Status == StatusPostponed:
		if m.Until != nil {
			return *m.Until, true
		}
		return events.Time{}, false
	case m.Date != nil:
		return *m.Date, true
	case m.Window != nil:
		return m.Window.To, true
	}
	return events.Time{}, false
}

// Overdue reports whether the meeting's deadline has passed as of the end of
// a reading: cutoff is the first instant after the period read
// ([events.Time.End] of the date read). A deadline given as a date lasts all
// that day.
func (m Meeting) Overdue(cutoff time.Time) bool {
	d, ok := m.Deadline()
	return ok && Passed(d, cutoff)
}

// Passed reports whether deadline has passed as of cutoff, the first instant
// after the period read.
func Passed(deadline events.Time, cutoff time.Time) bool {
	return deadline.End().Before(cutoff)
}

// Evolve returns m with e applied. It never fails, for events are facts: an
// event Evolve has no use for leaves m as it was, but for its version. It
// does not change m: slices are copied before they are changed.
func Evolve(m Meeting, e events.Event) Meeting {
	m.Version = e.Version
	m.Last = e.At
	switch p := e.Payload.(type) {
	case *events.MeetingDeclared:
		m.ID = e.Aggregate.ID
		m.Title = p.Title
		m.Participants = slices.Clone(p.Participants)
		m.Status = StatusDeclared
	case *events.MeetingFloated:
		if m.Status == StatusDeclared {
			m.Status = StatusFloated
		}
	case *events.MeetingProposed:
		m.Status = StatusProposed
		if p.Venue != "" {
			m.Venue = p.Venue
		}
		m.Window = proposalWindow(e.At, p)
		m.Date, m.Until = nil, nil
		if m.allAccepted() {
			m.Status = StatusAgreed
		}
	case *events.MeetingAccepted:
		m.Accepted = with(m.Accepted, e.Party)
		m.Declined = without(m.Declined, e.Party)
		if (m.Status == StatusFloated || m.Status == StatusProposed) && m.allAccepted() {
			m.Status = StatusAgreed
		}
	case *events.MeetingDeclined:
		m.Declined = with(m.Declined, e.Party)
		m.Accepted = without(m.Accepted, e.Party)
		if m.Status == StatusAgreed {
			m.Status = StatusProposed
		}
	case *events.MeetingScheduled:
		m.Status = StatusScheduled
		d := p.Date
		m.Date, m.Until = &d, nil
		if p.Venue != "" {
			m.Venue = p.Venue
		}
	case *events.MeetingPostponed:
		m.Status = StatusPostponed
		m.Until = p.Until
	case *events.MeetingCancelled:
		m.Status = StatusCancelled
	case *events.MeetingHeld:
		m.Status = StatusHeld
		at := e.At
		m.HeldAt = &at
		if p.Venue != "" {
			m.Venue = p.Venue
		}
		m.Outcome = p.Outcome
	case *events.PreconditionAdded:
		pc := Precondition{ID: p.Precondition, Description: p.Description, State: Unmet, Since: e.At}
		if p.Requires != nil {
			pc.Requires = p.Requires.Held
		}
		m.Preconditions = append(slices.Clip(m.Preconditions), pc)
	case *events.PreconditionMet:
		m.Preconditions = settle(m.Preconditions, p.Precondition, Met, e.At)
	case *events.PreconditionFailed:
		m.Preconditions = settle(m.Preconditions, p.Precondition, Failed, e.At)
	case *events.PreconditionWaived:
		m.Preconditions = settle(m.Preconditions, p.Precondition, Waived, e.At)
	case *events.StatementMade:
		if p.Claim != "" {
			m.Claims = withClaim(m.Claims, Claim{Speaker: e.By, Status: p.Claim, At: e.At, Quote: p.Quote})
		}
	}
	return m
}

// Fold returns the meeting that history makes, from the undeclared meeting.
func Fold(history []events.Event) Meeting {
	var m Meeting
	for _, e := range history {
		m = Evolve(m, e)
	}
	return m
}

// proposalWindow is the window a proposal made at opens: its own window, or
// from at to at plus within, or nil if it names neither.
func proposalWindow(at events.Time, p *events.MeetingProposed) *events.Window {
	switch {
	case p.Window != nil:
		w := *p.Window
		return &w
	case p.Within != nil:
		to := at
		to.Time = at.AddDate(0, 0, p.Within.Days)
		return &events.Window{From: at, To: to}
	}
	return nil
}

func settle(ps []Precondition, id string, st PreconditionState, at events.Time) []Precondition {
	i := slices.IndexFunc(ps, func(p Precondition) bool { return p.ID == id })
	if i < 0 {
		return ps
	}
	ps = slices.Clone(ps)
	ps[i].State, ps[i].Since = st, at
	return ps
}

func withClaim(cs []Claim, c Claim) []Claim {
	i, found := slices.BinarySearchFunc(cs, c.Speaker, func(c Claim, s string) int {
		switch {
		case c.Speaker < s:
			return -1
		case c.Speaker > s:
			return 1
		}
		return 0
	})
	cs = slices.Clone(cs)
	if found {
		cs[i] = c
		return cs
	}
	return slices.Insert(cs, i, c)
}

// with returns the sorted set ss with s added, leaving ss unchanged.
func with(ss []string, s string) []string {
	i, found := slices.BinarySearch(ss, s)
	if found {
		return ss
	}
	return slices.Insert(slices.Clone(ss), i, s)
}

// without returns the sorted set ss without s, leaving ss unchanged.
func without(ss []string, s string) []string {
	i, found := slices.BinarySearch(ss, s)
	if !found {
		return ss
	}
	return slices.Delete(slices.Clone(ss), i, i+1)
}
