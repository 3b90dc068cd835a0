package events

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// AggregateType names the kind of thing whose history an event belongs to.
type AggregateType string

// The aggregates summit keeps. A meeting's history holds its declaration, its
// life, its preconditions and the statements made about it. An actor's
// history (a party's or a person's) holds its declaration and what it did that
// is not about one meeting: calls, visits, statements, positions, sanctions.
const (
	AggregateMeeting AggregateType = "meeting"
	AggregateActor   AggregateType = "actor"
)

// Ref names one aggregate: its type and id.
type Ref struct {
	Type AggregateType `json:"type"`
	ID   string        `json:"id"`
}

// Meeting returns the reference to meeting id.
func Meeting(id string) Ref { return Ref{Type: AggregateMeeting, ID: id} }

// Actor returns the reference to the party or person id.
func Actor(id string) Ref { return Ref{Type: AggregateActor, ID: id} }

// String returns the reference as type/id.
func (r Ref) String() string { return string(r.Type) + "/" + r.ID }

// Check reports a reference summit cannot store.
func (r Ref) Check() error {
	if r.Type != AggregateMeeting && r.Type != AggregateActor {
		return fmt.Errorf("aggregate type %q: want meeting or actor", r.Type)
	}
	if err := CheckName(r.ID); err != nil {
		return fmt.Errorf("%s id: %w", r.Type, err)
	}
	return nil
}

// Source is where the record of an event comes from.
type Source struct {
	// ID is the source's key in the scenario that cited it.
	ID        string `json:"id,omitempty"`
	Outlet    string `json:"outlet,omitempty"`
	Address   string `json:"address,omitempty"`
	Published string `json:"published,omitempty"`
	Note      string `json:"note,omitempty"`
	// Quote is the passage of the source the event rests on.
	Quote string `json:"quote,omitempty"`
}

// Main is the branch that holds the record of what really happened.
const Main = "main"

// Event is one thing that happened, as the log stores it: the envelope that
// every event carries and the payload of its kind.
type Event struct {
	// ID identifies the event everywhere; summit makes UUID v7 ids, so ids
	// sort by the time they were made.
	ID uuid.UUID
	// Aggregate is the history the event belongs to, and Version its place
	// there in record order, counting from 1.
	Aggregate Ref
	Version   uint64
	// At is world time: when the thing happened. Reported is when it
	// became known (the source's publication); zero means when it
	// happened ([Event.Known]). Recorded is record time: when summit
	// appended it.
	At       Time
	Reported Time
	Recorded time.Time
	// Zone is the IANA time zone whose days the event's dates are (its
	// scenario's timezone); "" for UTC.
	Zone string
	// By is who acted: a person's or a party's id. Party is the party By
	// acts for (By itself, for a party).
	By    string
	Party string
	// Source is where the event is reported; nil if no source was given.
	Source *Source
	// Hypothetical marks an event injected on a branch for a what-if;
	// Branch names the branch (main for the record), and Gen the branch's
	// generation: a branch deleted and made again under the same name is a
	// new generation, which ignores whatever the old one left.
	Hypothetical bool
	Branch       string
	Gen          uint64
	// CAMEO is the event's CAMEO code, where one fits.
	CAMEO string
	// RefName is the event's name in its scenario (the entry's ref), by
	// which a later event corrects or retracts it; "" if it has none.
	RefName string
	// Corrects names the event this one stands in the place of: its ref
	// name or its id; "" for an event that corrects nothing.
	Corrects string
	// Key is the event's identity: a digest of what it says ([Identity]),
	// the same however the file that holds it is laid out, so that an
	// event appended again is recognised and not stored twice.
	Key string
	// CausationID is the event or command that caused this one;
	// CorrelationID groups the events of one run (a scenario replay, an
	// injection).
	CausationID   uuid.UUID
	CorrelationID uuid.UUID
	// Payload is the kind-specific data.
	Payload Payload
}

// Kind returns the kind of the event's payload, or "" if it has none.
func (e Event) Kind() Kind {
	if e.Payload == nil {
		return ""
	}
	return e.Payload.Kind()
}

// Known returns when the event became known: Reported, or At if it has
// none.
func (e Event) Known() Time {
	if e.Reported.IsZero() {
		return e.At
	}
	return e.Reported
}

// Amends reports whether the event corrects another (Corrects) or
// retracts one (an [EventRetracted]): it stands in the place of what it
// names, whatever its own date.
func (e Event) Amends() bool { return e.Corrects != "" || e.Kind() == KindEventRetracted }

// ErrInvalid is wrapped by [Event.Validate] for an event that cannot be
// stored.
var ErrInvalid = errors.New("invalid event")

// Validate reports an envelope or payload that cannot be stored: a missing
// id, kind, aggregate, version or world time, a time out of range, or a
// payload its kind refuses.
func (e Event) Validate() error {
	var errs []error
	if e.ID == uuid.Nil {
		errs = append(errs, errors.New("no id"))
	}
	if e.Payload == nil {
		errs = append(errs, errors.New("no payload"))
	} else if !e.Kind().Known() {
		errs = append(errs, fmt.Errorf("unknown kind %q", e.Kind()))
	} else if err := e.Payload.Validate(); err != nil {
		errs = append(errs, err)
	} else if v, ok := e.Payload.(interface{ ValidateAt(Time) error }); ok && !e.At.IsZero() {
		if err := v.ValidateAt(e.At); err != nil {
			errs = append(errs, err)
		}
	}
	if err := e.Aggregate.Check(); err != nil {
		errs = append(errs, err)
	}
	if e.Version == 0 {
		errs = append(errs, errors.New("no version"))
	}
	if e.At.IsZero() {
		errs = append(errs, errors.New("no world time"))
	} else if err := e.At.CheckRange(); err != nil {
		errs = append(errs, fmt.Errorf("at %s: %w", e.At, err))
	}
	if !e.Reported.IsZero() {
		if err := e.Reported.CheckRange(); err != nil {
			errs = append(errs, fmt.Errorf("reported %s: %w", e.Reported, err))
		}
	}
	if e.By != "" {
		if err := CheckName(e.By); err != nil {
			errs = append(errs, fmt.Errorf("by: %w", err))
		}
	}
	if err := CheckName(e.Branch); err != nil {
		errs = append(errs, fmt.Errorf("branch: %w", err))
	}
	if e.Hypothetical == (e.Branch == Main) {
		errs = append(errs, errors.New("hypothetical events belong on a branch, and only they do"))
	}
	if e.RefName != "" {
		if err := CheckName(e.RefName); err != nil {
			errs = append(errs, fmt.Errorf("ref: %w", err))
		}
	}
	if e.Corrects != "" {
		if err := CheckTarget(e.Corrects); err != nil {
			errs = append(errs, fmt.Errorf("corrects: %w", err))
		}
		if e.Kind() == KindEventRetracted {
			errs = append(errs, errors.New("a retraction corrects nothing: retract the retracted event's correction instead"))
		}
	}
	if loc, err := Location(e.Zone); err != nil {
		errs = append(errs, err)
	} else {
		if err := midnight(e.At, loc); err != nil {
			errs = append(errs, fmt.Errorf("at: %w", err))
		}
		if err := midnight(e.Reported, loc); err != nil {
			errs = append(errs, fmt.Errorf("reported: %w", err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%w %s %s v%d: %w", ErrInvalid, e.Kind(), e.Aggregate, e.Version, err)
	}
	return nil
}

// midnight reports a date-only t that is not the first instant of a day
// in loc, the event's zone: the codec writes a date as its calendar day and
// reads it back as a day of the zone, so any other instant would not read
// back as it was written.
func midnight(t Time, loc *time.Location) error {
	if !t.DateOnly || t.IsZero() {
		return nil
	}
	// The start of the day as [Time.In] makes it: in a zone whose clocks
	// skip midnight, a day starts at the first instant it has.
	y, m, d := t.Time.In(loc).Date()
	if !DayStart(y, m, d, loc).Equal(t.Time) {
		return fmt.Errorf("the date %s is %s, not the start of a day in %s", t, t.Time.UTC().Format(time.RFC3339Nano), loc)
	}
	return nil
}

// NewID returns a new UUID v7 event id.
func NewID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

// An id's random bits come from a pool that reads the system's randomness
// in batches, not 16 bytes an id: ids are no secret, and the read cost a
// warm command about a microsecond (commands.BenchmarkHandleWarm's
// profile).
func init() { uuid.EnableRandPool() }
