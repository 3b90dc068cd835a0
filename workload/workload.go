// Package workload makes synthetic load for benchmarks: many meetings, each
// with a life of realistic events (declared, floated, proposed,
// preconditions, acceptances, statements with claims and quotes,
// postponements, schedules, and at the end held or cancelled), their events
// interleaved in world time as the news of many summits is.
//
// Every event is decided by the meeting's own decider
// ([aggregates.Decide]) on the state folded so far, so that the load is a
// record the model accepts, and each is one command of one event, as a
// replay appends most of its steps. The package does no I/O: the events go
// to the log through [eventlog.Log.AppendAll] or, for the raw baselines, as
// the bytes [events.Marshal] makes of them.
package workload

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/events"
)

// Options say how much load to make.
type Options struct {
	// Meetings is how many meetings the load holds. Default 10,000.
	Meetings int
	// Events is how many events the load holds in all, about
	// Events/Meetings per meeting. Default 1,000,000.
	Events int
	// Long is how many meetings have LongEvents events each, their events
	// spread over the whole load like every other meeting's: the meetings
	// a benchmark loads cold. Default: 1% of Meetings, at least 1 (and
	// none if the load is too small to hold them).
	Long int
	// LongEvents is the length of a long meeting's history. Default 200.
	LongEvents int
	// Seed makes the load: the same seed, the same meetings and events
	// (but for their ids and record times).
	Seed uint64
	// Start is the world time of the first event. Default 2020-01-06;
	// each event is a minute after the one before it.
	Start time.Time
}

// Validate reports every problem with o, after defaults.
func (o Options) Validate() error {
	var errs []error
	if o.Meetings < 1 {
		errs = append(errs, fmt.Errorf("meetings %d: want at least 1", o.Meetings))
	}
	if o.Events < o.Meetings {
		errs = append(errs, fmt.Errorf("events %d: want at least one per meeting (%d)", o.Events, o.Meetings))
	}
	if o.Long < 0 || o.LongEvents < 1 {
		errs = append(errs, fmt.Errorf("long meetings %d of %d events: want none or more, of at least 1 event", o.Long, o.LongEvents))
	}
	if o.Long > o.Meetings {
		errs = append(errs, fmt.Errorf("long meetings %d: more than the %d meetings", o.Long, o.Meetings))
	}
	if o.Events > 50_000_000 {
		errs = append(errs, fmt.Errorf("events %d: at most 50,000,000 (one minute of world time apiece must stay before 2200)", o.Events))
	}
	return errors.Join(errs...)
}

func (o Options) withDefaults() Options {
	if o.Meetings == 0 {
		o.Meetings = 10_000
	}
	if o.Events == 0 {
		o.Events = 1_000_000
	}
	if o.LongEvents == 0 {
		o.LongEvents = 200
	}
	if o.Long == 0 {
		o.Long = max(o.Meetings/100, 1)
	}
	// Long meetings must leave at least one event to every other meeting.
	for o.Long > 0 && o.Long*o.LongEvents+(o.Meetings-o.Long) > o.Events {
		o.Long--
	}
	if o.Start.IsZero() {
		o.Start = time.Date(2020, 1, 6, 8, 0, 0, 0, time.UTC)
	}
	return o
}

// Load is a generated record: its events in the order they are appended.
type Load struct {
	// Events are in append order: one command, and so one message, each.
	Events []events.Event
	// Meetings are the ids of the meetings, and Long the ids of those with
	// LongEvents events.
	Meetings []string
	Long     []string
	// Counts holds each meeting's number of events.
	Counts map[string]int
}

// MeetingID returns the id of the i-th generated meeting.
func MeetingID(i int) string { return fmt.Sprintf("m%06d", i) }

// Generate makes the load o describes.
func Generate(o Options) (*Load, error) {
	o = o.withDefaults()
	if err := o.Validate(); err != nil {
		return nil, fmt.Errorf("workload: %w", err)
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x5e1f))
	counts := make([]int, o.Meetings)
	rest := o.Events - o.Long*o.LongEvents
	short := o.Meetings - o.Long
	for i := range counts {
		switch {
		case i < o.Long:
			counts[i] = o.LongEvents
		default:
			// Share what is left evenly; the first few take the remainder.
			counts[i] = rest / short
			if i-o.Long < rest%short {
				counts[i]++
			}
		}
	}
	// One slot per event, shuffled: a meeting's k-th slot is its k-th
	// event, so every meeting's history is spread over the whole load.
	slots := make([]int32, 0, o.Events)
	for i, c := range counts {
		for range c {
			slots = append(slots, int32(i))
		}
	}
	rng.Shuffle(len(slots), func(i, j int) { slots[i], slots[j] = slots[j], slots[i] })

	lives := make([]life, o.Meetings)
	for i := range lives {
		lives[i] = newLife(i, counts[i], rng)
	}
	l := &Load{Events: make([]events.Event, 0, o.Events), Counts: make(map[string]int, o.Meetings)}
	for i := range o.Meetings {
		id := MeetingID(i)
		l.Meetings = append(l.Meetings, id)
		l.Counts[id] = counts[i]
		if i < o.Long {
			l.Long = append(l.Long, id)
		}
	}
	recorded := time.Now().UTC()
	// One correlation for the whole load, as a replay gives its events.
	correlation := events.NewID()
	for n, mi := range slots {
		at := events.At(o.Start.Add(time.Duration(n) * time.Minute))
		lf := &lives[mi]
		cmd := lf.next(at, rng)
		evs, err := aggregates.Decide(aggregates.Partial(lf.m, nil), cmd)
		if err != nil {
			return nil, fmt.Errorf("workload: meeting %s, event %d: %w", lf.id, lf.m.Version+1, err)
		}
		for _, e := range evs {
			e.ID = events.NewID()
			e.Branch = events.Main
			e.Recorded = recorded
			e.CorrelationID = correlation
			e.Key = events.Identity(e)
			lf.m = aggregates.Evolve(lf.m, e)
			l.Events = append(l.Events, e)
		}
	}
	return l, nil
}
