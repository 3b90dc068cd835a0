package projections_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
)

// TestPoisonIsQuarantined puts, on a live projection's subjects, what no
// command would append: bytes that are no event, and a valid meeting.held
// of a meeting never declared. Given a live runner of main, when they
// arrive between two valid commands, then the runner goes on (it used to
// restart every second, for ever), each is a dead letter with its
// sequence and its error, no meeting shows with an empty id or the
// undeclared one's, the meetings after them are live, and Verify lists
// the dead letters and finds nothing else wrong.
func TestPoisonIsQuarantined(t *testing.T) {
	r := newLiveRig(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	main := eventlog.Main()
	r.do(main, "summit", 16, "trump", &events.MeetingFloated{})

	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- projections.NewRunner(r.log, r.store, main, projections.RunnerOptions{Idle: 100 * time.Millisecond}).Run(runCtx)
	}()

	ack, err := r.js.Publish(ctx, eventlog.Subject(events.Main, events.Meeting("garbage")), []byte(`{"not":"an event"`))
	if err != nil {
		t.Fatal(err)
	}
	bad := ack.Sequence
	held := events.Event{ID: events.NewID(), Aggregate: events.Meeting("ghost"), Version: 1, At: events.Date(2025, time.October, 20),
		By: "trump", Party: "USA", Branch: events.Main, Payload: &events.MeetingHeld{}}
	data, err := events.Marshal(held)
	if err != nil {
		t.Fatal(err)
	}
	ack, err = r.js.Publish(ctx, eventlog.Subject(events.Main, held.Aggregate), data)
	if err != nil {
		t.Fatal(err)
	}
	ghost := ack.Sequence
	r.do(main, "after", 21, "putin", &events.MeetingFloated{})
	last, err := r.log.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.WaitFor(ctx, events.Main, last); err != nil {
		t.Fatalf("the projection did not get past the poison: %v", err)
	}
	select {
	case err := <-done:
		t.Fatalf("the runner stopped on a poison message: %v", err)
	default:
	}
	stop()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("runner: %v", err)
	}

	views := r.stored(events.Main)
	for _, id := range []string{"", "ghost", "garbage"} {
		if _, ok := views[id]; ok {
			t.Errorf("the board shows a meeting %q", id)
		}
	}
	for _, id := range []string{"summit", "after"} {
		if _, ok := views[id]; !ok {
			t.Errorf("meeting %s is not on the board: %v", id, views)
		}
	}
	dls, err := r.store.DeadLetters(ctx, events.Main)
	if err != nil {
		t.Fatal(err)
	}
	got := map[uint64]string{}
	for _, d := range dls {
		got[d.Seq] = d.Error
	}
	if got[bad] == "" || got[ghost] == "" || len(got) != 2 {
		t.Fatalf("dead letters: want seqs %d (malformed) and %d (undeclared), got %+v", bad, ghost, dls)
	}
	t.Logf("dead letters: %d: %s; %d: %s", bad, got[bad], ghost, got[ghost])

	rep, err := projections.Verify(ctx, r.log, r.store)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.DeadLetters) != 2 || len(rep.Problems) != 0 {
		t.Fatalf("verify: want the 2 dead letters and no problem, got %d dead letters, problems %v", len(rep.DeadLetters), rep.Problems)
	}
}
