package projections_test

import (
	"context"
	"encoding/json"
	"flag"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/bench"
	"github.com/summit-model/summit/commands"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/natstest"
	"github.com/summit-model/summit/projections"
	"github.com/summit-model/summit/workload"
)

// The size of the record the benchmarks rebuild: go test -bench .
// -bench.events 1000000 -bench.meetings 10000 for the size.
var (
	benchEvents   = flag.Int("bench.events", 100_000, "events in the benchmarks' record")
	benchMeetings = flag.Int("bench.meetings", 1000, "meetings in the benchmarks' record")
)

type record struct {
	load  *workload.Load
	js    jetstream.JetStream
	log   *eventlog.Log
	store *projections.Store
}

// appended starts a server and appends a generated record to its log,
// outside the timer.
func appended(b *testing.B) record {
	b.Helper()
	ctx := context.Background()
	load, err := workload.Generate(workload.Options{Events: *benchEvents, Meetings: *benchMeetings, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	js := natstest.JetStream(b, natstest.Start(b))
	l, err := eventlog.Open(ctx, js, eventlog.Options{})
	if err != nil {
		b.Fatal(err)
	}
	store, err := projections.OpenStore(ctx, js, projections.StoreOptions{})
	if err != nil {
		b.Fatal(err)
	}
	p := make([]eventlog.Pending, len(load.Events))
	for i := range load.Events {
		p[i] = eventlog.Pending{Events: load.Events[i : i+1 : i+1]}
	}
	if _, err := l.AppendAll(ctx, p); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	return record{load: load, js: js, log: l, store: store}
}

// BenchmarkRebuild rebuilds main's projection from an empty bucket to the
// final board; compare BenchmarkRawOrderedConsumer.
func BenchmarkRebuild(b *testing.B) {
	r := appended(b)
	n := 0
	for b.Loop() {
		runner := projections.NewRunner(r.log, r.store, eventlog.Main(), projections.RunnerOptions{})
		if err := runner.Rebuild(context.Background()); err != nil {
			b.Fatal(err)
		}
		if runner.Board().Len() != len(r.load.Meetings) {
			b.Fatalf("board of %d meetings, want %d", runner.Board().Len(), len(r.load.Meetings))
		}
		n += len(r.load.Events)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkRawOrderedConsumer reads the same messages with an ordered
// consumer and decodes nothing.
func BenchmarkRawOrderedConsumer(b *testing.B) {
	r := appended(b)
	n := 0
	for b.Loop() {
		got, err := bench.OrderedRead(context.Background(), r.js, eventlog.StreamName, eventlog.BranchSubjects(events.Main), 0)
		if err != nil || got != len(r.load.Events) {
			b.Fatalf("read %d, %v", got, err)
		}
		n += got
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkLiveLag times, with a runner live on main, how long after a
// command begins a watcher of the bucket sees the meeting's view change.
func BenchmarkLiveLag(b *testing.B) {
	r := appended(b)
	ctx, cancel := context.WithCancel(context.Background())
	runner := projections.NewRunner(r.log, r.store, eventlog.Main(), projections.RunnerOptions{})
	done := make(chan error, 1)
	go func() { done <- runner.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()
	end, _ := r.log.LastSeq(ctx)
	wctx, wcancel := context.WithTimeout(ctx, 5*time.Minute)
	defer wcancel()
	if _, err := r.store.WaitFor(wctx, events.Main, end); err != nil {
		b.Fatal(err)
	}
	w, err := r.store.Meetings().Watch(ctx, events.Main+".*", jetstream.UpdatesOnly())
	if err != nil {
		b.Fatal(err)
	}
	defer w.Stop()
	// Commands on 20 meetings the handler has met: the lag is the
	// projection's, not a load's.
	h := commands.NewHandler(r.log, eventlog.Main())
	ids := r.load.Meetings[:min(20, len(r.load.Meetings))]
	at := r.load.Events[len(r.load.Events)-1].At
	command := func(id string) (uint64, error) {
		at.Time = at.Add(time.Second)
		res, err := h.Handle(ctx, aggregates.Command{Aggregate: events.Meeting(id), At: at, By: "peskov", Party: "RUS",
			Payload: &events.StatementMade{About: id, Stance: events.StanceOpposed, Claim: "cancelled"}}, commands.Meta{})
		return res.Seq, err
	}
	for _, id := range ids {
		if _, err := command(id); err != nil {
			b.Fatal(err)
		}
	}
	var ds []time.Duration
	i := 0
	b.ResetTimer()
	for b.Loop() {
		id := ids[i%len(ids)]
		i++
		t0 := time.Now()
		seq, err := command(id)
		if err != nil {
			b.Fatal(err)
		}
		// The change is seen when the meeting's view reflects the event.
		for seen := false; !seen; {
			select {
			case e := <-w.Updates():
				if e == nil || e.Key() != projections.Key(events.Main, id) {
					continue
				}
				var v projections.View
				if err := json.Unmarshal(e.Value(), &v); err != nil {
					b.Fatal(err)
				}
				seen = v.Seq >= seq
			case <-time.After(10 * time.Second):
				b.Fatalf("no change of %s seen", id)
			}
		}
		ds = append(ds, time.Since(t0))
	}
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2])/1e6, "p50-ms")
	b.ReportMetric(float64(ds[min(len(ds)-1, len(ds)*99/100)])/1e6, "p99-ms")
}
