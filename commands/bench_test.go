package commands_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/commands"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/natstest"
)

// BenchmarkHandleWarm times a command on a meeting the handler met before
// (decide on the cached state, append with the expected last subject
// sequence) against its raw anchor in the same run, on the same server:
// a synchronous PublishMsg of the same event's bytes, with the expected
// last sequence of its subject, into a stream of its own. It reports both
// medians and their ratio (summit bench's command_warm, on a small log).
func BenchmarkHandleWarm(b *testing.B) {
	ctx := context.Background()
	js := natstest.JetStream(b, natstest.Start(b))
	l, err := eventlog.Open(ctx, js, eventlog.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "RAW", Subjects: []string{"raw.>"}, Storage: jetstream.FileStorage}); err != nil {
		b.Fatal(err)
	}
	h := commands.NewHandler(l, eventlog.Main())
	const meetings = 50
	ids := make([]string, meetings)
	last := make([]uint64, meetings)
	var data []byte
	for i := range ids {
		ids[i] = fmt.Sprintf("m%d", i)
		cmd := warmStatement(ids[i], 0)
		cmd.Declare = &events.MeetingDeclared{Title: ids[i], Participants: []events.Participant{{Person: "trump", Party: "USA"}, {Person: "putin", Party: "RUS"}}}
		res, err := h.Handle(ctx, cmd, commands.Meta{})
		if err != nil {
			b.Fatal(err)
		}
		if data == nil {
			if data, err = events.Marshal(res.Events[len(res.Events)-1]); err != nil {
				b.Fatal(err)
			}
		}
	}
	raw := func(i int) (time.Duration, error) {
		m := nats.NewMsg("raw." + eventlog.Subject(events.Main, events.Meeting(ids[i])))
		m.Data = data
		t0 := time.Now()
		ack, err := js.PublishMsg(ctx, m, jetstream.WithExpectLastSequencePerSubject(last[i]))
		if err != nil {
			return 0, err
		}
		last[i] = ack.Sequence
		return time.Since(t0), nil
	}
	for i := range ids { // the raw subjects' first messages
		if _, err := raw(i); err != nil {
			b.Fatal(err)
		}
	}
	var ours, raws []time.Duration
	n := 0
	b.ResetTimer()
	for b.Loop() {
		i := n % meetings
		n++
		t0 := time.Now()
		if _, err := h.Handle(ctx, warmStatement(ids[i], n), commands.Meta{}); err != nil {
			b.Fatal(err)
		}
		ours = append(ours, time.Since(t0))
		b.StopTimer()
		d, err := raw(i)
		if err != nil {
			b.Fatal(err)
		}
		raws = append(raws, d)
		b.StartTimer()
	}
	o, r := median(ours), median(raws)
	b.ReportMetric(float64(o.Microseconds()), "p50-µs")
	b.ReportMetric(float64(r.Microseconds()), "raw-p50-µs")
	b.ReportMetric(float64(o)/float64(r), "x-raw")
}

// warmStatement is the i-th statement about meeting m, each a second after
// the last.
func warmStatement(m string, i int) aggregates.Command {
	at := events.At(time.Date(2025, 10, 16, 12, 0, i, 0, time.UTC))
	return aggregates.Command{Aggregate: events.Meeting(m), At: at, By: "peskov", Party: "RUS",
		Source: &events.Source{Outlet: "tass.ru", Address: "https://tass.ru/politika/" + m, Published: at.Format(time.DateOnly)},
		Payload: &events.StatementMade{About: m, Stance: events.StanceNoncommittal, Claim: "postponed",
			Quote: "The dates will be agreed through diplomatic channels; there is no agreement yet."}}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
