package events_test

import (
	"testing"

	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/workload"
)

// encoded returns the JSON of a realistic mix of events, as the log stores
// them.
func encoded(b *testing.B) [][]byte {
	b.Helper()
	l, err := workload.Generate(workload.Options{Meetings: 100, Events: 10_000})
	if err != nil {
		b.Fatal(err)
	}
	out := make([][]byte, len(l.Events))
	for i, e := range l.Events {
		if out[i], err = events.Marshal(e); err != nil {
			b.Fatal(err)
		}
	}
	return out
}

func BenchmarkUnmarshal(b *testing.B) {
	msgs := encoded(b)
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		if _, err := events.Unmarshal(msgs[n%len(msgs)]); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkMarshal(b *testing.B) {
	l, err := workload.Generate(workload.Options{Meetings: 100, Events: 10_000})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if _, err := events.Marshal(l.Events[n%len(l.Events)]); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}
