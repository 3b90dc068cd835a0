package projections

import (
	"math"
	"os"
	"runtime/debug"
	"sync"

	"github.com/summit-model/summit/memory"
)

// While a runner catches up a backlog of at least catchUpBacklog events (a
// rebuild, a resume far behind), or a read folds as many ([Fold]: a branch
// forked at a date, a board as of a date), the collector runs at
// GOGC=catchUpGC, within a soft memory limit of catchUpFloor or twice the
// live heap, whichever is larger ([memory.Limit]).
//
// A catch-up turns over gigabytes of decoded events against a board that
// grows to every meeting's state: at GOGC=100 the collector marks that
// board about twenty times in a rebuild of a million events, and takes a
// third of the two cores' time. At 400 it lets four times the live heap
// be allocated between two collections, not once, and the rebuild takes
// about a fifth less time (summit bench: 0.60x the raw read to 0.71-0.78x). The heap may then grow to
// five times what is live, where it grew to twice; the limit keeps it
// under catchUpFloor (a million events of 10,000 meetings hold about 200
// MB live, the server's share with it), and a larger store, whose live
// heap is past half the floor, has twice its live heap, as at GOGC=100.
//
// A process that runs the embedded server keeps its own limit for its
// life ([memory.ServerFloor]): that limit, not GOGC, then decides when the
// collector runs, and a rebuild peaks where it did. An operator's GOGC or
// GOMEMLIMIT stands.
const (
	catchUpGC      = 400
	catchUpFloor   = 1 << 30
	catchUpBacklog = 10_000
)

// collecting counts the runners catching up a backlog, and holds what the
// first of them changed.
var collecting struct {
	sync.Mutex
	n    int
	prev int    // GOGC before
	stop func() // puts back the memory limit before
}

// collectLess sets the catch-up's collector (catchUpGC, within
// catchUpFloor) until the returned function is called (once or more), for
// a runner that catches up a backlog. The setting is the process's: while
// several runners catch up at once, the first sets it and the last puts
// back what there was. An operator's GOGC or GOMEMLIMIT stands, and
// nothing changes; so does a GOGC already higher (or off); a memory limit
// already set (the embedded server's) stands, and none is added.
func collectLess() (release func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		// The operator's choice, even GOMEMLIMIT=off: GOGC=400 with no
		// limit could take five times the live heap.
		return func() {}
	}
	collecting.Lock()
	defer collecting.Unlock()
	if collecting.n == 0 {
		collecting.prev = debug.SetGCPercent(catchUpGC)
		if collecting.prev < 0 || collecting.prev > catchUpGC {
			debug.SetGCPercent(collecting.prev)
		}
		collecting.stop = func() {}
		if debug.SetMemoryLimit(-1) == math.MaxInt64 {
			collecting.stop = memory.Limit(catchUpFloor, 1)
		}
	}
	collecting.n++
	var once sync.Once
	return func() {
		once.Do(func() {
			collecting.Lock()
			defer collecting.Unlock()
			if collecting.n--; collecting.n == 0 {
				collecting.stop()
				debug.SetGCPercent(collecting.prev)
			}
		})
	}
}
