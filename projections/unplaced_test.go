package projections_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/commands"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/natstest"
	"github.com/summit-model/summit/projections"
)

// TestRunnerDoesNotCheckpointWhatItCouldNotPlace runs a live runner, with
// a tail of one, on a log whose direct gets go unanswered, and appends a
// late report: the runner must read the meeting's history to place it,
// cannot, and stops. Its checkpoint must stay short of the late report
// (it used to save the board's sequence, past it, on the way out: in
// TestClusterLeaderStops, a runner stopped while it read a history left
// the late event out of the views for good). A runner started again
// places it.
func TestRunnerDoesNotCheckpointWhatItCouldNotPlace(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s := natstest.Start(t)
	gate := natstest.NewGate(t, natstest.Connect(t, s))
	gated, err := eventlog.Open(ctx, gate.JetStream(t), eventlog.Options{Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	r := liveRigOn(t, s)
	l, store, main := r.log, r.store, eventlog.Main()
	r.do(main, "summit", 16, "trump", &events.MeetingProposed{Venue: "Budapest", Within: &events.Span{Days: 14}})
	for d := 18; d <= 23; d++ {
		r.do(main, "summit", d, "peskov", &events.StatementMade{About: "summit", Stance: events.StanceNoncommittal, Claim: "unscheduled"})
	}

	start := func(log *eventlog.Log) <-chan error {
		done := make(chan error, 1)
		go func() {
			done <- projections.NewRunner(log, store, main, projections.RunnerOptions{Tail: 1, Idle: 10 * time.Millisecond}).Run(ctx)
		}()
		return done
	}
	waitFor := func(seq uint64) {
		t.Helper()
		if _, err := store.WaitFor(ctx, events.Main, seq); err != nil {
			t.Fatal(err)
		}
	}
	last, err := l.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	done := start(gated)
	waitFor(last)

	gate.Drop(func(api string) bool { return strings.HasPrefix(api, "DIRECT.GET.") })
	late := aggregates.Command{
		Aggregate: events.Meeting("summit"), At: events.Date(2025, time.October, 17), Reported: events.Date(2025, time.October, 24),
		By: "putin", Party: "RUS", Payload: &events.MeetingAccepted{},
	}
	res, err := commands.NewHandler(l, main).Handle(ctx, late, commands.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	lateSeq := res.Seq
	select {
	case err := <-done:
		if !errors.Is(err, eventlog.ErrUnavailable) {
			t.Fatalf("the runner stopped with %v, want the log unavailable", err)
		}
	case <-ctx.Done():
		t.Fatal("the runner did not stop when it could not read the meeting's history")
	}
	cp, err := store.Checkpoint(ctx, events.Main)
	if err != nil {
		t.Fatal(err)
	}
	if cp.Seq >= lateSeq {
		t.Fatalf("checkpoint at %d, past the late report at %d that the runner could not place", cp.Seq, lateSeq)
	}

	gate.Drop(nil)
	done = start(gated)
	waitFor(lateSeq)
	if got := r.stored(events.Main)["summit"].Status; got != aggregates.StatusAgreed {
		t.Errorf("the summit after the runner started again: %s, want agreed", got)
	}
	if same, diff := r.sameAsFold(main); !same {
		t.Error(diff)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
}
