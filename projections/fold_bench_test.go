package projections_test

import (
	"testing"
	"time"

	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
	"github.com/summit-model/summit/workload"
)

// BenchmarkFold decodes the record's messages and folds them into a board:
// a rebuild's own work, without the server.
func BenchmarkFold(b *testing.B) {
	load, err := workload.Generate(workload.Options{Meetings: 1000, Events: 100_000, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	msgs := make([][]byte, len(load.Events))
	for i, e := range load.Events {
		if msgs[i], err = events.Marshal(e); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		board := projections.NewBoard(events.Main, time.Time{})
		for i, m := range msgs {
			e, err := events.Unmarshal(m)
			if err != nil {
				b.Fatal(err)
			}
			board.Apply(uint64(i+1), e)
		}
		n += len(msgs)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/event")
}
