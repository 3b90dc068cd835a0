package eventlog

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/natstest"
)

// BenchmarkInspect measures the check every verb runs on open, on a log of
// 20,000 events of 2,000 meetings (ten each), all on main: counted, not
// listed.
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
		if err := in.Err(); err != nil || in.MainMsgs != 20000 {
			b.Fatal(fmt.Sprint(in.MainMsgs), err)
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
	onBranch(t, l, "what-if", "m0")
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

// TestInspectCountsALargeLog checks the check on open of a log of more
// subjects than it lists: main and each branch are counted, and the
// listing is taken only when they do not account for every event, to name
// what does not.
func TestInspectCountsALargeLog(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, l *Log)
		listed bool
		want   string // the kind of damage found, if any
	}{
		{name: "intact"},
		{name: "a forged subject", listed: true, damage: func(t *testing.T, l *Log) {
			if _, err := l.js.Publish(ctx, "summit.ev.nonsense", []byte("not an event")); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "more branches than are counted one by one", listed: true, damage: func(t *testing.T, l *Log) {
			for i := range maxCounted {
				onBranch(t, l, "b"+strconv.Itoa(i), "m1")
			}
		}},
		{name: "a branch deleted", damage: func(t *testing.T, l *Log) {
			onBranch(t, l, "gone", "m1")
			if err := l.DeleteBranch(ctx, "gone"); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "a branch record gone", listed: true, want: "orphaned", damage: func(t *testing.T, l *Log) {
			if err := l.branches.Purge(ctx, "what-if"); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := openLog(t)
			// A declaration a meeting: one-event commands, which go as
			// one fast batch.
			plan := make([]Pending, multiLastChunk+100)
			for i := range plan {
				plan[i].Events = []events.Event{declare(events.Main, "m"+strconv.Itoa(i), 16)}
			}
			if n, err := l.AppendAll(ctx, plan); err != nil {
				t.Fatalf("append: %d: %v", n, err)
			}
			onBranch(t, l, "what-if", "m0")
			if tc.damage != nil {
				tc.damage(t, l)
			}
			main, err := l.Count(ctx, BranchSubjects(events.Main))
			if err != nil {
				t.Fatal(err)
			}
			in, err := l.Inspect(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if in.MainMsgs != main || in.Branches["what-if"] != 1 {
				t.Errorf("counted %d on main and %v on branches, want %d and what-if 1", in.MainMsgs, in.Branches, main)
			}
			if listed := in.Main != nil; listed != tc.listed {
				t.Errorf("listed the subjects: %v, want %v", listed, tc.listed)
			}
			switch err := in.Err(); {
			case tc.want == "" && err != nil:
				t.Errorf("reads as damaged: %v", err)
			case tc.want != "" && (len(in.Damage) != 1 || in.Damage[0].Kind != tc.want):
				t.Errorf("damage %v, want one %q", in.Damage, tc.want)
			}
			if err := l.ListMain(ctx, &in); err != nil || len(in.Main) != multiLastChunk+100 {
				t.Errorf("ListMain: %d subjects on main (%v), want %d", len(in.Main), err, multiLastChunk+100)
			}
		})
	}
}

// onBranch forks branch name from main and appends one statement about
// meeting m on it.
func onBranch(t *testing.T, l *Log, name, m string) {
	t.Helper()
	ctx := context.Background()
	b, err := l.Fork(ctx, name, events.Time{})
	if err != nil {
		t.Fatal(err)
	}
	h, err := l.Load(ctx, b, events.Meeting(m))
	if err != nil {
		t.Fatal(err)
	}
	e := event(b.Name, m, h.Version+1, 20, &events.StatementMade{About: m, Stance: events.StanceSupportive})
	e.Gen = b.Gen
	if _, err := l.Append(ctx, h.Expect, e); err != nil {
		t.Fatal(err)
	}
}
