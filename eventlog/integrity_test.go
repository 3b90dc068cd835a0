package eventlog

import (
	"context"
	"fmt"
	"testing"

	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/natstest"
)

// BenchmarkInspect measures the check every verb runs on open, on a log of
// 20,000 events of 2,000 meetings (ten each), all on main.
func BenchmarkInspect(b *testing.B) {
	ctx := context.Background()
	js := natstest.JetStream(b, natstest.Start(b))
	l, err := Open(ctx, js, Options{})
	if err != nil {
		b.Fatal(err)
	}
	if n, err := l.AppendAll(ctx, bulkPlan(18000, 2000)); err != nil {
		b.Fatalf("append: %d: %v", n, err)
	}
	for b.Loop() {
		in, err := l.Inspect(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if err := in.Err(); err != nil || len(in.Main) != 2000 {
			b.Fatal(fmt.Sprint(len(in.Main)), err)
		}
	}
}

// TestInspectAnIntactLog checks that an intact log with a branch, a
// malformed message and a forged subject reads as intact: a poison
// message is the projections' to quarantine, not a loss.
func TestInspectAnIntactLog(t *testing.T) {
	ctx := context.Background()
	l := openLog(t)
	if n, err := l.AppendAll(ctx, bulkPlan(30, 5)); err != nil {
		t.Fatalf("append: %d: %v", n, err)
	}
	b, err := l.Fork(ctx, "what-if", events.Time{})
	if err != nil {
		t.Fatal(err)
	}
	h, err := l.Load(ctx, b, events.Meeting("m0"))
	if err != nil {
		t.Fatal(err)
	}
	e := event(b.Name, "m0", h.Version+1, 20, &events.StatementMade{About: "m0", Stance: events.StanceSupportive})
	e.Gen = b.Gen
	if _, err := l.Append(ctx, h.Expect, e); err != nil {
		t.Fatal(err)
	}
	for _, subject := range []string{"summit.ev.main.meeting.m1", "summit.ev.nonsense"} {
		if _, err := l.js.Publish(ctx, subject, []byte("not an event")); err != nil {
			t.Fatal(err)
		}
	}
	in, err := l.Inspect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := in.Err(); err != nil {
		t.Fatalf("an intact log reads as damaged: %v", err)
	}
}
