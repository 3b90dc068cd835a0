package eventlog

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/embedded"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/natstest"
)

// TestAppendAllWhenTheServerStops stops the server in the middle of a bulk
// append, and checks what AppendAll promises of a stopped append: it
// returns, with ErrUnavailable, the count of a prefix that is on record;
// the record holds a prefix of the commands, in order, perhaps longer
// (what landed with its acknowledgement lost); a retry of what was not
// reported stores nothing twice; and a retry from what the record holds
// lands the rest once.
//
// Two clients meet the outage differently: an in-process connection (the
// embedded default) is closed with the server, so a publish fails; a
// client of a server URL (--server) buffers its publishes while it
// reconnects, so the bulk append waits for acknowledgements that do not
// come, asks the server again (a ping), and gives up after the log's
// timeout.
func TestAppendAllWhenTheServerStops(t *testing.T) {
	for _, c := range []struct {
		name      string
		reconnect bool
	}{
		{"in-process connection", false},
		{"client that reconnects", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			dir := t.TempDir()
			addr := natstest.FreeAddr(t)
			srv, err := embedded.Start(ctx, embedded.Options{StoreDir: dir, Listen: addr})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Shutdown()
			var nc *nats.Conn
			if c.reconnect {
				nc = natstest.Reconnecting(t, addr, 20*time.Millisecond)
			} else {
				nc = natstest.Connect(t, srv)
			}
			js, err := jetstream.New(nc)
			if err != nil {
				t.Fatal(err)
			}
			l, err := Open(ctx, js, Options{Timeout: 300 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}

			// The server stops once it has stored 3,000 of the 60,000
			// events, as another client sees the stream. (A core
			// subscription that counted the events as they came fell
			// behind the append with one processor: go test -cpu 1.)
			cmds := plan(60_000, 500)
			stream, err := natstest.JetStream(t, srv).Stream(ctx, StreamName)
			if err != nil {
				t.Fatal(err)
			}
			stop := make(chan struct{})
			go func() {
				for ctx.Err() == nil {
					if info, err := stream.Info(ctx); err == nil && info.State.Msgs >= 3000 {
						close(stop)
						return
					}
					time.Sleep(time.Millisecond)
				}
			}()
			type result struct {
				n   int
				err error
			}
			done := make(chan result, 1)
			go func() {
				n, err := l.AppendAll(ctx, cmds)
				done <- result{n, err}
			}()
			select {
			case <-stop:
				srv.Shutdown()
			case r := <-done:
				t.Fatalf("AppendAll ended before the server stopped: %d, %v", r.n, r.err)
			case <-ctx.Done():
				t.Fatal("the server never received 3,000 events")
			}
			var r result
			select {
			case r = <-done:
			case <-time.After(15 * time.Second):
				t.Fatal("AppendAll did not return 15 s after the server stopped")
			}
			if !errors.Is(r.err, ErrUnavailable) {
				t.Errorf("AppendAll's error = %v, want ErrUnavailable", r.err)
			}
			if r.n >= len(cmds) {
				t.Fatalf("AppendAll reports all %d commands landed", r.n)
			}
			for i, cmd := range cmds[:r.n] {
				if cmd.Seq != uint64(i+1) {
					t.Fatalf("command %d of the reported prefix: Seq %d, want %d", i, cmd.Seq, i+1)
				}
			}

			// The same store, served again.
			srv, err = embedded.Start(ctx, embedded.Options{StoreDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Shutdown()
			l, err = Open(ctx, natstest.JetStream(t, srv), Options{})
			if err != nil {
				t.Fatal(err)
			}
			k := recordedPrefix(ctx, t, l, cmds)
			if k < r.n {
				t.Fatalf("the record holds %d commands, fewer than the %d AppendAll reported", k, r.n)
			}
			t.Logf("reported %d commands landed; the record holds %d", r.n, k)

			// A retry of what AppendAll did not report, each meeting
			// expecting where the reported prefix left it: where more
			// landed, the first of it is refused and nothing is stored.
			retry := retryFrom(cmds, r.n)
			m, err := l.AppendAll(ctx, retry)
			switch {
			case k > r.n && (m != 0 || !errors.Is(err, ErrConflict)):
				t.Errorf("retry from %d with %d on record = %d, %v; want 0, ErrConflict", r.n, k, m, err)
			case k == r.n && (m != len(retry) || err != nil):
				t.Errorf("retry from %d = %d, %v; want %d, nil", r.n, m, err, len(retry))
			}
			if k > r.n {
				// From what the record holds, the rest lands once.
				rest := retryFrom(cmds, k)
				if m, err := l.AppendAll(ctx, rest); m != len(rest) || err != nil {
					t.Fatalf("retry from the record's %d = %d, %v; want %d, nil", k, m, err, len(rest))
				}
			}
			if k := recordedPrefix(ctx, t, l, cmds); k != len(cmds) {
				t.Errorf("after the retries the record holds %d of the %d commands", k, len(cmds))
			}
		})
	}
}

// recordedPrefix returns how many of cmds (of one event each) main holds,
// checking that they are its first events, in order, each once, and
// nothing else.
func recordedPrefix(ctx context.Context, t *testing.T, l *Log, cmds []Pending) int {
	t.Helper()
	var got []uuid.UUID
	if err := l.Read(ctx, BranchSubjects(events.Main), 1, 0, func(r Record) error {
		got = append(got, r.Event.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) > len(cmds) {
		t.Fatalf("the record holds %d events, more than the %d commands", len(got), len(cmds))
	}
	for i, id := range got {
		if want := cmds[i].Events[0].ID; id != want {
			t.Fatalf("event %d on record is %s, want command %d's %s: not a prefix", i+1, id, i, want)
		}
	}
	return len(got)
}

// retryFrom returns cmds[from:] as a caller retries them, knowing that the
// first from landed at sequences 1 to from: the first command of each
// meeting expects where that meeting's last landed one is.
func retryFrom(cmds []Pending, from int) []Pending {
	at := map[events.Ref]uint64{}
	for i, c := range cmds[:from] {
		at[c.Events[0].Aggregate] = uint64(i + 1)
	}
	rest := make([]Pending, len(cmds)-from)
	for i, c := range cmds[from:] {
		rest[i] = Pending{Events: c.Events, Expect: at[c.Events[0].Aggregate]}
	}
	return rest
}
