package workload

import (
	"testing"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/events"
)

func TestGenerate(t *testing.T) {
	l, err := Generate(Options{Meetings: 50, Events: 5000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Events) != 5000 || len(l.Meetings) != 50 {
		t.Fatalf("%d events of %d meetings, want 5000 of 50", len(l.Events), len(l.Meetings))
	}
	if len(l.Long) != 1 || l.Counts[l.Long[0]] != 200 {
		t.Errorf("long meetings %v, counts %v: want one of 200 events", l.Long, l.Counts[l.Long[0]])
	}
	// Every history is one the decider accepts, event by event, and its
	// events are spread over the load.
	byMeeting := map[string][]events.Event{}
	first, last := map[string]int{}, map[string]int{}
	kinds := map[events.Kind]int{}
	for i, e := range l.Events {
		if err := e.Validate(); err != nil {
			t.Fatal(err)
		}
		if _, err := events.Marshal(e); err != nil {
			t.Fatal(err)
		}
		id := e.Aggregate.ID
		if _, ok := first[id]; !ok {
			first[id] = i
		}
		last[id] = i
		byMeeting[id] = append(byMeeting[id], e)
		kinds[e.Kind()]++
	}
	for id, h := range byMeeting {
		if len(h) != l.Counts[id] {
			t.Errorf("%s: %d events, want %d", id, len(h), l.Counts[id])
		}
		var m aggregates.Meeting
		for i, e := range h {
			if e.Version != uint64(i+1) {
				t.Fatalf("%s: event %d has version %d", id, i, e.Version)
			}
			m = aggregates.Evolve(m, e)
		}
	}
	if long := l.Long[0]; last[long]-first[long] < 2500 {
		t.Errorf("long meeting's events span %d..%d of 5000: want them spread", first[long], last[long])
	}
	for _, k := range []events.Kind{events.KindMeetingDeclared, events.KindMeetingProposed, events.KindStatementMade,
		events.KindPreconditionAdded, events.KindPreconditionMet, events.KindMeetingScheduled, events.KindMeetingHeld} {
		if kinds[k] == 0 {
			t.Errorf("no %s in the load: %v", k, kinds)
		}
	}
}

func TestGenerateRefuses(t *testing.T) {
	for _, o := range []Options{{Meetings: 10, Events: 5}, {Meetings: -1}, {Meetings: 5, Events: 10, Long: 1, LongEvents: -1}} {
		if _, err := Generate(o); err == nil {
			t.Errorf("Generate(%+v) succeeded", o)
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	for b.Loop() {
		if _, err := Generate(Options{Meetings: 100, Events: 10_000}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(10_000*b.N)/b.Elapsed().Seconds(), "events/s")
}
