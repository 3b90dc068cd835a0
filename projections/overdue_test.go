package projections_test

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
)

// clock is a clock the test moves on, counting how often it is read.
type clock struct {
	mu    sync.Mutex
	now   time.Time
	reads atomic.Int64
}

func (c *clock) Now() time.Time {
	c.reads.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// waitReads waits until the clock has been read n more times: the live
// runner reads it each time it has waited its Idle for an event.
func (c *clock) waitReads(t *testing.T, ctx context.Context, n int64) {
	t.Helper()
	want := c.reads.Load() + n
	for c.reads.Load() < want {
		select {
		case <-ctx.Done():
			t.Fatalf("the runner read its clock %d times, want %d: %v", c.reads.Load(), want, ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// TestRunnerTurnsOverdueInTime checks that a live runner turns a view
// overdue on the day its deadline passes, with no event: a watcher of the
// bucket sees that one change, that day, with the deadline passing as its
// cause; and not before, nor again the day after.
func TestRunnerTurnsOverdueInTime(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	r := newLiveRig(t)
	main := eventlog.Main()
	// Proposed on the 16th within 14 days: the deadline is the 30th.
	r.do(main, "summit", 16, "trump", &events.MeetingProposed{Venue: "Budapest", Within: &events.Span{Days: 14}})

	clk := &clock{now: time.Date(2025, 10, 20, 12, 0, 0, 0, time.UTC)}
	kv, err := r.js.KeyValue(ctx, projections.MeetingBucket)
	if err != nil {
		t.Fatal(err)
	}
	w, err := kv.Watch(ctx, projections.Key(events.Main, "summit"))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	var (
		mu      sync.Mutex
		written []projections.View
	)
	go func() {
		for e := range w.Updates() {
			if e == nil {
				continue
			}
			var v projections.View
			if err := json.Unmarshal(e.Value(), &v); err != nil {
				t.Errorf("view: %v", err)
				continue
			}
			mu.Lock()
			written = append(written, v)
			mu.Unlock()
		}
	}()
	views := func() []projections.View {
		mu.Lock()
		defer mu.Unlock()
		return append([]projections.View(nil), written...)
	}
	waitViews := func(n int) []projections.View {
		t.Helper()
		for {
			if vs := views(); len(vs) >= n {
				return vs
			}
			select {
			case <-ctx.Done():
				t.Fatalf("%d views written, want %d: %+v", len(views()), n, views())
			case <-time.After(5 * time.Millisecond):
			}
		}
	}

	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- projections.NewRunner(r.log, r.store, main, projections.RunnerOptions{Now: clk.Now, Idle: 10 * time.Millisecond}).Run(runCtx)
	}()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("runner: %v", err)
		}
	}()
	first := waitViews(1)[0]
	if first.Overdue || first.AsOf != "2025-10-20" {
		t.Fatalf("on the 20th: overdue %v as of %s, want not overdue as of 2025-10-20", first.Overdue, first.AsOf)
	}

	// The 30th, the deadline's own day: nothing changes.
	clk.set(time.Date(2025, 10, 30, 23, 59, 0, 0, time.UTC))
	clk.waitReads(t, ctx, 5)
	if vs := views(); len(vs) != 1 {
		t.Fatalf("on the deadline's day the view was written again: %+v", vs[1:])
	}

	// Past midnight, the 31st: the deadline has passed.
	clk.set(time.Date(2025, 10, 31, 0, 5, 0, 0, time.UTC))
	vs := waitViews(2)
	v := vs[1]
	if !v.Overdue || v.AsOf != "2025-10-31" {
		t.Errorf("on the 31st: overdue %v as of %s, want overdue as of 2025-10-31", v.Overdue, v.AsOf)
	}
	if c := v.Cause; c == nil || c.Kind != projections.KindDeadlinePassed || c.At.String() != "2025-10-30" {
		t.Errorf("cause %+v, want the deadline of 2025-10-30 passing", v.Cause)
	}
	if v.Seq != first.Seq {
		t.Errorf("seq %d, want %d: no event was folded", v.Seq, first.Seq)
	}
	changes := projections.Changes(&first, &v)
	if len(changes) != 1 || changes[0].String() != "overdue false -> true" {
		t.Errorf("changes %v, want overdue false -> true alone", changes)
	}

	// The day after: still overdue, nothing written again.
	clk.set(time.Date(2025, 11, 1, 9, 0, 0, 0, time.UTC))
	clk.waitReads(t, ctx, 5)
	if vs := views(); len(vs) != 2 {
		t.Errorf("the view was written again after it turned overdue: %+v", vs[2:])
	}
}

// TestRunnerTurnsOverdueAfterARestart checks that a runner started after
// its day moved on (a server down over midnight) writes again the views
// whose deadline passed meanwhile: a watcher sees the change, once.
func TestRunnerTurnsOverdueAfterARestart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	r := newLiveRig(t)
	main := eventlog.Main()
	r.do(main, "summit", 16, "trump", &events.MeetingProposed{Venue: "Budapest", Within: &events.Span{Days: 14}})
	clk := &clock{now: time.Date(2025, 10, 20, 12, 0, 0, 0, time.UTC)}
	if err := projections.NewRunner(r.log, r.store, main, projections.RunnerOptions{Now: clk.Now}).CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if v := r.stored(events.Main)["summit"]; v.Overdue || v.AsOf != "2025-10-20" {
		t.Fatalf("on the 20th: overdue %v as of %s", v.Overdue, v.AsOf)
	}

	// Down until the 31st: started again, the runner sees the deadline
	// of the 30th passed.
	clk.set(time.Date(2025, 10, 31, 8, 0, 0, 0, time.UTC))
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- projections.NewRunner(r.log, r.store, main, projections.RunnerOptions{Now: clk.Now, Idle: 10 * time.Millisecond}).Run(runCtx)
	}()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("runner: %v", err)
		}
	}()
	for {
		v := r.stored(events.Main)["summit"]
		if v.Overdue {
			if v.AsOf != "2025-10-31" || v.Cause == nil || v.Cause.Kind != projections.KindDeadlinePassed {
				t.Errorf("after the restart: as of %s, cause %+v; want as of 2025-10-31, the deadline passing", v.AsOf, v.Cause)
			}
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the view was not written overdue after the restart: %+v", v)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// TestWatchShowsADeadlinePassing checks what a watch shows when a live
// runner turns a view overdue with no event: one change of the meeting,
// overdue false -> true, judged as of the day after the deadline (the
// first day it has passed), with the deadline's passing as its cause.
func TestWatchShowsADeadlinePassing(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	r := newLiveRig(t)
	main := eventlog.Main()
	// Proposed on the 16th within 14 days: the deadline is the 30th.
	r.do(main, "summit", 16, "trump", &events.MeetingProposed{Venue: "Budapest", Within: &events.Span{Days: 14}})
	clk := &clock{now: time.Date(2025, 10, 29, 12, 0, 0, 0, time.UTC)}

	w := r.watch(ctx, main, projections.WatchOptions{KeepLive: true, Now: clk.Now, Runner: projections.RunnerOptions{Now: clk.Now, Idle: 10 * time.Millisecond}})
	w.waitFor(ctx, "live line", func(l projections.WatchLine) bool { return l.Type == "live" })
	if first := w.printed("")[0]; first.Type != "state" || first.Overdue || first.AsOf != "2025-10-29" {
		t.Errorf("first line %+v, want the summit's state, not overdue, as of 2025-10-29", first)
	}

	clk.set(time.Date(2025, 10, 31, 0, 5, 0, 0, time.UTC))
	w.waitFor(ctx, "change", func(l projections.WatchLine) bool { return l.Type == "change" })
	// Then a day more: nothing more to show.
	clk.set(time.Date(2025, 11, 1, 9, 0, 0, 0, time.UTC))
	clk.waitReads(t, ctx, 10)
	cs := w.printed("change")
	if len(cs) != 1 {
		t.Fatalf("%d changes, want 1: %+v", len(cs), cs)
	}
	c := cs[0]
	if c.Meeting != "summit" || !c.Overdue || c.AsOf != "2025-10-31" {
		t.Errorf("change of %s, overdue %v, as of %s; want the summit overdue as of 2025-10-31", c.Meeting, c.Overdue, c.AsOf)
	}
	if c.Cause == nil || c.Cause.Kind != projections.KindDeadlinePassed || c.Cause.At.String() != "2025-10-30" {
		t.Errorf("cause %+v, want the deadline of 2025-10-30 passing", c.Cause)
	}
	if len(c.Changes) != 1 || c.Changes[0].String() != "overdue false -> true" {
		t.Errorf("changes %v, want overdue false -> true alone", c.Changes)
	}
}
