package eventlog_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strconv"
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

// BenchmarkAckPaths times the three ways a client can wait for a single
// publish's acknowledgement, in turn on the same server: nats.go's
// synchronous PublishMsg (its request multiplexer), PublishMsgAsync and a
// wait on its future, and a channel subscription on an inbox of one's own
// (as [eventlog.Log.Append] waits). Each publishes 500 bytes expecting its
// subject's last sequence; it reports each one's median.
func BenchmarkAckPaths(b *testing.B) {
	ctx := context.Background()
	js := natstest.JetStream(b, natstest.Start(b))
	nc := js.Conn()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "RAW", Subjects: []string{"raw.>"}, Storage: jetstream.FileStorage}); err != nil {
		b.Fatal(err)
	}
	data := bytes.Repeat([]byte("a"), 500)
	inbox := nats.NewInbox() + "."
	acks := make(chan *nats.Msg, 64)
	if _, err := nc.ChanSubscribe(inbox+"*", acks); err != nil {
		b.Fatal(err)
	}
	msg := func(subject string, expect uint64) *nats.Msg {
		m := nats.NewMsg(subject)
		m.Data = data
		m.Header.Set(jetstream.ExpectedLastSubjSeqHeader, strconv.FormatUint(expect, 10))
		return m
	}
	paths := []struct {
		name    string
		publish func(subject string, expect uint64) (uint64, error)
	}{
		{"sync", func(subject string, expect uint64) (uint64, error) {
			ack, err := js.PublishMsg(ctx, msg(subject, expect))
			if err != nil {
				return 0, err
			}
			return ack.Sequence, nil
		}},
		{"async", func(subject string, expect uint64) (uint64, error) {
			f, err := js.PublishMsgAsync(msg(subject, expect), jetstream.WithRetryAttempts(0))
			if err != nil {
				return 0, err
			}
			select {
			case ack := <-f.Ok():
				return ack.Sequence, nil
			case err := <-f.Err():
				return 0, err
			}
		}},
		{"chan", func(subject string, expect uint64) (uint64, error) {
			m := msg(subject, expect)
			m.Reply = inbox + "1"
			if err := nc.PublishMsg(m); err != nil {
				return 0, err
			}
			var ack jetstream.PubAck
			select {
			case r := <-acks:
				if err := json.Unmarshal(r.Data, &ack); err != nil || ack.Sequence == 0 {
					return 0, fmt.Errorf("acknowledgement %q: %v", r.Data, err)
				}
				return ack.Sequence, nil
			case <-time.After(5 * time.Second):
				return 0, errors.New("no acknowledgement")
			}
		}},
	}
	const subjects = 50
	last := make([]uint64, subjects)
	took := make([][]time.Duration, len(paths))
	n := 0
	for b.Loop() {
		s := n % subjects
		for j := range paths {
			k := (j + n) % len(paths) // each goes first in turn
			t0 := time.Now()
			seq, err := paths[k].publish("raw."+strconv.Itoa(s), last[s])
			if err != nil {
				b.Fatalf("%s: %v", paths[k].name, err)
			}
			took[k] = append(took[k], time.Since(t0))
			last[s] = seq
		}
		n++
	}
	for k, p := range paths {
		slices.Sort(took[k])
		b.ReportMetric(float64(took[k][len(took[k])/2].Nanoseconds())/1e3, p.name+"-p50-µs")
	}
}
