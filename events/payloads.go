package events

import (
	"errors"
	"fmt"
)

// Payload is the data particular to one kind of event. Each kind has its own
// type; the envelope ([Event]) carries what all events share, including the
// meeting an event belongs to and who acted.
type Payload interface {
	// Kind returns the kind of event the payload belongs to.
	Kind() Kind
	// Validate reports a payload that lacks a field its kind needs, or
	// holds a value out of its kind's range.
	Validate() error
}

// Stance is how a statement leans.
type Stance string

// The stances a statement may take.
const (
	StanceSupportive   Stance = "supportive"
	StanceNoncommittal Stance = "noncommittal"
	StanceOpposed      Stance = "opposed"
)

// Valid reports whether s is one of the three stances.
func (s Stance) Valid() bool {
	return s == StanceSupportive || s == StanceNoncommittal || s == StanceOpposed
}

// ErrMissingField is wrapped by [Payload.Validate] when a payload lacks a
// field its kind needs.
var ErrMissingField = errors.New("missing field")

func missing(field string) error { return fmt.Errorf("%w %q", ErrMissingField, field) }

// PartyDeclared records a party (a state or organisation) under its CAMEO or
// ISO actor code; the code is the event's aggregate id.
type PartyDeclared struct {
	Name string `json:"name"`
}

// PersonDeclared records a person who acts for a party; the person's id is
// the event's aggregate id.
type PersonDeclared struct {
	Name  string `json:"name"`
	Party string `json:"party"`
	Role  string `json:"role,omitempty"`
}

// Participant is one person a meeting brings together, with the party the
// person acts for.
type Participant struct {
	Person string `json:"person"`
	Party  string `json:"party"`
}

// MeetingDeclared records a meeting's title and participants when a
// scenario first names it. A meeting's life begins with it.
type MeetingDeclared struct {
	Title        string        `json:"title"`
	Participants []Participant `json:"participants"`
}

// MeetingFloated records that the idea of a meeting was voiced, with nothing
// concrete.
type MeetingFloated struct{}

// MeetingProposed records a concrete proposal: a venue, and either a span
// from the proposal (Within) or a window of dates.
type MeetingProposed struct {
	Venue  string  `json:"venue,omitempty"`
	Within *Span   `json:"within,omitempty"`
	Window *Window `json:"window,omitempty"`
}

// MeetingAccepted records that the acting party agrees to the meeting in
// principle.
type MeetingAccepted struct{}

// MeetingDeclined records that the acting party rejects the proposal.
type MeetingDeclined struct {
	Reason string `json:"reason,omitempty"`
}

// MeetingScheduled records that a date is set.
type MeetingScheduled struct {
	Date  Time   `json:"date"`
	Venue string `json:"venue,omitempty"`
}

// MeetingPostponed records that the date, or the plan, is pushed back,
// perhaps until a given time.
type MeetingPostponed struct {
	Reason string `json:"reason,omitempty"`
	Until  *Time  `json:"until,omitempty"`
}

// MeetingCancelled records that the meeting is called off.
type MeetingCancelled struct {
	Reason string `json:"reason,omitempty"`
}

// MeetingHeld records that the meeting took place.
type MeetingHeld struct {
	Venue   string `json:"venue,omitempty"`
	Outcome string `json:"outcome,omitempty"`
}

// Requirement is what a precondition waits for beyond its own events: the
// holding of another meeting.
type Requirement struct {
	Held string `json:"held"`
}

// PreconditionAdded records that a meeting needs something before it can be
// held. If Requires names a meeting, the precondition is met as soon as that
// meeting is held.
type PreconditionAdded struct {
	Precondition string       `json:"precondition"`
	Description  string       `json:"description,omitempty"`
	Requires     *Requirement `json:"requires,omitempty"`
}

// PreconditionMet records that a precondition is met.
type PreconditionMet struct {
	Precondition string `json:"precondition"`
}

// PreconditionFailed records that a precondition failed.
type PreconditionFailed struct {
	Precondition string `json:"precondition"`
	Reason       string `json:"reason,omitempty"`
}

// PreconditionWaived records that a meeting no longer needs a precondition.
type PreconditionWaived struct {
	Precondition string `json:"precondition"`
	Reason       string `json:"reason,omitempty"`
}

// CallHeld records a phone call. The event's actor is whoever initiated it.
type CallHeld struct {
	Participants []string `json:"participants"`
	InitiatedBy  string   `json:"initiated_by,omitempty"`
	Tone         string   `json:"tone,omitempty"`
	Topics       []string `json:"topics,omitempty"`
}

// VisitMade records that an envoy (the event's actor) visited a host.
type VisitMade struct {
	Host  string `json:"host"`
	Place string `json:"place,omitempty"`
}

// StatementMade records that someone (the event's actor) spoke, perhaps about
// a meeting, perhaps claiming a status for it.
type StatementMade struct {
	About  string `json:"about,omitempty"`
	Stance Stance `json:"stance"`
	// Claim is the status the speaker says the meeting has: a status word,
	// or "unscheduled".
	Claim string `json:"claim,omitempty"`
	Quote string `json:"quote,omitempty"`
}

// PositionStated records a party's position on an issue.
type PositionStated struct {
	Issue    string `json:"issue"`
	Position string `json:"position"`
}

// SanctionsImposed records sanctions imposed by the event's actor.
type SanctionsImposed struct {
	Target      string `json:"target"`
	Description string `json:"description,omitempty"`
}

// ClaimWords are the words a claim may use: the meeting statuses, and
// "unscheduled" for a meeting a speaker says was never set.
var ClaimWords = []string{"floated", "proposed", "agreed", "scheduled", "postponed", "cancelled", "held", "unscheduled"}

// ValidClaim reports whether w is one of [ClaimWords].
func ValidClaim(w string) bool {
	for _, c := range ClaimWords {
		if c == w {
			return true
		}
	}
	return false
}

// Kind returns [KindPartyDeclared].
func (*PartyDeclared) Kind() Kind { return KindPartyDeclared }

// Kind returns [KindPersonDeclared].
func (*PersonDeclared) Kind() Kind { return KindPersonDeclared }

// Kind returns [KindMeetingDeclared].
func (*MeetingDeclared) Kind() Kind { return KindMeetingDeclared }

// Kind returns [KindMeetingFloated].
func (*MeetingFloated) Kind() Kind { return KindMeetingFloated }

// Kind returns [KindMeetingProposed].
func (*MeetingProposed) Kind() Kind { return KindMeetingProposed }

// Kind returns [KindMeetingAccepted].
func (*MeetingAccepted) Kind() Kind { return KindMeetingAccepted }

// Kind returns [KindMeetingDeclined].
func (*MeetingDeclined) Kind() Kind { return KindMeetingDeclined }

// Kind returns [KindMeetingScheduled].
func (*MeetingScheduled) Kind() Kind { return KindMeetingScheduled }

// Kind returns [KindMeetingPostponed].
func (*MeetingPostponed) Kind() Kind { return KindMeetingPostponed }

// Kind returns [KindMeetingCancelled].
func (*MeetingCancelled) Kind() Kind { return KindMeetingCancelled }

// Kind returns [KindMeetingHeld].
func (*MeetingHeld) Kind() Kind { return KindMeetingHeld }

// Kind returns [KindPreconditionAdded].
func (*PreconditionAdded) Kind() Kind { return KindPreconditionAdded }

// Kind returns [KindPreconditionMet].
func (*PreconditionMet) Kind() Kind { return KindPreconditionMet }

// Kind returns [KindPreconditionFailed].
func (*PreconditionFailed) Kind() Kind { return KindPreconditionFailed }

// Kind returns [KindPreconditionWaived].
func (*PreconditionWaived) Kind() Kind { return KindPreconditionWaived }

// Kind returns [KindCallHeld].
func (*CallHeld) Kind() Kind { return KindCallHeld }

// Kind returns [KindVisitMade].
func (*VisitMade) Kind() Kind { return KindVisitMade }

// Kind returns [KindStatementMade].
func (*StatementMade) Kind() Kind { return KindStatementMade }

// Kind returns [KindPositionStated].
func (*PositionStated) Kind() Kind { return KindPositionStated }

// Kind returns [KindSanctionsImposed].
func (*SanctionsImposed) Kind() Kind { return KindSanctionsImposed }

// Validate requires a name.
func (p *PartyDeclared) Validate() error {
	if p.Name == "" {
		return missing("name")
	}
	return nil
}

// Validate requires a name and a valid party.
func (p *PersonDeclared) Validate() error {
	if p.Name == "" {
		return missing("name")
	}
	if p.Party == "" {
		return missing("party")
	}
	return CheckName(p.Party)
}

// Validate requires a title and at least one participant, each named once.
func (p *MeetingDeclared) Validate() error {
	if p.Title == "" {
		return missing("title")
	}
	if len(p.Participants) == 0 {
		return missing("participants")
	}
	seen := make(map[string]bool, len(p.Participants))
	for _, pt := range p.Participants {
		if err := CheckName(pt.Person); err != nil {
			return fmt.Errorf("participant: %w", err)
		}
		if err := CheckName(pt.Party); err != nil {
			return fmt.Errorf("participant %s: party: %w", pt.Person, err)
		}
		if seen[pt.Person] {
			return fmt.Errorf("participant %s named twice", pt.Person)
		}
		seen[pt.Person] = true
	}
	return nil
}

// Validate accepts any floated meeting.
func (*MeetingFloated) Validate() error { return nil }

// Validate allows within or window, not both, and a window that ends after
// it begins.
func (p *MeetingProposed) Validate() error {
	if p.Within != nil && p.Window != nil {
		return errors.New("a proposal gives within or window, not both")
	}
	if w := p.Window; w != nil {
		if w.From.IsZero() || w.To.IsZero() {
			return errors.New("window needs from and to")
		}
		if !w.From.Before(w.To.End()) {
			return fmt.Errorf("window ends (%s) before it begins (%s)", w.To, w.From)
		}
	}
	if p.Within != nil && p.Within.Days <= 0 {
		return fmt.Errorf("within %s: must be at least one day", p.Within)
	}
	return nil
}

// Validate accepts any acceptance.
func (*MeetingAccepted) Validate() error { return nil }

// Validate accepts any refusal.
func (*MeetingDeclined) Validate() error { return nil }

// Validate requires a date.
func (p *MeetingScheduled) Validate() error {
	if p.Date.IsZero() {
		return missing("date")
	}
	return nil
}

// Validate accepts any postponement.
func (*MeetingPostponed) Validate() error { return nil }

// Validate accepts any cancellation.
func (*MeetingCancelled) Validate() error { return nil }

// Validate accepts any meeting held.
func (*MeetingHeld) Validate() error { return nil }

// Validate requires a valid precondition id, and a valid meeting if it
// requires one.
func (p *PreconditionAdded) Validate() error {
	if err := checkPrecondition(p.Precondition); err != nil {
		return err
	}
	if p.Requires != nil {
		if p.Requires.Held == "" {
			return missing("requires.held")
		}
		if err := CheckName(p.Requires.Held); err != nil {
			return fmt.Errorf("requires.held: %w", err)
		}
	}
	return nil
}

// Validate requires a valid precondition id.
func (p *PreconditionMet) Validate() error { return checkPrecondition(p.Precondition) }

// Validate requires a valid precondition id.
func (p *PreconditionFailed) Validate() error { return checkPrecondition(p.Precondition) }

// Validate requires a valid precondition id.
func (p *PreconditionWaived) Validate() error { return checkPrecondition(p.Precondition) }

func checkPrecondition(id string) error {
	if id == "" {
		return missing("precondition")
	}
	if err := CheckName(id); err != nil {
		return fmt.Errorf("precondition: %w", err)
	}
	return nil
}

// Validate requires at least two participants, each named once, and an
// initiator among them.
func (p *CallHeld) Validate() error {
	if len(p.Participants) < 2 {
		return errors.New("a call needs at least two participants")
	}
	seen := make(map[string]bool, len(p.Participants))
	for _, pt := range p.Participants {
		if err := CheckName(pt); err != nil {
			return fmt.Errorf("participant: %w", err)
		}
		if seen[pt] {
			return fmt.Errorf("participant %s named twice", pt)
		}
		seen[pt] = true
	}
	if p.InitiatedBy != "" && !seen[p.InitiatedBy] {
		return fmt.Errorf("initiated_by %s is not a participant of the call", p.InitiatedBy)
	}
	return nil
}

// Validate requires a host.
func (p *VisitMade) Validate() error {
	if p.Host == "" {
		return missing("host")
	}
	return CheckName(p.Host)
}

// Validate requires a stance, and a claim only about a meeting and only in
// the words of [ClaimWords].
func (p *StatementMade) Validate() error {
	if p.Stance == "" {
		return missing("stance")
	}
	if !p.Stance.Valid() {
		return fmt.Errorf("stance %q: want supportive, noncommittal or opposed", p.Stance)
	}
	if p.About != "" {
		if err := CheckName(p.About); err != nil {
			return fmt.Errorf("about: %w", err)
		}
	}
	if p.Claim != "" {
		if p.About == "" {
			return errors.New("a claim needs the meeting it is about")
		}
		if !ValidClaim(p.Claim) {
			return fmt.Errorf("claim %q: want one of %v", p.Claim, ClaimWords)
		}
	}
	return nil
}

// Validate requires an issue and a position.
func (p *PositionStated) Validate() error {
	if p.Issue == "" {
		return missing("issue")
	}
	if p.Position == "" {
		return missing("position")
	}
	return nil
}

// Validate requires a target.
func (p *SanctionsImposed) Validate() error {
	if p.Target == "" {
		return missing("target")
	}
	return nil
}
