package eventlog_test

import (
	"context"
	"flag"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/bench"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/natstest"
	"github.com/summit-model/summit/workload"
)

// The size of the record the benchmarks append and read: go test -bench .
// -bench.events=1000000 -bench.meetings=10000 for the size.
var (
	benchEvents   = flag.Int("bench.events", 100_000, "events in the benchmarks' record")
	benchMeetings = flag.Int("bench.meetings", 1000, "meetings in the benchmarks' record")
)

func generate(b *testing.B) *workload.Load {
	b.Helper()
	l, err := workload.Generate(workload.Options{Events: *benchEvents, Meetings: *benchMeetings, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	return l
}

func pending(l *workload.Load) []eventlog.Pending {
	p := make([]eventlog.Pending, len(l.Events))
	for i := range l.Events {
		p[i] = eventlog.Pending{Events: l.Events[i : i+1 : i+1]}
	}
	return p
}

// fresh starts a server and opens a log on it, outside the timer.
func fresh(b *testing.B) (jetstream.JetStream, *eventlog.Log) {
	b.Helper()
	b.StopTimer()
	defer b.StartTimer()
	js := natstest.JetStream(b, natstest.Start(b))
	l, err := eventlog.Open(context.Background(), js, eventlog.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return js, l
}

// BenchmarkAppendAll appends the record as a replay does, into a new log
// each time; compare BenchmarkRawPublishAsync.
func BenchmarkAppendAll(b *testing.B) {
	load := generate(b)
	n := 0
	for b.Loop() {
		_, l := fresh(b)
		if _, err := l.AppendAll(context.Background(), pending(load)); err != nil {
			b.Fatal(err)
		}
		n += len(load.Events)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkRawPublishAsync publishes the same bytes with PublishMsgAsync,
// no headers, the same window.
func BenchmarkRawPublishAsync(b *testing.B) { benchmarkRaw(b, bench.PublishAsync) }

// reportLatency reports the 50th and 99th percentiles of ds.
func reportLatency(b *testing.B, ds []time.Duration) {
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2])/1e6, "p50-ms")
	b.ReportMetric(float64(ds[min(len(ds)-1, len(ds)*99/100)])/1e6, "p99-ms")
}

// loaded appends the record once for the load benchmarks.
func loaded(b *testing.B) (*workload.Load, jetstream.JetStream, *eventlog.Log) {
	load := generate(b)
	js, l := fresh(b)
	if _, err := l.AppendAll(context.Background(), pending(load)); err != nil {
		b.Fatal(err)
	}
	return load, js, l
}

// BenchmarkLoad reads a long meeting's whole history (200 events spread
// over the record), one direct get per event.
func BenchmarkLoad(b *testing.B) {
	load, _, l := loaded(b)
	var ds []time.Duration
	i := 0
	b.ResetTimer()
	for b.Loop() {
		id := load.Long[i%len(load.Long)]
		i++
		t0 := time.Now()
		h, err := l.Load(context.Background(), eventlog.Main(), events.Meeting(id))
		if err != nil || len(h.Events) != load.Counts[id] {
			b.Fatalf("%s: %d events, %v", id, len(h.Events), err)
		}
		ds = append(ds, time.Since(t0))
	}
	reportLatency(b, ds)
}

// BenchmarkLoadSeqs reads the same histories as BenchmarkLoad by the
// sequences of their events, as a reader holding a snapshot's list does:
// one direct get by sequence per event, sent at once.
func BenchmarkLoadSeqs(b *testing.B) {
	load, _, l := loaded(b)
	ctx := context.Background()
	seqs := map[string][]uint64{}
	for _, id := range load.Long {
		h, err := l.Load(ctx, eventlog.Main(), events.Meeting(id))
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range h.Records {
			seqs[id] = append(seqs[id], r.Seq)
		}
	}
	var ds []time.Duration
	i := 0
	b.ResetTimer()
	for b.Loop() {
		id := load.Long[i%len(load.Long)]
		i++
		t0 := time.Now()
		h, err := l.LoadSeqs(ctx, eventlog.Main(), events.Meeting(id), seqs[id])
		if err != nil || len(h.Events) != load.Counts[id] {
			b.Fatalf("%s: %d events, %v", id, len(h.Events), err)
		}
		ds = append(ds, time.Since(t0))
	}
	reportLatency(b, ds)
}

// BenchmarkLoadAfter reads what follows a current snapshot of a long
// meeting: the subject's last message.
func BenchmarkLoadAfter(b *testing.B) {
	load, _, l := loaded(b)
	var ds []time.Duration
	i := 0
	b.ResetTimer()
	for b.Loop() {
		id := load.Long[i%len(load.Long)]
		i++
		t0 := time.Now()
		h, err := l.LoadAfter(context.Background(), eventlog.Main(), events.Meeting(id), uint64(len(load.Events)))
		if err != nil || h.Version != uint64(load.Counts[id]) {
			b.Fatalf("%s: version %d, %v", id, h.Version, err)
		}
		ds = append(ds, time.Since(t0))
	}
	reportLatency(b, ds)
}

// BenchmarkRawFastBatch publishes the same bytes as one fast-ingest batch
// with jetstreamext.FastPublisher (flow 500, 4 acks outstanding), no
// headers: the second raw anchor of BenchmarkAppendAll.
func BenchmarkRawFastBatch(b *testing.B) { benchmarkRaw(b, bench.PublishFast) }

// benchmarkRaw publishes the generated record's bytes, with no headers,
// by publish, into a fresh raw stream each round.
func benchmarkRaw(b *testing.B, publish func(context.Context, jetstream.JetStream, []*nats.Msg) error) {
	load := generate(b)
	data := make([][]byte, len(load.Events))
	for i, e := range load.Events {
		var err error
		if data[i], err = events.Marshal(e); err != nil {
			b.Fatal(err)
		}
	}
	n := 0
	for b.Loop() {
		js, _ := fresh(b)
		b.StopTimer()
		if err := bench.CreateRawStream(context.Background(), js); err != nil {
			b.Fatal(err)
		}
		msgs := make([]*nats.Msg, len(data))
		for i, e := range load.Events {
			msgs[i] = &nats.Msg{Subject: bench.RawSubject(eventlog.Subject(events.Main, e.Aggregate)), Data: data[i]}
		}
		b.StartTimer()
		if err := publish(context.Background(), js, msgs); err != nil {
			b.Fatal(err)
		}
		n += len(msgs)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}
