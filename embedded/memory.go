package embedded

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// DefaultMemoryFloor is the soft memory limit a summit process that runs
// the server keeps at least (see [LimitMemory]): a rebuild of a record of a
// million events of 10,000 meetings, with the server in the process, peaks
// under 300 MB with it, about 440 MB without.
const DefaultMemoryFloor = 256 << 20

// LimitMemory gives the Go runtime a soft memory limit that follows the
// process's live heap, for a process that holds the server as well as its
// own work (a rebuild, a board): the larger of floor and a quarter above
// the live heap of the last collection, set again after every
// collection. Without it the collector lets the heap grow to twice what
// is live (GOGC=100), and a rebuild with the server in the process peaks
// at half as much again as it needs. With it the collector works harder
// while the heap is near the floor (a rebuild of a million events takes
// about 1.3 times as long: 279 MB in place of 440),
// and never has less than a quarter of the live heap to spare, so a store
// larger than the floor was made for costs more collections, never a
// collector that runs without end.
//
// If GOMEMLIMIT is set, the operator's limit stands and LimitMemory does
// nothing. It returns a function that stops following the heap and puts
// back the limit there was before.
func LimitMemory(floor int64) (stop func()) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	l := &limiter{floor: floor, prev: debug.SetMemoryLimit(-1)}
	l.set()
	l.arm()
	return l.stop
}

// limiter sets the memory limit after each collection: a finalizer on an
// object nothing refers to runs after the collection that found it
// unreachable, and arms the next one.
type limiter struct {
	floor int64
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
	debug.SetMemoryLimit(max(l.floor, live+live/4))
}

func (l *limiter) stop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.stopped {
		l.stopped = true
		debug.SetMemoryLimit(l.prev)
	}
}
