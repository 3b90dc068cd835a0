package aggregates

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/summit-model/summit/events"
)

// Command asks an aggregate to record what happened: an event of
// Payload's kind, at world time At, by By acting for Party. Decide checks it
// against the aggregate's history and returns the events to append, or why
// not.
type Command struct {
	// Aggregate is the meeting or actor the command is for; [Route] finds
	// it from the payload.
	Aggregate events.Ref
	// At is when it happened, Reported when it became known (zero: when
	// it happened), and Zone the time zone of their days.
	At       events.Time
	Reported events.Time
	Zone     string
	By       string
	Party    string
	Source   *events.Source
	// CAMEO overrides the kind's CAMEO code (say 043, a participant
	// hosting, for a meeting held).
	CAMEO string
	// RefName names the event for later corrections; Corrects names the
	// event it stands in the place of.
	RefName  string
	Corrects string
	// Payload is the event to record; nil when the command only declares.
	Payload events.Payload
	// Declare is the declaration to record first if the aggregate is new
	// (a [events.MeetingDeclared] for a meeting, a [events.PartyDeclared] or
	// [events.PersonDeclared] for an actor). If the aggregate exists, it
	// must match the declaration on record. The declaration and the event
	// form one command, appended together or not at all.
	Declare events.Payload
}

// Kind returns the kind of the command's event, or of its declaration if
// it only declares.
func (cmd Command) Kind() events.Kind {
	switch {
	case cmd.Payload != nil:
		return cmd.Payload.Kind()
	case cmd.Declare != nil:
		return cmd.Declare.Kind()
	}
	return ""
}

// Route returns the aggregate an event belongs to. Meeting events belong to
// their meeting, and so does a statement about a meeting; a call belongs to
// whoever initiated it (or its first participant); a retraction belongs to
// the meeting it names, if it names one (else its caller finds the
// retracted event's aggregate); every other event belongs to its actor.
func Route(meeting, by string, p events.Payload) events.Ref {
	if p == nil {
		return events.Ref{}
	}
	spec, _ := events.SpecOf(p.Kind())
	switch p := p.(type) {
	case *events.StatementMade:
		if p.About != "" {
			return events.Meeting(p.About)
		}
	case *events.CallHeld:
		if p.InitiatedBy != "" {
			return events.Actor(p.InitiatedBy)
		}
		if len(p.Participants) > 0 {
			return events.Actor(p.Participants[0])
		}
	case *events.EventRetracted:
		if meeting != "" {
			return events.Meeting(meeting)
		}
		return events.Ref{}
	}
	if spec.Meeting == events.Required {
		return events.Meeting(meeting)
	}
	return events.Actor(by)
}

// Decide returns the events that cmd causes on the meeting whose past is
// h, or why it is refused (a [*RefusedError]). It does not change h and
// does no I/O; the events it returns lack the id, branch, identity and
// correlation that the caller stamps, and their record time, which the log
// stamps.
//
// An event is decided in its place in world order: a late report dated
// before the meeting's latest event is checked against the meeting as it
// stood then, and every event after it is checked again against the history
// with it in place, so that an event that would make the history impossible
// (a meeting held before a cancellation that stands) is refused, naming
// both. A correction or retraction is decided on the history as it would
// stand with it, whole. Where h holds too little to place the event (it is
// partial, and the event is dated before its base, or corrects or retracts
// something), Decide returns [ErrNeedHistory]: decide again on the whole
// history.
func Decide(h History, cmd Command) ([]events.Event, error) {
	m := h.State()
	refuse := func(err error) ([]events.Event, error) {
		return nil, &RefusedError{Aggregate: cmd.Aggregate, Status: m.Status, Kind: cmd.Kind(), At: cmd.At, Err: err}
	}
	if cmd.Aggregate.Type != events.AggregateMeeting {
		return refuse(fmt.Errorf("%w: %s is not a meeting", ErrWrongAggregate, cmd.Aggregate))
	}
	var out []events.Event
	if cmd.Declare != nil {
		d, ok := cmd.Declare.(*events.MeetingDeclared)
		if !ok {
			return refuse(fmt.Errorf("%w: a meeting is declared by %s, not %s", ErrInvalid, events.KindMeetingDeclared, cmd.Declare.Kind()))
		}
		if err := d.Validate(); err != nil {
			return refuse(fmt.Errorf("%w: %w", ErrInvalid, err))
		}
		if m.Declared() {
			if m.Title != d.Title || !slices.Equal(initialParticipants(h, m), d.Participants) {
				return refuse(fmt.Errorf("%w: on record as %q with %s", ErrRedeclared, m.Title, describeParticipants(initialParticipants(h, m))))
			}
		} else {
			e := events.Event{Aggregate: cmd.Aggregate, Version: h.Version() + 1, At: cmd.At, Zone: cmd.Zone, Payload: d}
			out = append(out, e)
			h = h.With(e)
			m = Evolve(m, e)
		}
	}
	if cmd.Payload == nil {
		return out, nil
	}
	if !m.Declared() {
		return refuse(fmt.Errorf("meeting %s: %w", cmd.Aggregate.ID, ErrUndeclared))
	}
	if _, ok := cmd.Payload.(*events.MeetingDeclared); ok {
		return refuse(fmt.Errorf("%w: a meeting is declared with the command's Declare", ErrInvalid))
	}
	e := cmd.event(h.Version() + 1)
	if err := checkEvent(e); err != nil {
		return refuse(err)
	}
	if err := decideEvent(h, m, e); err != nil {
		return nil, err
	}
	return append(out, e), nil
}

// initialParticipants returns the participants the meeting was declared
// with: a declaration names the meeting as it began, whatever changed since.
func initialParticipants(h History, m Meeting) []events.Participant {
	for _, e := range slices.Concat(h.Records, h.Outline, h.Tail) {
		if d, ok := e.Payload.(*events.MeetingDeclared); ok {
			return d.Participants
		}
	}
	return m.Participants
}

// checkEvent reports what is wrong with e whatever the history: its
// payload, and the world times it implies.
func checkEvent(e events.Event) error {
	if err := e.Payload.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if v, ok := e.Payload.(interface{ ValidateAt(events.Time) error }); ok {
		if err := v.ValidateAt(e.At); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalid, err)
		}
	}
	return nil
}

// decideEvent checks e, a new event, against history h (whose state now
// is m): in its place in world order, and every event after it again.
func decideEvent(h History, m Meeting, e events.Event) error {
	if target := corrected(e); target != "" {
		return decideCorrection(h, e, target)
	}
	if !h.IsWhole() && !h.Base.after(e) {
		// Before the base: only an event [Place] can fold there (one
		// whose effect no later event reads or overrides) is decided
		// without the history. It must place in the base, where it is
		// folded, and in the meeting as every event makes it now, which
		// shows what of the tail's events after it concerns it.
		if _, ok := Place(h.Base, e); !ok {
			if h.Outline != nil && ShapesCourse(e) {
				return decideInCourse(h.Outline, m, e)
			}
			return ErrNeedHistory
		}
		if _, ok := Place(m, e); !ok {
			return ErrNeedHistory
		}
		return nil
	}
	tail := h.Tail
	pos, _ := slices.BinarySearchFunc(tail, e, worldOrder)
	s := m // most events come after every one folded
	if pos < len(tail) {
		s = Replay(h.Base, tail[:pos])
	}
	return checkInPlace(s, e, tail[pos:])
}

// checkInPlace checks e on s, the meeting just before e's place in world
// order, and every event after it (in world order) again, with e before
// them.
func checkInPlace(s Meeting, e events.Event, after []events.Event) error {
	if err := check(s, e); err != nil {
		return refusal(s, e, err, nil)
	}
	if len(after) == 0 {
		return nil // nothing after it to check again
	}
	s = Evolve(s, e)
	for _, t := range after {
		if err := check(s, t); err != nil {
			return refusal(s, e, err, &t)
		}
		s = Evolve(s, t)
	}
	return nil
}

// decideInCourse checks e, an event of the course dated before the last
// of m, the meeting's state now, on the meeting's course (outline, in
// record order; [Outlined]): in its place among the course's events, and
// every one after it again. The rules of those events read only what they
// set, so the course decides them as the whole history would. It needs
// the whole history where the course cannot tell: an outline with a
// correction or retraction (which may stand in the place of an event
// outside it), and a holding not after every precondition's last event
// (which the preconditions' rules read).
func decideInCourse(outline []events.Event, m Meeting, e events.Event) error {
	if !plainCourse(outline) {
		return ErrNeedHistory
	}
	if _, ok := e.Payload.(*events.MeetingHeld); ok {
		for _, p := range m.Preconditions {
			if p.Added.IsZero() || !p.Added.Before(e.At.Time) || !p.Since.Before(e.At.Time) {
				return ErrNeedHistory
			}
		}
	}
	course := Effective(outline, zeroTime)
	pos, _ := slices.BinarySearchFunc(course, e, worldOrder)
	return checkInPlace(Replay(Meeting{}, course[:pos]), e, course[pos:])
}

// corrected returns the name of the event e corrects or retracts, or "".
func corrected(e events.Event) string {
	if r, ok := e.Payload.(*events.EventRetracted); ok {
		return r.Retracts
	}
	return e.Corrects
}

// decideCorrection checks a correction or retraction e of the event named
// target: the event must stand in h, and the history must hold its rules
// with e applied.
func decideCorrection(h History, e events.Event, target string) error {
	if !h.IsWhole() {
		return ErrNeedHistory
	}
	before := h.State()
	var found *events.Event
	for _, t := range Effective(h.Records, zeroTime) {
		if Names(target, t) || standsFor(h.Records, target, t) {
			found = &t
			break
		}
	}
	if found == nil {
		err := fmt.Errorf("%w %q: no such event stands in the history of %s", ErrUnknownRef, target, e.Aggregate)
		if slices.ContainsFunc(h.Records, func(r events.Event) bool { return Names(target, r) }) {
			err = fmt.Errorf("%w %q: it was retracted, or corrected by another event: name that one", ErrUnknownRef, target)
		}
		return refusal(before, e, err, nil)
	}
	if isDeclaration(*found) {
		return refusal(before, e, fmt.Errorf("%w: a meeting's declaration is not corrected or retracted", ErrInvalid), found)
	}
	var s Meeting
	for _, t := range Effective(append(slices.Clip(h.Records), e), zeroTime) {
		if !isDeclaration(t) {
			if err := check(s, t); err != nil {
				other := &t
				if t.ID == e.ID && t.Version == e.Version {
					other = found
				}
				return refusal(s, e, err, other)
			}
		}
		s = Evolve(s, t)
	}
	return nil
}

// standsFor reports whether t, an event that stands, is a correction in
// the place of the event named target (found among records).
func standsFor(records []events.Event, target string, t events.Event) bool {
	for name := t.Corrects; name != ""; {
		if name == target {
			return true
		}
		i := slices.IndexFunc(records, func(r events.Event) bool { return Names(name, r) })
		if i < 0 {
			return false
		}
		if Names(target, records[i]) {
			return true
		}
		name = records[i].Corrects
	}
	return false
}

// refusal is the error refusing e, decided on state s: err is the rule
// broken, other the event that then breaks it or that e contradicts (nil
// if it is e itself that breaks it).
func refusal(s Meeting, e events.Event, err error, other *events.Event) error {
	if errors.Is(err, ErrNeedHistory) {
		return err
	}
	return &RefusedError{Aggregate: e.Aggregate, Status: s.Status, Kind: e.Kind(), At: e.At, Err: err, Conflict: other}
}

// Event returns the event cmd records, as [Decide] returns it but for its
// version: what its identity is computed from before it is decided.
func (cmd Command) Event() events.Event { return cmd.event(0) }

// event returns the event cmd records, at version v of its aggregate.
func (cmd Command) event(v uint64) events.Event {
	e := events.Event{
		Aggregate: cmd.Aggregate,
		Version:   v,
		At:        cmd.At,
		Reported:  cmd.Reported,
		Zone:      cmd.Zone,
		By:        cmd.By,
		Party:     cmd.Party,
		Source:    cmd.Source,
		CAMEO:     cmd.CAMEO,
		RefName:   cmd.RefName,
		Corrects:  cmd.Corrects,
		Payload:   cmd.Payload,
	}
	if e.CAMEO == "" {
		e.CAMEO = events.CAMEO(cmd.Payload.Kind(), cmd.Payload)
	}
	return e
}

// check holds the rules of a meeting's life: whether e may follow a meeting
// in state m.
func check(m Meeting, e events.Event) error {
	since := func(err error) error {
		return fmt.Errorf("%w (since %s)", err, describeCause(m.StatusCause))
	}
	held := m.HeldAt != nil
	switch p := e.Payload.(type) {
	case *events.StatementMade, *events.EventRetracted:
		// Anyone may say anything about any meeting, held or not: the
		// claims that disagree with the record are the point.
		return nil
	case *events.ParticipantsChanged:
		return checkParticipants(m, p)
	case *events.MeetingFloated, *events.MeetingProposed, *events.MeetingCancelled, *events.MeetingPostponed:
		if held {
			return since(ErrFinal)
		}
		if p, ok := p.(*events.MeetingPostponed); ok && p.Until != nil && !e.At.Before(p.Until.End()) {
			return fmt.Errorf("%w: until %s, postponed on %s", ErrDateBeforeEvent, p.Until, e.At)
		}
	case *events.MeetingScheduled:
		if held {
			return since(ErrFinal)
		}
		if !e.At.Before(p.Date.To.End()) {
			return fmt.Errorf("%w: date %s, set on %s", ErrDateBeforeEvent, p.Date, e.At)
		}
	case *events.MeetingHeld:
		switch {
		case held:
			return since(ErrFinal)
		case m.Cancelled:
			return since(ErrCancelled)
		}
	case *events.MeetingEnded:
		switch {
		case !held:
			return ErrNotHeld
		case m.EndedAt != nil:
			return fmt.Errorf("%w on %s", ErrEnded, m.EndedAt)
		}
	case *events.MeetingAccepted, *events.MeetingDeclined:
		switch {
		case held:
			return since(ErrFinal)
		case !m.Floated && !m.Proposed:
			return ErrNothingProposed
		case !m.IsParticipant(e.Party):
			return fmt.Errorf("%w: %s (for %s) is not among %s", ErrNotParticipant, e.By, e.Party, strings.Join(m.Parties(), ", "))
		}
	case *events.PreconditionAdded:
		if held {
			return since(ErrFinal)
		}
		if _, ok := m.Precondition(p.Precondition); ok {
			return fmt.Errorf("%w: %s", ErrDuplicatePrecondition, p.Precondition)
		}
		if p.Requires != nil && p.Requires.Held == m.ID {
			return fmt.Errorf("%w: precondition %s requires %s held", ErrSelfRequirement, p.Precondition, m.ID)
		}
	case *events.PreconditionMet:
		return checkSettle(m, p.Precondition, Met, since)
	case *events.PreconditionFailed:
		return checkSettle(m, p.Precondition, Failed, since)
	case *events.PreconditionWaived:
		return checkSettle(m, p.Precondition, Waived, since)
	default:
		return fmt.Errorf("%w: %s is not a meeting event", ErrWrongAggregate, e.Kind())
	}
	return nil
}

func checkSettle(m Meeting, id string, to PreconditionState, since func(error) error) error {
	if m.HeldAt != nil {
		return since(ErrFinal)
	}
	p, ok := m.Precondition(id)
	if !ok {
		return fmt.Errorf("%w %q", ErrUnknownPrecondition, id)
	}
	if p.State == to {
		return fmt.Errorf("%w: %s is already %s", ErrPreconditionSettled, id, to)
	}
	return nil
}

// checkParticipants holds a change of participants to the meeting's: who
// is added is not there yet, who is removed is, and someone remains.
func checkParticipants(m Meeting, p *events.ParticipantsChanged) error {
	for _, a := range p.Add {
		if slices.ContainsFunc(m.Participants, func(q events.Participant) bool { return q.ID() == a.ID() }) {
			return fmt.Errorf("%w: %s is a participant already", ErrParticipants, a.ID())
		}
		if a.Person == "" && m.IsParticipant(a.Party) {
			return fmt.Errorf("%w: party %s is represented already", ErrParticipants, a.Party)
		}
	}
	for _, r := range p.Remove {
		found := slices.ContainsFunc(m.Participants, func(q events.Participant) bool {
			if r.Person == "" {
				return q.Party == r.Party
			}
			return q.Person == r.Person
		})
		if !found {
			return fmt.Errorf("%w: %s is not a participant", ErrParticipants, r.ID())
		}
	}
	if len(changeParticipants(m.Participants, p)) == 0 {
		return fmt.Errorf("%w: the change would leave the meeting with nobody", ErrParticipants)
	}
	return nil
}

func describeParticipants(ps []events.Participant) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// describeCause reads as "2025-10-22 meeting.cancelled by trump".
func describeCause(c Cause) string {
	s := c.At.String() + " " + string(c.Kind)
	if c.By != "" {
		s += " by " + c.By
	}
	if c.RefName != "" {
		s += " (ref " + c.RefName + ")"
	}
	return s
}
