package events

import (
	"errors"
	"fmt"
	"strings"
)

// The kinds of what parties and people do.
const (
	KindCallHeld         Kind = "call.held"
	KindVisitMade        Kind = "visit.made"
	KindStatementMade    Kind = "statement.made"
	KindPositionStated   Kind = "position.stated"
	KindSanctionsImposed Kind = "sanctions.imposed"
)

var actorSpecs = []Spec{
	{Kind: KindCallHeld, CAMEO: "041", Timeline: true,
		Help: "a phone call", New: func() Payload { return &CallHeld{} },
		Example: "summit add call.held --participants trump,putin --initiated-by trump --at 2025-10-16"},
	{Kind: KindVisitMade, CAMEO: "042", Timeline: true, By: Required,
		Help: "an envoy visits a host", New: func() Payload { return &VisitMade{} },
		Example: "summit add visit.made --by witkoff --host putin --place Moscow --at 2025-08-06"},
	{Kind: KindStatementMade, CAMEO: "010", Timeline: true, By: Required,
		Help: "someone speaks, perhaps claiming a meeting's status", New: func() Payload { return &StatementMade{} },
		Example: "summit add statement.made --by peskov --about budapest-summit --stance noncommittal --claim unscheduled --quote 'no dates yet' --at 2025-10-21"},
	{Kind: KindPositionStated, Timeline: true, By: Required,
		Help: "a party's position on an issue", New: func() Payload { return &PositionStated{} },
		Example: "summit add position.stated --by UKR --issue ceasefire --position 'along the front line' --at 2025-10-21"},
	{Kind: KindSanctionsImposed, CAMEO: "163", Timeline: true, By: Required,
		Help: "sanctions imposed", New: func() Payload { return &SanctionsImposed{} },
		Example: "summit add sanctions.imposed --by USA --target RUS --description 'Rosneft and Lukoil' --at 2025-10-22"},
}

// CallHeld records a phone call. The event's actor is whoever initiated it.
type CallHeld struct {
	Participants []string `json:"participants" summit:"actors,required" help:"who spoke (two or more)"`
	InitiatedBy  string   `json:"initiated_by,omitempty" summit:"actor" help:"who called"`
	Tone         string   `json:"tone,omitempty" summit:"text" help:"how it went, as reported"`
	Topics       []string `json:"topics,omitempty" summit:"texts" help:"what was discussed"`
}

// VisitMade records that an envoy (the event's actor) visited a host.
type VisitMade struct {
	Host  string `json:"host" summit:"actor,required" help:"who was visited"`
	Place string `json:"place,omitempty" summit:"text" help:"where"`
}

// StatementMade records that someone (the event's actor) spoke, perhaps about
// a meeting, perhaps claiming a status for it.
type StatementMade struct {
	About  string `json:"about,omitempty" summit:"meeting" help:"the meeting it is about"`
	Stance Stance `json:"stance" summit:"stance,required" help:"supportive, noncommittal or opposed"`
	// Claim is the status the speaker says the meeting has: one of
	// [ClaimWords].
	Claim string `json:"claim,omitempty" summit:"claim" help:"the status the speaker claims (needs about)"`
	// Quote is the speaker's words: the entry's quote, kept with the claim.
	Quote string `json:"quote,omitempty" summit:"quote"`
}

// PositionStated records a party's position on an issue.
type PositionStated struct {
	Issue    string `json:"issue" summit:"text,required" help:"the issue"`
	Position string `json:"position" summit:"text,required" help:"the position taken"`
}

// SanctionsImposed records sanctions imposed by the event's actor.
type SanctionsImposed struct {
	Target      string `json:"target" summit:"text,required" help:"who is sanctioned"`
	Description string `json:"description,omitempty" summit:"text" help:"what"`
}

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
			return fmt.Errorf("claim %q: want one of %s", p.Claim, strings.Join(ClaimWords, ", "))
		}
	}
	return nil
}

// CAMEO returns the code of the statement's stance: 013 (optimistic) for
// supportive, 012 (pessimistic) for opposed, and the kind's 010 otherwise.
func (p *StatementMade) CAMEO() string {
	switch p.Stance {
	case StanceSupportive:
		return "013"
	case StanceOpposed:
		return "012"
	}
	return ""
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

// Summary reads as "trump, putin, tone productive".
func (p *CallHeld) Summary() string {
	return summary(strings.Join(p.Participants, ", "), labelled("tone ", p.Tone))
}

// Summary reads as "to putin, in Moscow".
func (p *VisitMade) Summary() string { return summary("to "+p.Host, labelled("in ", p.Place)) }

// Summary reads as "noncommittal, about budapest-summit, claims unscheduled".
func (p *StatementMade) Summary() string {
	return summary(string(p.Stance), labelled("about ", p.About), labelled("claims ", p.Claim))
}

// Summary reads as "ceasefire: along the front line".
func (p *PositionStated) Summary() string { return p.Issue + ": " + p.Position }

// Summary reads as "on RUS, the description".
func (p *SanctionsImposed) Summary() string { return summary("on "+p.Target, p.Description) }
