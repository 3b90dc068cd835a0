package projections

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
)

// Keeper keeps the meeting-status projection of the record and of every
// branch live, at a cost that does not grow with the number of idle
// branches.
//
// Main's [Runner] runs all the time. A branch's runner runs only while the
// branch has work: when the branch is made (to put the record up to its
// fork on its board: from main's snapshots where they stand for the fork,
// else folded), when an event is appended to it, and when it has a backlog
// at start; it stops once the branch has been idle for [Keeper.BranchIdle],
// saving its checkpoint and releasing its lease. What tells the keeper
// that a branch has work is one ordered consumer over every event subject
// that reads headers only ([eventlog.Log.WatchActivity]), whatever the
// number of branches: 10,000 idle branches cost no consumer, no lease and
// no request, only a few words each in the keeper's memory, while their
// views, snapshots and checkpoints wait in the buckets.
//
// A deleted branch's runner is stopped and its views dropped once no
// runner holds its lease (see [DeleteBranch]). A runner that fails is
// started again after a pause.
type Keeper struct {
	// BranchIdle is how long a branch's runner stays after the branch's
	// last event. Default 30s.
	BranchIdle time.Duration
	// MaxBusy bounds how many branch runners (each a consumer) run at
	// once; the others wait their turn. Default 64.
	MaxBusy int

	log   *eventlog.Log
	store *Store
	o     RunnerOptions
}

// NewKeeper returns a keeper of every branch's projection; o configures each
// runner.
func NewKeeper(log *eventlog.Log, store *Store, o RunnerOptions) *Keeper {
	return &Keeper{log: log, store: store, o: o.withDefaults()}
}

// keeperRetry is how long a keeper waits before it starts a failed runner
// again.
const keeperRetry = time.Second

// keptBranch is what a keeper knows of one branch.
type keptBranch struct {
	branch eventlog.Branch
	// cp is the branch's checkpoint as the keeper last learnt it: every
	// event of the branch up to it is in its views. seen is the newest
	// event of the branch the activity watch delivered.
	cp, seen uint64
	run      *running
	queued   bool
	retryAt  time.Time
	// live is set when the branch has new events: its runner follows the
	// branch until it is idle. Otherwise (a branch made, or behind at
	// start) the runner catches up and stops.
	live bool
}

// running is a runner at work.
type running struct {
	runner *Runner
	cancel context.CancelFunc
	done   chan struct{}
}

// exit is a runner that stopped by itself.
type exit struct {
	name string
	gen  uint64
	cp   uint64
	err  error
}

// Run keeps the projections live until ctx ends, then stops every runner
// (each saves its checkpoint) and returns nil.
func (k *Keeper) Run(ctx context.Context) error {
	idle := k.BranchIdle
	if idle <= 0 {
		idle = 30 * time.Second
	}
	maxBusy := k.MaxBusy
	if maxBusy <= 0 {
		maxBusy = 64
	}
	branchOpts := k.o
	branchOpts.StopIdle = idle

	kept := map[string]*keptBranch{events.Main: {branch: eventlog.Main()}}
	var queue []string
	busy := 0
	exits := make(chan exit)

	start := func(c *keptBranch) {
		rctx, cancel := context.WithCancel(ctx)
		o := branchOpts
		if c.branch.IsMain() {
			o = k.o
		} else {
			busy++
		}
		r := &running{runner: NewRunner(k.log, k.store, c.branch, o), cancel: cancel, done: make(chan struct{})}
		c.run = r
		b := c.branch
		follow := c.branch.IsMain() || c.live
		c.live = false
		go func() {
			defer close(r.done)
			var err error
			if follow {
				err = r.runner.Run(rctx)
			} else {
				err = r.runner.CatchUp(rctx)
			}
			if rctx.Err() == nil {
				select {
				case exits <- exit{name: b.Name, gen: b.Gen, cp: r.runner.cp.Seq, err: err}:
				case <-rctx.Done():
				}
			}
		}()
	}
	stop := func(c *keptBranch) {
		if c.run == nil {
			return
		}
		c.run.cancel()
		<-c.run.done
		c.run = nil
		if !c.branch.IsMain() {
			busy--
		}
	}
	enqueue := func(c *keptBranch) {
		if c.run == nil && !c.queued {
			c.queued = true
			queue = append(queue, c.branch.Name)
		}
	}
	drain := func() {
		for len(queue) > 0 && busy < maxBusy {
			name := queue[0]
			queue = queue[1:]
			c := kept[name]
			if c == nil || !c.queued {
				continue
			}
			c.queued = false
			if c.run == nil {
				start(c)
			}
		}
	}
	defer func() {
		for _, c := range kept {
			stop(c)
		}
	}()

	changes := make(chan eventlog.BranchChange)
	watchErr := make(chan error, 1)
	wctx, cancelWatch := context.WithCancel(ctx)
	defer cancelWatch()
	go func() {
		watchErr <- k.log.WatchBranches(wctx, func(c eventlog.BranchChange) error {
			select {
			case changes <- c:
				return nil
			case <-wctx.Done():
				return wctx.Err()
			}
		})
	}()
	activity := make(chan eventlog.Activity, 1024)
	start(kept[events.Main])
	current := false
	day := k.o.Now().UTC().Format(events.DateLayout)
	tick := time.NewTicker(keeperRetry)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-watchErr:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("keeper: %w", err)
		case c := <-changes:
			name := c.Branch.Name
			switch {
			case c.Current:
				from, err := k.backlog(ctx, kept, enqueue)
				if err != nil {
					if ctx.Err() != nil {
						// Stopped while it read the log's end and the checkpoints.
						return nil
					}
					return fmt.Errorf("keeper: %w", err)
				}
				current = true
				go k.watchActivity(wctx, from, activity)
				k.o.Logger.Info("projecting branches", "branches", len(kept)-1, "from", from)
			case c.Deleted:
				if old := kept[name]; old != nil {
					stop(old)
					delete(kept, name)
				}
				go k.drop(ctx, name)
			default:
				old := kept[name]
				if old != nil && old.branch.Gen == c.Branch.Gen {
					continue
				}
				if old != nil {
					stop(old)
				}
				nk := &keptBranch{branch: c.Branch}
				kept[name] = nk
				if current {
					k.o.Logger.Info("projecting branch", "branch", name, "fork_at", c.Branch.ForkAt.String(), "fork_seq", c.Branch.ForkSeq)
					enqueue(nk)
				}
			}
		case a := <-activity:
			c := kept[a.Branch]
			if c == nil {
				continue // a deleted branch's leftovers, or a branch not yet seen
			}
			c.seen = max(c.seen, a.Seq)
			if c.seen > c.cp {
				c.live = true
				enqueue(c)
			}
		case x := <-exits:
			c := kept[x.name]
			if c == nil || c.branch.Gen != x.gen || c.run == nil {
				continue
			}
			c.run = nil
			if !c.branch.IsMain() {
				busy--
			}
			switch {
			case x.err == nil:
				// Idle: what it saved is where a next run resumes.
				c.cp = max(c.cp, x.cp)
				if c.seen > c.cp {
					c.live = true
					enqueue(c)
				}
			case errors.Is(x.err, ErrBranchGone):
				// The delete is on its way from the branch watch.
			case errors.Is(x.err, ErrBusy):
				// Another process (a watch, a status) projects the branch
				// now; look again once it may have done.
				c.retryAt = time.Now().Add(k.o.LeaseTTL / 2)
			default:
				k.o.Logger.Error("projection stopped; starting it again", "branch", x.name, "err", x.err, "after", keeperRetry)
				c.retryAt = time.Now().Add(keeperRetry)
			}
		case now := <-tick.C:
			// A new day: every idle branch's views are as of yesterday.
			// Each runner writes again those the day made overdue.
			if today := k.o.Now().UTC().Format(events.DateLayout); today != day {
				for _, c := range kept {
					if !c.branch.IsMain() {
						enqueue(c)
					}
				}
				day = today
			}
			for _, c := range kept {
				if !c.retryAt.IsZero() && !now.Before(c.retryAt) {
					c.retryAt = time.Time{}
					if c.branch.IsMain() {
						start(c)
					} else {
						enqueue(c)
					}
				}
			}
		}
		drain()
	}
}

// backlog finds, once the keeper knows every branch there is, what each
// branch lacks: a branch whose checkpoint is of another generation, or is
// not based on the record yet, is queued; for the others, it returns the
// stream sequence from which the activity watch must read so that every
// event after any branch's checkpoint is seen.
func (k *Keeper) backlog(ctx context.Context, kept map[string]*keptBranch, enqueue func(*keptBranch)) (uint64, error) {
	last, err := k.log.LastSeq(ctx)
	if err != nil {
		return 0, err
	}
	cps, err := k.store.checkpoints(ctx)
	if err != nil {
		return 0, err
	}
	from := last + 1
	for name, c := range kept {
		if c.branch.IsMain() {
			continue
		}
		cp, ok := cps[name]
		if !ok || !cp.Based || cp.Gen != c.branch.Gen {
			enqueue(c)
			continue
		}
		c.cp = cp.Seq
		from = min(from, cp.Seq+1)
	}
	return from, nil
}

// watchActivity sends each event appended to a branch to out, from stream
// sequence from on, until ctx ends; a watch that fails is started again
// after a pause, after the last event it sent.
func (k *Keeper) watchActivity(ctx context.Context, from uint64, out chan<- eventlog.Activity) {
	for {
		err := k.log.WatchActivity(ctx, from, func(a eventlog.Activity) error {
			select {
			case out <- a:
				from = a.Seq + 1
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		if ctx.Err() != nil {
			return
		}
		k.o.Logger.Error("the watch of branch activity stopped; starting it again", "err", err, "after", keeperRetry)
		select {
		case <-ctx.Done():
			return
		case <-time.After(keeperRetry):
		}
	}
}

// drop removes a deleted branch's views once no runner holds its lease.
func (k *Keeper) drop(ctx context.Context, name string) {
	dctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := k.store.DropWhenFree(dctx, k.log, name); err != nil {
		if ctx.Err() == nil {
			k.o.Logger.Error("drop the views of a deleted branch", "branch", name, "err", err)
		}
		return
	}
	k.o.Logger.Info("branch deleted: views dropped", "branch", name)
}

// DropWhenFree removes a deleted branch's views once no runner projects the
// branch: it takes the branch's lease (waiting, until ctx ends, for a
// runner that holds it to stop: one that writes after the delete has
// finished writing), drops the views, and releases the lease. If the
// branch was made again meanwhile, it drops nothing: the new generation's
// runner finds a checkpoint of another generation and starts its views
// afresh.
func (s *Store) DropWhenFree(ctx context.Context, log *eventlog.Log, branch string) error {
	for {
		l, err := s.acquire(ctx, branch, "drop", 5*time.Second)
		if err == nil {
			_, err := log.Branch(ctx, branch)
			switch {
			case err == nil:
				l.release(ctx)
				return nil
			case !errors.Is(err, eventlog.ErrUnknownBranch):
				l.release(ctx)
				return err
			}
			return s.Drop(ctx, branch)
		}
		if !errors.Is(err, ErrBusy) {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("drop the views of %s: %w (%w)", branch, ctx.Err(), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// checkpoints returns every branch's checkpoint, by branch: with one
// multi-last direct get of the state bucket ([eventlog.LatestValues]), or,
// past the 1,024 keys the server answers so, in one pass of a watch over it
// (which makes a consumer: 10 ms on every verb's check on open).
func (s *Store) checkpoints(ctx context.Context) (map[string]Checkpoint, error) {
	out := map[string]Checkpoint{}
	add := func(key string, value []byte) error {
		var c Checkpoint
		if err := json.Unmarshal(value, &c); err != nil {
			return fmt.Errorf("checkpoint %s: %w", key, err)
		}
		name, _, _ := strings.Cut(key, ".")
		out[name] = c
		return nil
	}
	if values, _, err := eventlog.LatestValues(ctx, s.js, StateBucket, "*.checkpoint", 0); err == nil {
		for key, value := range values {
			if err := add(key, value); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	w, stop, err := s.watch(ctx, s.state, "*.checkpoint", jetstream.IgnoreDeletes())
	if err != nil {
		return nil, fmt.Errorf("read checkpoints: %w", err)
	}
	defer stop()
	for {
		select {
		case e, ok := <-w.Updates():
			if !ok {
				if ctx.Err() != nil {
					return nil, ctx.Err() // the watch ends with ctx
				}
				return nil, errors.New("read checkpoints: watcher closed")
			}
			if e == nil {
				return out, nil
			}
			if err := add(e.Key(), e.Value()); err != nil {
				return nil, err
			}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}
