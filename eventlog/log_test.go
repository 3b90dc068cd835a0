package eventlog

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/embedded"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/natstest"
)

func openLog(t *testing.T) *Log {
	t.Helper()
	js := natstest.JetStream(t, natstest.Start(t))
	l, err := Open(context.Background(), js, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// event returns version v of meeting m's history on branch, on October day d.
func event(branch, m string, v uint64, d int, p events.Payload) events.Event {
	return events.Event{
		ID:           events.NewID(),
		Aggregate:    events.Meeting(m),
		Version:      v,
		At:           events.Date(2025, time.October, d),
		By:           "trump",
		Party:        "USA",
		Branch:       branch,
		Hypothetical: branch != events.Main,
		Payload:      p,
	}
}

func declare(branch, m string, d int) events.Event {
	return event(branch, m, 1, d, &events.MeetingDeclared{Title: m, Participants: []events.Participant{{Person: "trump", Party: "USA"}}})
}

func ids(es []events.Event) []uuid.UUID {
	var out []uuid.UUID
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}

func TestAppendAndLoad(t *testing.T) {
	ctx := context.Background()
	l := openLog(t)
	want := []events.Event{declare(events.Main, "budapest", 16), event(events.Main, "budapest", 2, 16, &events.MeetingFloated{})}
	seq, err := l.Append(ctx, 0, want[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(ctx, seq, want[1]); err != nil {
		t.Fatal(err)
	}
	// Another meeting's events do not show in this one's history.
	if _, err := l.Append(ctx, 0, declare(events.Main, "alaska", 1)); err != nil {
		t.Fatal(err)
	}
	h, err := l.Load(ctx, Main(), events.Meeting("budapest"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ids(want), ids(h.Events)); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	if h.Expect != seq+1 {
		t.Errorf("Expect = %d, want %d", h.Expect, seq+1)
	}
	for _, e := range h.Events {
		if e.Recorded.IsZero() {
			t.Errorf("event %s has no record time", e.ID)
		}
	}
	empty, err := l.Load(ctx, Main(), events.Meeting("nowhere"))
	if err != nil || len(empty.Events) != 0 || empty.Expect != 0 {
		t.Errorf("Load of an empty history = %+v, %v", empty, err)
	}
}

func TestLoadLongHistory(t *testing.T) {
	// More events than one direct-get batch.
	ctx := context.Background()
	l := openLog(t)
	seq, err := l.Append(ctx, 0, declare(events.Main, "long", 1))
	if err != nil {
		t.Fatal(err)
	}
	n := directBatch + 250
	for v := uint64(2); v <= uint64(n); v++ {
		if seq, err = l.Append(ctx, seq, event(events.Main, "long", v, 1, &events.MeetingFloated{})); err != nil {
			t.Fatal(err)
		}
		if _, err = l.Append(ctx, v-1, event(events.Main, fmt.Sprintf("other-%d", v), 1, 1, &events.MeetingDeclared{Title: "x", Participants: []events.Participant{{Person: "a", Party: "A"}}})); err != nil && !errors.Is(err, ErrConflict) {
			t.Fatal(err)
		}
	}
	h, err := l.Load(ctx, Main(), events.Meeting("long"))
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Events) != n || h.Expect != seq {
		t.Fatalf("loaded %d events expecting %d, want %d expecting %d", len(h.Events), h.Expect, n, seq)
	}
	for i, e := range h.Events {
		if e.Version != uint64(i+1) {
			t.Fatalf("event %d has version %d", i, e.Version)
		}
	}
}

func TestStaleAppendIsRefused(t *testing.T) {
	ctx := context.Background()
	l := openLog(t)
	if _, err := l.Append(ctx, 0, declare(events.Main, "m", 16)); err != nil {
		t.Fatal(err)
	}
	h, err := l.Load(ctx, Main(), events.Meeting("m"))
	if err != nil {
		t.Fatal(err)
	}
	// Two writers read the same history and decide concurrently.
	const writers = 8
	var wg sync.WaitGroup
	results := make([]error, writers)
	appended := make([]events.Event, writers)
	for i := range writers {
		appended[i] = event(events.Main, "m", 2, 17, &events.MeetingFloated{})
		wg.Go(func() {
			_, results[i] = l.Append(ctx, h.Expect, appended[i])
		})
	}
	wg.Wait()
	var won []uuid.UUID
	for i, err := range results {
		switch {
		case err == nil:
			won = append(won, appended[i].ID)
		case errors.Is(err, ErrConflict):
		default:
			t.Fatalf("writer %d: %v", i, err)
		}
	}
	if len(won) != 1 {
		t.Fatalf("%d writers won, want exactly 1", len(won))
	}
	after, err := l.Load(ctx, Main(), events.Meeting("m"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(append(ids(h.Events), won[0]), ids(after.Events)); diff != "" {
		t.Errorf("history after the race (-want +got):\n%s", diff)
	}
	// The same holds for a multi-event command: a stale batch lands nothing.
	stale := []events.Event{event(events.Main, "m", 2, 18, &events.MeetingFloated{}), event(events.Main, "m", 3, 18, &events.MeetingProposed{Venue: "Budapest"})}
	if _, err := l.Append(ctx, h.Expect, stale...); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale batch append = %v, want ErrConflict", err)
	}
	again, err := l.Load(ctx, Main(), events.Meeting("m"))
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Events) != len(after.Events) {
		t.Errorf("a refused batch left %d events, want %d", len(again.Events), len(after.Events))
	}
}

func TestReappendIsNotDuplicated(t *testing.T) {
	ctx := context.Background()
	l := openLog(t)
	d := declare(events.Main, "m", 16)
	seq, err := l.Append(ctx, 0, d)
	if err != nil {
		t.Fatal(err)
	}
	// A retry of the same event, as after a lost acknowledgement.
	again, err := l.Append(ctx, 0, d)
	if err != nil {
		t.Fatalf("re-append: %v", err)
	}
	if again != seq {
		t.Errorf("re-append acknowledged at %d, want the original's %d", again, seq)
	}
	batch := []events.Event{event(events.Main, "m", 2, 17, &events.MeetingFloated{}), event(events.Main, "m", 3, 17, &events.MeetingProposed{})}
	bseq, err := l.Append(ctx, seq, batch...)
	if err != nil {
		t.Fatal(err)
	}
	bagain, err := l.Append(ctx, seq, batch...)
	if err != nil {
		t.Fatalf("batch re-append: %v", err)
	}
	if bagain != bseq {
		t.Errorf("batch re-append acknowledged at %d, want %d", bagain, bseq)
	}
	h, err := l.Load(ctx, Main(), events.Meeting("m"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ids(append([]events.Event{d}, batch...)), ids(h.Events)); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
}

// TestAppendGivesUpOnALostAck appends to a server that takes the message
// and never answers (the stream gone, and a plain subscriber on its
// subjects: as a server that stopped after it took the message): Append is
// unavailable after the log's timeout, however long its context lasts.
// The single message goes without a wait ([Log.Send]); its acknowledgement
// is what is waited for, and only so long.
func TestAppendGivesUpOnALostAck(t *testing.T) {
	ctx := context.Background()
	l, _ := silentLog(t, 200*time.Millisecond)
	wantUnavailable(t, "Append", func() error {
		_, err := l.Append(ctx, 0, declare(events.Main, "m2", 16))
		return err
	})
}

// silentLog returns a log with the given timeout, on the server it
// returns, that took one event and then lost its stream to a subscriber
// that never answers: an append to it waits for an acknowledgement that
// will not come.
func silentLog(t *testing.T, timeout time.Duration) (*Log, *embedded.Server) {
	t.Helper()
	ctx := context.Background()
	srv := natstest.Start(t)
	js := natstest.JetStream(t, srv)
	l, err := Open(ctx, js, Options{Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(ctx, 0, declare(events.Main, "m1", 16)); err != nil {
		t.Fatal(err)
	}
	if err := js.DeleteStream(ctx, StreamName); err != nil {
		t.Fatal(err)
	}
	nc := natstest.Connect(t, srv)
	if _, err := nc.Subscribe(SubjectRoot+".>", func(*nats.Msg) {}); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	return l, srv
}

// wantUnavailable calls call, which waits for an answer that will not
// come, and checks that it gives up with [ErrUnavailable] within 10 s.
func wantUnavailable(t *testing.T, what string, call func() error) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- call() }()
	select {
	case err := <-done:
		if !errors.Is(err, ErrUnavailable) {
			t.Errorf("%s with no answer: %v, want ErrUnavailable", what, err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("%s still waits for an answer that will not come", what)
	}
}

func TestAppendRefusesMixedCommands(t *testing.T) {
	ctx := context.Background()
	l := openLog(t)
	tests := map[string][]events.Event{
		"no events":        nil,
		"two aggregates":   {declare(events.Main, "a", 1), event(events.Main, "b", 2, 1, &events.MeetingFloated{})},
		"versions skip":    {declare(events.Main, "a", 1), event(events.Main, "a", 3, 1, &events.MeetingFloated{})},
		"invalid event":    {event(events.Main, "a", 0, 1, &events.MeetingFloated{})},
		"branch and main":  {declare(events.Main, "a", 1), event("what-if", "a", 2, 1, &events.MeetingFloated{})},
		"subject wildcard": {declare(events.Main, "a.*", 1)},
	}
	for name, evs := range tests {
		if _, err := l.Append(ctx, 0, evs...); err == nil {
			t.Errorf("%s: Append succeeded", name)
		}
	}
	if last, _ := l.LastSeq(ctx); last != 0 {
		t.Errorf("refused appends stored %d messages", last)
	}
}

func TestBranchLoad(t *testing.T) {
	ctx := context.Background()
	l := openLog(t)
	m := events.Meeting("budapest")
	seq, _ := l.Append(ctx, 0, declare(events.Main, "budapest", 16))
	seq, _ = l.Append(ctx, seq, event(events.Main, "budapest", 2, 16, &events.MeetingProposed{}))
	seq, err := l.Append(ctx, seq, event(events.Main, "budapest", 3, 22, &events.MeetingCancelled{}))
	if err != nil {
		t.Fatal(err)
	}
	b, err := l.Fork(ctx, "prep-held", events.Date(2025, 10, 21))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Fork(ctx, "prep-held", events.Time{}); !errors.Is(err, ErrBranchExists) {
		t.Errorf("second CreateBranch = %v, want ErrBranchExists", err)
	}
	h, err := l.Load(ctx, b, m)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Events) != 2 || h.Expect != 0 {
		t.Fatalf("branch history before its own events: %d events, expect %d; want the 2 before the fork, expect 0", len(h.Events), h.Expect)
	}
	own := event("prep-held", "budapest", 3, 25, &events.MeetingScheduled{Date: events.OneDay(events.Date(2025, 10, 30))})
	own.Gen = b.Gen
	bseq, err := l.Append(ctx, h.Expect, own)
	if err != nil {
		t.Fatal(err)
	}
	// Main moves on after the fork: the branch does not see it.
	if _, err := l.Append(ctx, seq, event(events.Main, "budapest", 4, 23, &events.StatementMade{About: "budapest", Stance: events.StanceOpposed})); err != nil {
		t.Fatal(err)
	}
	h, err = l.Load(ctx, b, m)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []events.Kind
	for _, e := range h.Events {
		kinds = append(kinds, e.Kind())
	}
	want := []events.Kind{events.KindMeetingDeclared, events.KindMeetingProposed, events.KindMeetingScheduled}
	if diff := cmp.Diff(want, kinds); diff != "" || h.Expect != bseq {
		t.Errorf("branch history (-want +got):\n%s expect %d, want %d", diff, h.Expect, bseq)
	}
	main, err := l.Load(ctx, Main(), m)
	if err != nil || len(main.Events) != 4 {
		t.Fatalf("main history: %d events, %v; want 4", len(main.Events), err)
	}
}

func TestDeleteBranch(t *testing.T) {
	ctx := context.Background()
	l := openLog(t)
	m := events.Meeting("m")
	seq, _ := l.Append(ctx, 0, declare(events.Main, "m", 16))
	for _, name := range []string{"a", "b"} {
		b, err := l.Fork(ctx, name, events.Time{})
		if err != nil {
			t.Fatal(err)
		}
		e := event(name, "m", 2, 17, &events.MeetingFloated{})
		e.Gen = b.Gen
		if _, err := l.Append(ctx, 0, e); err != nil {
			t.Fatal(err)
		}
		if b.ForkSeq != seq || !b.Latest || b.ForkAt.String() != "2025-10-16" {
			t.Errorf("branch %s forks at seq %d, %s (latest %v); want %d, the record's last event when it was made, of 2025-10-16", name, b.ForkSeq, b.ForkAt, b.Latest, seq)
		}
	}
	if err := l.DeleteBranch(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Branch(ctx, "a"); !errors.Is(err, ErrUnknownBranch) {
		t.Errorf("deleted branch: %v, want ErrUnknownBranch", err)
	}
	bs, err := l.Branches(ctx)
	if err != nil || len(bs) != 1 || bs[0].Name != "b" {
		t.Fatalf("Branches = %+v, %v; want just b", bs, err)
	}
	hb, _ := l.Load(ctx, bs[0], m)
	hm, _ := l.Load(ctx, Main(), m)
	if len(hb.Events) != 2 || len(hm.Events) != 1 {
		t.Errorf("after deleting a: branch b has %d events (want 2), main %d (want 1)", len(hb.Events), len(hm.Events))
	}
	if err := l.DeleteBranch(ctx, events.Main); err == nil {
		t.Error("deleting main succeeded")
	}
}

func TestReadAndFollow(t *testing.T) {
	ctx := context.Background()
	l := openLog(t)
	var appended []events.Event
	for i := range 5 {
		e := declare(events.Main, fmt.Sprintf("m%d", i), 16)
		if _, err := l.Append(ctx, 0, e); err != nil {
			t.Fatal(err)
		}
		appended = append(appended, e)
	}
	var read []events.Event
	if err := l.Read(ctx, BranchSubjects(events.Main), 3, 0, func(r Record) error {
		read = append(read, r.Event)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ids(appended[2:]), ids(read)); diff != "" {
		t.Errorf("Read from 3 (-want +got):\n%s", diff)
	}
	// A read of a filter nothing matches returns at once.
	if err := l.Read(ctx, BranchSubjects("nobody"), 1, 0, func(Record) error { return errors.New("called") }); err != nil {
		t.Fatal(err)
	}
	// A subscription delivers what is there, then what comes.
	fctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	sub, err := l.Subscribe(fctx, BranchSubjects(events.Main), 5)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Stop()
	late := declare(events.Main, "late", 17)
	if _, err := l.Append(ctx, 0, late); err != nil {
		t.Fatal(err)
	}
	for _, want := range []events.Event{appended[4], late} {
		r, err := sub.Next(fctx)
		if err != nil {
			t.Fatalf("the subscription delivered nothing: %v", err)
		}
		if r.Event.ID != want.ID {
			t.Fatalf("the subscription delivered %s, want %s", r.Event.Aggregate, want.Aggregate)
		}
	}
	cancel()
	if _, err := sub.Next(fctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Next after its context ended: %v, want context.Canceled", err)
	}
}

// TestBranchGenerations checks that a branch deleted and made again under
// the same name sees nothing of the old one: not the events an append
// under way left after the delete.
func TestBranchGenerations(t *testing.T) {
	ctx := context.Background()
	l := openLog(t)
	m := events.Meeting("m")
	if _, err := l.Append(ctx, 0, declare(events.Main, "m", 16)); err != nil {
		t.Fatal(err)
	}
	old, err := l.Fork(ctx, "x", events.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.DeleteBranch(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	// An orphaned append of the old generation lands after the delete.
	orphan := event("x", "m", 2, 17, &events.MeetingHeld{})
	orphan.Gen = old.Gen
	if _, err := l.Append(ctx, 0, orphan); err != nil {
		t.Fatal(err)
	}
	b, err := l.Fork(ctx, "x", events.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if b.Gen == old.Gen {
		t.Fatalf("a branch made again has the old generation %d", b.Gen)
	}
	h, err := l.Load(ctx, b, m)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Events) != 1 || h.Expect == 0 {
		t.Errorf("new branch x: %d events (want the declaration alone), expect %d (want the orphan's sequence, so that an append goes after it)", len(h.Events), h.Expect)
	}
	var read []events.Kind
	if err := l.ReadBranch(ctx, b, func(r Record) error { read = append(read, r.Event.Kind()); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(read) != 1 {
		t.Errorf("reading new branch x: %v, want the declaration alone", read)
	}
}

// TestRefs checks that a ref name is unique on a branch and finds its
// event, and that a branch sees the record's names up to its fork.
func TestRefs(t *testing.T) {
	ctx := context.Background()
	l := openLog(t)
	d := declare(events.Main, "m", 16)
	seq, err := l.Append(ctx, 0, d)
	if err != nil {
		t.Fatal(err)
	}
	named := event(events.Main, "m", 2, 17, &events.MeetingFloated{})
	named.RefName = "float"
	seq2, err := l.Append(ctx, seq, named)
	if err != nil {
		t.Fatal(err)
	}
	if seq2 != seq+1 {
		t.Errorf("Append returned %d, want the event's sequence %d (its marker follows it)", seq2, seq+1)
	}
	got, ok, err := l.Ref(ctx, Main(), "float")
	if err != nil || !ok || got.ID != named.ID || got.Aggregate != named.Aggregate || got.At.String() != "2025-10-17" {
		t.Fatalf("Ref(float) = %+v, %v, %v", got, ok, err)
	}
	again := event(events.Main, "m", 3, 18, &events.MeetingFloated{})
	again.RefName = "float"
	if _, err := l.Append(ctx, seq2, again); !errors.Is(err, ErrRefTaken) {
		t.Errorf("a second event named float: %v, want ErrRefTaken", err)
	}
	h, _ := l.Load(ctx, Main(), events.Meeting("m"))
	if len(h.Events) != 2 {
		t.Errorf("after the refusal, %d events, want 2", len(h.Events))
	}
	b, err := l.Fork(ctx, "w", events.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := l.Ref(ctx, b, "float"); !ok || err != nil {
		t.Errorf("branch w does not see the record's ref float: %v, %v", ok, err)
	}
	if _, ok, _ := l.Ref(ctx, Main(), "nothing"); ok {
		t.Error("Ref(nothing) found something")
	}
}

// TestOpenUpdatesOnlyWhatSummitNeeds checks that opening the log leaves an
// existing stream as it is, an operator's edits included, unless it lacks
// a setting summit relies on (an older summit made it) or keeps another
// duplicates window: every verb opens it.
func TestOpenUpdatesOnlyWhatSummitNeeds(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		edit    func(*jetstream.StreamConfig)
		updated bool
	}{
		{name: "an operator's description", edit: func(*jetstream.StreamConfig) {}},
		{name: "no batch publishing", edit: func(c *jetstream.StreamConfig) { c.AllowBatchPublish = false }, updated: true},
		{name: "a ten-minute duplicates window", edit: func(c *jetstream.StreamConfig) { c.Duplicates = 10 * time.Minute }, updated: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			js := natstest.JetStream(t, natstest.Start(t))
			l, err := Open(ctx, js, Options{})
			if err != nil {
				t.Fatal(err)
			}
			cfg := l.stream.CachedInfo().Config
			cfg.Description = "edited"
			tc.edit(&cfg)
			if _, err := js.UpdateStream(ctx, cfg); err != nil {
				t.Fatal(err)
			}
			if _, err := Open(ctx, js, Options{}); err != nil {
				t.Fatal(err)
			}
			s, err := js.Stream(ctx, StreamName)
			if err != nil {
				t.Fatal(err)
			}
			got := s.CachedInfo().Config
			if updated := got.Description != "edited"; updated != tc.updated {
				t.Errorf("updated: %v, want %v", updated, tc.updated)
			}
			if !got.AllowBatchPublish || got.Duplicates != 2*time.Minute {
				t.Errorf("after open: batch publish %v, duplicates %s; want true, 2m0s", got.AllowBatchPublish, got.Duplicates)
			}
		})
	}
}

// TestBranchesIsWholeOrAnError: a listing of the branches cut short (its
// context ends while the watch delivers them) is an error, never a part
// of the list taken for the whole of it.
func TestBranchesIsWholeOrAnError(t *testing.T) {
	ctx := context.Background()
	l := openLog(t)
	fork, err := l.ForkPoint(ctx, "b-0000", events.Time{})
	if err != nil {
		t.Fatal(err)
	}
	const n = 3_000
	for i := range n {
		b := fork
		b.Name = fmt.Sprintf("b-%04d", i)
		if _, err := l.CreateBranch(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	cut := 0
	// Cut at 0.2 ms, then a fifth later each time: a few dozen listings
	// reach one that is whole, on a fast machine or under -race.
	for d := 200 * time.Microsecond; ; d += d / 5 {
		cctx, cancel := context.WithTimeout(ctx, d)
		bs, err := l.Branches(cctx)
		cancel()
		if err != nil {
			cut++
			continue
		}
		if len(bs) != n {
			t.Fatalf("a listing cut after %s: %d branches and no error, want %d or an error", d, len(bs), n)
		}
		break
	}
	t.Logf("%d listings cut short, each an error", cut)
}

// IDs lists the meetings a branch can name: main's and its own, each once,
// and no other branch's.
func TestIDs(t *testing.T) {
	ctx := context.Background()
	l := openLog(t)
	for _, e := range []events.Event{declare(events.Main, "budapest", 16), declare(events.Main, "alaska", 1), declare("what-if", "geneva", 20), declare("other", "oslo", 20)} {
		if _, err := l.Append(ctx, 0, e); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		branch string
		want   []string
	}{
		{events.Main, []string{"alaska", "budapest"}},
		{"what-if", []string{"alaska", "budapest", "geneva"}},
	} {
		got, err := l.IDs(ctx, Branch{Name: tt.branch}, events.AggregateMeeting)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("IDs of %s (-want +got):\n%s", tt.branch, diff)
		}
	}
	if got, err := l.IDs(ctx, Main(), events.AggregateActor); err != nil || len(got) != 0 {
		t.Errorf("actors: %v, %v; want none", got, err)
	}
}

// BranchNames lists main, then the what-if branches by name.
func TestBranchNames(t *testing.T) {
	ctx := context.Background()
	l := openLog(t)
	if _, err := l.Append(ctx, 0, declare(events.Main, "budapest", 16)); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"what-if", "held"} {
		if _, err := l.Fork(ctx, name, events.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := l.BranchNames(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{events.Main, "held", "what-if"}, got); diff != "" {
		t.Errorf("BranchNames (-want +got):\n%s", diff)
	}
}
