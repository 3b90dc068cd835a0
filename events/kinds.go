package events

// Kind names what happened, as scenario files and the log write it.
type Kind string

// The kinds of the domain page, and the three declarations summit records when
// a scenario first names a party, a person or a meeting.
const (
	KindPartyDeclared   Kind = "party.declared"
	KindPersonDeclared  Kind = "person.declared"
	KindMeetingDeclared Kind = "meeting.declared"

	KindMeetingFloated   Kind = "meeting.floated"
	KindMeetingProposed  Kind = "meeting.proposed"
	KindMeetingAccepted  Kind = "meeting.accepted"
	KindMeetingDeclined  Kind = "meeting.declined"
	KindMeetingScheduled Kind = "meeting.scheduled"
	KindMeetingPostponed Kind = "meeting.postponed"
	KindMeetingCancelled Kind = "meeting.cancelled"
	KindMeetingHeld      Kind = "meeting.held"

	KindPreconditionAdded  Kind = "precondition.added"
	KindPreconditionMet    Kind = "precondition.met"
	KindPreconditionFailed Kind = "precondition.failed"
	KindPreconditionWaived Kind = "precondition.waived"

	KindCallHeld         Kind = "call.held"
	KindVisitMade        Kind = "visit.made"
	KindStatementMade    Kind = "statement.made"
	KindPositionStated   Kind = "position.stated"
	KindSanctionsImposed Kind = "sanctions.imposed"
)

// kindInfo is what summit knows of a kind: how to make an empty payload of
// it, its default CAMEO code, and whether a scenario timeline may write it.
type kindInfo struct {
	new      func() Payload
	cameo    string
	timeline bool
}

var kinds = map[Kind]kindInfo{
	KindPartyDeclared:   {new: func() Payload { return &PartyDeclared{} }},
	KindPersonDeclared:  {new: func() Payload { return &PersonDeclared{} }},
	KindMeetingDeclared: {new: func() Payload { return &MeetingDeclared{} }},

	KindMeetingFloated:   {new: func() Payload { return &MeetingFloated{} }, cameo: "036", timeline: true},
	KindMeetingProposed:  {new: func() Payload { return &MeetingProposed{} }, cameo: "036", timeline: true},
	KindMeetingAccepted:  {new: func() Payload { return &MeetingAccepted{} }, cameo: "036", timeline: true},
	KindMeetingDeclined:  {new: func() Payload { return &MeetingDeclined{} }, cameo: "125", timeline: true},
	KindMeetingScheduled: {new: func() Payload { return &MeetingScheduled{} }, cameo: "036", timeline: true},
	KindMeetingPostponed: {new: func() Payload { return &MeetingPostponed{} }, cameo: "161", timeline: true},
	KindMeetingCancelled: {new: func() Payload { return &MeetingCancelled{} }, cameo: "164", timeline: true},
	KindMeetingHeld:      {new: func() Payload { return &MeetingHeld{} }, cameo: "044", timeline: true},

	KindPreconditionAdded:  {new: func() Payload { return &PreconditionAdded{} }, timeline: true},
	KindPreconditionMet:    {new: func() Payload { return &PreconditionMet{} }, timeline: true},
	KindPreconditionFailed: {new: func() Payload { return &PreconditionFailed{} }, timeline: true},
	KindPreconditionWaived: {new: func() Payload { return &PreconditionWaived{} }, timeline: true},

	KindCallHeld:         {new: func() Payload { return &CallHeld{} }, cameo: "041", timeline: true},
	KindVisitMade:        {new: func() Payload { return &VisitMade{} }, cameo: "042", timeline: true},
	KindStatementMade:    {new: func() Payload { return &StatementMade{} }, cameo: "010", timeline: true},
	KindPositionStated:   {new: func() Payload { return &PositionStated{} }, timeline: true},
	KindSanctionsImposed: {new: func() Payload { return &SanctionsImposed{} }, cameo: "163", timeline: true},
}

// Known reports whether k is a kind summit knows.
func (k Kind) Known() bool {
	_, ok := kinds[k]
	return ok
}

// InTimeline reports whether a scenario's timeline may write k. The
// declarations are summit's own: a scenario declares its parties, people and
// meetings in their own sections.
func (k Kind) InTimeline() bool { return kinds[k].timeline }

// New returns an empty payload of kind k, or nil if k is unknown.
func (k Kind) New() Payload {
	info, ok := kinds[k]
	if !ok {
		return nil
	}
	return info.new()
}

// TimelineKinds returns the kinds a scenario timeline may write, in the order
// of the domain page.
func TimelineKinds() []Kind {
	return []Kind{
		KindMeetingFloated, KindMeetingProposed, KindMeetingAccepted, KindMeetingDeclined,
		KindMeetingScheduled, KindMeetingPostponed, KindMeetingCancelled, KindMeetingHeld,
		KindPreconditionAdded, KindPreconditionMet, KindPreconditionFailed, KindPreconditionWaived,
		KindCallHeld, KindVisitMade, KindStatementMade, KindPositionStated, KindSanctionsImposed,
	}
}

// CAMEO returns the CAMEO event code that fits an event of kind k carrying p,
// or "" where none fits. Statements take their code from their stance: 013
// (optimistic) for supportive, 012 (pessimistic) for opposed, 010 otherwise.
func CAMEO(k Kind, p Payload) string {
	if s, ok := p.(*StatementMade); ok {
		switch s.Stance {
		case StanceSupportive:
			return "013"
		case StanceOpposed:
			return "012"
		}
	}
	return kinds[k].cameo
}
