// Package memory holds a summit process's memory policy, each set again
// after every collection from the live heap: a soft memory limit that
// follows it ([Limit]), which a process that runs the embedded server keeps
// for its life, and a GOGC that spends a bounded spare on fewer
// collections ([Collect]), which a projection's catch-up takes for its
// length.
package memory

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// ServerFloor and ServerSpare are the limit a summit process that runs the
// server keeps (see [Limit]): a rebuild of a record of a million events of
// 10,000 meetings, with the server in the process, peaks under 300 MB with
// it, about 440 MB without.
const (
	ServerFloor = 256 << 20
	ServerSpare = 0.25
)

// Limit gives the Go runtime a soft memory limit that follows the
// process's live heap: the larger of floor and the live heap of the last
// collection with spare times as much again, set again after every
// collection. A process that holds the server as well as its own work (a
// rebuild, a board) keeps [ServerFloor] and [ServerSpare]: without them
// the collector lets the heap grow to twice what is live (GOGC=100), and a
// rebuild with the server in the process peaks at half as much again as
// it needs. With them the collector works harder while the heap is near
// the floor (a rebuild of a million events takes about 1.3 times as long:
// 279 MB in place of 440), and never has less than a quarter of the live
// heap to spare, so a store larger than the floor was made for costs more
// collections, never a collector that runs without end.
//
// If GOMEMLIMIT is set, the operator's limit stands and Limit does
// nothing. It returns a function that stops following the heap and puts
// back the limit there was before.
func Limit(floor int64, spare float64) (stop func()) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	prev := debug.SetMemoryLimit(-1)
	return follow(func(live int64) {
		debug.SetMemoryLimit(max(floor, live+int64(float64(live)*spare)))
	}, func() { debug.SetMemoryLimit(prev) })
}

// Collect sets GOGC after every collection to what lets the heap grow by
// spare bytes before the next, within [the GOGC there was, most]: most
// while the live heap is small, less as it grows, and never less than
// before. A catch-up of a million events, which turns over gigabytes
// against a live heap of some 200 MB, is collected a quarter as often at
// GOGC=400 as at 100; a heap of 800 MB live, with a spare of 800 MB, at
// the GOGC there was.
//
// Collect does nothing in a process with a memory limit ([Limit], or
// GOMEMLIMIT): the limit decides when the collector runs, and a higher
// GOGC under a limit near the live heap only makes it run at the limit,
// without end. An operator's GOGC or GOMEMLIMIT (even off: a choice of
// memory over time) stands, and so does collection off. It returns a
// function that stops following the heap and puts back the GOGC there
// was before.
func Collect(most int, spare int64) (stop func()) {
	prev := GCPercent()
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" || prev < 0 || debug.SetMemoryLimit(-1) != math.MaxInt64 {
		return func() {}
	}
	return follow(func(live int64) {
		gogc := most
		if live > 0 && spare*100/live < int64(most) {
			gogc = int(spare * 100 / live)
		}
		debug.SetGCPercent(max(prev, gogc))
	}, func() { debug.SetGCPercent(prev) })
}

// GCPercent returns the process's GOGC (negative: collection off). The
// runtime gives it back only as it sets it: it is set back at once.
func GCPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// follower calls set with the live heap now and after each collection,
// until stopped: a finalizer on an object nothing refers to runs after the
// collection that found it unreachable, and arms the next one.
type follower struct {
	set  func(live int64)
	undo func()

	mu      sync.Mutex
	stopped bool
}

// follow starts a follower of set, and returns its stop, which calls undo
// once.
func follow(set func(live int64), undo func()) (stop func()) {
	f := &follower{set: set, undo: undo}
	f.set(liveHeap())
	f.arm()
	return f.stop
}

// sentinel is large enough not to be batched with other tiny objects, whose
// finalizers might never run.
type sentinel struct{ _ [32]byte }

func (f *follower) arm() {
	runtime.SetFinalizer(new(sentinel), func(*sentinel) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.stopped {
			return
		}
		f.set(liveHeap())
		f.arm()
	})
}

func (f *follower) stop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.stopped {
		f.stopped = true
		f.undo()
	}
}

// liveHeap returns the live heap of the last collection.
func liveHeap() int64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() == metrics.KindUint64 {
		return int64(s[0].Value.Uint64())
	}
	return 0
}
