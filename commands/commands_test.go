package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/natstest"
	"github.com/summit-model/summit/scenarios"
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

// TestHandleAllCacheMeetsAnotherWriter has a batch of several steps
// decided on a cached state that another writer moved on: the bulk append
// must still catch it (a cached state was read before the stream's end the
// batch notes, so the aggregates' subjects are checked), and decide again.
func TestHandleAllCacheMeetsAnotherWriter(t *testing.T) {
	ctx := context.Background()
	l := openLog(t)
	a, b := NewHandler(l, eventlog.Main()), NewHandler(l, eventlog.Main())
	handle(t, a, declare("m"))
	handle(t, a, say("m", 17, "peskov", "RUS"))
	// b moves the meeting on: a's cached state is stale.
	handle(t, b, say("m", 18, "lavrov", "RUS"))
	res, err := a.HandleAll(ctx, Batch{Steps: steps(say("m", 19, "peskov", "RUS"), say("m", 20, "peskov", "RUS"))})
	if err != nil {
		t.Fatal(err)
	}
	if res.Conflicts != 1 || res.Appended != 2 {
		t.Errorf("stale cache: %d conflicts, %d events appended; want 1 and 2", res.Conflicts, res.Appended)
	}
	checkHistory(t, l, "m", 5)
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

// TestHandlerKeepsWhatAPlanDidNotMove checks that a command that appends
// nothing gives the handler back the state it took from the cache (a
// plan holds a cached state alone while it decides, with no copy): after
// a refusal, after an event already on record, and after a batch whose
// check fails, the next command on the meeting reads nothing.
func TestHandlerKeepsWhatAPlanDidNotMove(t *testing.T) {
	ctx := context.Background()
	unproposed := aggregates.Command{Aggregate: events.Meeting("m"), At: events.Date(2025, 10, 19), By: "zelensky", Party: "UKR",
		Payload: &events.MeetingAccepted{}}
	stop := errors.New("stop")
	for _, tc := range []struct {
		name string
		do   func(h *Handler) error
		want error
	}{
		{"refused", func(h *Handler) error { _, err := h.Handle(ctx, unproposed, Meta{}); return err }, aggregates.ErrNothingProposed},
		{"on record already", func(h *Handler) error {
			res, err := h.Handle(ctx, say("m", 17, "peskov", "RUS"), Meta{})
			if err == nil && !res.Known {
				return fmt.Errorf("a statement on record again was not known: %+v", res)
			}
			return err
		}, nil},
		{"check failed", func(h *Handler) error {
			_, err := h.HandleAll(ctx, Batch{Steps: steps(say("m", 18, "peskov", "RUS")), Check: func(context.Context) error { return stop }})
			return err
		}, stop},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := openLog(t)
			h := NewHandler(l, eventlog.Main())
			handle(t, h, declare("m"))
			handle(t, h, say("m", 17, "peskov", "RUS"))
			if err := tc.do(h); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if res := handle(t, h, say("m", 20, "lavrov", "RUS")); res.Loads != 0 || res.Conflicts != 0 {
				t.Errorf("the next command: %d loads, %d conflicts; want none", res.Loads, res.Conflicts)
			}
			checkHistory(t, l, "m", 3)
		})
	}
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
			for i := range each {
				// The same day for all: any order is a valid history.
				cmd := say("m", 20, fmt.Sprintf("speaker-%d", w), "RUS")
				cmd.Source = &events.Source{Quote: fmt.Sprintf("statement %d", i)}
				if _, err := h.Handle(ctx, cmd, Meta{}); err != nil {
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

// cached returns the state a handler cached for meeting m.
func cached(t *testing.T, h *Handler, m string) aggregates.Meeting {
	t.Helper()
	h.mu.Lock()
	st := h.cache[events.Meeting(m)]
	h.mu.Unlock()
	if st == nil {
		t.Fatalf("handler holds no state of %s", m)
	}
	return st.hist.State()
}

// steps makes a batch of commands, numbered as lines from 1.
func steps(cmds ...aggregates.Command) []scenarios.Step {
	out := make([]scenarios.Step, len(cmds))
	for i, c := range cmds {
		out[i] = scenarios.Step{Line: i + 1, Command: c}
	}
	return out
}

func act(m string, d int, by, party string, p events.Payload) aggregates.Command {
	return aggregates.Command{Aggregate: events.Meeting(m), At: events.Date(2025, 10, d), By: by, Party: party, Payload: p}
}

// TestHandleAllIsIdempotent checks that a batch appended again appends
// nothing, and a batch with steps added appends only those.
func TestHandleAllIsIdempotent(t *testing.T) {
	ctx := context.Background()
	l := openLog(t)
	batch := steps(declare("m"), act("m", 16, "trump", "USA", &events.MeetingProposed{Venue: "Budapest"}), say("m", 17, "peskov", "RUS"))
	out, err := NewHandler(l, eventlog.Main()).HandleAll(ctx, Batch{File: "f.yaml", Steps: batch})
	if err != nil || out.Appended != 3 || out.Known != 0 {
		t.Fatalf("first append: %+v, %v; want 3 appended", out, err)
	}
	for _, cacheSize := range []int{0, 100} {
		h := NewHandler(l, eventlog.Main())
		h.CacheSize = cacheSize
		out, err = h.HandleAll(ctx, Batch{File: "f.yaml", Steps: batch})
		if err != nil || out.Appended != 0 || out.Known != 2 {
			t.Fatalf("appended again: %+v, %v; want nothing appended, 2 known (the declaration is no step of its own)", out, err)
		}
	}
	more := append(batch, scenarios.Step{Line: 4, Command: act("m", 18, "putin", "RUS", &events.MeetingAccepted{})})
	out, err = NewHandler(l, eventlog.Main()).HandleAll(ctx, Batch{File: "f.yaml", Steps: more})
	if err != nil || out.Appended != 1 || out.Known != 2 {
		t.Fatalf("with a step added: %+v, %v; want 1 appended, 2 known", out, err)
	}
	checkHistory(t, l, "m", 4)
}

// TestCachedMeetingKnowsWhatItDropped checks that a handler whose cache
// has let a meeting's whole history go (past four times its tail) still
// knows the events it held: a command appended again is known, not stored
// twice.
func TestCachedMeetingKnowsWhatItDropped(t *testing.T) {
	ctx := context.Background()
	l := openLog(t)
	h := NewHandler(l, eventlog.Main())
	h.Tail = 2
	speakers := []string{"trump", "rubio", "putin", "lavrov", "peskov"}
	parties := []string{"USA", "USA", "RUS", "RUS", "RUS"}
	first := steps(declare("m"), say("m", 16, speakers[0], parties[0]))
	if out, err := h.HandleAll(ctx, Batch{Steps: first}); err != nil || out.Appended != 2 {
		t.Fatalf("first: %+v, %v", out, err)
	}
	for d := 17; d < 29; d++ {
		handle(t, h, say("m", d, speakers[d%5], parties[d%5]))
	}
	out, err := h.HandleAll(ctx, Batch{Steps: first})
	if err != nil || out.Appended != 0 || out.Known != 1 {
		t.Fatalf("the first statement again, from the cache: %+v, %v; want nothing appended, 1 known", out, err)
	}
	checkHistory(t, l, "m", 14)
}

// TestHandleAllRefusesWhole checks that a batch with a refused step
// appends nothing, and names every refused step's line.
func TestHandleAllRefusesWhole(t *testing.T) {
	ctx := context.Background()
	l := openLog(t)
	batch := steps(
		declare("m"),
		act("m", 16, "trump", "USA", &events.MeetingHeld{}),
		act("m", 17, "trump", "USA", &events.MeetingCancelled{}),
		act("m", 18, "zelensky", "UKR", &events.MeetingAccepted{}),
	)
	_, err := NewHandler(l, eventlog.Main()).HandleAll(ctx, Batch{File: "f.yaml", Steps: batch})
	var refused Refused
	if !errors.As(err, &refused) || len(refused) != 2 || refused[0].Line != 3 || refused[1].Line != 4 {
		t.Fatalf("HandleAll = %v; want the refusals of lines 3 and 4", err)
	}
	if !errors.Is(err, aggregates.ErrFinal) || !strings.Contains(err.Error(), "f.yaml:3: meeting m (held) refuses meeting.cancelled") {
		t.Errorf("error %q does not say why line 3 is refused", err)
	}
	checkHistory(t, l, "m", 0)
}

// TestHandleAllAppendsNothingTheCodecRefuses: given a batch whose third
// step decides an event the codec refuses (a date that is not the start
// of its day: what a zone whose clocks skip midnight made of a date before
// events.DayStart), when it is handled, then nothing is appended and the
// error names the line. The pipelined append stopped at that event with
// the two steps before it landed.
func TestHandleAllAppendsNothingTheCodecRefuses(t *testing.T) {
	ctx := context.Background()
	l := openLog(t)
	bad := say("m", 18, "trump", "USA")
	bad.At.Time = bad.At.Add(23 * time.Hour) // still date-only, not at the day's start
	_, err := NewHandler(l, eventlog.Main()).HandleAll(ctx, Batch{File: "f.yaml", Steps: steps(declare("m"), say("m", 17, "trump", "USA"), bad)})
	var refused Refused
	if !errors.As(err, &refused) || len(refused) != 1 || refused[0].Line != 3 || !errors.Is(err, events.ErrInvalid) {
		t.Fatalf("HandleAll = %v; want line 3 refused as an invalid event", err)
	}
	checkHistory(t, l, "m", 0)
}

// TestHandleAllCheckStopsItWhole checks that a batch whose Check fails
// (a verb found its store damaged while it decided) appends nothing, and
// says why; one whose Check passes appends.
func TestHandleAllCheckStopsItWhole(t *testing.T) {
	ctx := context.Background()
	l := openLog(t)
	batch := steps(declare("m"), act("m", 16, "trump", "USA", &events.MeetingProposed{Venue: "Budapest"}))
	damaged := errors.New("the store lost events")
	checked := 0
	check := func(err error) func(context.Context) error {
		return func(context.Context) error {
			checked++
			return err
		}
	}
	_, err := NewHandler(l, eventlog.Main()).HandleAll(ctx, Batch{File: "f.yaml", Steps: batch, Check: check(damaged)})
	if !errors.Is(err, damaged) || checked != 1 {
		t.Fatalf("HandleAll = %v after %d checks; want the check's error, after one", err, checked)
	}
	checkHistory(t, l, "m", 0)
	out, err := NewHandler(l, eventlog.Main()).HandleAll(ctx, Batch{File: "f.yaml", Steps: batch, Check: check(nil)})
	if err != nil || out.Appended != 2 {
		t.Fatalf("with the check passed: %+v, %v; want 2 appended", out, err)
	}
	checkHistory(t, l, "m", 2)
}

// TestHandleLateAndCorrected checks the handler through late reports and
// corrections: a warm cache that holds too little reads the history.
func TestHandleLateAndCorrected(t *testing.T) {
	ctx := context.Background()
	l := openLog(t)
	h := NewHandler(l, eventlog.Main())
	h.Tail = 2
	named := act("m", 18, "trump", "USA", &events.MeetingScheduled{Date: events.OneDay(events.Date(2025, 10, 30))})
	named.RefName = "date"
	batch := steps(declare("m"), act("m", 16, "trump", "USA", &events.MeetingProposed{}), named,
		say("m", 19, "peskov", "RUS"), say("m", 20, "peskov", "RUS"), say("m", 21, "lavrov", "RUS"),
		say("m", 21, "putin", "RUS"), say("m", 21, "trump", "USA"), say("m", 21, "rubio", "USA"))
	if _, err := h.HandleAll(ctx, Batch{Steps: batch}); err != nil {
		t.Fatal(err)
	}
	// A late acceptance, dated before the cached tail: the handler reads
	// the history.
	late := act("m", 17, "putin", "RUS", &events.MeetingAccepted{})
	late.Reported = events.Date(2025, 10, 22)
	res := handle(t, h, late)
	if res.Loads != 1 || len(res.Events) != 1 {
		t.Errorf("late acceptance: %d loads, %d events; want 1 and 1", res.Loads, len(res.Events))
	}
	// A late holding before the scheduled date's event stands... and is
	// refused, as held before a later scheduling breaks the rules.
	held := act("m", 17, "trump", "USA", &events.MeetingHeld{})
	if _, err := h.Handle(ctx, held, Meta{}); !errors.Is(err, aggregates.ErrFinal) {
		t.Errorf("late holding before a scheduling: %v, want ErrFinal", err)
	}
	// A correction of the date.
	fix := act("m", 18, "trump", "USA", &events.MeetingScheduled{Date: events.OneDay(events.Date(2025, 10, 29))})
	fix.Corrects = "date"
	handle(t, h, fix)
	if m := cached(t, h, "m"); m.Date == nil || m.Date.String() != "2025-10-29" || m.Status != aggregates.StatusScheduled {
		t.Errorf("after the correction: %s, date %v", m.Status, m.Date)
	}
	hist, _ := l.Load(ctx, eventlog.Main(), events.Meeting("m"))
	if diff := cmp.Diff(aggregates.Fold(hist.Events), cached(t, h, "m"), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("cached state differs from the fold of the history (-fold +cached):\n%s", diff)
	}
	// The ref name is taken now.
	again := act("m", 23, "trump", "USA", &events.MeetingFloated{})
	again.RefName = "date"
	if _, err := h.Handle(ctx, again, Meta{}); !errors.Is(err, eventlog.ErrRefTaken) {
		t.Errorf("a second event named date: %v, want ErrRefTaken", err)
	}
}

// TestEventsCarryTheirIdentity checks that every event a handler appends
// carries the identity of what it says ([events.Identity]), which the
// handler computes before it decides: a declaration and its first event,
// later events of several kinds, on main and on a branch.
func TestEventsCarryTheirIdentity(t *testing.T) {
	l := openLog(t)
	ctx := context.Background()
	branch, err := l.Fork(ctx, "what-if", events.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []eventlog.Branch{eventlog.Main(), branch} {
		h := NewHandler(l, b)
		first := say("m-"+b.Name, 17, "peskov", "RUS")
		first.Declare = declare("m-" + b.Name).Declare
		cmds := []aggregates.Command{
			first,
			act("m-"+b.Name, 18, "trump", "USA", &events.MeetingProposed{}),
			say("m-"+b.Name, 19, "lavrov", "RUS"),
		}
		for _, cmd := range cmds {
			res := handle(t, h, cmd)
			for _, e := range res.Events {
				if want := events.Identity(e); e.Key != want {
					t.Errorf("%s %s on %s: key %q, its identity %q", e.Kind(), e.Aggregate, b.Name, e.Key, want)
				}
			}
		}
	}
}
