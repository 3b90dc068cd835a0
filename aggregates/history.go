package aggregates

import (
	"slices"
	"time"

	"github.com/summit-model/summit/events"
)

var zeroTime time.Time

// A meeting's history is kept in the order it was recorded (the log's
// order, which its events' versions count), and read in world order: news
// arrives late, and every read folds a meeting's events by when they
// happened. Corrections stand in the place of what they correct, and
// retracted events drop out. The functions of this file turn a history in
// record order into the events that stand, in world order.

// Before reports whether a comes before b in a meeting's world order: a
// declaration first, then by world time, then by when each became known,
// then in record order (version).
// They are pointers, as a board compares each event of a rebuild with its
// meeting's latest: an event is some 350 bytes to copy.
func Before(a, b *events.Event) bool { return Compare(a, b) < 0 }

// Compare compares a and b by their places in a meeting's world order
// ([Before]): negative if a comes first, positive if b does, zero only for
// the same place (the same version).
func Compare(a, b *events.Event) int { return compare(key(a), key(b)) }

// worldOrder is [Compare], of values, for the binary searches of a tail.
func worldOrder(a, b events.Event) int { return Compare(&a, &b) }

// place is an event's place in world order.
type place struct {
	declaration bool
	at, known   time.Time
	version     uint64
}

func key(e *events.Event) place {
	known := e.Reported // e.Known(), without a copy of e
	if known.IsZero() {
		known = e.At
	}
	return place{declaration: declares(e.Payload), at: e.At.Time, known: known.Time, version: e.Version}
}

func isDeclaration(e events.Event) bool { return declares(e.Payload) }

// declares reports whether p declares a meeting, a party or a person.
func declares(p events.Payload) bool {
	switch p.(type) {
	case *events.MeetingDeclared, *events.PartyDeclared, *events.PersonDeclared:
		return true
	}
	return false
}

func compare(a, b place) int {
	switch {
	case a.declaration != b.declaration:
		if a.declaration {
			return -1
		}
		return 1
	case !a.at.Equal(b.at):
		return a.at.Compare(b.at)
	case !a.known.Equal(b.known):
		return a.known.Compare(b.known)
	}
	return cmpUint(a.version, b.version)
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// after reports whether e comes after the last event m folded.
func (m Meeting) after(e events.Event) bool {
	if m.LastVersion == 0 {
		return true
	}
	return compare(key(&e), place{at: m.Last.Time, known: m.LastKnown.Time, version: m.LastVersion}) > 0
}

// Names reports whether name names e: its ref name, or its id.
func Names(name string, e events.Event) bool {
	return name != "" && (e.RefName == name || e.ID.String() == name)
}

// standing is one event of a history as it stands: the event, or the
// correction in its place, which keeps the corrected event's place among
// events of the same world time.
type standing struct {
	e     events.Event
	order place
	gone  bool
}

// Effective returns the events of history (in record order) that stand as
// could be known before known (zero: everything on record), in world order:
// each correction in the place of what it corrects, and neither retracted
// events nor the retractions. An event reported at or after known is left
// out; so is a correction or retraction reported then, and what it corrects
// or retracts stands. A correction or retraction of an event the history
// does not hold is left out too (the model refuses it).
func Effective(history []events.Event, known time.Time) []events.Event {
	var out []standing
	index := map[string]int{} // a ref name or id -> its place in out
	find := func(name string) (int, bool) {
		i, ok := index[name]
		return i, ok && !out[i].gone
	}
	note := func(e events.Event, i int) {
		index[e.ID.String()] = i
		if e.RefName != "" {
			index[e.RefName] = i
		}
	}
	for _, e := range history {
		if !known.IsZero() && !e.Known().Before(known) {
			continue
		}
		if r, ok := e.Payload.(*events.EventRetracted); ok {
			if i, ok := find(r.Retracts); ok {
				out[i].gone = true
			}
			continue
		}
		if e.Corrects != "" {
			if i, ok := find(e.Corrects); ok {
				order := out[i].order
				order.at = e.At.Time
				out[i].e = e
				out[i].order = order
				note(e, i)
			}
			continue
		}
		out = append(out, standing{e: e, order: key(&e)})
		note(e, len(out)-1)
	}
	out = slices.DeleteFunc(out, func(s standing) bool { return s.gone })
	slices.SortStableFunc(out, func(a, b standing) int { return compare(a.order, b.order) })
	evs := make([]events.Event, len(out))
	for i, s := range out {
		evs[i] = s.e
	}
	return evs
}

// Fold returns the meeting that history (in record order) makes, as it
// stands now: [Effective], folded with [Evolve] from the undeclared meeting.
func Fold(history []events.Event) Meeting { return FoldKnown(history, time.Time{}) }

// FoldKnown returns the meeting that history makes as could be known before
// known (zero: everything).
func FoldKnown(history []events.Event, known time.Time) Meeting {
	return Replay(Meeting{}, Effective(history, known))
}

// Replay returns base with evs, events in world order, applied.
func Replay(base Meeting, evs []events.Event) Meeting {
	for i := range evs {
		EvolveIn(&base, &evs[i])
	}
	return base
}

// History is what [Decide] knows of a meeting's past. Either it holds the
// whole history (Records, in record order), or only the meeting folded up
// to some event (Base) and the events that stand after it (Tail, in world
// order): enough to decide an event that comes after Base in world order,
// which most do. An event dated before Base's last (but a statement or a
// precondition's event that [Place] folds into Base), a correction and a
// retraction need the whole history: Decide then returns [ErrNeedHistory].
type History struct {
	Base Meeting
	Tail []events.Event
	// Records is the whole history in record order, or nil if the history
	// is Base and Tail.
	Records []events.Event
	// Outline, when set, holds the events of the whole history that shape
	// the meeting's course ([ShapesCourse]), in record order, and Base is
	// the meeting folded from every event, with no Tail ([Outlined]).
	Outline []events.Event
	// now, when set, is the state the history makes: kept by
	// [History.Settled], and by [History.With] for events that come after
	// every one it holds, so that a command decided on a cached history
	// does not fold its tail again.
	now *Meeting
	// top, when topOK, is [History.Version], kept with now: a settled
	// history's tail is not read again for it each command.
	top   uint64
	topOK bool
}

// Whole returns the history of records, a meeting's events in record order.
func Whole(records []events.Event) History {
	if records == nil {
		records = []events.Event{} // the whole history of a new meeting is empty, not unknown
	}
	return History{Records: records, Tail: Effective(records, time.Time{})}
}

// Partial returns the history of a meeting known as base, folded from its
// events up to some point, and tail, the events that stand after it in
// world order.
func Partial(base Meeting, tail []events.Event) History {
	return History{Base: base, Tail: tail}
}

// Outlined returns the history of a meeting known as now, folded from
// every event of its history, and outline, the events of that history that
// shape its course ([ShapesCourse]), in record order. Besides what a
// partial history decides, it decides a late event that changes the
// meeting's course (a postponement dated a hundred events back) without
// the statements and the preconditions' events in between: their rules
// and their effect read nothing such an event changes, but for a holding,
// which the preconditions' events after it read. It still needs the whole
// history for a correction or a retraction, and for a holding dated before
// a precondition's last event.
func Outlined(now Meeting, outline []events.Event) History {
	if outline == nil {
		outline = []events.Event{}
	}
	return History{Base: now, Outline: outline, now: &now}
}

// ShapesCourse reports whether e is one of the events that shape a
// meeting's course: every meeting event but a statement and a
// precondition's event, and a correction or retraction, which may stand
// in the place of one. A statement sets only the meeting's claims and a
// precondition's event only its preconditions, and no rule of the course
// reads either: the course folds from its own events alone ([Outlined]).
func ShapesCourse(e events.Event) bool {
	if e.Corrects != "" {
		return true
	}
	switch e.Payload.(type) {
	case *events.StatementMade, *events.PreconditionAdded, *events.PreconditionMet, *events.PreconditionFailed, *events.PreconditionWaived:
		return false
	}
	return true
}

// IsWhole reports whether h holds the whole history.
func (h History) IsWhole() bool { return h.Records != nil }

// State returns the meeting as h makes it now.
func (h History) State() Meeting {
	if h.now != nil {
		return *h.now
	}
	return Replay(h.Base, h.Tail)
}

// Settled returns h with its state folded and kept, for a holder that
// decides on it again and again (a command handler's cache). [History.With]
// and [History.Trim] keep it; a holder that changes Tail itself must not
// settle its history.
func (h History) Settled() History {
	if h.now == nil {
		m := h.State()
		h.now = &m
	}
	if !h.topOK {
		h.top, h.topOK = h.Version(), true
	}
	return h
}

// Version returns the version of the meeting's latest event on record.
func (h History) Version() uint64 {
	if h.topOK {
		return h.top
	}
	v := h.Base.Version
	for _, e := range h.Tail {
		v = max(v, e.Version)
	}
	for _, e := range h.Records {
		v = max(v, e.Version)
	}
	return v
}

// With returns h with evs, decided events, added: to the records of a
// whole history, in place in the tail of a partial one (or in its base, an
// event [Place] places there). The events must be ones [Decide] returned
// for h.
func (h History) With(evs ...events.Event) History {
	if h.IsWhole() {
		return Whole(append(slices.Clip(h.Records), evs...))
	}
	if h.Outline != nil {
		return h.withOutlined(evs)
	}
	base, tail, now := h.Base, slices.Clip(h.Tail), h.now
	top := h.top
	for _, e := range evs {
		top = max(top, e.Version)
		if b, ok := Place(base, e); ok {
			base, now = b, nil // before the base, and placed in it
			continue
		}
		if now != nil && Partial(base, tail).comesLast(e) {
			m := Evolve(*now, e)
			now = &m
		} else {
			now = nil
		}
		i, _ := slices.BinarySearchFunc(tail, e, worldOrder)
		tail = slices.Insert(tail, i, e)
	}
	return History{Base: base, Tail: tail, now: now, top: top, topOK: h.topOK}
}

// Takes reports whether h can take e, an event on record that [Decide]
// did not return for h (one recorded after what h was read from), with
// [History.With]: a whole history takes any; a partial one an event after
// its base, or one [Place] places in its base and in its state; an
// outlined one also an event of the course. A correction or retraction
// needs the whole history.
func (h History) Takes(e events.Event) bool {
	switch {
	case h.IsWhole():
		return true
	case e.Amends():
		return false
	case h.Base.after(e):
		return true
	case h.Outline != nil && ShapesCourse(e):
		return plainCourse(h.Outline)
	}
	_, inBase := Place(h.Base, e)
	_, inState := Place(h.State(), e)
	return inBase && inState
}

// plainCourse reports whether outline, the events of a meeting's course,
// holds no correction or retraction, which may stand in the place of an
// event outside it: whether the course folds from it alone.
func plainCourse(outline []events.Event) bool {
	return !slices.ContainsFunc(outline, events.Event.Amends)
}

// withOutlined is [History.With] of an outlined history: each event is
// folded into the state (after it, placed in it, or, for an event of the
// course dated before its last, by folding the course again), and the
// history stays outlined.
func (h History) withOutlined(evs []events.Event) History {
	m, outline := h.State(), slices.Clip(h.Outline)
	for _, e := range evs {
		shapes := ShapesCourse(e)
		if shapes {
			outline = append(outline, e)
		}
		if m.after(e) {
			EvolveIn(&m, &e)
		} else if p, ok := Place(m, e); ok {
			m = p
		} else if shapes {
			m = withCourse(m, Replay(Meeting{}, Effective(outline, zeroTime)))
		}
	}
	return History{Base: m, Outline: outline, now: &m}
}

// withCourse returns m with the course c folds from m's events that shape
// it: c, with m's preconditions and claims (which those events neither
// set nor read) and m's place (its latest event, which they do not move).
func withCourse(m, c Meeting) Meeting {
	c.Preconditions, c.Claims = m.Preconditions, m.Claims
	c.Version = max(m.Version, c.Version)
	c.Last, c.LastKnown, c.LastVersion = m.Last, m.LastKnown, m.LastVersion
	return c
}

// Extend returns h with e, an event [Decide] returned for h that comes
// after every event h holds in world order, as [History.With] does, but
// appended to the tail in place: in the spare capacity of the tail's
// array, so that a holder that decides one event after another on a
// settled history (a command handler's cache) copies no tail. The caller
// must hold that spare capacity alone: the histories that share the
// array may read it up to their own length, but no other may extend it.
// Extend reports false, and returns h, when e does not come last, h is
// whole or not settled, or the array has no room: use With then.
func (h History) Extend(e events.Event) (History, bool) {
	if h.IsWhole() || h.Outline != nil || h.now == nil || len(h.Tail) == cap(h.Tail) || !h.comesLast(e) {
		return h, false
	}
	m := *h.now
	EvolveIn(&m, &e)
	tail := append(h.Tail, e)
	return History{Base: h.Base, Tail: tail, now: &m, top: max(h.top, e.Version), topOK: h.topOK}, true
}

// comesLast reports whether e comes after every event the partial
// history h holds, in world order.
func (h History) comesLast(e events.Event) bool {
	if n := len(h.Tail); n > 0 {
		return Compare(&e, &h.Tail[n-1]) > 0
	}
	return h.Base.after(e)
}

// Trim returns h with at most n events in its tail: the older ones are
// folded into its base. A whole history becomes a partial one.
func (h History) Trim(n int) History {
	if len(h.Tail) <= n {
		return History{Base: h.Base, Tail: h.Tail, Outline: h.Outline, now: h.now, top: h.top, topOK: h.topOK}
	}
	cut := len(h.Tail) - n
	return History{Base: Replay(h.Base, h.Tail[:cut]), Tail: slices.Clone(h.Tail[cut:]), now: h.now, top: h.top, topOK: h.topOK}
}
