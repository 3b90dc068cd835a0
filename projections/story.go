package projections

import (
	"cmp"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
)

// Cited is one event as explain and timeline show it. Its JSON (the CLI's
// --json, the HTTP API):
//
//	seq, id, at, reported (omitted when it is at), late, kind, cameo,
//	aggregate {type, id}, by, party, summary, stance, claim (statements),
//	source (the outlet), address, quote, ref, corrects (on a correction),
//	corrected_by (on an event a correction stands in the place of),
//	retracted (on an event withdrawn), retracts (on a retraction),
//	hypothetical, branch, meeting (on the holding of a meeting another
//	one's precondition requires: the meeting held), status and overdue
//	(on a meeting's event that stands: the meeting's after it, judged as
//	of the event's own date).
//
// Empty values are omitted, but for seq, at, late, kind, aggregate and
// branch.
type Cited struct {
	Seq uint64      `json:"seq"`
	ID  uuid.UUID   `json:"id,omitzero"`
	At  events.Time `json:"at"`
	// Reported is when the event became known, if not when it happened.
	Reported events.Time `json:"reported,omitzero"`
	// Late marks a late report: an event dated before an event of its
	// meeting recorded earlier, and reported after that one happened.
	Late      bool          `json:"late"`
	Kind      events.Kind   `json:"kind"`
	CAMEO     string        `json:"cameo,omitempty"`
	Aggregate events.Ref    `json:"aggregate"`
	By        string        `json:"by,omitempty"`
	Party     string        `json:"party,omitempty"`
	Summary   string        `json:"summary,omitempty"`
	Stance    events.Stance `json:"stance,omitempty"`
	Claim     string        `json:"claim,omitempty"`
	Source    string        `json:"source,omitempty"`
	Address   string        `json:"address,omitempty"`
	Quote     string        `json:"quote,omitempty"`
	Ref       string        `json:"ref,omitempty"`
	Corrects  string        `json:"corrects,omitempty"`
	// CorrectedBy, on an event that no longer stands, is the correction
	// that stands in its place (or the next in a chain of corrections).
	CorrectedBy *Correction `json:"corrected_by,omitempty"`
	// Retracted, on an event that no longer stands, is its withdrawal.
	Retracted    *Retraction `json:"retracted,omitempty"`
	Retracts     string      `json:"retracts,omitempty"`
	Hypothetical bool        `json:"hypothetical,omitempty"`
	Branch       string      `json:"branch"`
	// Meeting, on the holding of a meeting that a precondition requires,
	// shown in the story of the meeting that requires it, is the meeting
	// held.
	Meeting string            `json:"meeting,omitempty"`
	Status  aggregates.Status `json:"status,omitempty"`
	Overdue *bool             `json:"overdue,omitempty"`
}

// Correction is the event that corrected another: when (At, and Reported:
// when the correction became known) and what it says instead (Kind,
// Summary).
type Correction struct {
	Seq      uint64      `json:"seq"`
	At       events.Time `json:"at"`
	Reported events.Time `json:"reported"`
	Kind     events.Kind `json:"kind"`
	Ref      string      `json:"ref,omitempty"`
	By       string      `json:"by,omitempty"`
	Summary  string      `json:"summary,omitempty"`
}

// Retraction is the withdrawal of an event: when it was made (At) and
// became known (Reported), why, and by whom.
type Retraction struct {
	Seq      uint64      `json:"seq"`
	At       events.Time `json:"at"`
	Reported events.Time `json:"reported"`
	Reason   string      `json:"reason,omitempty"`
	By       string      `json:"by,omitempty"`
}

// cite returns the event of r as it is cited, without what only its
// history tells (late, corrected, retracted, status).
func cite(r eventlog.Record) Cited {
	e := r.Event
	c := Cited{
		Seq: r.Seq, ID: e.ID, At: e.At, Kind: e.Kind(), CAMEO: e.CAMEO, Aggregate: e.Aggregate,
		By: e.By, Party: e.Party, Ref: e.RefName, Corrects: e.Corrects,
		Hypothetical: e.Hypothetical, Branch: e.Branch,
	}
	if !e.Reported.IsZero() && e.Reported.String() != e.At.String() {
		c.Reported = e.Reported
	}
	if e.Payload != nil {
		c.Summary = e.Payload.Summary()
		if c.CAMEO == "" {
			c.CAMEO = events.CAMEO(e.Kind(), e.Payload)
		}
	}
	switch p := e.Payload.(type) {
	case *events.StatementMade:
		c.Stance, c.Claim, c.Quote = p.Stance, p.Claim, p.Quote
	case *events.EventRetracted:
		c.Retracts = p.Retracts
	}
	if s := e.Source; s != nil {
		c.Source = s.Outlet
		if c.Source == "" {
			c.Source = s.ID
		}
		c.Address = s.Address
		if c.Quote == "" {
			c.Quote = s.Quote
		}
	}
	return c
}

func correction(r eventlog.Record) *Correction {
	e := r.Event
	c := &Correction{Seq: r.Seq, At: e.At, Reported: e.Known(), Kind: e.Kind(), Ref: e.RefName, By: e.By}
	if e.Payload != nil {
		c.Summary = e.Payload.Summary()
	}
	return c
}

func retraction(r eventlog.Record) *Retraction {
	e := r.Event
	t := &Retraction{Seq: r.Seq, At: e.At, Reported: e.Known(), By: e.By}
	if p, ok := e.Payload.(*events.EventRetracted); ok {
		t.Reason = p.Reason
	}
	return t
}

// A history's corrections and retractions, as [aggregates.Effective] reads
// them: each event of the history takes a slot, in which its corrections
// then stand, one after the other; a retraction of any of them empties the
// slot. The slots, sorted in world order, are the events that stand; the
// rest is what explain and timeline show struck.

// stand is one event of a history and the corrections that stood in its
// place, in record order; gone is the retraction that withdrew it.
type stand struct {
	recs []eventlog.Record
	gone *eventlog.Record
	// order is an event at the slot's place in world order: the first
	// event's, at the latest correction's world time.
	order events.Event
}

// current returns the event that stands in s (if s is not gone).
func (s *stand) current() eventlog.Record { return s.recs[len(s.recs)-1] }

// settle returns the slots of history (one aggregate's records, in record
// order) known before known (zero: all), in world order, and the
// retractions and the corrections of events it does not hold, which stand
// nowhere.
func settle(history []eventlog.Record, known time.Time) (slots []*stand, aside []eventlog.Record) {
	index := map[string]*stand{}
	find := func(name string) *stand {
		if s := index[name]; s != nil && s.gone == nil {
			return s
		}
		return nil
	}
	note := func(e events.Event, s *stand) {
		index[e.ID.String()] = s
		if e.RefName != "" {
			index[e.RefName] = s
		}
	}
	for _, r := range history {
		e := r.Event
		if !known.IsZero() && !e.Known().Before(known) {
			continue
		}
		if p, ok := e.Payload.(*events.EventRetracted); ok {
			if s := find(p.Retracts); s != nil {
				s.gone = &r
			}
			aside = append(aside, r)
			continue
		}
		if e.Corrects != "" {
			if s := find(e.Corrects); s != nil {
				s.recs = append(s.recs, r)
				s.order.At = e.At
				note(e, s)
			} else {
				aside = append(aside, r)
			}
			continue
		}
		order := e
		// The slot keeps the first event's place: when it became known
		// and its version, whatever its corrections say.
		order.Reported = e.Known()
		s := &stand{recs: []eventlog.Record{r}, order: order}
		slots = append(slots, s)
		note(e, s)
	}
	slices.SortStableFunc(slots, func(a, b *stand) int { return aggregates.Compare(&a.order, &b.order) })
	return slots, aside
}

// standing returns the events that stand in slots, in world order: what
// [aggregates.Effective] returns of the same history.
func standing(slots []*stand) []events.Event {
	var out []events.Event
	for _, s := range slots {
		if s.gone == nil {
			out = append(out, s.current().Event)
		}
	}
	return out
}

// place is where a line of a story goes, in world order: a meeting's
// declaration first, then by world time, then by when it became known,
// then in record order; the events of one slot (an event and its
// corrections) in turn at the slot's place.
type place struct {
	declaration bool
	at, known   time.Time
	seq         uint64
	sub         int
}

func comparePlaces(a, b place) int {
	if a.declaration != b.declaration {
		if a.declaration {
			return -1
		}
		return 1
	}
	return cmp.Or(a.at.Compare(b.at), a.known.Compare(b.known), cmp.Compare(a.seq, b.seq), cmp.Compare(a.sub, b.sub))
}

func placeOf(r eventlog.Record) place {
	return place{declaration: bookkeeping(r.Event.Kind()), at: r.Event.At.Time, known: r.Event.Known().Time, seq: r.Seq}
}

// bookkeeping reports the declarations: summit's own events, which name a
// party, a person or a meeting, and which begin their histories.
func bookkeeping(k events.Kind) bool {
	return k == events.KindMeetingDeclared || k == events.KindPartyDeclared || k == events.KindPersonDeclared
}

// line is one line of a story: an event, or a deadline passing, and the
// meeting after it.
type line struct {
	place place
	rec   eventlog.Record
	cited Cited
	// view is the meeting's view after the line, judged as of its date,
	// and changes what it changed; view is nil for a line that changes
	// nothing: an event that does not stand, or a retraction.
	view    *View
	changes []Change
	// stands reports an event that stands in its history (or a deadline
	// passing); holding one of another meeting, whose holding a
	// precondition requires; aside a retraction; inTime one that happened
	// by the date read.
	stands, holding, aside, inTime bool
}

// telling is what a meeting's, or an actor's, history tells as read.
type telling struct {
	branch string
	read   Read
	// fold reports a meeting's history, which is folded line by line;
	// an actor's is not.
	fold bool
	// deadlines adds a line for each deadline that passes with no event,
	// up to end.
	deadlines bool
	end       time.Time
	// late holds the sequences of the late reports among the records.
	late map[uint64]bool
}

func (s telling) inTime(e events.Event) bool {
	return s.read.AsOf.IsZero() || e.At.Before(s.read.AsOf)
}

// tell returns the lines of history (an aggregate's records, in record
// order), with holdings (the holding events of the meetings its
// preconditions require) among them, in world order.
func (s telling) tell(history, holdings []eventlog.Record) []line {
	slots, aside := settle(history, s.read.Known)
	var lines []line
	for _, sl := range slots {
		first := placeOf(sl.recs[0])
		first.at = sl.order.At.Time
		for i, r := range sl.recs {
			l := line{place: first, rec: r, cited: cite(r), inTime: s.inTime(r.Event)}
			l.place.sub = i
			if i < len(sl.recs)-1 {
				l.cited.CorrectedBy = correction(sl.recs[i+1])
			} else if sl.gone != nil {
				l.cited.Retracted = retraction(*sl.gone)
			} else {
				l.stands = true
			}
			lines = append(lines, l)
		}
	}
	for _, r := range aside {
		lines = append(lines, line{place: placeOf(r), rec: r, cited: cite(r), aside: true, inTime: s.inTime(r.Event)})
	}
	for _, r := range holdings {
		l := line{place: placeOf(r), rec: r, cited: cite(r), holding: true, inTime: true, stands: true}
		l.cited.Meeting = r.Event.Aggregate.ID
		lines = append(lines, l)
	}
	slices.SortFunc(lines, func(a, b line) int { return comparePlaces(a.place, b.place) })
	for i := range lines {
		lines[i].cited.Late = s.late[lines[i].rec.Seq]
	}
	if s.fold {
		lines = s.folded(lines)
	}
	return lines
}

// folded folds the lines that stand, in order, rendering the meeting after
// each as of the line's own date.
func (s telling) folded(lines []line) []line {
	var (
		m    aggregates.Meeting
		prev *View
		out  = make([]line, 0, len(lines))
	)
	held := map[string]*events.Time{}
	heldAt := func(id string) *events.Time { return held[id] }
	passing := func(next *events.Time) {
		if !s.deadlines || prev == nil || prev.Overdue || prev.Deadline == nil {
			return
		}
		d := *prev.Deadline
		at := passedOn(d)
		if next != nil && !at.Precedes(*next) || next == nil && !aggregates.Passed(d, s.end) {
			return
		}
		v := *prev
		v.SetAsOf(at.End(), "")
		c := Cited{At: at, Kind: KindDeadlinePassed, Aggregate: events.Meeting(v.ID), Branch: s.branch,
			Summary: "the deadline " + d.String() + " passed", Status: v.Status, Overdue: &v.Overdue}
		out = append(out, line{place: place{at: at.Time}, cited: c, view: &v, changes: nonNil(Changes(prev, &v)), stands: true, inTime: true})
		prev = &v
	}
	for _, l := range lines {
		e := l.rec.Event
		if !l.stands || !l.inTime && !bookkeeping(e.Kind()) {
			l.changes = []Change{}
			out = append(out, l)
			continue
		}
		passing(&e.At)
		if l.holding {
			// The meeting held is held from then on: its status is
			// held, and a held meeting is never overdue.
			at := e.At
			held[e.Aggregate.ID] = &at
			l.cited.Status, l.cited.Overdue = aggregates.StatusHeld, new(bool)
			if !m.Declared() {
				l.changes = []Change{}
				out = append(out, l)
				continue
			}
		} else {
			m = aggregates.Evolve(m, e)
		}
		v := NewView(s.branch, m, heldAt, e.At.End(), "")
		if !l.holding {
			l.cited.Status, l.cited.Overdue = v.Status, &v.Overdue
		}
		l.view, l.changes = &v, nonNil(Changes(prev, &v))
		prev = &v
		out = append(out, l)
	}
	if !s.end.IsZero() {
		passing(nil)
	}
	return out
}

// passedOn returns when deadline d has passed: the day after a date, a
// second after a date-time.
func passedOn(d events.Time) events.Time {
	if d.DateOnly {
		return d.AddDays(1)
	}
	return events.Time{Time: d.Add(time.Second)}
}

func nonNil(cs []Change) []Change {
	if cs == nil {
		return []Change{}
	}
	return cs
}

// holdingOf returns the holding event that stands in history (a meeting's
// records, in record order) as read, and false if it was not held by then.
func holdingOf(history []eventlog.Record, read Read) (eventlog.Record, bool) {
	slots, _ := settle(history, read.Known)
	for _, sl := range slots {
		r := sl.current()
		if sl.gone == nil && r.Event.Kind() == events.KindMeetingHeld && (read.AsOf.IsZero() || r.Event.At.Before(read.AsOf)) {
			return r, true
		}
	}
	return eventlog.Record{}, false
}

// requirements returns the meetings that the preconditions standing in
// history (a meeting's records, in record order) require held, sorted.
func requirements(history []eventlog.Record, read Read) []string {
	slots, _ := settle(history, read.Known)
	var out []string
	for _, e := range standing(slots) {
		if p, ok := e.Payload.(*events.PreconditionAdded); ok && p.Requires != nil && (read.AsOf.IsZero() || e.At.Before(read.AsOf)) {
			out = append(out, p.Requires.Held)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// lateReports returns the sequences of the late reports in history (one
// aggregate's records, in record order) known before known: the events
// dated before an event recorded earlier, and reported after that one
// happened (an event reported before the later one happened was only
// recorded late). Declarations, corrections and retractions are never late,
// and only events that happened count as recorded earlier.
func lateReports(history []eventlog.Record, known time.Time) map[uint64]bool {
	counts := func(e events.Event) bool {
		return !bookkeeping(e.Kind()) && e.Kind() != events.KindEventRetracted && (known.IsZero() || e.Known().Before(known))
	}
	// The world times of the events recorded so far, as ranks in a
	// Fenwick tree: whether one falls in a span is two prefix counts.
	var times []time.Time
	for _, r := range history {
		if counts(r.Event) {
			times = append(times, r.Event.At.Time)
		}
	}
	slices.SortFunc(times, time.Time.Compare)
	times = slices.CompactFunc(times, time.Time.Equal)
	tree := make([]int, len(times)+1)
	// below counts the events so far whose world time is before t.
	below := func(t time.Time) int {
		i, _ := slices.BinarySearchFunc(times, t, time.Time.Compare)
		n := 0
		for ; i > 0; i -= i & -i {
			n += tree[i]
		}
		return n
	}
	var late map[uint64]bool
	for _, r := range history {
		e := r.Event
		if !counts(e) {
			continue
		}
		// Late if an event so far happened after e's day and by the end
		// of the day e was reported.
		if e.Corrects == "" && below(e.Known().End()) > below(e.At.End()) {
			if late == nil {
				late = map[uint64]bool{}
			}
			late[r.Seq] = true
		}
		i, _ := slices.BinarySearchFunc(times, e.At.Time, time.Time.Compare)
		for i++; i < len(tree); i += i & -i {
			tree[i]++
		}
	}
	return late
}
