package projections

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
)

// Keeper keeps the meeting-status projection of the record and of every
// branch live: one [Runner] per branch, started when the branch is made and
// stopped (its views dropped) when it is deleted. A runner that fails is
// started again after a pause.
type Keeper struct {
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

// Run keeps the projections live until ctx ends, then stops every runner
// (each saves its checkpoint) and returns nil.
func (k *Keeper) Run(ctx context.Context) error {
	type running struct {
		branch eventlog.Branch
		cancel context.CancelFunc
		done   chan struct{}
	}
	type exit struct {
		name string
		err  error
	}
	runners := map[string]*running{}
	exits := make(chan exit)
	start := func(b eventlog.Branch) {
		rctx, cancel := context.WithCancel(ctx)
		r := &running{branch: b, cancel: cancel, done: make(chan struct{})}
		runners[b.Name] = r
		go func() {
			defer close(r.done)
			err := NewRunner(k.log, k.store, b, k.o).Run(rctx)
			if rctx.Err() == nil {
				select {
				case exits <- exit{b.Name, err}:
				case <-ctx.Done():
				}
			}
		}()
	}
	stop := func(name string) {
		if r := runners[name]; r != nil {
			r.cancel()
			<-r.done
			delete(runners, name)
		}
	}
	defer func() {
		for name := range runners {
			stop(name)
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
	start(eventlog.Main())
	retry := map[string]eventlog.Branch{}
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
			case c.Deleted:
				stop(name)
				delete(retry, name)
				if err := k.store.Drop(ctx, name); err != nil {
					k.o.Logger.Error("drop the views of a deleted branch", "branch", name, "err", err)
				} else {
					k.o.Logger.Info("branch deleted: views dropped", "branch", name)
				}
			default:
				if r := runners[name]; r != nil && r.branch.Gen != c.Branch.Gen {
					stop(name)
				}
				if runners[name] == nil {
					k.o.Logger.Info("projecting branch", "branch", name, "fork_at", c.Branch.ForkAt.String(), "fork_seq", c.Branch.ForkSeq)
					start(c.Branch)
				}
			}
		case x := <-exits:
			delete(runners, x.name)
			if errors.Is(x.err, ErrBranchGone) {
				continue
			}
			k.o.Logger.Error("projection stopped; starting it again", "branch", x.name, "err", x.err, "after", keeperRetry)
			b, err := k.log.Branch(ctx, x.name)
			if err != nil && x.name != events.Main {
				k.o.Logger.Error("branch", "branch", x.name, "err", err)
				continue
			}
			retry[x.name] = b
		case <-tick.C:
			for name, b := range retry {
				if runners[name] == nil {
					start(b)
				}
				delete(retry, name)
			}
		}
	}
}

// DropWhenFree removes a deleted branch's views once no runner projects the
// branch: it takes the branch's lease (waiting, until ctx ends, for a
// runner that holds it to stop), drops the views, and releases the lease.
func (s *Store) DropWhenFree(ctx context.Context, branch string) error {
	for {
		_, err := s.acquire(ctx, branch, "drop", 5*time.Second)
		if err == nil {
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
