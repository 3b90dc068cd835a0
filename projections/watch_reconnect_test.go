package projections_test

import (
	"bytes"
	"context"
	"fmt"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/embedded"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/natstest"
	"github.com/summit-model/summit/projections"
)

// TestTwoWatchesOnOneConnectionRideOutARestart runs two watches on one
// connection, as the web board runs one per branch, through a restart of
// the server: each says the server went and came back, and each sees what
// changes after, at once. (A watch used to take the connection's handlers,
// so that the second one started silenced the first; and a watch that had
// seen no change before the restart waited for its watcher to notice the
// gap by itself, 10 s.)
func TestTwoWatchesOnOneConnectionRideOutARestart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	addr := natstest.FreeAddr(t)
	start := func() *embedded.Server {
		srv, err := embedded.Start(ctx, embedded.Options{StoreDir: dir, Listen: addr})
		if err != nil {
			t.Fatal(err)
		}
		return srv
	}
	srv := start()
	defer func() { srv.Shutdown() }()
	nc := natstest.Reconnecting(t, addr, 50*time.Millisecond)
	// Every request waits a second for its answer, the log's and the
	// store's alike: one sent as the server stops gets none.
	js, err := jetstream.New(nc, jetstream.WithDefaultTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	l, err := eventlog.Open(ctx, js, eventlog.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	store, err := projections.OpenStore(ctx, js, projections.StoreOptions{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	r := &liveRig{t: t, js: js, log: l, store: store}
	r.story(1)

	// Two watches, each of one meeting, each keeping its notices and the
	// claims it saw change.
	type seen struct {
		mu      sync.Mutex
		notices []string
		changes []string
		live    chan struct{}
	}
	watches := map[string]*seen{"summit": {live: make(chan struct{})}, "filler-000": {live: make(chan struct{})}}
	done := make(chan error, len(watches))
	keep := true
	for m, s := range watches {
		o := projections.WatchOptions{Meetings: []string{m}, KeepLive: keep, Notice: func(n string) {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.notices = append(s.notices, n)
		}}
		keep = false // one watch keeps the projection live, as serve would
		go func() {
			done <- projections.Watch(ctx, l, store, eventlog.Main(), o, func(line projections.WatchLine) error {
				switch line.Type {
				case "live":
					close(s.live)
				case "change":
					s.mu.Lock()
					defer s.mu.Unlock()
					s.changes = append(s.changes, fmt.Sprint(line.Claims))
				}
				return nil
			})
		}()
		select {
		case <-s.live:
		case err := <-done:
			t.Fatalf("watch of %s ended before it was live: %v", m, err)
		case <-time.After(20 * time.Second):
			t.Fatalf("watch of %s not live after 20s", m)
		}
	}

	srv.Shutdown()
	srv = start()
	for _, m := range []string{"summit", "filler-000"} {
		r.do(eventlog.Main(), m, 24, "lavrov", &events.StatementMade{About: m, Stance: events.StanceOpposed, Claim: "cancelled"})
	}
	// On a failure, where each goroutine waits: the runner, the watches.
	defer func() {
		if t.Failed() {
			var b bytes.Buffer
			_ = pprof.Lookup("goroutine").WriteTo(&b, 1)
			t.Log(b.String())
		}
	}()
	// Within 8 s: under the 10 s a watch used to wait for its watcher to
	// notice the gap, with room for a runner whose request the stopping
	// server took unanswered (a second, then a second before it starts
	// again).
	eventually(t, 8*time.Second, func() (bool, string) {
		var why []string
		for m, s := range watches {
			s.mu.Lock()
			if !slices.Contains(s.notices, "server gone, reconnecting") || !slices.Contains(s.notices, "server back: watching again") {
				why = append(why, fmt.Sprintf("%s's watch noticed %q", m, s.notices))
			}
			if !slices.ContainsFunc(s.changes, func(c string) bool { return strings.Contains(c, "lavrov:cancelled") }) {
				why = append(why, fmt.Sprintf("%s's watch saw changes %q", m, s.changes))
			}
			s.mu.Unlock()
		}
		return len(why) == 0, strings.Join(why, "; ")
	})
}
