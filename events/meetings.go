package events

import (
	"errors"
	"fmt"
)

// The kinds of a meeting's life.
const (
	KindMeetingFloated      Kind = "meeting.floated"
	KindMeetingProposed     Kind = "meeting.proposed"
	KindMeetingAccepted     Kind = "meeting.accepted"
	KindMeetingDeclined     Kind = "meeting.declined"
	KindMeetingScheduled    Kind = "meeting.scheduled"
	KindMeetingPostponed    Kind = "meeting.postponed"
	KindMeetingCancelled    Kind = "meeting.cancelled"
	KindMeetingHeld         Kind = "meeting.held"
	KindMeetingEnded        Kind = "meeting.ended"
	KindParticipantsChanged Kind = "participants.changed"
)

var meetingSpecs = []Spec{
	{Kind: KindMeetingFloated, CAMEO: "036", Timeline: true, Meeting: Required, By: Required,
		Help: "the idea of a meeting is voiced, nothing concrete", New: func() Payload { return &MeetingFloated{} },
		Example: "summit add meeting.floated --meeting rubio-lavrov-prep --by USA --at 2025-10-16"},
	{Kind: KindMeetingProposed, CAMEO: "036", Timeline: true, Meeting: Required, By: Required,
		Help: "a concrete proposal: a venue, a span or a window of dates", New: func() Payload { return &MeetingProposed{} },
		Example: "summit add meeting.proposed --meeting budapest-summit --by trump --venue Budapest --within 14d --at 2025-10-16"},
	{Kind: KindMeetingAccepted, CAMEO: "036", Timeline: true, Meeting: Required, By: Required,
		Help: "a participant's party agrees in principle", New: func() Payload { return &MeetingAccepted{} },
		Example: "summit add meeting.accepted --meeting budapest-summit --by putin --at 2025-10-17"},
	{Kind: KindMeetingDeclined, CAMEO: "125", Timeline: true, Meeting: Required, By: Required,
		Help: "a participant's party rejects the proposal", New: func() Payload { return &MeetingDeclined{} },
		Example: "summit add meeting.declined --meeting talks --by IRN --reason 'not under pressure' --at 2025-03-12"},
	{Kind: KindMeetingScheduled, CAMEO: "036", Timeline: true, Meeting: Required, By: Optional,
		Help: "a date, or a range of days, is set", New: func() Payload { return &MeetingScheduled{} },
		Example: "summit add meeting.scheduled --meeting budapest-summit --date 2025-10-30 --venue Budapest --at 2025-10-20"},
	{Kind: KindMeetingPostponed, CAMEO: "161", Timeline: true, Meeting: Required, By: Required,
		Help: "the date, or the plan, is pushed back", New: func() Payload { return &MeetingPostponed{} },
		Example: "summit add meeting.postponed --meeting budapest-summit --by trump --reason 'a waste of time' --at 2025-10-22"},
	{Kind: KindMeetingCancelled, CAMEO: "164", Timeline: true, Meeting: Required, By: Required,
		Help: "the meeting is called off (a proposal, acceptance or scheduling can revive it)", New: func() Payload { return &MeetingCancelled{} },
		Example: "summit add meeting.cancelled --meeting budapest-summit --by trump --at 2025-10-22"},
	{Kind: KindMeetingHeld, CAMEO: "044", Timeline: true, Meeting: Required, By: Optional,
		Help: "it took place (its first day)", New: func() Payload { return &MeetingHeld{} },
		Example: "summit add meeting.held --meeting rubio-lavrov-prep --venue Budapest --at 2025-10-25"},
	{Kind: KindMeetingEnded, Timeline: true, Meeting: Required, By: Optional,
		Help: "a meeting held over several days ended (its last day)", New: func() Payload { return &MeetingEnded{} },
		Example: "summit add meeting.ended --meeting hanoi --early --outcome 'no agreement' --at 2019-02-28"},
	{Kind: KindParticipantsChanged, Timeline: true, Meeting: Required, By: Required,
		Help: "delegates named, someone substituted, or a party dropped", New: func() Payload { return &ParticipantsChanged{} },
		Example: "summit add participants.changed --meeting talks --by USA --add witkoff --at 2025-04-10"},
}

// MeetingFloated records that the idea of a meeting was voiced, with nothing
// concrete.
type MeetingFloated struct{}

// MeetingProposed records a concrete proposal: a venue, and either a span
// from the proposal (Within) or a window of dates. The proposer's party
// accepts by proposing.
type MeetingProposed struct {
	Venue  string  `json:"venue,omitempty" summit:"text" help:"where it is to be held"`
	Within *Span   `json:"within,omitempty" summit:"span" help:"how soon it is to be held, from the proposal"`
	Window *Window `json:"window,omitempty" summit:"window" help:"the dates within which it is to be held"`
}

// MeetingAccepted records that the acting party agrees to the meeting in
// principle.
type MeetingAccepted struct{}

// MeetingDeclined records that the acting party rejects the proposal.
type MeetingDeclined struct {
	Reason string `json:"reason,omitempty" summit:"text" help:"why"`
}

// MeetingScheduled records that a date, or a range of days, is set.
type MeetingScheduled struct {
	Date  Days   `json:"date" summit:"days,required" help:"the day, or {from, to} for several days"`
	Venue string `json:"venue,omitempty" summit:"text" help:"where"`
}

// MeetingPostponed records that the date, or the plan, is pushed back,
// perhaps until a given time.
type MeetingPostponed struct {
	Reason string `json:"reason,omitempty" summit:"text" help:"why"`
	Until  *Time  `json:"until,omitempty" summit:"time" help:"the new date, if one is named"`
}

// MeetingCancelled records that the meeting is called off.
type MeetingCancelled struct {
	Reason string `json:"reason,omitempty" summit:"text" help:"why"`
}

// MeetingHeld records that the meeting took place: on its first day, if it
// lasts several.
type MeetingHeld struct {
	Venue   string `json:"venue,omitempty" summit:"text" help:"where"`
	Outcome string `json:"outcome,omitempty" summit:"text" help:"what came of it"`
}

// MeetingEnded records the last day of a meeting held over several days,
// and whether it ended early.
type MeetingEnded struct {
	Early   bool   `json:"early,omitempty" summit:"bool" help:"it ended before its scheduled end"`
	Outcome string `json:"outcome,omitempty" summit:"text" help:"what came of it"`
}

// ParticipantsChanged records who a meeting brings together, changed: the
// delegates of a party named, someone substituted, a party dropped.
type ParticipantsChanged struct {
	Add    []Participant `json:"add,omitempty" summit:"participants" help:"people or parties added"`
	Remove []Participant `json:"remove,omitempty" summit:"participants" help:"people or parties removed"`
	Reason string        `json:"reason,omitempty" summit:"text" help:"why"`
}

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

// Kind returns [KindMeetingEnded].
func (*MeetingEnded) Kind() Kind { return KindMeetingEnded }

// Kind returns [KindParticipantsChanged].
func (*ParticipantsChanged) Kind() Kind { return KindParticipantsChanged }

// Validate accepts any floated meeting.
func (*MeetingFloated) Validate() error { return nil }

// Validate allows within or window, not both, and a window that ends after
// it begins.
func (p *MeetingProposed) Validate() error {
	if p.Within != nil && p.Window != nil {
		return errors.New("a proposal gives within or window, not both")
	}
	if p.Window != nil {
		if err := p.Window.Check(); err != nil {
			return err
		}
	}
	if p.Within != nil {
		if err := p.Within.Check(); err != nil {
			return fmt.Errorf("within %s: %w", p.Within, err)
		}
	}
	return nil
}

// WindowFrom returns the window a proposal made at opens: its own window,
// or from at to at plus Within, or nil if it names neither.
func (p *MeetingProposed) WindowFrom(at Time) *Window {
	switch {
	case p.Window != nil:
		w := *p.Window
		return &w
	case p.Within != nil:
		return &Window{From: at, To: at.AddDays(p.Within.Days)}
	}
	return nil
}

// ValidateAt requires the window a proposal made at opens to end within the
// years summit reads.
func (p *MeetingProposed) ValidateAt(at Time) error {
	if w := p.WindowFrom(at); w != nil {
		if err := w.To.CheckRange(); err != nil {
			return fmt.Errorf("the window would end on %s: %w", w.To.Format(DateLayout), err)
		}
	}
	return nil
}

// Validate accepts any acceptance.
func (*MeetingAccepted) Validate() error { return nil }

// Validate accepts any refusal.
func (*MeetingDeclined) Validate() error { return nil }

// Validate requires a day, or a range that ends after it begins.
func (p *MeetingScheduled) Validate() error {
	if p.Date.IsZero() {
		return missing("date")
	}
	return p.Date.Check()
}

// Validate accepts any postponement.
func (*MeetingPostponed) Validate() error { return nil }

// Validate accepts any cancellation.
func (*MeetingCancelled) Validate() error { return nil }

// Validate accepts any meeting held.
func (*MeetingHeld) Validate() error { return nil }

// Validate accepts any end.
func (*MeetingEnded) Validate() error { return nil }

// Validate requires someone added or removed, each named once, with valid
// names.
func (p *ParticipantsChanged) Validate() error {
	if len(p.Add)+len(p.Remove) == 0 {
		return errors.New("a change of participants adds or removes someone")
	}
	if err := CheckParticipants(p.Add); err != nil {
		return fmt.Errorf("add: %w", err)
	}
	if err := CheckParticipants(p.Remove); err != nil {
		return fmt.Errorf("remove: %w", err)
	}
	for _, a := range p.Add {
		for _, r := range p.Remove {
			if a.ID() == r.ID() {
				return fmt.Errorf("%s is both added and removed", a.ID())
			}
		}
	}
	return nil
}

// Summary is empty: a floated meeting says it all.
func (*MeetingFloated) Summary() string { return "" }

// Summary reads as "in Budapest, within 14d".
func (p *MeetingProposed) Summary() string {
	s := labelled("in ", p.Venue)
	if p.Within != nil {
		s = summary(s, "within "+p.Within.String())
	}
	if p.Window != nil {
		s = summary(s, "window "+p.Window.String())
	}
	return s
}

// Summary is empty.
func (*MeetingAccepted) Summary() string { return "" }

// Summary is the reason.
func (p *MeetingDeclined) Summary() string { return p.Reason }

// Summary reads as "for 2019-02-27 to 2019-02-28, in Hanoi".
func (p *MeetingScheduled) Summary() string {
	return summary("for "+p.Date.String(), labelled("in ", p.Venue))
}

// Summary reads as "the reason, until 2025-11-10".
func (p *MeetingPostponed) Summary() string {
	s := p.Reason
	if p.Until != nil {
		s = summary(s, "until "+p.Until.String())
	}
	return s
}

// Summary is the reason.
func (p *MeetingCancelled) Summary() string { return p.Reason }

// Summary reads as "in Alaska, the outcome".
func (p *MeetingHeld) Summary() string { return summary(labelled("in ", p.Venue), p.Outcome) }

// Summary reads as "early, no agreement".
func (p *MeetingEnded) Summary() string {
	early := ""
	if p.Early {
		early = "early"
	}
	return summary(early, p.Outcome)
}

// Summary reads as "adds witkoff, removes USA, the reason".
func (p *ParticipantsChanged) Summary() string {
	return summary(labelled("adds ", ids(p.Add)), labelled("removes ", ids(p.Remove)), p.Reason)
}
