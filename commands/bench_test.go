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
	"github.com/summit-model/summit/workload"
)

// The size of the record the commands meet: go test -bench .
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

// projected appends a generated record and projects it, outside the
// timer, so that every meeting has its snapshot.
func projected(b *testing.B) record {
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
	if err := projections.NewRunner(l, store, eventlog.Main(), projections.RunnerOptions{}).Rebuild(ctx); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	return record{load: load, js: js, log: l, store: store}
}

// statement is a command any meeting takes, after every event of the load.
func (r record) statement(id string, i int) aggregates.Command {
	at := r.load.Events[len(r.load.Events)-1].At
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
	h := commands.NewHandler(r.log, eventlog.Main())
	ids := r.load.Meetings[:min(50, len(r.load.Meetings))]
	for i, id := range ids {
		if _, err := h.Handle(context.Background(), r.statement(id, i), commands.Meta{}); err != nil {
			b.Fatal(err)
		}
	}
	var ds []time.Duration
	i := 0
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		res, err := h.Handle(context.Background(), r.statement(ids[i%len(ids)], 100+i), commands.Meta{})
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
		done <- projections.NewRunner(r.log, r.store, eventlog.Main(), projections.RunnerOptions{}).Run(ctx)
	}()
	defer func() {
		cancel()
		<-done
	}()
	var ds []time.Duration
	i := 0
	for b.Loop() {
		h := commands.NewHandler(r.log, eventlog.Main())
		h.Snapshots = r.store
		id := r.load.Long[i%len(r.load.Long)]
		t0 := time.Now()
		if _, err := h.Handle(context.Background(), r.statement(id, i), commands.Meta{}); err != nil {
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
	if err := bench.CreateRawStream(ctx, r.js); err != nil {
		b.Fatal(err)
	}
	data, err := events.Marshal(r.load.Events[len(r.load.Events)-1])
	if err != nil {
		b.Fatal(err)
	}
	last := map[string]uint64{}
	var ds []time.Duration
	i := 0
	b.ResetTimer()
	for b.Loop() {
		subject := bench.RawSubject(eventlog.Subject(events.Main, events.Meeting(r.load.Meetings[i%50])))
		i++
		m := nats.NewMsg(subject)
		m.Data = data
		t0 := time.Now()
		ack, err := r.js.PublishMsg(ctx, m, jetstream.WithExpectLastSequencePerSubject(last[subject]))
		if err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(t0))
		last[subject] = ack.Sequence
	}
	reportLatency(b, ds)
}
