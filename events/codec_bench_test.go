package events

import (
	"syscall"
	"testing"
	"time"
)

// The codec's benchmarks read and write the mix (mix_test.go), one event an
// op, by the fast path and by encoding/json alone (strict). Each reports
// ns/event, allocs/event and the mean size of an event on the wire.

// benchLoad is the events of the benchmarks and what Marshal writes of
// them.
func benchLoad(b *testing.B) ([]Event, [][]byte) {
	b.Helper()
	evs := mixEvents(10_000, 1)
	msgs := make([][]byte, len(evs))
	for i, e := range evs {
		var err error
		if msgs[i], err = Marshal(e); err != nil {
			b.Fatal(err)
		}
	}
	return evs, msgs
}

func meanSize(msgs [][]byte) int64 {
	n := 0
	for _, m := range msgs {
		n += len(m)
	}
	return int64(n / len(msgs))
}

// cpuTime returns the CPU time the process has used, in user and system
// mode: on a busy machine a steadier measure than the time passed.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// perEvent reports the op's figures as an event's (an op is one event),
// and the CPU time the process spent on each since cpu0, garbage
// collection included.
func perEvent(b *testing.B, n int, cpu0 time.Duration) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/event")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(n), "cpu-ns/event")
}

func BenchmarkUnmarshal(b *testing.B) {
	_, msgs := benchLoad(b)
	for _, path := range []struct {
		name string
		fast bool
	}{{"strict", false}, {"fast", true}} {
		b.Run(path.name, func(b *testing.B) {
			b.SetBytes(meanSize(msgs))
			b.ReportAllocs()
			n, cpu0 := 0, cpuTime()
			for b.Loop() {
				if _, err := unmarshal(msgs[n%len(msgs)], path.fast); err != nil {
					b.Fatal(err)
				}
				n++
			}
			perEvent(b, n, cpu0)
		})
	}
}

func BenchmarkMarshal(b *testing.B) {
	evs, msgs := benchLoad(b)
	for _, path := range []struct {
		name string
		fast bool
	}{{"strict", false}, {"fast", true}} {
		b.Run(path.name, func(b *testing.B) {
			b.SetBytes(meanSize(msgs))
			b.ReportAllocs()
			n, cpu0 := 0, cpuTime()
			for b.Loop() {
				if _, err := marshal(nil, evs[n%len(evs)], path.fast); err != nil {
					b.Fatal(err)
				}
				n++
			}
			perEvent(b, n, cpu0)
		})
	}
}
