package commands_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/commands"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/natstest"
	"github.com/summit-model/summit/projections"
)

// TestClusterLeaderStops runs writers (a third of their commands late
// reports) and a live projection against a three-node JetStream cluster,
// with the stream and buckets kept by all three, and stops the server that
// leads the stream in the middle of the appends. The writers carry on
// through the other two; no acknowledged event is lost or stored twice;
// and the projection carries on to equal a rebuild.
func TestClusterLeaderStops(t *testing.T) {
	writers, before, after, stops, deadline := 4, 40, 100, 1, 90*time.Second
	if natstest.Soak() {
		writers, before, after, stops, deadline = 8, 300, 3000, 3, 15*time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	c := natstest.StartCluster(t, 3)
	js, err := jetstream.New(c.Connect(t))
	if err != nil {
		t.Fatal(err)
	}
	l, err := eventlog.Open(ctx, js, eventlog.Options{Replicas: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !l.Replicated() {
		t.Fatal("a log of three replicas says it is not replicated")
	}
	store, err := projections.OpenStore(ctx, js, projections.StoreOptions{Replicas: 3})
	if err != nil {
		t.Fatal(err)
	}

	// The projection: a runner that, like summit serve, is started again
	// if it stops on an error. Its context has no deadline, as a server's
	// has not: each request then waits the client's default (5s).
	runCtx, stopRunner := context.WithCancel(context.Background())
	defer stopRunner()
	var restarts atomic.Int64
	runDone := make(chan struct{})
	go func() {
		defer close(runDone)
		for runCtx.Err() == nil {
			err := projections.NewRunner(l, store, eventlog.Main(), projections.RunnerOptions{LeaseTTL: 2 * time.Second, Owner: "serve"}).Run(runCtx)
			if err != nil {
				restarts.Add(1)
				t.Logf("projection stopped, starting it again: %v", err)
				select {
				case <-runCtx.Done():
				case <-time.After(100 * time.Millisecond):
				}
			}
		}
	}()

	var (
		mu       sync.Mutex
		acked    = map[uuid.UUID]bool{}
		failures []string
		tried    int
		retried  int // asked again, the store not answering
		decided  int // decided again, after a conflict
		cut      int // cut short when the writers were stopped
	)
	var count atomic.Int64
	stopAt := func(n int) {
		for count.Load() < int64(n) && ctx.Err() == nil {
			time.Sleep(5 * time.Millisecond)
		}
	}
	wctx, stopWriters := context.WithCancel(ctx)
	// Each writer's day moves on over what it would write if the events
	// were shared evenly.
	total := (before*stops + after) / writers
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			h := commands.NewHandler(l, eventlog.Main())
			for i := 0; wctx.Err() == nil; i++ {
				m := "m" + strconv.Itoa(rng.IntN(3))
				cmd, _ := command(rng, m, i%total, total)
				res, err := h.Handle(wctx, cmd, commands.Meta{})
				var refused *aggregates.RefusedError
				mu.Lock()
				tried++
				retried += res.Unavailable
				decided += res.Conflicts
				switch {
				case err == nil:
					for _, e := range res.Events {
						acked[e.ID] = true
					}
					count.Add(int64(len(res.Events)))
				case wctx.Err() != nil:
					cut++
				case errors.As(err, &refused), errors.Is(err, eventlog.ErrConflict):
				default:
					failures = append(failures, err.Error())
				}
				mu.Unlock()
			}
		})
	}
	var stopped []string
	for i := range stops {
		stopAt(before * (i + 1))
		leader, err := c.WaitForStreamLeader(ctx, eventlog.StreamName)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("stopping %s, the leader of %s, after %d events", c.Name(leader), eventlog.StreamName, count.Load())
		stopped = append(stopped, c.Name(leader))
		c.Stop(leader)
		if i+1 < stops {
			c.Restart(leader)
		}
	}
	stopAt(before*stops + after)
	stopWriters()
	wg.Wait()
	// A command cut short may have sent its events before it stopped:
	// they land after it returned. The server places the messages of one
	// connection in order, so the acknowledgement of one sent after them
	// says every one has landed, or will not.
	if _, err := js.Publish(ctx, eventlog.RefRoot+".test.writers-stopped", nil); err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Fatalf("%d events acknowledged before the deadline, want %d", count.Load(), before*stops+after)
	}

	var stored []eventlog.Record
	if err := l.Read(ctx, eventlog.BranchSubjects(events.Main), 1, 0, func(r eventlog.Record) error {
		stored = append(stored, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	seen := map[uuid.UUID]bool{}
	versions := map[events.Ref]uint64{}
	for _, r := range stored {
		if seen[r.Event.ID] {
			t.Errorf("event %s stored twice", r.Event.ID)
		}
		seen[r.Event.ID] = true
		if ref := r.Event.Aggregate; r.Event.Version != versions[ref]+1 {
			t.Errorf("%s: seq %d has version %d after %d", ref, r.Seq, r.Event.Version, versions[ref])
		} else {
			versions[ref] = r.Event.Version
		}
	}
	lost := 0
	for id := range acked {
		if !seen[id] {
			lost++
		}
	}
	if lost > 0 {
		t.Errorf("%d acknowledged events are not on record", lost)
	}
	// Besides the acknowledged events, the record holds at most those of
	// the commands cut short when the writers stopped.
	if extra := len(stored) - len(acked); extra > cut*2 {
		t.Errorf("%d events on record were never acknowledged; %d commands were cut short", extra, cut)
	}

	last := stored[len(stored)-1].Seq
	pctx, pcancel := context.WithTimeout(ctx, 30*time.Second)
	defer pcancel()
	if _, err := store.WaitFor(pctx, events.Main, last); err != nil {
		t.Fatal(err)
	}
	stopRunner()
	<-runDone
	checkEqualsRebuild(ctx, t, l, store)
	t.Logf("cluster of 3, stream and buckets R3: %d writers, %d commands tried, %d events acknowledged, %d on record, %d lost; stream leaders stopped: %v; %d requests asked again while the store did not answer, %d commands decided again after a conflict, %d failed with an unknown outcome, %d cut short at the end; projection restarted %d times",
		writers, tried, len(acked), len(stored), lost, stopped, retried, decided, len(failures), cut, restarts.Load())
	for i, f := range failures {
		if i == 10 {
			break
		}
		t.Errorf("a command failed: %s", f)
	}
}
