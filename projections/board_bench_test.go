package projections

import (
	"runtime"
	"testing"

	"github.com/summit-model/summit/workload"
)

// BenchmarkBoardApply times the board's fold alone, as a rebuild applies
// its records, with no server: half a million events of 10,000 meetings,
// so that the meetings' slots do not fit in the processor's caches, as at
// a million; and the heap the board holds for a meeting once folded
// (B/meeting), what a projection's memory grows with. go test
// ./projections -run x -bench BoardApply -benchmem
func BenchmarkBoardApply(b *testing.B) {
	const meetings = 10_000
	load, err := workload.Generate(workload.Options{Meetings: meetings, Events: 500_000, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	recs := recordsOf(load.Events)
	b.ReportAllocs()
	b.ResetTimer()
	var board *Board
	for b.Loop() {
		board = NewBoard("main", BoardOptions{})
		for _, r := range recs {
			if _, err := board.Apply(r); err != nil {
				b.Fatalf("seq %d: %v", r.Seq, err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(recs)), "ns/event")
	b.ReportMetric(float64(heapOf(b, &board))/float64(meetings), "B/meeting")
}

// heapOf returns the heap that *board holds alone: the live heap with it,
// less the live heap once it is let go. (The records it was folded from
// share their strings with it, and stay live: what it holds of those is
// the tail's copies of their events, not their text.)
func heapOf(b *testing.B, board **Board) int64 {
	b.Helper()
	b.StopTimer()
	defer b.StartTimer()
	live := func() int64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return int64(m.HeapAlloc)
	}
	with := live()
	if (*board).Len() == 0 {
		b.Fatal("empty board")
	}
	*board = nil
	return with - live()
}
