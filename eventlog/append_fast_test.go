package eventlog

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/summit-model/summit/events"
)

func TestAppendAllRetryStoresNothingTwice(t *testing.T) {
	// A bulk append stopped by a conflict, then retried: whole (as a
	// caller that knows nothing does), and from where it stopped.
	ctx := context.Background()
	l := openLog(t)
	if _, err := l.Append(ctx, 0, declare(events.Main, "taken", 1)); err != nil {
		t.Fatal(err)
	}
	cmds := plan(3000, 10)
	cmds[1200] = Pending{Events: []events.Event{declare(events.Main, "taken", 16)}}
	n, err := l.AppendAll(ctx, cmds)
	if !errors.Is(err, ErrConflict) || n != 1200 {
		t.Fatalf("AppendAll = %d, %v; want 1200, ErrConflict", n, err)
	}
	// The same commands again: the first has landed, its meeting's subject
	// moved on, and the batch ends at it.
	again := append([]Pending(nil), cmds...)
	if m, err := l.AppendAll(ctx, again); !errors.Is(err, ErrConflict) || m != 0 {
		t.Errorf("retry of everything = %d, %v; want 0, ErrConflict", m, err)
	}
	if last, _ := l.LastSeq(ctx); last != 1201 {
		t.Fatalf("log holds %d events after the retry, want 1201", last)
	}
	// The commands after the landed prefix, each meeting expecting where
	// its last landed event is, with the refused one dropped: the rest
	// lands once.
	at := map[string]uint64{}
	for _, c := range cmds[:n] {
		at[Subject(events.Main, c.Events[0].Aggregate)] = c.Seq
	}
	rest := cmds[n+1:]
	for i := range rest {
		rest[i].Expect = at[Subject(events.Main, rest[i].Events[0].Aggregate)]
	}
	m, err := l.AppendAll(ctx, rest)
	if err != nil || m != len(rest) {
		t.Fatalf("retry of the rest = %d, %v; want %d", m, err, len(rest))
	}
	if last, _ := l.LastSeq(ctx); last != uint64(1201+len(rest)) {
		t.Errorf("log holds %d events, want %d", last, 1201+len(rest))
	}
	ids := map[string]bool{}
	if err := l.Read(ctx, BranchSubjects(events.Main), 1, 0, func(r Record) error {
		if ids[r.Event.ID.String()] {
			t.Errorf("event %s stored twice", r.Event.ID)
		}
		ids[r.Event.ID.String()] = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func TestFindLandedReadsThePredictedSequences(t *testing.T) {
	// What a bulk append does when the end of a fast batch is lost: it
	// reads the stream where the rest of the batch would be.
	ctx := context.Background()
	l := openLog(t)
	cmds := plan(50, 5)
	if _, err := l.AppendAll(ctx, cmds[:30]); err != nil {
		t.Fatal(err)
	}
	p := bulk{log: l, cmds: cmds}
	var sent []sentMsg
	for i, c := range cmds[:40] { // the first 30 stored, the 10 after not
		sent = append(sent, sentMsg{cmd: i, subject: Subject(events.Main, c.Events[0].Aggregate)})
	}
	for _, known := range []int{0, 12, 30} {
		if n, err := p.find(ctx, sent, known); err != nil || n != 30 {
			t.Errorf("find from %d known = %d, %v; want 30", known, n, err)
		}
	}
	// Another event where ours would be (another writer's, at the 8th
	// sequence) ends the prefix.
	other := slices.Clone(cmds)
	e := other[7].Events[0]
	e.ID = events.NewID()
	other[7].Events = []events.Event{e}
	p.cmds = other
	if n, err := p.find(ctx, sent, 3); err != nil || n != 7 {
		t.Errorf("find with another's message at 8 = %d, %v; want 7", n, err)
	}
}
