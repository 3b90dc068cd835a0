package commands

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/natstest"
)

func openLog(t *testing.T) *eventlog.Log {
	t.Helper()
	l, err := eventlog.Open(context.Background(), natstest.JetStream(t, natstest.Start(t)), eventlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// declare is the command that declares meeting m, Trump and Putin's.
func declare(m string) aggregates.Command {
	return aggregates.Command{Aggregate: events.Meeting(m), At: events.Date(2025, 10, 16), Declare: &events.MeetingDeclared{
		Title: "the " + m, Participants: []events.Participant{{Person: "trump", Party: "USA"}, {Person: "putin", Party: "RUS"}},
	}}
}

// say is a statement about m by a speaker of party, on October day d.
func say(m string, d int, speaker, party string) aggregates.Command {
	return aggregates.Command{Aggregate: events.Meeting(m), At: events.Date(2025, 10, d), By: speaker, Party: party,
		Payload: &events.StatementMade{About: m, Stance: events.StanceNoncommittal, Quote: "we shall see"}}
}

func handle(t *testing.T, h *Handler, cmd aggregates.Command) Result {
	t.Helper()
	res, err := h.Handle(context.Background(), cmd, Meta{})
	if err != nil {
		t.Fatalf("%v: %v", cmd.Payload, err)
	}
	return res
}

// checkHistory checks that m's history holds n events, versions 1 to n:
// nothing lost, nothing twice.
func checkHistory(t *testing.T, l *eventlog.Log, m string, n int) {
	t.Helper()
	h, err := l.Load(context.Background(), eventlog.Main(), events.Meeting(m))
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Events) != n {
		t.Fatalf("%s has %d events, want %d", m, len(h.Events), n)
	}
	for i, e := range h.Events {
		if e.Version != uint64(i+1) {
			t.Fatalf("%s: event %d has version %d", m, i+1, e.Version)
		}
	}
}

func TestHandlerCachesWhatItMet(t *testing.T) {
	l := openLog(t)
	h := NewHandler(l, eventlog.Main())
	if res := handle(t, h, declare("m")); res.Loads != 1 {
		t.Errorf("first command loaded %d times, want 1", res.Loads)
	}
	for d := 17; d < 20; d++ {
		if res := handle(t, h, say("m", d, "peskov", "RUS")); res.Loads != 0 || res.Conflicts != 0 {
			t.Errorf("command on a met meeting: %d loads, %d conflicts; want none", res.Loads, res.Conflicts)
		}
	}
	checkHistory(t, l, "m", 4)
	// Without a cache, every command loads.
	cold := NewHandler(l, eventlog.Main())
	cold.CacheSize = 0
	for d := 20; d < 22; d++ {
		if res := handle(t, cold, say("m", d, "peskov", "RUS")); res.Loads != 1 {
			t.Errorf("uncached command loaded %d times, want 1", res.Loads)
		}
	}
	checkHistory(t, l, "m", 6)
}

func TestHandlerCacheMeetsAnotherWriter(t *testing.T) {
	l := openLog(t)
	a, b := NewHandler(l, eventlog.Main()), NewHandler(l, eventlog.Main())
	handle(t, a, declare("m"))
	handle(t, a, say("m", 17, "peskov", "RUS"))
	// b moves the meeting on: a's cached state is stale.
	handle(t, b, say("m", 18, "lavrov", "RUS"))
	res := handle(t, a, say("m", 19, "peskov", "RUS"))
	if res.Conflicts != 1 || res.Loads != 1 {
		t.Errorf("stale cache: %d conflicts, %d loads; want 1 and 1", res.Conflicts, res.Loads)
	}
	if v := res.Events[0].Version; v != 4 {
		t.Errorf("appended version %d, want 4", v)
	}
	checkHistory(t, l, "m", 4)
}

func TestHandlerCacheRefusalIsCheckedAfresh(t *testing.T) {
	l := openLog(t)
	a, b := NewHandler(l, eventlog.Main()), NewHandler(l, eventlog.Main())
	handle(t, a, declare("m"))
	// b proposes the meeting; a, whose cache says nothing was proposed,
	// must not refuse Putin's acceptance for that.
	handle(t, b, aggregates.Command{Aggregate: events.Meeting("m"), At: events.Date(2025, 10, 17), By: "trump", Party: "USA",
		Payload: &events.MeetingProposed{Venue: "Budapest"}})
	res := handle(t, a, aggregates.Command{Aggregate: events.Meeting("m"), At: events.Date(2025, 10, 18), By: "putin", Party: "RUS",
		Payload: &events.MeetingAccepted{}})
	if res.Loads != 1 {
		t.Errorf("a refusal on a cached state was not checked on a fresh one: %d loads", res.Loads)
	}
	// A refusal that stands is returned.
	_, err := a.Handle(context.Background(), aggregates.Command{Aggregate: events.Meeting("m"), At: events.Date(2025, 10, 19), By: "zelensky", Party: "UKR",
		Payload: &events.MeetingAccepted{}}, Meta{})
	if !errors.Is(err, aggregates.ErrNotParticipant) {
		t.Errorf("acceptance by a non-participant: %v, want ErrNotParticipant", err)
	}
	checkHistory(t, l, "m", 3)
}

func TestHandlerConcurrentWriters(t *testing.T) {
	l := openLog(t)
	shared, other := NewHandler(l, eventlog.Main()), NewHandler(l, eventlog.Main())
	shared.Retries, other.Retries = 100, 100
	handle(t, shared, declare("m"))
	const writers, each = 4, 10
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		h := shared
		if w%2 == 1 {
			h = other
		}
		wg.Go(func() {
			for range each {
				// The same day for all: any order is a valid history.
				if _, err := h.Handle(ctx, say("m", 20, fmt.Sprintf("speaker-%d", w), "RUS"), Meta{}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	checkHistory(t, l, "m", 1+writers*each)
	// The cache ends current: one more command needs no load.
	if res := handle(t, shared, say("m", 21, "peskov", "RUS")); res.Loads > 1 {
		t.Errorf("%d loads after the crowd left", res.Loads)
	}
	checkHistory(t, l, "m", 2+writers*each)
}

func TestHandlerCacheIsBounded(t *testing.T) {
	l := openLog(t)
	h := NewHandler(l, eventlog.Main())
	h.CacheSize = 3
	for i := range 10 {
		handle(t, h, declare(fmt.Sprintf("m%d", i)))
	}
	if n := len(h.cache); n != 3 {
		t.Errorf("cache holds %d aggregates, want at most 3", n)
	}
}
