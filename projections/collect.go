package projections

import (
	"sync"

	"github.com/summit-model/summit/memory"
)

// While a runner catches up a backlog of at least catchUpBacklog events (a
// rebuild, a resume far behind), or a read folds as many ([Fold]: a branch
// forked at a date, a board as of a date), a process with no memory limit
// collects at up to GOGC=catchUpGC, as far as catchUpSpare bytes above the
// live heap allow ([memory.Collect]).
//
// A catch-up turns over gigabytes of decoded events against a board that
// grows to every meeting's state: at GOGC=100 the collector marks that
// board about twenty times in a rebuild of a million events, and takes a
// third of the two cores' time. At 400 it lets four times the live heap be
// allocated between two collections, not once, and the rebuild takes
// about a fifth less time (summit bench: 0.60x the raw read to
// 0.71-0.78x). A million events of 10,000 meetings hold about 200 MB live,
// the server's share with it: the spare allows GOGC=400 there, and a
// larger store less, down to the GOGC there was for a live heap of 800 MB
// and more, so that the heap never grows by more than the spare or what
// is live.
//
// A process that runs the embedded server keeps a memory limit for its
// life ([memory.ServerFloor]): that limit decides when the collector runs,
// and the catch-up leaves it so (a higher GOGC under a limit near the live
// heap only makes the collector run at the limit). So does an operator's
// GOGC or GOMEMLIMIT.
const (
	catchUpGC      = 400
	catchUpSpare   = 800 << 20
	catchUpBacklog = 10_000
)

// collecting counts the runners catching up a backlog, and holds how to
// undo what the first of them set.
var collecting struct {
	sync.Mutex
	n    int
	stop func()
}

// collectLess sets the catch-up's collector until the returned function is
// called (once or more), for a runner that catches up a backlog. The
// setting is the process's: while several runners catch up at once, the
// first sets it and the last puts back what there was.
func collectLess() (release func()) {
	collecting.Lock()
	defer collecting.Unlock()
	if collecting.n == 0 {
		collecting.stop = memory.Collect(catchUpGC, catchUpSpare)
	}
	collecting.n++
	var once sync.Once
	return func() {
		once.Do(func() {
			collecting.Lock()
			defer collecting.Unlock()
			if collecting.n--; collecting.n == 0 {
				collecting.stop()
			}
		})
	}
}
