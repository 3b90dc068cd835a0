package bench

import (
	"context"
	"flag"
	"testing"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/natstest"
	"github.com/summit-model/summit/projections"
	"github.com/summit-model/summit/workload"
)

var rebuildEvents = flag.Int("bench.events", 100_000, "events in BenchmarkRebuild's record (1,000,000 for the issue's size)")

// BenchmarkRebuild times a projection rebuild of main against an ordered
// consumer reading the same messages (BenchmarkOrderedRead), on a record
// appended once: go test ./bench -bench Rebuild -cpuprofile cpu.out.
func BenchmarkRebuild(b *testing.B) {
	ctx := context.Background()
	log, store := record(b)
	n := 0
	for b.Loop() {
		r := projections.NewRunner(log, store, eventlog.Main(), projections.RunnerOptions{})
		if err := r.Rebuild(ctx); err != nil {
			b.Fatal(err)
		}
		n += *rebuildEvents
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkOrderedRead is the raw counterpart of BenchmarkRebuild.
func BenchmarkOrderedRead(b *testing.B) {
	ctx := context.Background()
	log, _ := record(b)
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		got, err := OrderedRead(ctx, log.JetStream(), eventlog.StreamName, eventlog.BranchSubjects(events.Main), 0)
		if err != nil {
			b.Fatal(err)
		}
		n += got
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}

func record(b *testing.B) (*eventlog.Log, *projections.Store) {
	b.Helper()
	ctx := context.Background()
	js := natstest.JetStream(b, natstest.Start(b))
	log, err := eventlog.Open(ctx, js, eventlog.Options{})
	if err != nil {
		b.Fatal(err)
	}
	store, err := projections.OpenStore(ctx, js, projections.StoreOptions{})
	if err != nil {
		b.Fatal(err)
	}
	load, err := workload.Generate(workload.Options{Meetings: *rebuildEvents / 100, Events: *rebuildEvents, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	p := make([]eventlog.Pending, len(load.Events))
	for i := range load.Events {
		p[i] = eventlog.Pending{Events: load.Events[i : i+1 : i+1]}
	}
	if _, err := log.AppendAll(ctx, p); err != nil {
		b.Fatal(err)
	}
	return log, store
}

// BenchmarkFold times projections.Fold of main, with no views to write: the
// fold of the record a branch's projection makes when main's is not saved
// (summit bench's branch_read fold_ms), against BenchmarkOrderedRead.
func BenchmarkFold(b *testing.B) {
	ctx := context.Background()
	log, _ := record(b)
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		board, err := projections.Fold(ctx, log, projections.Query{Branch: eventlog.Main()})
		if err != nil {
			b.Fatal(err)
		}
		if board.Len() == 0 {
			b.Fatal("empty board")
		}
		n += *rebuildEvents
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}
