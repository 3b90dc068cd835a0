package projections

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
)

// Snapshot is a meeting's folded state as a runner saves it with each
// checkpoint, in the bucket [SnapshotBucket]: what a runner resumes from
// after a restart, and what a command on the meeting decides on, with the
// meeting's events after Seq, instead of reading the meeting's whole
// history. It is machine data; the [View] is what people read.
type Snapshot struct {
	Branch string `json:"branch"`
	Gen    uint64 `json:"gen,omitempty"`
	// Seq is the stream sequence up to which the snapshot reflects every
	// event of the branch; LastSeq that of the meeting's last event folded.
	Seq     uint64       `json:"seq"`
	LastSeq uint64       `json:"last_seq"`
	Meeting meetingState `json:"meeting"`
	Last    *Activity    `json:"last,omitempty"`
	// Held is the activity of the event that holds the meeting, and
	// HoldSeq the sequence of the last event that made or unmade its
	// holding: what the views of the meetings that require it show.
	Held    *Activity `json:"held,omitempty"`
	HoldSeq uint64    `json:"hold_seq,omitempty"`
	// Keys holds a fingerprint of each of the meeting's events' identity
	// ([Fingerprint]), as big-endian uint32s, base64: so that a command can
	// tell an event appended again from a new one without the history.
	Keys string `json:"keys,omitempty"`
	// Seqs holds the stream sequence of each of the meeting's events, in
	// record order, as base64 of uvarint differences: so that a reader
	// that needs the whole history reads it by sequence
	// ([eventlog.Log.LoadSeqs]) instead of scanning the stream. A
	// snapshot written before Seqs was kept has none.
	Seqs string `json:"seqs,omitempty"`
	// Course holds, as Seqs does, the sequences of the events among them
	// that shape the meeting's course ([aggregates.ShapesCourse]): what a
	// late event of the course is decided on ([aggregates.Outlined]).
	Course string `json:"course,omitempty"`
}

// History returns the stream sequences of the meeting's events the
// snapshot reflects, in record order, and false if it does not list them.
func (s Snapshot) History() ([]uint64, bool) {
	l, ok := s.listed()
	if !ok {
		return nil, false
	}
	return l.seqs(), true
}

// Outline returns the stream sequences of the events that shape the
// meeting's course, in record order, and false if the snapshot does not
// list them.
func (s Snapshot) Outline() ([]uint64, bool) {
	if _, ok := s.listed(); !ok {
		return nil, false
	}
	l, ok := courseList(s.Course)
	if !ok {
		return nil, false
	}
	return l.seqs(), true
}

// Tip returns where the meeting's subject stood at the snapshot: the
// sequence and version of its last event, what [eventlog.Log.LoadSince]
// needs to read only the events after it. False for a snapshot of a branch
// other than main (its list holds the record's events, on main's subject,
// beside the branch's own), and for one that does not list as many events
// as its version counts.
func (s Snapshot) Tip() (eventlog.Tip, bool) {
	l, ok := s.listed()
	if !ok || s.Branch != events.Main || uint64(l.n) != s.Meeting.Version || l.last > s.Seq {
		return eventlog.Tip{}, false
	}
	return eventlog.Tip{Seq: l.last, Version: s.Meeting.Version}, true
}

// listed returns the snapshot's list of its events' sequences, and false
// if it has none that is its own.
func (s Snapshot) listed() (seqList, bool) {
	keys, err := decodeKeys(s.Keys)
	if err != nil {
		return seqList{}, false
	}
	return listedSeqList(s.Seqs, len(keys))
}

// courseList decodes a snapshot's Course, which lists at least the
// meeting's declaration, or none was written (a snapshot written before
// the course was kept).
func courseList(s string) (seqList, bool) {
	l, err := decodeSeqList(s)
	return l, err == nil && l.n > 0
}

// listedSeqList decodes a snapshot's Seqs, which must hold one sequence
// for each of its n events, or the list is not the snapshot's.
func listedSeqList(s string, n int) (seqList, bool) {
	l, err := decodeSeqList(s)
	if err != nil || l.n == 0 || l.n != n {
		return seqList{}, false
	}
	return l, true
}

// State returns the meeting the snapshot holds.
func (s Snapshot) State() aggregates.Meeting { return s.Meeting.meeting() }

// Holds reports whether the snapshot's meeting may hold an event of
// identity key: false means it does not; true that it probably does (read
// the history to be sure).
func (s Snapshot) Holds(key string) bool {
	fs, err := s.Fingerprints()
	return err != nil || slices.Contains(fs, Fingerprint(key))
}

// Fingerprints returns the fingerprints of the identities of the events
// the snapshot's meeting holds ([Fingerprint]), for a reader that asks
// [Snapshot.Holds] often to decode them once.
func (s Snapshot) Fingerprints() ([]uint32, error) { return decodeKeys(s.Keys) }

// NewSnapshot returns the snapshot of meeting m on branch, current to seq,
// its events' identities fingerprinted from keys.
func NewSnapshot(branch string, m aggregates.Meeting, seq uint64, keys ...string) Snapshot {
	fs := make([]uint32, len(keys))
	for i, k := range keys {
		fs[i] = Fingerprint(k)
	}
	return Snapshot{Branch: branch, Seq: seq, Meeting: stateOf(m), Keys: encodeKeys(fs)}
}

// SnapshotOf returns a snapshot that holds nothing but the fingerprints
// of evs' identities: enough for [Snapshot.Holds].
func SnapshotOf(evs []events.Event) Snapshot {
	keys := make([]uint32, len(evs))
	for i, e := range evs {
		keys[i] = Fingerprint(e.Key)
	}
	return Snapshot{Keys: encodeKeys(keys)}
}

func encodeKeys(keys []uint32) string {
	b := make([]byte, 4*len(keys))
	for i, k := range keys {
		binary.BigEndian.PutUint32(b[4*i:], k)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// decodeSeqList returns the list a snapshot's Seqs holds ([seqList.encoded]),
// checked: increasing uvarint distances.
func decodeSeqList(s string) (seqList, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return seqList{}, fmt.Errorf("snapshot seqs: not base64: %w", err)
	}
	l := seqList{b: b}
	for rest := b; len(rest) > 0; {
		d, n := binary.Uvarint(rest)
		if n <= 0 || d == 0 {
			return seqList{}, fmt.Errorf("snapshot seqs: not increasing uvarints")
		}
		l.last += d
		l.n++
		rest = rest[n:]
	}
	return l, nil
}

func decodeKeys(s string) ([]uint32, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b)%4 != 0 {
		return nil, fmt.Errorf("snapshot keys: not base64 of uint32s")
	}
	keys := make([]uint32, len(b)/4)
	for i := range keys {
		keys[i] = binary.BigEndian.Uint32(b[4*i:])
	}
	return keys, nil
}

// Snapshot returns meeting id's snapshot, current to seq, and false if the
// board has no such meeting.
func (b *Board) Snapshot(id string, seq uint64) (Snapshot, bool) {
	s := b.slots[id]
	if s == nil || !s.m.Declared() {
		return Snapshot{}, false
	}
	snap := Snapshot{Branch: b.branch, Seq: max(seq, s.seq), LastSeq: s.lastSeq, Meeting: stateOf(s.m), Keys: encodeKeys(s.keys)}
	if s.listsEvents() {
		snap.Seqs = s.recs.encoded()
	}
	if s.listsCourse() {
		snap.Course = s.course.encoded()
	}
	if s.hasLast {
		a := s.last
		snap.Last = &a
	}
	if s.hasHeld {
		a := s.held
		snap.Held = &a
	}
	snap.HoldSeq = s.holdSeq
	return snap, true
}

// Restore puts a snapshot written earlier back on the board, as the state
// the board resumes from. An event dated before the snapshot's last then
// needs the meeting's history ([RefoldError]).
func (b *Board) Restore(id string, snap Snapshot) error {
	keys, err := decodeKeys(snap.Keys)
	if err != nil {
		return fmt.Errorf("snapshot of %s: %w", id, err)
	}
	m := snap.State()
	s := &slot{h: aggregates.Partial(m, nil), m: m, seq: snap.Seq, lastSeq: snap.LastSeq, visible: m.Declared(), keys: keys}
	if l, ok := listedSeqList(snap.Seqs, len(keys)); ok {
		s.recs = l
		if c, ok := courseList(snap.Course); ok {
			s.course = c
		} else {
			s.course.outOfOrder = true // a snapshot written before the course was kept
		}
	}
	// The activities' days, as the state's, are days of the meeting's
	// zone: JSON kept each as its calendar day. (A zone this machine does
	// not know leaves them as they are, as it leaves the state's.)
	loc, _ := events.Location(m.Zone)
	if snap.Last != nil {
		s.last, s.hasLast = *snap.Last, true
		s.last.At = s.last.At.In(loc)
	}
	if snap.Held != nil {
		s.held, s.hasHeld = *snap.Held, true
		s.held.At = s.held.At.In(loc)
	}
	s.holdSeq = snap.HoldSeq
	b.slots[id] = s
	for _, p := range m.Preconditions {
		if p.Requires != "" && !slices.Contains(b.requiredBy[p.Requires], id) {
			b.requiredBy[p.Requires] = append(b.requiredBy[p.Requires], id)
		}
	}
	b.seq = max(b.seq, snap.Seq)
	return nil
}

// meetingState is [aggregates.Meeting] as a snapshot writes it: the
// aggregate carries no JSON tags, so that its field names are free to
// change; this mapping is what is stored.
type meetingState struct {
	ID            string               `json:"id"`
	Title         string               `json:"title"`
	Zone          string               `json:"tz,omitempty"`
	Participants  []events.Participant `json:"participants"`
	Status        aggregates.Status    `json:"status"`
	StatusCause   *causeState          `json:"status_cause,omitempty"`
	Venue         string               `json:"venue,omitempty"`
	Window        *events.Window       `json:"window,omitempty"`
	Date          *events.Days         `json:"date,omitempty"`
	Until         *events.Time         `json:"until,omitempty"`
	HeldAt        *events.Time         `json:"held_at,omitempty"`
	EndedAt       *events.Time         `json:"ended_at,omitempty"`
	Early         bool                 `json:"early,omitempty"`
	Outcome       string               `json:"outcome,omitempty"`
	Floated       bool                 `json:"floated,omitempty"`
	Proposed      bool                 `json:"proposed,omitempty"`
	Cancelled     bool                 `json:"cancelled,omitempty"`
	Postponed     bool                 `json:"postponed,omitempty"`
	Accepted      []string             `json:"accepted,omitempty"`
	Declined      []string             `json:"declined,omitempty"`
	Preconditions []preconditionState  `json:"preconditions,omitempty"`
	Claims        []ClaimView          `json:"claims,omitempty"`
	Version       uint64               `json:"version"`
	Last          events.Time          `json:"last"`
	LastKnown     events.Time          `json:"last_known"`
	LastVersion   uint64               `json:"last_version"`
}

type causeState struct {
	Kind    events.Kind `json:"kind"`
	At      events.Time `json:"at"`
	By      string      `json:"by,omitempty"`
	RefName string      `json:"ref,omitempty"`
	Version uint64      `json:"version"`
}

type preconditionState struct {
	ID          string                       `json:"id"`
	Description string                       `json:"description,omitempty"`
	Requires    string                       `json:"requires,omitempty"`
	State       aggregates.PreconditionState `json:"state"`
	Since       events.Time                  `json:"since"`
	Added       *events.Time                 `json:"added,omitempty"`
}

func stateOf(m aggregates.Meeting) meetingState {
	s := meetingState{
		ID: m.ID, Title: m.Title, Zone: m.Zone, Participants: m.Participants, Status: m.Status,
		Venue: m.Venue, Window: m.Window, Date: m.Date, Until: m.Until,
		HeldAt: m.HeldAt, EndedAt: m.EndedAt, Early: m.Early, Outcome: m.Outcome,
		Floated: m.Floated, Proposed: m.Proposed, Cancelled: m.Cancelled, Postponed: m.Postponed,
		Accepted: m.Accepted, Declined: m.Declined,
		Version: m.Version, Last: m.Last, LastKnown: m.LastKnown, LastVersion: m.LastVersion,
	}
	if c := m.StatusCause; c.Kind != "" {
		s.StatusCause = &causeState{Kind: c.Kind, At: c.At, By: c.By, RefName: c.RefName, Version: c.Version}
	}
	for _, p := range m.Preconditions {
		ps := preconditionState{ID: p.ID, Description: p.Description, Requires: p.Requires, State: p.State, Since: p.Since}
		if !p.Added.IsZero() {
			ps.Added = &p.Added
		}
		s.Preconditions = append(s.Preconditions, ps)
	}
	for _, c := range m.Claims {
		s.Claims = append(s.Claims, ClaimView{Speaker: c.Speaker, Status: c.Status, At: c.At, Quote: c.Quote})
	}
	return s
}

func (s meetingState) meeting() aggregates.Meeting {
	s.localize()
	m := aggregates.Meeting{
		ID: s.ID, Title: s.Title, Zone: s.Zone, Participants: s.Participants, Status: s.Status,
		Venue: s.Venue, Window: s.Window, Date: s.Date, Until: s.Until,
		HeldAt: s.HeldAt, EndedAt: s.EndedAt, Early: s.Early, Outcome: s.Outcome,
		Floated: s.Floated, Proposed: s.Proposed, Cancelled: s.Cancelled, Postponed: s.Postponed,
		Accepted: s.Accepted, Declined: s.Declined,
		Version: s.Version, Last: s.Last, LastKnown: s.LastKnown, LastVersion: s.LastVersion,
	}
	if c := s.StatusCause; c != nil {
		m.StatusCause = aggregates.Cause{Kind: c.Kind, At: c.At, By: c.By, RefName: c.RefName, Version: c.Version}
	}
	for _, p := range s.Preconditions {
		pc := aggregates.Precondition{ID: p.ID, Description: p.Description, Requires: p.Requires, State: p.State, Since: p.Since}
		if p.Added != nil {
			pc.Added = *p.Added
		}
		m.Preconditions = append(m.Preconditions, pc)
	}
	for _, c := range s.Claims {
		m.Claims = append(m.Claims, aggregates.Claim{Speaker: c.Speaker, Status: c.Status, At: c.At, Quote: c.Quote})
	}
	return m
}

// localize reads the state's dates as days of its zone: JSON keeps a date
// as its calendar day, and the zone once. A date an event of another zone
// set (a file of another timezone, or summit add's default, UTC) comes
// back as the same calendar day of the meeting's zone, hours from the
// instant it began: the snapshot keeps no zone for each date. The views
// print the same day; the instant can matter only to how an event of the
// same day is placed against it.
func (s *meetingState) localize() {
	loc, err := events.Location(s.Zone)
	if err != nil || s.Zone == "" {
		return
	}
	in := func(t *events.Time) {
		if t != nil {
			*t = t.In(loc)
		}
	}
	clone := func(t *events.Time) *events.Time {
		if t == nil {
			return nil
		}
		c := t.In(loc)
		return &c
	}
	if s.Window != nil {
		w := *s.Window
		in(&w.From)
		in(&w.To)
		s.Window = &w
	}
	if s.Date != nil {
		d := *s.Date
		in(&d.From)
		in(&d.To)
		s.Date = &d
	}
	s.Until, s.HeldAt, s.EndedAt = clone(s.Until), clone(s.HeldAt), clone(s.EndedAt)
	in(&s.Last)
	in(&s.LastKnown)
	if s.StatusCause != nil {
		in(&s.StatusCause.At)
	}
	for i := range s.Preconditions {
		in(&s.Preconditions[i].Since)
		s.Preconditions[i].Added = clone(s.Preconditions[i].Added)
	}
	for i := range s.Claims {
		in(&s.Claims[i].At)
	}
}
