// Package memory holds a summit process's memory policy: a soft memory
// limit for the Go runtime that follows the live heap ([Limit]), which a
// process that runs the embedded server keeps for its life, and a
// catch-up of a projection for its length.
package memory

import (
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
	l := &limiter{floor: floor, spare: spare, prev: debug.SetMemoryLimit(-1)}
	l.set()
	l.arm()
	return l.stop
}

// limiter sets the memory limit after each collection: a finalizer on an
// object nothing refers to runs after the collection that found it
// unreachable, and arms the next one.
type limiter struct {
	floor int64
	spare float64
	prev  int64

	mu      sync.Mutex
	stopped bool
}

// sentinel is large enough not to be batched with other tiny objects, whose
// finalizers might never run.
type sentinel struct{ _ [32]byte }

func (l *limiter) arm() {
	runtime.SetFinalizer(new(sentinel), func(*sentinel) {
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.stopped {
			return
		}
		l.set()
		l.arm()
	})
}

// set sets the limit from the live heap of the last collection.
func (l *limiter) set() {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	var live int64
	if s[0].Value.Kind() == metrics.KindUint64 {
		live = int64(s[0].Value.Uint64())
	}
	debug.SetMemoryLimit(max(l.floor, live+int64(float64(live)*l.spare)))
}

func (l *limiter) stop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.stopped {
		l.stopped = true
		debug.SetMemoryLimit(l.prev)
	}
}
