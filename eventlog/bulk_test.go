package eventlog

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

import "github.com/summit-model/summit/events"

// plan returns n commands over m meetings: each meeting's declaration, then
// floats, round robin.
func plan(n, m int) []Pending {
	var out []Pending
	versions := map[string]uint64{}
	for i := range n {
		id := fmt.Sprintf("m%d", i%m)
		versions[id]++
		var e events.Event
		if versions[id] == 1 {
			e = declare(events.Main, id, 16)
		} else {
			e = event(events.Main, id, versions[id], 16, &events.MeetingFloated{})
		}
		out = append(out, Pending{Events: []events.Event{e}})
	}
	return out
}

func TestAppendAll(t *testing.T) {
	ctx := context.Background()
	l := openLog(t)
	cmds := plan(10_000, 37)
	// One command of two events, in the middle.
	cmds = append(cmds[:5000:5000], append([]Pending{{Events: []events.Event{
		declare(events.Main, "pair", 16), event(events.Main, "pair", 2, 16, &events.MeetingFloated{}),
	}}}, cmds[5000:]...)...)
	n, err := l.AppendAll(ctx, cmds)
	if err != nil || n != len(cmds) {
		t.Fatalf("AppendAll = %d, %v; want %d", n, err, len(cmds))
	}
	last, _ := l.LastSeq(ctx)
	if last != uint64(len(cmds)+1) {
		t.Errorf("log holds %d events, want %d", last, len(cmds)+1)
	}
	for _, id := range []string{"m0", "m36", "pair"} {
		h, err := l.Load(ctx, Main(), events.Meeting(id))
		if err != nil {
			t.Fatal(err)
		}
		for i, e := range h.Events {
			if e.Version != uint64(i+1) {
				t.Fatalf("%s: event %d has version %d", id, i, e.Version)
			}
		}
	}
	// Appending the same commands again (a retry) stores nothing new, and
	// is refused: the subjects have moved on.
	if _, err := l.AppendAll(ctx, cmds[:10]); !errors.Is(err, ErrConflict) {
		t.Errorf("second AppendAll = %v, want ErrConflict", err)
	}
	if again, _ := l.LastSeq(ctx); again != last {
		t.Errorf("second AppendAll stored %d more events", again-last)
	}
}

func TestAppendAllStopsAtAConflict(t *testing.T) {
	ctx := context.Background()
	l := openLog(t)
	if _, err := l.Append(ctx, 0, declare(events.Main, "taken", 1)); err != nil {
		t.Fatal(err)
	}
	cmds := plan(3000, 10)
	// Command 1500 declares a meeting that another writer declared first:
	// its expectation (an empty subject) is stale.
	cmds[1500] = Pending{Events: []events.Event{declare(events.Main, "taken", 16)}}
	n, err := l.AppendAll(ctx, cmds)
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("AppendAll = %d, %v; want ErrConflict", n, err)
	}
	if n != 1500 {
		t.Errorf("AppendAll landed %d commands, want the 1500 before the conflict", n)
	}
	last, _ := l.LastSeq(ctx)
	if last != 1501 {
		t.Errorf("log holds %d events, want 1501: nothing after the conflict lands", last)
	}
}

func TestAppendAllWithAForeignWriter(t *testing.T) {
	// Another writer appends while AppendAll pipelines: whatever AppendAll
	// reports as landed is on record, and nothing after it is.
	ctx := context.Background()
	l := openLog(t)
	cmds := plan(20_000, 50)
	done := make(chan struct{})
	go func() {
		defer close(done)
		// Start once the pipeline is under way.
		for {
			last, err := l.LastSeq(ctx)
			if err != nil {
				t.Error(err)
				return
			}
			if last >= 2000 {
				break
			}
		}
		for i := range 200 {
			if _, err := l.Append(ctx, 0, declare(events.Main, fmt.Sprintf("foreign-%d", i), 16)); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	n, err := l.AppendAll(ctx, cmds)
	<-done
	if err != nil && !errors.Is(err, ErrConflict) {
		t.Fatalf("AppendAll: %v", err)
	}
	ours := map[string]bool{}
	for _, c := range cmds {
		ours[c.Events[0].ID.String()] = true
	}
	var landed []string
	if err := l.Read(ctx, BranchSubjects(events.Main), 1, 0, func(r Record) error {
		if ours[r.Event.ID.String()] {
			landed = append(landed, r.Event.ID.String())
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(landed) != n {
		t.Fatalf("AppendAll reported %d commands landed; the log holds %d of them", n, len(landed))
	}
	for i, id := range landed {
		if id != cmds[i].Events[0].ID.String() {
			t.Fatalf("landed event %d is not command %d: not a prefix in order", i, i)
		}
	}
	if n < 2000 || n == len(cmds) {
		t.Errorf("%d of %d commands landed: the foreign writer should have broken the chain after 2000", n, len(cmds))
	}
}

// TestAppendAllSince appends a plan read after the stream ended at since:
// where it still ends there, the aggregates' subjects are not checked (no
// message carries the header) and everything lands; where another writer
// appended after since, to an aggregate of the plan, its stale expectation
// is caught, as AppendAll catches it.
func TestAppendAllSince(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		foreign bool // another writer appends to m2 after since
		checked bool // the subjects are checked
		landed  int
	}{
		{"nothing landed since", false, false, 300},
		{"another writer moved an aggregate on", true, true, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := openLog(t)
			if _, err := l.AppendAll(ctx, plan(20, 10)); err != nil {
				t.Fatal(err)
			}
			since, err := l.LastSeq(ctx)
			if err != nil {
				t.Fatal(err)
			}
			// The plan's next 300 commands, each expecting where its
			// meeting's subject was at since.
			cmds := plan(320, 10)[20:]
			for i := range cmds {
				cmds[i].Expect = uint64(i%10 + 11) // m0..m9's seconds landed at 11..20
			}
			if tt.foreign {
				if _, err := l.Append(ctx, 13, event(events.Main, "m2", 3, 17, &events.MeetingFloated{})); err != nil {
					t.Fatal(err)
				}
			}
			n, err := l.AppendAllSince(ctx, since, cmds)
			if n != tt.landed || (err != nil) != tt.foreign || err != nil && !errors.Is(err, ErrConflict) {
				t.Fatalf("AppendAllSince = %d, %v; want %d landed", n, err, tt.landed)
			}
			m, err := l.stream.GetMsg(ctx, since+1+boolSeq(tt.foreign))
			if err != nil {
				t.Fatal(err)
			}
			if got := m.Header.Get("Nats-Expected-Last-Subject-Sequence") != ""; got != tt.checked {
				t.Errorf("the first message checks its subject: %v, want %v", got, tt.checked)
			}
		})
	}
}

func boolSeq(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}
