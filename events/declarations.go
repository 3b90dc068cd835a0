package events

// The declarations summit records when a scenario first names a party, a
// person or a meeting. A scenario writes them in their own sections, not in
// its timeline.
const (
	KindPartyDeclared   Kind = "party.declared"
	KindPersonDeclared  Kind = "person.declared"
	KindMeetingDeclared Kind = "meeting.declared"
)

var declarationSpecs = []Spec{
	{Kind: KindPartyDeclared, Help: "a party (a state or organisation) under its actor code", New: func() Payload { return &PartyDeclared{} }},
	{Kind: KindPersonDeclared, Help: "a person who acts for a party", New: func() Payload { return &PersonDeclared{} }},
	{Kind: KindMeetingDeclared, Help: "a meeting's title and participants", New: func() Payload { return &MeetingDeclared{} }},
}

// PartyDeclared records a party (a state or organisation) under its CAMEO or
// ISO actor code; the code is the event's aggregate id.
type PartyDeclared struct {
	Name string `json:"name" summit:"text,required" help:"the party's name"`
}

// PersonDeclared records a person who acts for a party; the person's id is
// the event's aggregate id.
type PersonDeclared struct {
	Name  string `json:"name" summit:"text,required" help:"the person's name"`
	Party string `json:"party" summit:"actor,required" help:"the party the person acts for"`
	Role  string `json:"role,omitempty" summit:"text" help:"the person's role"`
}

// MeetingDeclared records a meeting's title and participants when a
// scenario first names it. A meeting's life begins with it, whatever its
// world time: it comes first in the meeting's history.
type MeetingDeclared struct {
	Title        string        `json:"title" summit:"text,required" help:"the meeting's title"`
	Participants []Participant `json:"participants" summit:"participants,required" help:"the people or parties it brings together"`
}

// Kind returns [KindPartyDeclared].
func (*PartyDeclared) Kind() Kind { return KindPartyDeclared }

// Kind returns [KindPersonDeclared].
func (*PersonDeclared) Kind() Kind { return KindPersonDeclared }

// Kind returns [KindMeetingDeclared].
func (*MeetingDeclared) Kind() Kind { return KindMeetingDeclared }

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
	return CheckParticipants(p.Participants)
}

// Summary reads as "party United States".
func (p *PartyDeclared) Summary() string { return labelled("party ", p.Name) }

// Summary reads as "Donald Trump, of USA, President".
func (p *PersonDeclared) Summary() string { return summary(p.Name, labelled("of ", p.Party), p.Role) }

// Summary reads as "Trump-Putin summit in Budapest, with trump, putin".
func (p *MeetingDeclared) Summary() string {
	return summary(p.Title, labelled("with ", ids(p.Participants)))
}
