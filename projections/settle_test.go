package projections

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/natstest"
)

// TestSettleAfterAStop checks what a runner stopped in the middle of
// settling its writes (a keeper stopping an idle branch, summit serve
// stopping) owes afterwards: a settle stopped by its context has taken
// some acknowledgements off their futures, and the settle after it (the
// runner's last, on its way out) must not wait for those again. It used
// to, for the client's whole timeout (5 s), holding up the keeper that
// stopped the runner.
func TestSettleAfterAStop(t *testing.T) {
	ctx := context.Background()
	js := natstest.JetStream(t, natstest.Start(t))
	log, err := eventlog.Open(ctx, js, eventlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	store, err := OpenStore(ctx, js, StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r := NewRunner(log, store, eventlog.Main(), RunnerOptions{})
	// A stopped settle takes each acknowledgement that has come, or not,
	// at random: ten rounds of twenty writes all but never miss the case.
	for round := range 10 {
		for i := range 20 {
			subject := eventlog.BucketSubject(MeetingBucket, Key(events.Main, fmt.Sprintf("m%02d", i)))
			if err := r.write(ctx, subject, []byte(`{}`)); err != nil {
				t.Fatal(err)
			}
		}
		select {
		case <-js.PublishAsyncComplete():
		case <-time.After(10 * time.Second):
			t.Fatal("the writes were not acknowledged")
		}
		stopped, stop := context.WithCancel(ctx)
		stop()
		_ = r.settle(stopped) // ctx.Err(), or nil if it took every acknowledgement first
		r.torn = false
		t0 := time.Now()
		if err := r.settle(ctx); err != nil {
			t.Fatalf("round %d: the settle after a stopped one: %v", round, err)
		}
		if d := time.Since(t0); d > time.Second {
			t.Fatalf("round %d: the settle after a stopped one took %s for writes acknowledged already", round, d)
		}
	}
}
