package projections

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
)

// Read says which part of the record a board reads: what had happened by
// a world time (AsOf), as it could be known by a time (Known). The zero
// Read is everything on record, as known now.
type Read struct {
	// AsOf is the first instant not read (the end of the date read); zero
	// reads every event, whatever its world time.
	AsOf time.Time
	// Known is the first instant of reports not read; zero reads every
	// report, correction and retraction on record.
	Known time.Time
}

// Board is the meeting-status projection of one branch: every meeting's
// state, folded from the log. It is pure: it does no I/O, and the same
// events make the same board, live or rebuilt, in whatever order the late
// ones arrived.
//
// Each meeting is folded in world order. A board keeps, for each meeting,
// its state folded up to some point (a base) and the last events after it
// (a tail, [BoardOptions.Tail] of them at least): an event that arrives
// late but falls within the tail is folded in its place at once, and so
// is a statement or a precondition's event before it that the base can
// place. Another that falls before the base, a correction and a retraction
// need more of the meeting: [Board.Apply] then returns a [*RefoldError],
// and the caller reads the events of the meeting's course and gives them
// to [Board.Reshape] where that does (an event of the course), else the
// whole history, to [Board.Refold].
type Board struct {
	branch string
	read   Read
	tail   int
	slots  map[string]*slot
	// requiredBy maps a meeting to the meetings with a precondition that
	// requires it held.
	requiredBy map[string][]string
	seq        uint64
	// lateSeq is the sequence of the last event applied that was a late
	// report ([Board.Cause]).
	lateSeq uint64
}

// BoardOptions configure a [Board].
type BoardOptions struct {
	// Read is what the board reads of the record.
	Read Read
	// Tail is how many of each meeting's latest events (in world order) the
	// board keeps besides its state, to fold a late event in its place
	// without reading the meeting's history again. Default 4: a late
	// report is most often a day or two late, a few events back; one
	// further back costs a read of the meeting's course or its history (a
	// direct get of each event), and each event of the tail costs memory
	// for each meeting (a rebuild of 10,000 meetings holds twice the tail,
	// and one, of each).
	Tail int
}

type slot struct {
	// h is the meeting's history as the board holds it: a base and a tail
	// of events after it, in world order; m is h's state.
	h aggregates.History
	m aggregates.Meeting
	// cut, when cutOK, is the state after the first Tail+1 events of h's
	// tail, taken as they were appended: the base h's tail is trimmed to
	// at twice the board's Tail, without folding those events again.
	cut   aggregates.Meeting
	cutOK bool
	// seq is the stream sequence the slot is current to: an event at or
	// before it is already in m.
	seq uint64
	// lastSeq is the sequence of the last event folded; visible reports
	// that an event of the meeting (not only its declaration) falls in the
	// read, or its declaration does.
	lastSeq uint64
	visible bool
	// last is the meeting's own latest activity in world order, kept by
	// value.
	last    Activity
	hasLast bool
	// held is the activity of the event that holds the meeting, if it is
	// held; holdSeq the sequence of the last event read that made or
	// unmade its holding (a holding, or a correction or retraction of
	// one). The views of the meetings that require this one held show
	// them ([Board.View]).
	held    Activity
	hasHeld bool
	holdSeq uint64
	// keys holds a fingerprint of each event's identity, for a command
	// deciding on a snapshot to tell an event it holds already; recs, when
	// it is as long as keys, the stream sequence of each, for a reader to
	// read the meeting's history back without a scan ([Board.Seqs]).
	keys []uint32
	recs seqList
	// course lists, when recs lists every event, the sequence of each
	// event that shapes the meeting's course ([aggregates.ShapesCourse]):
	// what a late event of the course is folded on ([Board.Reshape]).
	course seqList
}

// NewBoard returns an empty board of branch.
func NewBoard(branch string, o BoardOptions) *Board {
	if o.Tail <= 0 {
		o.Tail = 4
	}
	return &Board{branch: branch, read: o.Read, tail: o.Tail, slots: map[string]*slot{}, requiredBy: map[string][]string{}}
}

// ErrUndeclared is returned by [Board.Apply] for an event of a meeting that
// was never declared: no event summit wrote, which a reader quarantines.
var ErrUndeclared = errors.New("an event of a meeting never declared")

// RefoldError is returned by [Board.Apply] for an event the board cannot
// place with what it holds of its meeting: give it the meeting's whole
// history ([Board.Refold]), or, when Course is set, first the events of
// its course ([Board.Reshape]).
type RefoldError struct {
	Meeting string
	// Course reports that the events of the meeting's course may do
	// ([Board.Course]).
	Course bool
}

// Error says which meeting needs its history.
func (e *RefoldError) Error() string {
	return fmt.Sprintf("meeting %s: the board needs its whole history to place an event", e.Meeting)
}

// Branch returns the branch the board folds.
func (b *Board) Branch() string { return b.branch }

// Seq returns the stream sequence of the last event applied.
func (b *Board) Seq() uint64 { return b.seq }

// SetSeq records that the board reflects every event up to seq, as when a
// runner resumes from a checkpoint.
func (b *Board) SetSeq(seq uint64) { b.seq = max(b.seq, seq) }

// Len returns the number of meetings on the board.
func (b *Board) Len() int { return len(b.slots) }

// Apply folds r, an event stored at r.Seq, into the board, and returns the
// ids of the meetings whose view it changed: the event's meeting, and the
// meetings whose preconditions its holding (or its retraction) meets or
// unmeets. Events of actors change no meeting. An event the board holds
// already (a restored state, [Board.Restore]) changes nothing. An event the
// board cannot place returns a [*RefoldError].
func (b *Board) Apply(r eventlog.Record) ([]string, error) {
	e := &r.Event
	b.seq = max(b.seq, r.Seq)
	if e.Aggregate.Type != events.AggregateMeeting {
		return nil, nil
	}
	id := e.Aggregate.ID
	s := b.slot(id)
	if r.Seq <= s.seq {
		return nil, nil
	}
	s.seq = r.Seq
	s.list(r)
	if !b.reads(e) {
		return nil, nil
	}
	before := linksOf(&s.m)
	if !isDeclaration(e) && !s.m.Declared() && !s.h.IsWhole() && len(s.h.Tail) == 0 {
		b.unapply(s, r.Seq)
		return nil, fmt.Errorf("meeting %q: %w", id, ErrUndeclared)
	}
	if e.Amends() {
		return nil, b.refold(s, id, r.Seq)
	}
	if !b.inTime(e) && !isDeclaration(e) {
		// Past the cutoff: the meeting stands as it was.
		return nil, nil
	}
	late := false
	if b.appendInPlace(s, e) {
		// The common case, the event is the latest in world order: its
		// state follows from the last one, and the tail grows in place.
		aggregates.EvolveIn(&s.m, e)
		if len(s.h.Tail) == b.tail+1 {
			s.cut, s.cutOK = s.m, true
		}
	} else if h, err := fold(s.h, *e); err != nil {
		err := b.refold(s, id, r.Seq)
		err.Course = b.reshapes(s, *e)
		return nil, err
	} else if n := len(h.Tail); n > 0 && h.Tail[n-1].Version == e.Version {
		// A whole history (after a refold) with the event the latest: its
		// state follows from the last one.
		s.h, s.cutOK = h.Trim(b.tail), false
		aggregates.EvolveIn(&s.m, e)
	} else {
		// Placed before events already folded: in the tail, which holds
		// every event after it in world order and tells whether it is a
		// late report; or in the base ([aggregates.Place]), where the
		// tail and the base's last event tell it ([fold]).
		late = lateInTail(h.Tail, *e) || lateBefore(lastOf(h.Base), *e)
		s.h, s.cutOK = h.Trim(b.tail), false
		s.m = s.h.State()
	}
	if late {
		b.lateSeq = r.Seq
	}
	s.lastSeq = r.Seq
	if b.inTime(e) {
		s.visible = true
	}
	if s.m.LastVersion == e.Version {
		s.last, s.hasLast = activity(r.Seq, e, ""), true
		s.last.Late = late
	}
	if e.Kind() == events.KindMeetingHeld && s.m.HeldAt != nil {
		s.held, s.hasHeld = activity(r.Seq, e, ""), true
		s.held.Late = late
		s.holdSeq = r.Seq
	}
	return b.changed(id, s, before), nil
}

// appendInPlace appends e to the tail of s's partial history if e is the
// latest of the meeting in world order, and reports whether it did. The
// tail lives in an array of twice the board's tail (and one) that the slot
// alone holds: it grows in place and, when full, is trimmed in place to
// the board's tail, its older events folded into the base. A rebuild
// applies a million events, each at no copy of the tail and no allocation,
// and the board holds no more than that array for a meeting.
func (b *Board) appendInPlace(s *slot, e *events.Event) bool {
	h := &s.h
	if h.IsWhole() {
		return false
	}
	if n := len(h.Tail); n > 0 {
		if aggregates.Before(e, &h.Tail[n-1]) {
			return false
		}
	} else if last := lastOf(h.Base); h.Base.LastVersion > 0 && aggregates.Before(e, &last) {
		return false
	}
	full := 2*b.tail + 1
	tail := h.Tail
	if cap(tail) < full {
		tail = make([]events.Event, len(h.Tail), max(full, len(h.Tail)+1))
		copy(tail, h.Tail)
	}
	tail = append(tail, *e)
	tailed(&tail[len(tail)-1])
	switch n := len(tail); {
	case n < full:
		h.Tail = tail
	case n == full && s.cutOK:
		// The state after the events trimmed was kept as they came.
		kept := copy(tail, tail[b.tail+1:])
		clear(tail[kept:])
		s.h = aggregates.Partial(s.cut, tail[:kept])
		s.cutOK = false
	default:
		base := aggregates.Replay(h.Base, tail[:n-b.tail])
		kept := copy(tail, tail[n-b.tail:])
		clear(tail[kept:])
		s.h = aggregates.Partial(base, tail[:kept])
		s.cutOK = false
	}
	return true
}

// tailed makes e what a tail holds of it: what folding it again and placing a
// late event before it read, without what they do not (its identity key,
// its causation and correlation, its source unless it carries a quote),
// so that the board holds less of each event it keeps.
func tailed(e *events.Event) {
	e.Key, e.Corrects = "", ""
	e.CausationID, e.CorrelationID = uuid.Nil, uuid.Nil
	if e.Source != nil && e.Source.Quote == "" {
		e.Source = nil
	}
}

// lateInTail reports whether e, placed in tail (a meeting's latest events
// in world order, which holds every event after e), is a late report: an
// event already recorded happened after e's day and by the end of the day
// e was reported ([lateReports] says the same of a whole history).
func lateInTail(tail []events.Event, e events.Event) bool {
	return slices.ContainsFunc(tail, func(x events.Event) bool {
		return x.Version != e.Version && !bookkeeping(x.Kind()) && lateBefore(x, e)
	})
}

// Cause returns the activity of r, an event just applied, as the cause of
// the views it changed: marked late if it was a late report.
func (b *Board) Cause(r eventlog.Record) Activity {
	a := activity(r.Seq, &r.Event, "")
	a.Late = r.Seq != 0 && b.lateSeq == r.Seq
	return a
}

// refold undoes the start of Apply of the event at seq, which the board
// cannot place, and asks for the meeting's history.
func (b *Board) refold(s *slot, id string, seq uint64) *RefoldError {
	b.unapply(s, seq)
	return &RefoldError{Meeting: id}
}

// list lists r among the events of its meeting's slot s.
func (s *slot) list(r eventlog.Record) {
	s.keys = append(s.keys, Fingerprint(r.Event.Key))
	s.recs.add(r.Seq)
	if aggregates.ShapesCourse(r.Event) {
		s.course.add(r.Seq)
	}
}

// unapply undoes the start of Apply of the event at seq.
func (b *Board) unapply(s *slot, seq uint64) {
	s.seq = seq - 1
	s.keys = s.keys[:len(s.keys)-1]
	s.recs.dropLast()
	if s.course.len() > 0 && s.course.last == seq {
		s.course.dropLast()
	}
}

// reshapes reports whether e, an event of s's meeting that the board
// cannot place with what it holds, may be folded on the meeting's course
// ([Board.Reshape]): an event of the course but a holding (which the
// views of other meetings read), on a board that reads every event, with
// the course's events listed.
func (b *Board) reshapes(s *slot, e events.Event) bool {
	return b.read == Read{} && aggregates.ShapesCourse(e) && !e.Amends() &&
		e.Kind() != events.KindMeetingHeld && s.m.Declared() && s.listsCourse()
}

// listsEvents reports whether s lists the sequence of every event it
// applied ([Board.Seqs]).
func (s *slot) listsEvents() bool { return s.recs.len() == len(s.keys) }

// listsCourse reports whether s lists the sequence of every event of its
// meeting's course ([Board.Course]).
func (s *slot) listsCourse() bool { return s.listsEvents() && s.course.len() > 0 }

// Course returns the stream sequences of the events that shape meeting
// id's course ([aggregates.ShapesCourse]), in record order, and false if
// the board does not know them all: what a [*RefoldError] with Course set
// asks for, read back, to give to [Board.Reshape].
func (b *Board) Course(id string) ([]uint64, bool) {
	s := b.slots[id]
	if s == nil || !s.listsCourse() {
		return nil, false
	}
	return s.course.seqs(), true
}

// Reshape folds r, an event of meeting id's course that [Board.Apply]
// could not place (a [*RefoldError] with Course set), on course: the
// records of the events [Board.Course] lists, in record order. It returns
// the meetings whose view changed, as Apply does, and false if the course
// cannot tell what r does (it holds a correction, or cannot tell whether r
// is a late report): give the meeting's whole history to [Board.Refold].
func (b *Board) Reshape(id string, course []eventlog.Record, r eventlog.Record) ([]string, bool) {
	s := b.slots[id]
	e := r.Event
	if s == nil || !b.reshapes(s, e) || r.Seq <= s.seq {
		return nil, false
	}
	evs := make([]events.Event, len(course))
	for i, c := range course {
		if c.Event.Amends() || c.Event.Aggregate != e.Aggregate {
			return nil, false
		}
		evs[i] = c.Event
	}
	// A late report if an event recorded before it happened after its day
	// and by the end of the day it was reported ([lateReports]): one of
	// the course, or of the tail. If none did, it is not late only if
	// nothing happened after its day, or it was reported on its day.
	late := lateInTail(evs, e) || lateInTail(s.h.Tail, e)
	if !late && !s.m.Last.Before(e.At.End()) && e.Known().End().After(e.At.End()) {
		return nil, false
	}
	before := linksOf(&s.m)
	s.seq = r.Seq
	s.list(r)
	s.m = aggregates.Outlined(s.m, evs).With(e).State()
	s.h, s.cutOK = aggregates.Partial(s.m, nil), false
	if late {
		b.lateSeq = r.Seq
	}
	s.lastSeq = r.Seq
	s.visible = true
	return b.changed(id, s, before), true
}

// Seqs returns the stream sequences of the events of meeting id the board
// has applied, in record order, and false if it does not know them all (a
// snapshot written before they were kept): what [eventlog.Log.LoadSeqs]
// reads back as the meeting's history.
func (b *Board) Seqs(id string) ([]uint64, bool) {
	s := b.slots[id]
	if s == nil || !s.listsEvents() {
		return nil, false
	}
	return s.recs.seqs(), true
}

// fold returns h with e in its place, or an error if h does not hold
// enough of the history to place it, or to tell whether it is a late
// report. An event before the base is placed only if [aggregates.Place]
// can fold it into the base (a statement, a precondition's event), and
// only if it was reported on its day, or the tail or the base's last
// event shows it late, or the base's last event came before the end of
// e's day (so that no event between them can).
func fold(h aggregates.History, e events.Event) (aggregates.History, error) {
	if last := lastOf(h.Base); !h.IsWhole() && h.Base.LastVersion > 0 && aggregates.Before(&e, &last) {
		if _, ok := aggregates.Place(h.Base, e); !ok {
			return h, errors.New("before the base")
		}
		from, to := e.At.End(), e.Known().End()
		if to.After(from) && !lateInTail(h.Tail, e) && !lateBefore(last, e) && !last.At.Before(from) {
			return h, errors.New("before the base, and late or not as the events between say")
		}
	}
	return h.With(e), nil
}

// lateBefore reports whether x, an event after e in world order, makes e
// a late report: x happened after e's day and by the end of the day e was
// reported ([lateInTail] asks it of each event of a tail).
func lateBefore(x, e events.Event) bool {
	if x.Version == 0 || bookkeeping(e.Kind()) || e.Amends() {
		return false
	}
	return !x.At.Before(e.At.End()) && x.At.Before(e.Known().End())
}

// lastOf returns an event at the place of the last one m folded.
func lastOf(m aggregates.Meeting) events.Event {
	return events.Event{At: m.Last, Reported: m.LastKnown, Version: m.LastVersion, Payload: &events.MeetingFloated{}}
}

// Refold replaces meeting id's state with the fold of its whole history,
// history being every event of the meeting the branch holds up to the
// board's sequence, in record order, and returns the meetings whose view
// changed.
func (b *Board) Refold(id string, history []eventlog.Record) []string {
	s := b.slot(id)
	before := linksOf(&s.m)
	records := make([]events.Event, 0, len(history))
	seqs := make(map[uint64]uint64, len(history)) // each event's sequence, by version
	s.keys = s.keys[:0]
	s.recs.reset()
	s.course.reset()
	s.lastSeq, s.holdSeq = 0, 0
	// What each name (a ref, an id) names: its kind, to tell the
	// corrections and retractions of a holding, and whether the read
	// folds it, to tell those that change the view.
	type target struct {
		kind   events.Kind
		folded bool
	}
	named := map[string]target{}
	name := func(e events.Event, t target) {
		named[e.ID.String()] = t
		if e.RefName != "" {
			named[e.RefName] = t
		}
	}
	var folded []eventlog.Record // the records the read folds, for lateness
	for _, r := range history {
		e := r.Event
		records = append(records, e)
		seqs[e.Version] = r.Seq
		s.list(r)
		s.seq = max(s.seq, r.Seq)
		if !b.reads(&e) {
			continue
		}
		names := e.Corrects
		if p, ok := e.Payload.(*events.EventRetracted); ok {
			names = p.Retracts
		}
		switch {
		case names != "":
			// A correction or retraction applies whatever its own date:
			// it stands in the place of what it names, and changes the
			// view if the read folds that.
			t := named[names]
			if t.folded {
				s.lastSeq = max(s.lastSeq, r.Seq)
				if t.kind == events.KindMeetingHeld || e.Kind() == events.KindMeetingHeld {
					s.holdSeq = max(s.holdSeq, r.Seq)
				}
			}
			if e.Corrects != "" {
				t.kind = e.Kind()
				name(e, t)
				if t.folded {
					folded = append(folded, r)
				}
			}
		case b.inTime(&e):
			s.lastSeq = max(s.lastSeq, r.Seq)
			folded = append(folded, r)
			name(e, target{kind: e.Kind(), folded: true})
			if e.Kind() == events.KindMeetingHeld {
				s.holdSeq = max(s.holdSeq, r.Seq)
			}
		case isDeclaration(&e):
			s.lastSeq = max(s.lastSeq, r.Seq)
		default:
			name(e, target{kind: e.Kind()})
		}
	}
	b.seq = max(b.seq, s.seq)
	late := lateReports(folded, b.read.Known)
	if n := len(history); n > 0 && late[history[n-1].Seq] {
		b.lateSeq = history[n-1].Seq
	}
	var kept []events.Event
	s.visible = false
	for _, e := range aggregates.Effective(records, b.read.Known) {
		if b.inTime(&e) {
			kept = append(kept, e)
			s.visible = true
		} else if isDeclaration(&e) {
			kept = append(kept, e)
		}
	}
	s.h, s.cutOK = aggregates.Partial(aggregates.Meeting{}, kept).Trim(b.tail), false
	s.m = s.h.State()
	s.hasLast, s.hasHeld = false, false
	if n := len(kept); n > 0 {
		e := kept[n-1]
		seq := seqs[e.Version]
		s.last, s.hasLast = activity(seq, &e, ""), true
		s.last.Late = late[seq]
	}
	if s.m.HeldAt != nil {
		for i := len(kept) - 1; i >= 0; i-- {
			if e := kept[i]; e.Kind() == events.KindMeetingHeld {
				seq := seqs[e.Version]
				s.held, s.hasHeld = activity(seq, &e, ""), true
				s.held.Late = late[seq]
				break
			}
		}
	}
	return b.changed(id, s, before)
}

// links is what of a meeting's state ties it to other meetings: its
// preconditions (which may require another held), and when it was held
// (which meets others' preconditions).
type links struct {
	preconditions []aggregates.Precondition
	heldAt        *events.Time
}

func linksOf(m *aggregates.Meeting) links { return links{m.Preconditions, m.HeldAt} }

// changed notes that meeting id (slot s, whose links were before) changed,
// and returns the meetings whose view it changed: id, and the meetings
// that require id held if its holding changed.
func (b *Board) changed(id string, s *slot, before links) []string {
	if !samePreconditions(before.preconditions, s.m.Preconditions) {
		for _, p := range s.m.Preconditions {
			if p.Requires != "" && !slices.Contains(b.requiredBy[p.Requires], id) {
				b.requiredBy[p.Requires] = append(b.requiredBy[p.Requires], id)
			}
		}
	}
	changed := []string{id}
	if !sameTime(before.heldAt, s.m.HeldAt) {
		for _, dep := range b.requiredBy[id] {
			if d := b.slots[dep]; d == nil || !d.m.Declared() || dep == id {
				continue
			}
			changed = append(changed, dep)
		}
	}
	if len(changed) > 1 {
		slices.Sort(changed)
		changed = slices.Compact(changed)
	}
	return changed
}

// samePreconditions reports whether a and b are the same slice: the fold
// copies preconditions on write, so an event that changes none leaves the
// slice as it was, and the meetings it requires are registered already.
func samePreconditions(a, b []aggregates.Precondition) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

func sameTime(a, b *events.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(b.Time)
}

func (b *Board) slot(id string) *slot {
	s := b.slots[id]
	if s == nil {
		s = &slot{}
		b.slots[id] = s
	}
	return s
}

// reads reports whether the board reads e at all: it was known by the
// board's Known cutoff.
func (b *Board) reads(e *events.Event) bool {
	return b.read.Known.IsZero() || e.Known().Before(b.read.Known)
}

// inTime reports whether e happened before the board's AsOf cutoff. A
// declaration is kept whatever its time (a meeting's life begins with it),
// but shows the meeting only once it or another event falls in the read.
func (b *Board) inTime(e *events.Event) bool {
	return b.read.AsOf.IsZero() || e.At.Before(b.read.AsOf)
}

func isDeclaration(e *events.Event) bool { return e.Kind() == events.KindMeetingDeclared }

// heldAt returns when meeting id was held, or nil if it was not (or is not
// on the board).
func (b *Board) heldAt(id string) *events.Time {
	if s := b.slots[id]; s != nil && s.visible {
		return s.m.HeldAt
	}
	return nil
}

// State returns meeting id's state on the board, and false if the board has
// no such meeting.
func (b *Board) State(id string) (aggregates.Meeting, bool) {
	s := b.slots[id]
	if s == nil || !s.visible || !s.m.Declared() {
		return aggregates.Meeting{}, false
	}
	return s.m, true
}

// View returns meeting id's view, its deadline read as of cutoff (the first
// instant after the period read) and labelled asOf, and false if the board
// has no such meeting.
func (b *Board) View(id string, cutoff time.Time, asOf string) (View, bool) {
	s := b.slots[id]
	if s == nil || !s.visible || !s.m.Declared() {
		return View{}, false
	}
	v := NewView(b.branch, s.m, b.heldAt, cutoff, asOf)
	last, hasLast, seq := b.last(id, s)
	if hasLast {
		v.LastActivity = &last
	}
	v.Seq = seq
	return v, true
}

// last returns meeting id's latest activity and the sequence of the last
// event folded into its view: its own, or the holding of a meeting one of
// its preconditions requires, if that is later (a holding wins a tie: it
// is what met the precondition).
func (b *Board) last(id string, s *slot) (Activity, bool, uint64) {
	last, ok, seq := s.last, s.hasLast, s.lastSeq
	for _, p := range s.m.Preconditions {
		if p.Requires == "" || p.Requires == id {
			continue
		}
		r := b.slots[p.Requires]
		if r == nil || !r.visible {
			continue
		}
		seq = max(seq, r.holdSeq)
		if r.m.HeldAt == nil || !r.hasHeld {
			continue
		}
		if !ok || !r.held.At.Before(last.At.Time) {
			last, ok = r.held, true
			last.Meeting = p.Requires
		}
	}
	return last, ok, seq
}

// Views returns every meeting's view, sorted by id.
func (b *Board) Views(cutoff time.Time, asOf string) []View {
	out := make([]View, 0, len(b.slots))
	for _, id := range b.IDs() {
		v, _ := b.View(id, cutoff, asOf)
		out = append(out, v)
	}
	return out
}

// IDs returns the ids of the meetings on the board, sorted.
func (b *Board) IDs() []string {
	ids := make([]string, 0, len(b.slots))
	for id, s := range b.slots {
		if s.visible && s.m.Declared() {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// Fingerprint returns the four bytes of an event's identity ([events.Event]
// Key) that a snapshot keeps of it: enough to tell, with a false match once
// in four billion, whether a meeting holds an event already.
func Fingerprint(key string) uint32 {
	var f uint32
	for i := 0; i < 8 && i < len(key); i++ {
		c := key[i]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		default:
			c = 0
		}
		f = f<<4 | uint32(c)
	}
	return f
}
