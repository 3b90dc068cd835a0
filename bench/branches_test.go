package bench_test

import (
	"context"
	"flag"
	"os"
	"testing"
	"time"

	"github.com/summit-model/summit/bench"
)

var branchesN = flag.Int("branches", 1000, "how many branches BenchmarkManyBranches makes")

// BenchmarkManyBranches measures what idle branches cost summit serve's
// keeper: idle CPU, memory and consumers, the time to list them and the
// live lag of an event on an idle branch. Run it with -benchtime 1x (and
// -branches 10000 for the size).
func BenchmarkManyBranches(b *testing.B) {
	for range b.N {
		f, err := bench.ManyBranches(context.Background(), bench.ManyBranchesOptions{Branches: *branchesN, Idle: 5 * time.Second, Progress: os.Stderr})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(f.IdleCPU*100, "idle-cpu-%")
		b.ReportMetric(f.IdleCPUBase*100, "idle-cpu-base-%")
		b.ReportMetric(float64(f.Consumers), "consumers")
		b.ReportMetric(float64(f.RSS)/1e6, "rss-MB")
		b.ReportMetric(f.RSSPerBranch/1e3, "rss-kB/branch")
		b.ReportMetric(f.HeapPerBranch/1e3, "heap-kB/branch")
		b.ReportMetric(float64(f.List)/1e6, "list-ms")
		b.ReportMetric(float64(f.RawList)/1e6, "raw-list-ms")
		b.ReportMetric(f.Project.Seconds(), "project-s")
		b.ReportMetric(float64(f.Live)/1e6, "live-ms")
	}
}
