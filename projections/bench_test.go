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
)

// The size of the record the benchmarks rebuild: go test -bench .
// -bench.events=1000000 -bench.meetings=10000 for the size.
var (
	benchEvents   = flag.Int("bench.events", 100_000, "events in the benchmarks' record")
	benchMeetings = flag.Int("bench.meetings", 1000, "meetings in the benchmarks' record")
)

// appended starts a server and appends a generated record to its log,
// outside the timer.
func appended(b *testing.B) bench.Record {
	b.Helper()
	ctx := context.Background()
	r, err := bench.Append(ctx, natstest.JetStream(b, natstest.Start(b)), *benchEvents, *benchMeetings)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	return r
}

// BenchmarkRebuild rebuilds main's projection from an empty bucket to the
// final board; compare BenchmarkRawOrderedConsumer.
func BenchmarkRebuild(b *testing.B) {
	r := appended(b)
	n := 0
	for b.Loop() {
		runner := projections.NewRunner(r.Log, r.Store, eventlog.Main(), projections.RunnerOptions{})
		if err := runner.Rebuild(context.Background()); err != nil {
			b.Fatal(err)
		}
		if runner.Board().Len() != len(r.Load.Meetings) {
			b.Fatalf("board of %d meetings, want %d", runner.Board().Len(), len(r.Load.Meetings))
		}
		n += len(r.Load.Events)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkRawOrderedConsumer reads the same messages with an ordered
// consumer and decodes nothing.
func BenchmarkRawOrderedConsumer(b *testing.B) {
	r := appended(b)
	n := 0
	for b.Loop() {
		got, err := bench.OrderedRead(context.Background(), r.JS, eventlog.StreamName, eventlog.BranchSubjects(events.Main), 0)
		if err != nil || got != len(r.Load.Events) {
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
	runner := projections.NewRunner(r.Log, r.Store, eventlog.Main(), projections.RunnerOptions{})
	done := make(chan error, 1)
	go func() { done <- runner.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()
	end, _ := r.Log.LastSeq(ctx)
	wctx, wcancel := context.WithTimeout(ctx, 5*time.Minute)
	defer wcancel()
	if _, err := r.Store.WaitFor(wctx, events.Main, end); err != nil {
		b.Fatal(err)
	}
	w, err := r.Store.Meetings().Watch(ctx, events.Main+".*", jetstream.UpdatesOnly())
	if err != nil {
		b.Fatal(err)
	}
	defer w.Stop()
	// Commands on 20 meetings the handler has met: the lag is the
	// projection's, not a load's.
	h := commands.NewHandler(r.Log, eventlog.Main())
	ids := r.Load.Meetings[:min(20, len(r.Load.Meetings))]
	at := r.Load.Events[len(r.Load.Events)-1].At
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
