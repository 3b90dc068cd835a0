package projections_test

import (
	"context"
	"slices"
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

	w := r.watch(ctx, main, projections.WatchOptions{})
	w.waitFor(ctx, "live line", func(l projections.WatchLine) bool { return l.Type == "live" })

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
	w.waitFor(ctx, "change of the other meeting", func(l projections.WatchLine) bool { return l.Type == "change" && l.Meeting == "other" })

	var changes []projections.WatchLine
	for _, l := range w.printed("change") {
		if l.Meeting == "summit" {
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

// watching is a watch a test runs in the background, keeping every line
// it prints.
type watching struct {
	t     *testing.T
	mu    sync.Mutex
	lines []projections.WatchLine
	stop  func()
}

// watch starts a watch of branch b with o; it ends when the test does, or
// at stop, and its error fails the test.
func (r *liveRig) watch(ctx context.Context, b eventlog.Branch, o projections.WatchOptions) *watching {
	r.t.Helper()
	w := &watching{t: r.t}
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- projections.Watch(wctx, r.log, r.store, b, o, func(l projections.WatchLine) error {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.lines = append(w.lines, l)
			return nil
		})
	}()
	var once sync.Once
	w.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				r.t.Errorf("watch: %v", err)
			}
		})
	}
	r.t.Cleanup(w.stop)
	return w
}

// printed returns the lines printed so far of type typ ("" for all).
func (w *watching) printed(typ string) []projections.WatchLine {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []projections.WatchLine
	for _, l := range w.lines {
		if typ == "" || l.Type == typ {
			out = append(out, l)
		}
	}
	return out
}

// waitFor waits until a line printed satisfies ok, or ctx ends.
func (w *watching) waitFor(ctx context.Context, what string, ok func(projections.WatchLine) bool) {
	w.t.Helper()
	for {
		if slices.ContainsFunc(w.printed(""), ok) {
			return
		}
		select {
		case <-ctx.Done():
			w.t.Fatalf("no %s in the watch: %+v", what, w.printed(""))
		case <-time.After(5 * time.Millisecond):
		}
	}
}
