package projections_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/commands"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
)

// TestWatchShowsALateReportOnce checks that a late report that changes a
// meeting's state (an acceptance of the 17th reported on the 24th, after
// statements of the 22nd and 23rd) updates the live view, and that a watch
// shows that change once, with the late event as its cause, marked late,
// judged as of the event's own date.
func TestWatchShowsALateReportOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	r := newLiveRig(t)
	main := eventlog.Main()
	r.do(main, "summit", 16, "trump", &events.MeetingProposed{Venue: "Budapest", Within: &events.Span{Days: 14}})
	r.do(main, "summit", 22, "peskov", &events.StatementMade{About: "summit", Stance: events.StanceNoncommittal, Claim: "unscheduled"})
	r.do(main, "summit", 23, "lavrov", &events.StatementMade{About: "summit", Stance: events.StanceNoncommittal, Claim: "willing"})
	r.do(main, "other", 16, "trump", &events.MeetingFloated{})

	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		// A tail of one: the late report makes the runner read the
		// meeting's history.
		done <- projections.NewRunner(r.log, r.store, main, projections.RunnerOptions{Tail: 1, Idle: 10 * time.Millisecond}).Run(runCtx)
	}()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("runner: %v", err)
		}
	}()
	last, err := r.log.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.WaitFor(ctx, events.Main, last); err != nil {
		t.Fatal(err)
	}

	var (
		mu    sync.Mutex
		lines []projections.WatchLine
	)
	wctx, wstop := context.WithCancel(ctx)
	wdone := make(chan error, 1)
	go func() {
		wdone <- projections.Watch(wctx, r.log, r.store, main, projections.WatchOptions{}, func(l projections.WatchLine) error {
			mu.Lock()
			defer mu.Unlock()
			lines = append(lines, l)
			return nil
		})
	}()
	defer func() {
		wstop()
		if err := <-wdone; err != nil {
			t.Errorf("watch: %v", err)
		}
	}()
	waitFor := func(what string, ok func(projections.WatchLine) bool) {
		t.Helper()
		for {
			mu.Lock()
			for _, l := range lines {
				if ok(l) {
					mu.Unlock()
					return
				}
			}
			mu.Unlock()
			select {
			case <-ctx.Done():
				t.Fatalf("no %s in the watch: %+v", what, lines)
			case <-time.After(5 * time.Millisecond):
			}
		}
	}
	waitFor("live line", func(l projections.WatchLine) bool { return l.Type == "live" })

	late := aggregates.Command{
		Aggregate: events.Meeting("summit"), At: events.Date(2025, time.October, 17), Reported: events.Date(2025, time.October, 24),
		By: "putin", Party: "RUS", Payload: &events.MeetingAccepted{},
	}
	if _, err := commands.NewHandler(r.log, main).Handle(ctx, late, commands.Meta{}); err != nil {
		t.Fatal(err)
	}
	// An event on another meeting after it: once its change is seen,
	// every change the late report made has been.
	r.do(main, "other", 25, "trump", &events.MeetingProposed{})
	waitFor("change of the other meeting", func(l projections.WatchLine) bool { return l.Type == "change" && l.Meeting == "other" })

	mu.Lock()
	defer mu.Unlock()
	var changes []projections.WatchLine
	for _, l := range lines {
		if l.Type == "change" && l.Meeting == "summit" {
			changes = append(changes, l)
		}
	}
	if len(changes) != 1 {
		t.Fatalf("%d changes of the summit, want 1: %+v", len(changes), changes)
	}
	c := changes[0]
	if c.Cause == nil || c.Cause.Kind != events.KindMeetingAccepted || !c.Cause.Late || c.Cause.At.String() != "2025-10-17" {
		t.Errorf("cause %+v, want the acceptance of the 17th, late", c.Cause)
	}
	var got []string
	for _, ch := range c.Changes {
		got = append(got, ch.String())
	}
	if want := "status proposed -> agreed; accepted USA -> RUS, USA"; strings.Join(got, "; ") != want {
		t.Errorf("changes %q, want %q", strings.Join(got, "; "), want)
	}
	if c.AsOf != "2025-10-17" || c.Overdue {
		t.Errorf("judged as of %s, overdue %v; want as of the event's date, 2025-10-17, not overdue", c.AsOf, c.Overdue)
	}
	if c.Status != string(aggregates.StatusAgreed) {
		t.Errorf("status %s, want agreed", c.Status)
	}
}
