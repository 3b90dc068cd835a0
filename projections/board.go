package projections

import (
	"slices"
	"time"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/events"
)

// Board is the meeting-status projection of one branch: every meeting's
// state, folded from the log in stream order. It is pure: it does no I/O,
// and the same events make the same board, live or rebuilt.
//
// A board may have a cutoff in world time, to read the branch as of a date:
// then it folds each meeting's events only up to the first that happened at
// or after the cutoff.
type Board struct {
	branch string
	cutoff time.Time
	slots  map[string]*slot
	// requiredBy maps a meeting to the meetings with a precondition that
	// requires it held.
	requiredBy map[string][]string
	seq        uint64
}

type slot struct {
	m aggregates.Meeting
	// seq is the stream sequence the slot is current to: an event at or
	// before it is already in m.
	seq uint64
	// closed is set once the meeting reached the board's cutoff.
	closed bool
	// last is the latest activity, if hasLast: kept by value, as it
	// changes with every event.
	last    Activity
	hasLast bool
}

// NewBoard returns an empty board of branch. If cutoff is not zero, the
// board folds only what happened before it (for a date read "as of 21
// October", the first moment of 22 October).
func NewBoard(branch string, cutoff time.Time) *Board {
	return &Board{branch: branch, cutoff: cutoff, slots: map[string]*slot{}, requiredBy: map[string][]string{}}
}

// Seq returns the stream sequence of the last event applied.
func (b *Board) Seq() uint64 { return b.seq }

// Len returns the number of meetings on the board.
func (b *Board) Len() int { return len(b.slots) }

// Apply folds e, stored at stream sequence seq, into the board, and returns
// the ids of the meetings whose view it changed: the event's meeting, and
// the meetings whose preconditions its holding meets. Events of actors
// change no meeting. An event a restored view holds already ([Board.Restore])
// changes nothing, except that its holding of the meeting is passed on to
// the meetings that require it whose views are older.
func (b *Board) Apply(seq uint64, e events.Event) []string {
	b.seq = max(b.seq, seq)
	if e.Aggregate.Type != events.AggregateMeeting {
		return nil
	}
	id := e.Aggregate.ID
	s := b.slots[id]
	if s == nil {
		s = &slot{}
		b.slots[id] = s
	}
	if seq <= s.seq {
		// The slot was restored from a view that holds e already. If e
		// held the meeting, the views of the meetings that require it may
		// not show it: a writer can die between writing one view and the
		// next. Write them again.
		if _, ok := e.Payload.(*events.MeetingHeld); ok && s.m.Status == aggregates.StatusHeld {
			return b.requirers(id, seq, e, func(d *slot) bool { return d.seq < seq })
		}
		return nil
	}
	if s.closed {
		return nil
	}
	if !b.cutoff.IsZero() && !e.At.Before(b.cutoff) {
		s.closed = true
		return nil
	}
	wasHeld := s.m.Status == aggregates.StatusHeld
	s.m = aggregates.Evolve(s.m, e)
	s.seq = seq
	s.last, s.hasLast = activity(seq, e, ""), true
	if p, ok := e.Payload.(*events.PreconditionAdded); ok && p.Requires != nil {
		if !slices.Contains(b.requiredBy[p.Requires.Held], id) {
			b.requiredBy[p.Requires.Held] = append(b.requiredBy[p.Requires.Held], id)
		}
	}
	changed := []string{id}
	if !wasHeld && s.m.Status == aggregates.StatusHeld {
		changed = append(changed, b.requirers(id, seq, e, func(*slot) bool { return true })...)
	}
	if len(changed) == 1 {
		return changed
	}
	slices.Sort(changed)
	return slices.Compact(changed)
}

// requirers notes e, the holding of meeting id at seq, as the last activity
// of each meeting with a precondition that requires id held (those stale
// reports true of), and returns their ids.
func (b *Board) requirers(id string, seq uint64, e events.Event, stale func(*slot) bool) []string {
	var changed []string
	for _, dep := range b.requiredBy[id] {
		d := b.slots[dep]
		if d == nil || !d.m.Declared() || dep == id || !stale(d) {
			continue
		}
		d.last, d.hasLast = activity(seq, e, id), true
		changed = append(changed, dep)
	}
	return changed
}

func activity(seq uint64, e events.Event, meeting string) Activity {
	a := Activity{ID: e.ID, Kind: e.Kind(), At: e.At, By: e.By, Seq: seq, Meeting: meeting}
	if e.Source != nil {
		a.Source = e.Source.Outlet
		if a.Source == "" {
			a.Source = e.Source.ID
		}
	}
	return a
}

// heldAt returns when meeting id was held, or nil if it was not (or is not
// on the board).
func (b *Board) heldAt(id string) *events.Time {
	if s := b.slots[id]; s != nil && s.m.Status == aggregates.StatusHeld {
		return s.m.HeldAt
	}
	return nil
}

// View returns meeting id's view, with its deadline read as of asOf, and
// false if the board has no such meeting.
func (b *Board) View(id string, asOf time.Time) (View, bool) {
	s := b.slots[id]
	if s == nil || !s.m.Declared() {
		return View{}, false
	}
	v := newView(b.branch, s.m, b.heldAt, asOf)
	if s.hasLast {
		a := s.last
		v.LastActivity = &a
	}
	v.Seq = max(s.seq, b.seq)
	return v, true
}

// Views returns every meeting's view, sorted by id.
func (b *Board) Views(asOf time.Time) []View {
	ids := make([]string, 0, len(b.slots))
	for id, s := range b.slots {
		if s.m.Declared() {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	out := make([]View, 0, len(ids))
	for _, id := range ids {
		v, _ := b.View(id, asOf)
		out = append(out, v)
	}
	return out
}

// Restore puts a view written earlier back on the board, as the state the
// board resumes from.
func (b *Board) Restore(v View) {
	m := v.meeting()
	sl := &slot{m: m, seq: v.Seq}
	if v.LastActivity != nil {
		sl.last, sl.hasLast = *v.LastActivity, true
	}
	b.slots[v.ID] = sl
	for _, p := range m.Preconditions {
		if p.Requires != "" && !slices.Contains(b.requiredBy[p.Requires], v.ID) {
			b.requiredBy[p.Requires] = append(b.requiredBy[p.Requires], v.ID)
		}
	}
	b.seq = max(b.seq, v.Seq)
}
