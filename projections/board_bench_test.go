package projections

import (
	"testing"

	"github.com/summit-model/summit/workload"
)

// BenchmarkBoardApply times the board's fold alone, as a rebuild applies
// its records, with no server: half a million events of 10,000 meetings,
// so that the meetings' slots do not fit in the processor's caches, as at
// a million. go test ./projections -run x -bench BoardApply -benchmem
func BenchmarkBoardApply(b *testing.B) {
	load, err := workload.Generate(workload.Options{Meetings: 10_000, Events: 500_000, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	recs := recordsOf(load.Events)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		board := NewBoard("main", BoardOptions{})
		for _, r := range recs {
			if _, err := board.Apply(r); err != nil {
				b.Fatalf("seq %d: %v", r.Seq, err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(recs)), "ns/event")
}
