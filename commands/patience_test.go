package commands_test

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/commands"
	"github.com/summit-model/summit/embedded"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/natstest"
)

// TestHandleRidesOutAStoppedServer stops the server under a command and
// starts it again a second later: the command waits for it, asking again
// with the same events, and lands once. A handler that holds the meeting
// meets the outage in its append; a new one (a summit append process)
// first in its reads of the meeting, which it asks again as well.
func TestHandleRidesOutAStoppedServer(t *testing.T) {
	for _, cold := range []bool{false, true} {
		t.Run(map[bool]string{false: "a handler that holds the meeting", true: "a new handler"}[cold], func(t *testing.T) {
			ridesOutAStoppedServer(t, cold)
		})
	}
}

func ridesOutAStoppedServer(t *testing.T, cold bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dir := t.TempDir()
	addr := natstest.FreeAddr(t)
	start := func() *embedded.Server {
		t.Helper()
		s, err := embedded.Start(ctx, embedded.Options{StoreDir: dir, Listen: addr})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	srv := start()
	js, err := jetstream.New(natstest.Reconnecting(t, addr, 20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	l, err := eventlog.Open(ctx, js, eventlog.Options{Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	h := commands.NewHandler(l, eventlog.Main())
	cmd := func(p events.Payload) aggregates.Command {
		return aggregates.Command{
			Aggregate: events.Meeting("summit"), At: events.Date(2025, time.October, 16), By: "trump", Party: "USA", Payload: p,
			Declare: &events.MeetingDeclared{Title: "the summit", Participants: []events.Participant{{Person: "trump", Party: "USA"}}},
		}
	}
	if _, err := h.Handle(ctx, cmd(&events.MeetingProposed{Venue: "Budapest"}), commands.Meta{}); err != nil {
		t.Fatal(err)
	}

	srv.Shutdown()
	type result struct {
		res commands.Result
		err error
	}
	if cold {
		h = commands.NewHandler(l, eventlog.Main())
	}
	done := make(chan result, 1)
	go func() {
		res, err := h.Handle(ctx, cmd(&events.StatementMade{About: "summit", Stance: events.StanceSupportive}), commands.Meta{})
		done <- result{res, err}
	}()
	// The outage lasts longer than a request waits (300ms), so that the
	// command meets it.
	select {
	case r := <-done:
		t.Fatalf("the command ended while the server was down: %+v", r)
	case <-time.After(time.Second):
	}
	srv = start()
	defer srv.Shutdown()
	r := <-done
	if r.err != nil {
		t.Fatalf("Handle: %v", r.err)
	}
	if r.res.Unavailable == 0 {
		t.Error("the command never met the stopped server")
	}
	if cold && r.res.Loads == 0 {
		t.Error("the new handler read nothing of the meeting")
	}
	h2, err := l.Load(ctx, eventlog.Main(), events.Meeting("summit"))
	if err != nil {
		t.Fatal(err)
	}
	var kinds []events.Kind
	for _, e := range h2.Events {
		kinds = append(kinds, e.Kind())
	}
	want := []events.Kind{events.KindMeetingDeclared, events.KindMeetingProposed, events.KindStatementMade}
	if len(kinds) != len(want) || kinds[2] != want[2] {
		t.Errorf("history %v, want %v", kinds, want)
	}
	t.Logf("the command asked %d times while the server was down, then landed once (seq %d)", r.res.Unavailable, r.res.Seq)
}
