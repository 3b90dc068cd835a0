package eventlog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/summit-model/summit/embedded"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/natstest"
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

// TestLoadAfter reads the events of a meeting after a stream sequence, as
// a reader that holds a snapshot there does: asking for the subject's
// last message (LoadAfter), or trusting where the snapshot says the
// subject stood (LoadSince with the tip at after).
func TestLoadAfter(t *testing.T) {
	ctx := context.Background()
	l := openLog(t)
	var seqs []uint64
	expect := uint64(0)
	for v := uint64(1); v <= 5; v++ {
		e := declare(events.Main, "m", 16)
		if v > 1 {
			e = event(events.Main, "m", v, 16+int(v), &events.MeetingFloated{})
		}
		seq, err := l.Append(ctx, expect, e)
		if err != nil {
			t.Fatal(err)
		}
		seqs, expect = append(seqs, seq), seq
		// Another meeting's events between: not m's.
		if _, err := l.Append(ctx, 0, declare(events.Main, fmt.Sprintf("other%d", v), 16)); err != nil {
			t.Fatal(err)
		}
	}
	// tipAt is where m's subject stood at after, as a snapshot there lists it.
	tipAt := func(after uint64) Tip {
		var tip Tip
		for i, seq := range seqs {
			if seq <= after {
				tip = Tip{Seq: seq, Version: uint64(i + 1)}
			}
		}
		return tip
	}
	loaders := map[string]func(after uint64) (History, error){
		"LoadAfter": func(after uint64) (History, error) { return l.LoadAfter(ctx, Main(), events.Meeting("m"), after) },
		"LoadSince": func(after uint64) (History, error) {
			return l.LoadSince(ctx, Main(), events.Meeting("m"), after, tipAt(after))
		},
	}
	tests := []struct {
		after   uint64
		want    int
		version uint64
	}{
		{0, 5, 5},
		{seqs[2], 2, 5},
		{seqs[2] + 1, 2, 5},
		{seqs[4], 0, 5},
		{seqs[4] + 100, 0, 5},
	}
	for name, load := range loaders {
		for _, tt := range tests {
			h, err := load(tt.after)
			if err != nil {
				t.Fatal(err)
			}
			if len(h.Events) != tt.want || h.Expect != seqs[4] || h.Version != tt.version {
				t.Errorf("%s after %d: %d events, expect %d, version %d; want %d, %d, %d", name, tt.after, len(h.Events), h.Expect, h.Version, tt.want, seqs[4], tt.version)
			}
			if tt.want > 0 && h.Events[0].Version != uint64(6-tt.want) {
				t.Errorf("%s after %d: first event is version %d", name, tt.after, h.Events[0].Version)
			}
		}
	}
	h, err := l.LoadAfter(ctx, Main(), events.Meeting("nobody"), 0)
	if err != nil || len(h.Events) != 0 || h.Expect != 0 || h.Version != 0 {
		t.Errorf("a meeting with no events: %+v, %v", h, err)
	}
	// With nothing after, LoadSince answers from the tip it is given,
	// without asking the server: a wrong one comes back as it was given
	// (an append that expects it meets a conflict).
	wrong := Tip{Seq: seqs[1], Version: 2}
	if h, err := l.LoadSince(ctx, Main(), events.Meeting("m"), seqs[4], wrong); err != nil || len(h.Events) != 0 || h.Expect != wrong.Seq || h.Version != wrong.Version {
		t.Errorf("LoadSince with a tip behind the subject's last event: %d events, expect %d, version %d, %v; want none and the tip", len(h.Events), h.Expect, h.Version, err)
	}
}

// TestDeliveredGivesUpWhenNoServerAnswers asks a subscription what the
// server has delivered while no server answers (the server that held its
// consumer stopped with the request): Delivered is unavailable after the
// log's timeout, however long its context lasts, and the subscription then
// reads on. A runner's context has no deadline: a wait on it for a lost
// answer never ends.
func TestDeliveredGivesUpWhenNoServerAnswers(t *testing.T) {
	ctx := context.Background()
	gate := natstest.NewGate(t, natstest.Connect(t, natstest.Start(t)))
	l, err := Open(ctx, gate.JetStream(t), Options{Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(ctx, 0, declare(events.Main, "m1", 16)); err != nil {
		t.Fatal(err)
	}
	sub, err := l.Subscribe(ctx, BranchSubjects(events.Main), 1)
	if err != nil {
		t.Fatal(err)
	}
	// Not stopped while Delivered may wait: Stop would wait with it.
	if r, err := sub.Next(ctx); err != nil || r.Seq != 1 {
		t.Fatalf("first event: seq %d, %v", r.Seq, err)
	}
	gate.Drop(func(api string) bool { return strings.HasPrefix(api, "CONSUMER.INFO.") })
	wantUnavailable(t, "Delivered", func() error {
		_, _, err := sub.Delivered(ctx)
		return err
	})
	defer sub.Stop()
	gate.Drop(nil)
	if _, err := l.Append(ctx, 0, declare(events.Main, "m2", 16)); err != nil {
		t.Fatal(err)
	}
	nctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if r, err := sub.Next(nctx); err != nil || r.Seq != 2 {
		t.Fatalf("next event: seq %d, %v", r.Seq, err)
	}
	if pending, last, err := sub.Delivered(ctx); err != nil || pending != 0 || last != 2 {
		t.Errorf("Delivered: %d pending, last %d, %v; want 0, 2", pending, last, err)
	}
}

// TestReadersGiveUpWhenNoServerAnswers: a subscription, and a watch of
// branch activity, whose consumer the server does not make (it stopped
// with the request) are unavailable after the log's timeout, not after
// the client's default of 5 seconds, however long their context lasts.
func TestReadersGiveUpWhenNoServerAnswers(t *testing.T) {
	ctx := context.Background()
	l := gated(t, natstest.Start(t), func(api string) bool { return strings.HasPrefix(api, "CONSUMER.CREATE.") })
	wantEachUnavailable(t, []namedRead{
		{"Subscribe", func() error {
			sub, err := l.Subscribe(ctx, BranchSubjects(events.Main), 1)
			if err == nil {
				sub.Stop()
			}
			return err
		}},
		{"WatchActivity", func() error {
			return l.WatchActivity(ctx, 1, func(Activity) error { return nil })
		}},
	})
}

// gated opens a log on s through a gate that swallows, from the start,
// the API requests drop matches; its timeout is 200 ms.
func gated(t *testing.T, s *embedded.Server, drop func(api string) bool) *Log {
	t.Helper()
	gate := natstest.NewGate(t, natstest.Connect(t, s))
	l, err := Open(context.Background(), gate.JetStream(t), Options{Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	gate.Drop(drop)
	return l
}

// namedRead is a read a test runs against a server that does not answer.
type namedRead struct {
	name string
	read func() error
}

// wantEachUnavailable runs each read and wants ErrUnavailable of it, within
// a few times the gated log's timeout (the client's own default is 5 s).
func wantEachUnavailable(t *testing.T, reads []namedRead) {
	t.Helper()
	for _, r := range reads {
		start := time.Now()
		if err := r.read(); !errors.Is(err, ErrUnavailable) {
			t.Errorf("%s with no answer: %v, want ErrUnavailable", r.name, err)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("%s gave up after %s, want about the log's timeout (200ms)", r.name, took.Round(time.Millisecond))
		}
	}
}

// TestReadableTellsSlowFromDamaged checks the probe a stalled subscription
// makes before it calls the store damaged: on a whole store, the event
// after the last one delivered reads by itself (the server was slow); a
// damaged store's does not (TestReadsOfADamagedStoreEnd, in projections,
// damages one).
func TestReadableTellsSlowFromDamaged(t *testing.T) {
	ctx := context.Background()
	l := openLog(t)
	for i, m := range []string{"m1", "m2", "m3"} {
		if _, err := l.Append(ctx, 0, declare(events.Main, m, 16+i)); err != nil {
			t.Fatal(err)
		}
	}
	sub, err := l.Subscribe(ctx, BranchSubjects(events.Main), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Stop()
	if r, err := sub.Next(ctx); err != nil || r.Seq != 1 {
		t.Fatalf("first event: seq %d, %v", r.Seq, err)
	}
	if !sub.readable(ctx) {
		t.Error("the event after the first does not read by itself on a whole store")
	}
	sub.seq = 3 // as if the last were delivered: nothing after it
	if sub.readable(ctx) {
		t.Error("an event after the last reads")
	}
}

// TestDirectGetsGiveUpWhenNoServerAnswers: the readers built on batched
// direct gets meet a server that takes their requests and answers none.
// The client's iterator then ends as an answer with no message would: each
// reader must say the store did not answer, not read that as an empty
// history, an empty bucket, a count of 0 or a log whose events are lost.
func TestDirectGetsGiveUpWhenNoServerAnswers(t *testing.T) {
	ctx := context.Background()
	s := natstest.Start(t)
	direct, err := Open(ctx, natstest.JetStream(t, s), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := direct.Append(ctx, 0, declare(events.Main, fmt.Sprintf("m%d", i), 16)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := direct.Fork(ctx, "what-if", events.Time{}); err != nil {
		t.Fatal(err)
	}
	l := gated(t, s, func(api string) bool { return strings.HasPrefix(api, "DIRECT.GET.") })
	wantEachUnavailable(t, []namedRead{
		{"Load", func() error {
			h, err := l.Load(ctx, Main(), events.Meeting("m1"))
			if err == nil {
				return fmt.Errorf("a history of %d events, no error", len(h.Events))
			}
			return err
		}},
		{"First", func() error {
			_, found, err := l.First(ctx, events.Meeting("m1"))
			if err == nil {
				return fmt.Errorf("found %v, no error", found)
			}
			return err
		}},
		{"LatestValues", func() error {
			// Bounded by its caller, as the check on open bounds it.
			rctx, cancel := l.request(ctx)
			defer cancel()
			vs, _, err := LatestValues(rctx, l.js, BranchBucket, ">", 0)
			if err == nil {
				return fmt.Errorf("%d values, no error", len(vs))
			}
			return err
		}},
		{"ReadAll", func() error {
			unreadable, err := l.ReadAll(ctx, func(Record) error { return nil })
			if err == nil {
				return fmt.Errorf("%d events unreadable, no error", len(unreadable))
			}
			return err
		}},
		{"Inspect", func() error {
			in, err := l.Inspect(ctx)
			if err == nil {
				return fmt.Errorf("damage %v, no error", in.Damage)
			}
			return err
		}},
	})
}
