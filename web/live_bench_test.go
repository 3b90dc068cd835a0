package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/projections"
)

// BenchmarkLive measures the live board: from the start of a command (an
// event file recorded through the write path every verb uses) until the
// meeting's view is in the projection's bucket (kv-p99-ms), and until every
// open page's event stream has the change (sse-p99-ms), with 0, 1 and 100
// pages open. The store is the budapest scenario, small: this is the web
// board's own cost, not the projection's at scale.
//
//	go test ./web -run '^$' -bench Live -benchtime 200x
func BenchmarkLive(b *testing.B) {
	for _, pages := range []int{0, 1, 100} {
		b.Run(fmt.Sprintf("pages=%d", pages), func(b *testing.B) {
			r := newRig(b)
			_, hs := r.serve()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			// Each page reports the seq of every change it gets.
			seen := make([]chan uint64, pages)
			for i := range seen {
				seen[i] = make(chan uint64, 1024)
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, hs.URL+"/api/events", nil)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				live := make(chan struct{})
				go func(ch chan uint64) {
					defer resp.Body.Close()
					sc := bufio.NewScanner(resp.Body)
					sc.Buffer(nil, 1<<20)
					for sc.Scan() {
						data, ok := strings.CutPrefix(sc.Text(), "data: ")
						if !ok {
							continue
						}
						var l projections.WatchLine
						if json.Unmarshal([]byte(data), &l) != nil {
							continue
						}
						switch l.Type {
						case "live":
							close(live)
						case "change":
							ch <- l.Seq
						}
					}
				}(seen[i])
				<-live
			}
			kv, err := r.js.KeyValue(ctx, projections.MeetingBucket)
			if err != nil {
				b.Fatal(err)
			}
			w, err := kv.Watch(ctx, projections.Key("main", "budapest-summit"), jetstream.UpdatesOnly())
			if err != nil {
				b.Fatal(err)
			}
			defer w.Stop()
			var kvLag, sseLag []time.Duration
			claims := []string{"willing", "postponed"}
			b.ResetTimer()
			for i := range b.N {
				start := time.Now()
				r.recordFile(eventlog.Main(), "bench.yaml", fmt.Sprintf(`
timeline:
  - at: 2025-11-01T10:%02d:%02dZ
    event: statement.made
    by: lavrov
    about: budapest-summit
    stance: noncommittal
    claim: %s
    quote: "bench %d"
`, i/60%60, i%60, claims[i%2], i))
				last, err := r.log.LastSeq(ctx)
				if err != nil {
					b.Fatal(err)
				}
				for {
					e := <-w.Updates()
					if e == nil {
						continue
					}
					var v projections.View
					if json.Unmarshal(e.Value(), &v) == nil && v.Seq >= last {
						break
					}
				}
				kvLag = append(kvLag, time.Since(start))
				for _, ch := range seen {
					for seq := range ch {
						if seq >= last {
							break
						}
					}
				}
				if pages > 0 {
					sseLag = append(sseLag, time.Since(start))
				}
			}
			b.StopTimer()
			b.ReportMetric(p99(kvLag), "kv-p99-ms")
			if pages > 0 {
				b.ReportMetric(p99(sseLag), "sse-p99-ms")
				b.ReportMetric(p50(sseLag), "sse-p50-ms")
			}
		})
	}
}

func p99(ds []time.Duration) float64 { return quantile(ds, 0.99) }
func p50(ds []time.Duration) float64 { return quantile(ds, 0.50) }

func quantile(ds []time.Duration, q float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return float64(s[min(len(s)-1, int(q*float64(len(s))))].Microseconds()) / 1000
}
