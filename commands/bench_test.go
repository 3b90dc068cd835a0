package commands_test

import (
	"context"
	"flag"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/bench"
	"github.com/summit-model/summit/commands"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/natstest"
	"github.com/summit-model/summit/projections"
)

// The size of the record the commands meet: go test -bench .
// -bench.events=1000000 -bench.meetings=10000 for the size.
var (
	benchEvents   = flag.Int("bench.events", 100_000, "events in the benchmarks' record")
	benchMeetings = flag.Int("bench.meetings", 1000, "meetings in the benchmarks' record")
)

// projected appends a generated record and projects it, outside the
// timer, so that every meeting has its snapshot.
func projected(b *testing.B) bench.Record {
	b.Helper()
	ctx := context.Background()
	r, err := bench.Append(ctx, natstest.JetStream(b, natstest.Start(b)), *benchEvents, *benchMeetings)
	if err != nil {
		b.Fatal(err)
	}
	if err := projections.NewRunner(r.Log, r.Store, eventlog.Main(), projections.RunnerOptions{}).Rebuild(ctx); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	return r
}

// statement is a command any meeting takes, after every event of the load.
func statement(r bench.Record, id string, i int) aggregates.Command {
	at := r.Load.Events[len(r.Load.Events)-1].At
	at.Time = at.Add(time.Hour + time.Duration(i)*time.Second)
	return aggregates.Command{Aggregate: events.Meeting(id), At: at, By: "peskov", Party: "RUS",
		Payload: &events.StatementMade{About: id, Stance: events.StanceNoncommittal, Claim: "postponed", Quote: "no agreement yet"}}
}

func reportLatency(b *testing.B, ds []time.Duration) {
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2])/1e6, "p50-ms")
	b.ReportMetric(float64(ds[min(len(ds)-1, len(ds)*99/100)])/1e6, "p99-ms")
}

// BenchmarkHandleWarm handles commands on meetings the handler met before;
// compare BenchmarkRawPublish.
func BenchmarkHandleWarm(b *testing.B) {
	r := projected(b)
	h := commands.NewHandler(r.Log, eventlog.Main())
	ids := r.Load.Meetings[:min(50, len(r.Load.Meetings))]
	for i, id := range ids {
		if _, err := h.Handle(context.Background(), statement(r, id, i), commands.Meta{}); err != nil {
			b.Fatal(err)
		}
	}
	var ds []time.Duration
	i := 0
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		res, err := h.Handle(context.Background(), statement(r, ids[i%len(ids)], 100+i), commands.Meta{})
		if err != nil || res.Loads != 0 {
			b.Fatalf("%d loads, %v", res.Loads, err)
		}
		ds = append(ds, time.Since(t0))
		i++
	}
	reportLatency(b, ds)
}

// BenchmarkHandleCold handles each command with a new handler, which reads
// the meeting's snapshot and the events after it, while a projection runner
// keeps the snapshots current, as summit serve does.
func BenchmarkHandleCold(b *testing.B) {
	r := projected(b)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- projections.NewRunner(r.Log, r.Store, eventlog.Main(), projections.RunnerOptions{}).Run(ctx)
	}()
	defer func() {
		cancel()
		<-done
	}()
	var ds []time.Duration
	i := 0
	for b.Loop() {
		h := commands.NewHandler(r.Log, eventlog.Main())
		h.Snapshots = r.Store
		id := r.Load.Long[i%len(r.Load.Long)]
		t0 := time.Now()
		if _, err := h.Handle(context.Background(), statement(r, id, i), commands.Meta{}); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(t0))
		i++
	}
	reportLatency(b, ds)
}

// BenchmarkRawPublish publishes an event's bytes synchronously with the
// expected last sequence of its subject.
func BenchmarkRawPublish(b *testing.B) {
	r := projected(b)
	ctx := context.Background()
	if err := bench.CreateRawStream(ctx, r.JS); err != nil {
		b.Fatal(err)
	}
	data, err := events.Marshal(r.Load.Events[len(r.Load.Events)-1])
	if err != nil {
		b.Fatal(err)
	}
	last := map[string]uint64{}
	var ds []time.Duration
	i := 0
	b.ResetTimer()
	for b.Loop() {
		subject := bench.RawSubject(eventlog.Subject(events.Main, events.Meeting(r.Load.Meetings[i%50])))
		i++
		m := nats.NewMsg(subject)
		m.Data = data
		t0 := time.Now()
		ack, err := r.JS.PublishMsg(ctx, m, jetstream.WithExpectLastSequencePerSubject(last[subject]))
		if err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(t0))
		last[subject] = ack.Sequence
	}
	reportLatency(b, ds)
}
