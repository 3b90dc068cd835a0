package eventlog

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/summit-model/summit/events"
)

func TestSubscriptionStops(t *testing.T) {
	ctx := context.Background()
	l := openLog(t)
	for i := range 3 * readAhead {
		if _, err := l.Append(ctx, 0, declare(events.Main, fmt.Sprintf("m%d", i), 16)); err != nil {
			t.Fatal(err)
		}
	}
	sub, err := l.Subscribe(ctx, BranchSubjects(events.Main), 1)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		r, err := sub.Next(ctx)
		if err != nil || r.Seq != uint64(i+1) {
			t.Fatalf("event %d: seq %d, %v", i+1, r.Seq, err)
		}
	}
	// Stop ends the reading goroutine, though it has read ahead and
	// events are still coming; twice is harmless.
	done := make(chan struct{})
	go func() {
		sub.Stop()
		sub.Stop()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Stop did not return")
	}
	// What was read ahead may still be delivered, then Next says the
	// subscription has stopped, at once.
	for range 3*readAhead + 1 {
		if _, err = sub.Next(ctx); err != nil {
			break
		}
	}
	if err == nil {
		t.Fatal("Next after Stop kept delivering")
	}
	// A context that ends stops a wait for an event that never comes.
	sub, err = l.Subscribe(ctx, BranchSubjects("nothing"), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Stop()
	wctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := sub.Next(wctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Next with no events: %v, want the deadline", err)
	}
}
