package aggregates

import (
	"slices"
	"time"

	"github.com/summit-model/summit/events"
)

// Status is where a meeting stands in its life.
type Status string

// The statuses of a meeting. Named is summit's own: a meeting a scenario
// names but that nobody has yet floated, proposed or held (the first edition
// called it "declared"). Cancelled and declined can be revived by a
// proposal, an acceptance or a scheduling; only held is final.
const (
	StatusNamed     Status = "named"
	StatusFloated   Status = "floated"
	StatusProposed  Status = "proposed"
	StatusAgreed    Status = "agreed"
	StatusScheduled Status = "scheduled"
	StatusPostponed Status = "postponed"
	StatusDeclined  Status = "declined"
	StatusCancelled Status = "cancelled"
	StatusHeld      Status = "held"
)

// Statuses lists every status, in the order of a meeting's life.
var Statuses = []Status{StatusNamed, StatusFloated, StatusProposed, StatusAgreed, StatusScheduled, StatusPostponed, StatusDeclined, StatusCancelled, StatusHeld}

// ParseStatus reads a status word, taking the first edition's "declared"
// for named.
func ParseStatus(s string) (Status, bool) {
	if s == "declared" {
		return StatusNamed, true
	}
	st := Status(s)
	return st, slices.Contains(Statuses, st)
}

// Final reports whether nothing can change s's life any more: a held meeting.
func (s Status) Final() bool { return s == StatusHeld }

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
	ID          string
	Description string
	// Requires names a meeting whose holding meets this precondition.
	Requires string
	// State is the state the precondition's own events gave it, and Since
	// the world time of the event that did. Holding the meeting it requires
	// is not among its own events: see [Precondition.Resolve].
	State PreconditionState
	Since events.Time
	// Added is the world time of the event that added the precondition:
	// where it stands among the others, which are in the order they were
	// added. Zero if unknown (a state restored from a snapshot written
	// before it was kept).
	Added events.Time
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

// Claim is what one speaker says a meeting's status is, and when.
type Claim struct {
	Speaker string
	Status  string
	At      events.Time
	Quote   string
}

// Cause names the event that made a meeting's status what it is, for an
// error or a board to cite.
type Cause struct {
	Kind    events.Kind
	At      events.Time
	By      string
	RefName string
	Version uint64
}

// causeOf returns the cause that e is.
func causeOf(e events.Event) Cause {
	return Cause{Kind: e.Kind(), At: e.At, By: e.By, RefName: e.RefName, Version: e.Version}
}

// Meeting is a meeting's state, folded from its events in world-time order
// by [Evolve]. The zero Meeting is one that has not been declared.
//
// The board shows what holds on the date read: a postponed meeting has no
// date, a held one no postponement, a scheduled one its date and not an old
// proposal's window. Evolve clears what no longer holds.
type Meeting struct {
	ID    string
	Title string
	// Zone is the time zone of the meeting's days: its declaration's.
	Zone string
	// Participants are the people, and the parties named alone (a
	// delegation not yet named), the meeting brings together.
	Participants []events.Participant
	Status       Status
	// StatusCause is the event that gave the meeting its status.
	StatusCause Cause
	Venue       string
	// Window is the latest proposal's window, while the meeting is
	// proposed or agreed; Date the days it is scheduled for; Until the
	// date a postponement names, while it is postponed.
	Window *events.Window
	Date   *events.Days
	Until  *events.Time
	// HeldAt is when the meeting took place (its first day), EndedAt its
	// last day if it lasted several, Early whether it ended before its
	// scheduled end, and Outcome what came of it.
	HeldAt  *events.Time
	EndedAt *events.Time
	Early   bool
	Outcome string
	// The facts the status follows from, beside the dates: the meeting was
	// floated, proposed (or scheduled), is called off, is postponed.
	Floated   bool
	Proposed  bool
	Cancelled bool
	Postponed bool
	// Accepted and Declined are the parties whose latest word was an
	// acceptance or a refusal, sorted. A proposal counts as its proposer's
	// party accepting.
	Accepted []string
	Declined []string
	// Preconditions are in the order they were added.
	Preconditions []Precondition
	// Claims hold each speaker's latest claim in world time, sorted by
	// speaker.
	Claims []Claim
	// Version is the highest version of the events folded (the number of
	// events on record, for a history folded whole); Last is the place of
	// the latest in world order: its world time, when it became known, and
	// its version.
	Version     uint64
	Last        events.Time
	LastKnown   events.Time
	LastVersion uint64
}

// Declared reports whether the meeting has been declared: whether it exists.
func (m Meeting) Declared() bool { return m.ID != "" }

// Parties returns the distinct parties of the meeting's participants,
// sorted: the parties of its people and the parties named alone.
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
	return slices.ContainsFunc(m.Participants, func(p events.Participant) bool { return p.Party == party })
}

// allAccepted reports whether every participant's party has accepted.
func (m *Meeting) allAccepted() bool {
	for _, p := range m.Participants {
		if !slices.Contains(m.Accepted, p.Party) {
			return false
		}
	}
	return len(m.Participants) > 0
}

// Precondition returns the precondition id, if the meeting has it.
func (m Meeting) Precondition(id string) (Precondition, bool) {
	i := slices.IndexFunc(m.Preconditions, func(p Precondition) bool { return p.ID == id })
	if i < 0 {
		return Precondition{}, false
	}
	return m.Preconditions[i], true
}

// status derives the meeting's status from its facts: held before all, then
// called off, declined, postponed, scheduled, agreed, proposed, floated.
func (m *Meeting) status() Status {
	switch {
	case m.HeldAt != nil:
		return StatusHeld
	case m.Cancelled:
		return StatusCancelled
	case len(m.Declined) > 0:
		return StatusDeclined
	case m.Postponed:
		return StatusPostponed
	case m.Date != nil:
		return StatusScheduled
	case (m.Proposed || m.Floated) && m.allAccepted():
		return StatusAgreed
	case m.Proposed:
		return StatusProposed
	case m.Floated:
		return StatusFloated
	}
	return StatusNamed
}

// Deadline returns the date by which the meeting should take place, and
// false if it has none: a held, cancelled or declined meeting has none; a
// postponed one has its postponement's until, if any; otherwise it is the
// last scheduled day once a date is set, else the end of the latest
// proposal's window.
func (m Meeting) Deadline() (events.Time, bool) {
	switch m.Status {
	case StatusHeld, StatusCancelled, StatusDeclined:
		return events.Time{}, false
	case StatusPostponed:
		if m.Until != nil {
			return *m.Until, true
		}
		return events.Time{}, false
	}
	switch {
	case m.Date != nil:
		return m.Date.To, true
	case m.Window != nil:
		return m.Window.To, true
	}
	return events.Time{}, false
}

// Overdue reports whether the meeting's deadline has passed as of the end of
// a reading: cutoff is the first instant after the period read
// ([events.Time.End] of the date read). A deadline given as a date lasts all
// that day, so a meeting is never overdue on a day of its scheduled range.
func (m Meeting) Overdue(cutoff time.Time) bool {
	d, ok := m.Deadline()
	return ok && Passed(d, cutoff)
}

// Passed reports whether deadline has passed as of cutoff, the first instant
// after the period read.
//
// A read by date (cutoff the midnight that ends the day read, in the
// read's zone) judges a deadline given as a date by the calendar: it has
// passed once the day read is later than the deadline's day, each a day of
// its own zone. A meeting in Tokyo due on 7 December is not overdue as of
// 7 December read in UTC, though Tokyo's 7th ends nine hours before UTC's:
// it is overdue as of the 8th, the day explain says its deadline passed.
// Read at an instant, or with a deadline given as an instant, a deadline
// has passed when its end is before the cutoff.
func Passed(deadline events.Time, cutoff time.Time) bool {
	if read, ok := dayRead(cutoff); ok && deadline.DateOnly {
		y, m, d := deadline.Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Before(read)
	}
	return deadline.End().Before(cutoff)
}

// dayRead returns the day a cutoff ends, as midnight UTC of its calendar
// date, and whether cutoff is the end of a day: the start of a day in its
// own zone ([events.DayStart]).
func dayRead(cutoff time.Time) (time.Time, bool) {
	y, m, d := cutoff.Date()
	if !cutoff.Equal(events.DayStart(y, m, d, cutoff.Location())) {
		return time.Time{}, false
	}
	return time.Date(y, m, d-1, 0, 0, 0, 0, time.UTC), true
}

// Evolve returns m with e applied, e being the next event of the meeting in
// world order. It never fails, for events are facts: an event Evolve has no
// use for leaves m as it was, but for its place. It does not change m:
// slices are copied before they are changed.
func Evolve(m Meeting, e events.Event) Meeting {
	EvolveIn(&m, &e)
	return m
}

// EvolveIn is [Evolve] in place: *m becomes the meeting with e applied. It
// copies no meeting (a board applies a million events to states some
// hundreds of bytes large), and changes no slice *m holds but copies it
// first, so that a state that shares them stays as it was.
func EvolveIn(m *Meeting, e *events.Event) {
	m.Version = max(m.Version, e.Version)
	m.Last, m.LastKnown, m.LastVersion = e.At, e.Known(), e.Version
	switch p := e.Payload.(type) {
	case *events.MeetingDeclared:
		m.ID = e.Aggregate.ID
		m.Title = p.Title
		m.Zone = e.Zone
		m.Participants = slices.Clone(p.Participants)
	case *events.MeetingFloated:
		m.Floated = true
	case *events.MeetingProposed:
		m.Proposed, m.Cancelled, m.Postponed = true, false, false
		m.Window, m.Date, m.Until = p.WindowFrom(e.At), nil, nil
		m.Venue = or(p.Venue, m.Venue)
		m.accept(e.Party)
	case *events.MeetingAccepted:
		m.accept(e.Party)
		m.Cancelled = false
	case *events.MeetingDeclined:
		if m.IsParticipant(e.Party) {
			m.Declined = with(m.Declined, e.Party)
		}
		m.Accepted = without(m.Accepted, e.Party)
	case *events.MeetingScheduled:
		d := p.Date
		m.Proposed, m.Cancelled, m.Postponed = true, false, false
		m.Date, m.Until, m.Window = &d, nil, nil
		m.Venue = or(p.Venue, m.Venue)
	case *events.MeetingPostponed:
		m.Postponed = true
		m.Until, m.Date, m.Window = p.Until, nil, nil
	case *events.MeetingCancelled:
		m.Cancelled, m.Postponed = true, false
		m.Date, m.Until, m.Window = nil, nil, nil
	case *events.MeetingHeld:
		at := e.At
		m.HeldAt = &at
		m.Cancelled, m.Postponed = false, false
		m.Until, m.Window = nil, nil
		m.Venue = or(p.Venue, m.Venue)
		m.Outcome = or(p.Outcome, m.Outcome)
	case *events.MeetingEnded:
		at := e.At
		m.EndedAt, m.Early = &at, p.Early
		m.Outcome = or(p.Outcome, m.Outcome)
	case *events.ParticipantsChanged:
		m.Participants = changeParticipants(m.Participants, p)
	case *events.PreconditionAdded:
		m.Preconditions = append(slices.Clip(m.Preconditions), newPrecondition(*e, p))
	case *events.PreconditionMet:
		m.Preconditions = settle(m.Preconditions, p.Precondition, Met, e.At)
	case *events.PreconditionFailed:
		m.Preconditions = settle(m.Preconditions, p.Precondition, Failed, e.At)
	case *events.PreconditionWaived:
		m.Preconditions = settle(m.Preconditions, p.Precondition, Waived, e.At)
	case *events.StatementMade:
		if p.Claim != "" {
			m.Claims = withClaim(m.Claims, claimOf(*e, p))
		}
	}
	if s := m.status(); s != m.Status {
		m.Status, m.StatusCause = s, causeOf(*e)
	}
}

// claimOf returns the claim statement e (of payload p) makes.
func claimOf(e events.Event, p *events.StatementMade) Claim {
	quote := p.Quote
	if quote == "" && e.Source != nil {
		quote = e.Source.Quote
	}
	return Claim{Speaker: e.By, Status: p.Claim, At: e.At, Quote: quote}
}

// Place returns m, a meeting folded past e's place in world order, with e
// folded in its place, as folding its history again with e in it would
// give; and false when e is not an event that can be placed so, and the
// history is needed. It places an event that corrects nothing and whose
// effect no event after it reads or overrides, so that it is decided and
// folded without the events around it:
//   - a statement: what it changes (its speaker's claim, if it is their
//     latest in world time, and the meeting's version) no rule reads. A
//     claim dated the same instant as its speaker's claim on record needs
//     the history to tell which came first.
//   - a precondition added, or settled, before the meeting was held: no
//     status reads a precondition, and only the precondition's own events
//     do. One is placed only where m shows that no event of the same
//     precondition follows it, and that the rules allow it there: a new
//     precondition, whose place among the others m tells (by when each
//     was added, none at its instant); a settlement of one whose last
//     event came before it, into another state.
//
// What Place declines, the history decides: among it, every refusal.
func Place(m Meeting, e events.Event) (Meeting, bool) {
	if e.Corrects != "" || m.LastVersion == 0 || m.after(e) {
		return m, false
	}
	switch p := e.Payload.(type) {
	case *events.StatementMade:
		return placeStatement(m, e, p)
	case *events.PreconditionAdded:
		return placeAdded(m, e, p)
	case *events.PreconditionMet:
		return placeSettled(m, e, p.Precondition, Met)
	case *events.PreconditionFailed:
		return placeSettled(m, e, p.Precondition, Failed)
	case *events.PreconditionWaived:
		return placeSettled(m, e, p.Precondition, Waived)
	}
	return m, false
}

func placeStatement(m Meeting, e events.Event, p *events.StatementMade) (Meeting, bool) {
	m.Version = max(m.Version, e.Version)
	if p.Claim == "" {
		return m, true
	}
	i := slices.IndexFunc(m.Claims, func(c Claim) bool { return c.Speaker == e.By })
	if i >= 0 {
		switch at := m.Claims[i].At; {
		case e.At.Before(at.Time):
			return m, true // the speaker's claim on record is later: it stands
		case !at.Before(e.At.Time):
			return m, false
		}
	}
	m.Claims = withClaim(m.Claims, claimOf(e, p))
	return m, true
}

// heldBefore reports whether m may have been held by e's place: it was
// held, and not strictly after e.
func heldBefore(m Meeting, e events.Event) bool {
	return m.HeldAt != nil && !e.At.Before(m.HeldAt.Time)
}

// placeAdded places a new precondition among m's, which are in the order
// they were added: after those added before it, before those added after
// it. One added at the same instant, or when m does not say, leaves the
// order to the history.
func placeAdded(m Meeting, e events.Event, p *events.PreconditionAdded) (Meeting, bool) {
	if _, dup := m.Precondition(p.Precondition); dup || heldBefore(m, e) || p.Requires != nil && p.Requires.Held == m.ID {
		return m, false
	}
	at := 0 // how many were added before it
	for i, q := range m.Preconditions {
		switch {
		case q.Added.IsZero() || q.Added.Equal(e.At.Time):
			return m, false
		case q.Added.Before(e.At.Time):
			if at != i {
				return m, false // not in the order they were added
			}
			at++
		}
	}
	m.Version = max(m.Version, e.Version)
	m.Preconditions = slices.Insert(slices.Clip(m.Preconditions), at, newPrecondition(e, p))
	return m, true
}

// newPrecondition returns the precondition e (of payload p) adds: unmet
// since e.
func newPrecondition(e events.Event, p *events.PreconditionAdded) Precondition {
	pc := Precondition{ID: p.Precondition, Description: p.Description, State: Unmet, Since: e.At, Added: e.At}
	if p.Requires != nil {
		pc.Requires = p.Requires.Held
	}
	return pc
}

// placeSettled places the settlement of precondition id into state to,
// after the precondition's last event.
func placeSettled(m Meeting, e events.Event, id string, to PreconditionState) (Meeting, bool) {
	q, ok := m.Precondition(id)
	if !ok || !q.Since.Before(e.At.Time) || q.State == to || heldBefore(m, e) {
		return m, false
	}
	m.Version = max(m.Version, e.Version)
	m.Preconditions = settle(m.Preconditions, id, to, e.At)
	return m, true
}

// accept records party's acceptance.
func (m *Meeting) accept(party string) {
	if m.IsParticipant(party) {
		m.Accepted = with(m.Accepted, party)
	}
	m.Declined = without(m.Declined, party)
}

// changeParticipants returns ps changed as p says: a person added in place
// of their party named alone, a party removed with all its people.
func changeParticipants(ps []events.Participant, p *events.ParticipantsChanged) []events.Participant {
	out := slices.Clone(ps)
	for _, r := range p.Remove {
		out = slices.DeleteFunc(out, func(q events.Participant) bool {
			if r.Person == "" {
				return q.Party == r.Party
			}
			return q.Person == r.Person
		})
	}
	for _, a := range p.Add {
		if a.Person != "" {
			out = slices.DeleteFunc(out, func(q events.Participant) bool { return q.Person == "" && q.Party == a.Party })
		}
		if !slices.ContainsFunc(out, func(q events.Participant) bool { return q.ID() == a.ID() }) {
			out = append(out, a)
		}
	}
	return out
}

func or(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
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
