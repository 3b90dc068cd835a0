package projections_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/natstest"
	"github.com/summit-model/summit/projections"
)

// eventually polls cond until it holds, failing the test with what cond
// last said if it does not within d.
func eventually(t *testing.T, d time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		ok, why := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", d, why)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// consumers returns how many consumers the event stream has.
func (r *liveRig) consumers() int {
	r.t.Helper()
	s, err := r.js.Stream(context.Background(), eventlog.StreamName)
	if err != nil {
		r.t.Fatal(err)
	}
	info, err := s.Info(context.Background())
	if err != nil {
		r.t.Fatal(err)
	}
	return info.State.Consumers
}

// keep runs a keeper until the test ends.
func (r *liveRig) keep(idle time.Duration) { r.keepWith(idle, time.Now) }

// keepWith runs a keeper on the clock now until the test ends.
func (r *liveRig) keepWith(idle time.Duration, now func() time.Time) {
	r.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	k := projections.NewKeeper(r.log, r.store, projections.RunnerOptions{Idle: 20 * time.Millisecond, Now: now, Logger: slog.New(slog.DiscardHandler)})
	k.BranchIdle = idle
	done := make(chan error, 1)
	go func() { done <- k.Run(ctx) }()
	r.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			r.t.Errorf("keeper: %v", err)
		}
	})
}

// sameAsFold reports whether branch b's stored views say what a fold of
// the log says.
func (r *liveRig) sameAsFold(b eventlog.Branch) (bool, string) {
	want, got := r.folded(b), r.stored(b.Name)
	if d := cmp.Diff(want, got, sameBoard); d != "" {
		return false, fmt.Sprintf("branch %s, stored views against a fold (-want +got):\n%s", b.Name, d)
	}
	return true, ""
}

// TestKeeperIdleBranchesCostNoConsumer checks that a keeper of many
// branches projects each (the record up to its fork, then its own
// events), then holds no consumer for an idle branch: two in all, main's
// runner's and the activity watch's, however many branches there are. An
// event on one branch starts its runner, its view changes live, and the
// runner goes again once the branch is idle.
func TestKeeperIdleBranchesCostNoConsumer(t *testing.T) {
	r := newLiveRig(t)
	r.story(3)
	ctx := context.Background()
	var bs []eventlog.Branch
	for i := range 12 {
		b, err := r.log.Fork(ctx, fmt.Sprintf("b%02d", i), events.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			r.do(b, "summit", 22, "putin", &events.MeetingAccepted{})
		}
		bs = append(bs, b)
	}
	r.keep(150 * time.Millisecond)
	for _, b := range bs {
		eventually(t, 20*time.Second, func() (bool, string) { return r.sameAsFold(b) })
	}
	// A branch made while the keeper runs is projected too.
	late, err := r.log.Fork(ctx, "late", events.Time{})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, func() (bool, string) { return r.sameAsFold(late) })
	eventually(t, 10*time.Second, func() (bool, string) {
		n := r.consumers()
		return n <= 2, fmt.Sprintf("%d consumers on the event stream with every branch idle, want 2 at most", n)
	})

	// Live: an event on an idle branch reaches its view.
	b := bs[4]
	r.do(b, "summit", 23, "putin", &events.MeetingScheduled{Date: events.OneDay(events.Date(2025, time.November, 1)), Venue: "Budapest"})
	eventually(t, 10*time.Second, func() (bool, string) {
		v := r.stored(b.Name)["summit"]
		return v.Status == "scheduled", fmt.Sprintf("branch %s: summit is %s, want scheduled", b.Name, v.Status)
	})
	eventually(t, 10*time.Second, func() (bool, string) { return r.sameAsFold(b) })
	cp, err := r.store.Checkpoint(ctx, b.Name)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, func() (bool, string) {
		n := r.consumers()
		return n <= 2, fmt.Sprintf("%d consumers once the branch is idle again, want 2 at most", n)
	})
	if cp.Gen != b.Gen || !cp.Based {
		t.Errorf("checkpoint of %s: %+v, want based, of generation %d", b.Name, cp, b.Gen)
	}
	if ok, why := r.sameAsFold(eventlog.Main()); !ok {
		t.Error(why)
	}
}

// TestKeeperResumesBacklog checks that a keeper started on branches with
// events appended while no keeper ran (checkpoints behind) brings each up
// to date.
func TestKeeperResumesBacklog(t *testing.T) {
	r := newLiveRig(t)
	r.story(2)
	ctx := context.Background()
	a, err := r.log.Fork(ctx, "a", events.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if err := projections.CatchUp(ctx, r.log, r.store, a, projections.RunnerOptions{}); err != nil {
		t.Fatal(err)
	}
	// Behind its checkpoint now.
	r.do(a, "summit", 22, "putin", &events.MeetingAccepted{})
	r.keep(100 * time.Millisecond)
	eventually(t, 10*time.Second, func() (bool, string) {
		v := r.stored("a")["summit"]
		return v.Status == "agreed", fmt.Sprintf("branch a: summit is %s, want agreed", v.Status)
	})
}

// TestDeleteBranchPurgesEachView checks that deleting a branch leaves a
// purge marker for each of its views, as a plain nats.go watcher of the
// bucket sees them (issue 15), and nothing of the branch in the buckets.
func TestDeleteBranchPurgesEachView(t *testing.T) {
	r := newLiveRig(t)
	r.story(2)
	ctx := context.Background()
	b, err := r.log.Fork(ctx, "tmp1", events.Time{})
	if err != nil {
		t.Fatal(err)
	}
	r.do(b, "summit", 22, "putin", &events.MeetingAccepted{})
	r.keep(100 * time.Millisecond)
	eventually(t, 10*time.Second, func() (bool, string) { return r.sameAsFold(b) })
	keys := slices.Sorted(func(yield func(string) bool) {
		for id := range r.stored("tmp1") {
			if !yield(projections.Key("tmp1", id)) {
				return
			}
		}
	})

	kv, err := r.js.KeyValue(ctx, projections.MeetingBucket)
	if err != nil {
		t.Fatal(err)
	}
	w, err := kv.Watch(ctx, "tmp1.*", jetstream.UpdatesOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if err := projections.DeleteBranch(ctx, r.log, r.store, "tmp1"); err != nil {
		t.Fatal(err)
	}
	// A marker for each view. (The runner of the branch, finding it
	// gone, may drop the views too: a key can have two markers.)
	purged := map[string]bool{}
	timeout := time.After(10 * time.Second)
	for len(purged) < len(keys) {
		select {
		case e := <-w.Updates():
			if e == nil {
				continue
			}
			if e.Operation() == jetstream.KeyValuePurge || e.Operation() == jetstream.KeyValueDelete {
				if !slices.Contains(keys, e.Key()) {
					t.Errorf("a purge marker for %s, which held no view", e.Key())
				}
				purged[e.Key()] = true
			}
		case <-timeout:
			t.Fatalf("the watcher saw markers for %v, want one for each of %v", slices.Sorted(maps.Keys(purged)), keys)
		}
	}
	r.noTrace(t, "tmp1")
}

// noTrace checks that nothing of branch is left in the projection's
// buckets but purge markers, once the keeper has settled.
func (r *liveRig) noTrace(t *testing.T, branch string) {
	t.Helper()
	ctx := context.Background()
	eventually(t, 10*time.Second, func() (bool, string) {
		if vs := r.stored(branch); len(vs) > 0 {
			return false, fmt.Sprintf("%d views of deleted branch %s left", len(vs), branch)
		}
		cp, err := r.store.Checkpoint(ctx, branch)
		if err != nil {
			return false, err.Error()
		}
		if cp != (projections.Checkpoint{}) {
			return false, fmt.Sprintf("checkpoint of deleted branch %s left: %+v", branch, cp)
		}
		return true, ""
	})
}

// TestDeleteBranchWhateverItsState checks that "branch delete" succeeds
// and leaves nothing behind whatever the branch's projection is doing: a
// branch made a moment before (its runner just starting), and a branch
// whose projection is catching up in another process (issue 15: "lease
// tmp1.lease: nats: key not found").
func TestDeleteBranchWhateverItsState(t *testing.T) {
	r := newLiveRig(t)
	r.story(60)
	ctx := context.Background()
	// Mid catch-up, in another process's runner (a status or an inject).
	b, err := r.log.Fork(ctx, "busy", events.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	var runErr error
	go func() {
		defer wg.Done()
		runErr = projections.NewRunner(r.log, r.store, b, projections.RunnerOptions{Owner: "other", CatchUpEvents: 50}).CatchUp(ctx)
	}()
	if err := projections.DeleteBranch(ctx, r.log, r.store, "busy"); err != nil {
		t.Fatalf("deleting a branch whose projection catches up: %v", err)
	}
	wg.Wait()
	// It finished first, found the branch gone, or found the delete
	// holding the lease: in no case does it write after the delete.
	if runErr != nil && !errors.Is(runErr, projections.ErrBranchGone) && !errors.Is(runErr, projections.ErrBusy) {
		t.Errorf("the runner of the deleted branch: %v, want nil, ErrBranchGone or ErrBusy", runErr)
	}
	r.noTrace(t, "busy")

	// Made a moment before, with a keeper running.
	r.keep(100 * time.Millisecond)
	for i := range 3 {
		name := fmt.Sprintf("fresh%d", i)
		b, err := r.log.Fork(ctx, name, events.Time{})
		if err != nil {
			t.Fatal(err)
		}
		r.do(b, "summit", 22, "putin", &events.MeetingAccepted{})
		if err := projections.DeleteBranch(ctx, r.log, r.store, name); err != nil {
			t.Fatalf("deleting a branch made a moment before: %v", err)
		}
		r.noTrace(t, name)
	}
}

// TestDeleteRacesInject checks that a branch deleted while an inject into
// it is under way leaves a new branch of the same name exactly as a
// rebuild makes it, whatever the order in which the delete, the inject's
// append and the inject's projection land (issue 12: the new branch
// showed the deleted branch's events live, version 5006, but not in a
// rebuild).
func TestDeleteRacesInject(t *testing.T) {
	steps := [][]string{
		{"delete", "append", "project"},
		{"append", "delete", "project"},
		{"append", "project", "delete"},
	}
	r := newLiveRig(t)
	r.story(2)
	ctx := context.Background()
	for i, order := range steps {
		name := fmt.Sprintf("x%d", i)
		t.Run(fmt.Sprint(order), func(t *testing.T) {
			old, err := r.log.Fork(ctx, name, events.Time{})
			if err != nil {
				t.Fatal(err)
			}
			for _, step := range order {
				switch step {
				case "delete":
					if err := projections.DeleteBranch(ctx, r.log, r.store, name); err != nil {
						t.Fatal(err)
					}
				case "append":
					// The inject planned on the old generation appends.
					r.do(old, "summit", 22, "putin", &events.MeetingAccepted{})
					r.do(old, "summit", 23, "putin", &events.MeetingScheduled{Date: events.OneDay(events.Date(2025, time.November, 1)), Venue: "Budapest"})
				case "project":
					err := projections.CatchUp(ctx, r.log, r.store, old, projections.RunnerOptions{})
					if err != nil && !errors.Is(err, projections.ErrBranchGone) {
						t.Fatal(err)
					}
				}
			}
			// The branch made again, with an event of its own.
			b, err := r.log.Fork(ctx, name, events.Time{})
			if err != nil {
				t.Fatal(err)
			}
			r.do(b, "summit", 24, "trump", &events.MeetingPostponed{})
			if err := projections.CatchUp(ctx, r.log, r.store, b, projections.RunnerOptions{}); err != nil {
				t.Fatal(err)
			}
			live := r.stored(name)
			if ok, why := r.sameAsFold(b); !ok {
				t.Error(why)
			}
			if v, m := live["summit"], r.folded(eventlog.Main())["summit"]; v.Status != "postponed" || !slices.Equal(v.Accepted, m.Accepted) {
				t.Errorf("new branch %s: summit %s, accepted by %v; want postponed, accepted by %v as on the record: nothing of the deleted branch", name, v.Status, v.Accepted, m.Accepted)
			}
			if err := projections.NewRunner(r.log, r.store, b, projections.RunnerOptions{}).Rebuild(ctx); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(live, r.stored(name), sameBoard); d != "" {
				t.Errorf("live against rebuild (-live +rebuild):\n%s", d)
			}
		})
	}
}

// TestKeeperIdleBranchDeadline checks that when the keeper's day moves on,
// the views of an idle branch (no runner) whose deadline passed are
// written again, overdue, as a live runner's would be.
func TestKeeperIdleBranchDeadline(t *testing.T) {
	r := newLiveRig(t)
	r.story(1) // filler-000: proposed on 16 October, within 7 days
	ctx := context.Background()
	if _, err := r.log.Fork(ctx, "quiet", events.Time{}); err != nil {
		t.Fatal(err)
	}
	var clock atomic.Int64
	clock.Store(time.Date(2025, time.October, 20, 12, 0, 0, 0, time.UTC).UnixNano())
	r.keepWith(50*time.Millisecond, func() time.Time { return time.Unix(0, clock.Load()) })
	eventually(t, 10*time.Second, func() (bool, string) {
		v, ok := r.stored("quiet")["filler-000"]
		return ok && !v.Overdue, fmt.Sprintf("filler-000 on quiet: %+v, want a view, not overdue on 20 October", v.Overdue)
	})
	eventually(t, 10*time.Second, func() (bool, string) {
		n := r.consumers()
		return n <= 2, fmt.Sprintf("%d consumers, want the branch idle", n)
	})
	clock.Store(time.Date(2025, time.October, 30, 12, 0, 0, 0, time.UTC).UnixNano())
	eventually(t, 10*time.Second, func() (bool, string) {
		v := r.stored("quiet")["filler-000"]
		return v.Overdue && v.Cause != nil && v.Cause.Kind == projections.KindDeadlinePassed,
			fmt.Sprintf("filler-000 on quiet on 30 October: overdue %v, cause %+v; want overdue, the deadline passing", v.Overdue, v.Cause)
	})
}

// TestDeleteBranchStopsLiveRunner checks that a branch deleted while a
// runner of another process keeps it live (a watch of the branch) ends
// that runner with ErrBranchGone, and the delete drops the views once it
// has let the lease go.
func TestDeleteBranchStopsLiveRunner(t *testing.T) {
	r := newLiveRig(t)
	r.story(1)
	ctx := context.Background()
	b, err := r.log.Fork(ctx, "watched", events.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if err := projections.CatchUp(ctx, r.log, r.store, b, projections.RunnerOptions{}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		// A runner that finds the lease taken asks again a quarter of
		// its TTL later: the probes below take it for a moment each, and
		// under -race on two busy cores the default TTL's 2.5 s waits
		// met them twice in a row.
		done <- projections.NewRunner(r.log, r.store, b, projections.RunnerOptions{Owner: "watch", Idle: 20 * time.Millisecond, LeaseTTL: 2 * time.Second}).Run(ctx)
	}()
	eventually(t, 10*time.Second, func() (bool, string) {
		err := projections.NewRunner(r.log, r.store, b, projections.RunnerOptions{Owner: "probe"}).CatchUp(ctx)
		return errors.Is(err, projections.ErrBusy), fmt.Sprintf("a probe: %v, want ErrBusy while the live runner holds the lease", err)
	})
	if err := projections.DeleteBranch(ctx, r.log, r.store, "watched"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, projections.ErrBranchGone) {
			t.Errorf("the live runner ended with %v, want ErrBranchGone", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the live runner of a deleted branch still runs")
	}
	r.noTrace(t, "watched")
}

// TestWatchEndsWhenBranchDeleted checks that a watch that keeps its
// branch's projection live (summit watch --branch) ends, with
// ErrBranchGone, when the branch is deleted, with or without a keeper
// (issue 12: "a deleted branch ends the watch with a message"; the watch
// hung waiting for its runner's outcome, which it had already taken).
func TestWatchEndsWhenBranchDeleted(t *testing.T) {
	r := newLiveRig(t)
	r.story(1)
	ctx := context.Background()
	r.keep(time.Minute)
	b, err := r.log.Fork(ctx, "seen", events.Time{})
	if err != nil {
		t.Fatal(err)
	}
	r.do(b, "summit", 22, "putin", &events.MeetingAccepted{})
	live := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		o := projections.WatchOptions{KeepLive: true, Runner: projections.RunnerOptions{Idle: 20 * time.Millisecond}}
		done <- projections.Watch(ctx, r.log, r.store, b, o, func(l projections.WatchLine) error {
			if l.Type == "live" {
				close(live)
			}
			return nil
		})
	}()
	select {
	case <-live:
	case err := <-done:
		t.Fatalf("the watch ended before it was live: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the watch is not live after 30s")
	}
	if err := projections.DeleteBranch(ctx, r.log, r.store, "seen"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, projections.ErrBranchGone) {
			t.Errorf("the watch ended with %v, want ErrBranchGone", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the watch of a deleted branch still runs 10s after the delete")
	}
}

// TestKeeperStoppedWhileStarting stops a keeper at moments through its
// start (watching the branches, reading their checkpoints, starting main's
// runner): each time it returns nil, as a keeper stopped later does. It
// used to return the error of its first reads when stopped during them
// (the log's end: "the store did not answer: context deadline exceeded";
// the checkpoints: "context canceled"), which summit serve, stopped as it
// started, reported as a failure.
func TestKeeperStoppedWhileStarting(t *testing.T) {
	r := newLiveRig(t)
	r.story(1)
	if _, err := r.log.Fork(context.Background(), "what-if", events.Time{}); err != nil {
		t.Fatal(err)
	}
	for i := range 24 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i)*250*time.Microsecond)
		k := projections.NewKeeper(r.log, r.store, projections.RunnerOptions{Idle: 20 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
		err := k.Run(ctx)
		cancel()
		if err != nil {
			t.Fatalf("a keeper stopped after %s: %v", time.Duration(i)*250*time.Microsecond, err)
		}
	}
}

// TestKeeperStartsItsActivityWatchAgain: a keeper whose watch of branch
// activity fails (the server does not answer the making of its consumer)
// starts the watch again, and an event on an idle branch still reaches
// the branch's views.
func TestKeeperStartsItsActivityWatchAgain(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s := natstest.Start(t)
	r := liveRigOn(t, s)
	r.story(1)
	b, err := r.log.Fork(ctx, "what-if", events.Time{})
	if err != nil {
		t.Fatal(err)
	}
	r.do(b, "summit", 22, "putin", &events.MeetingAccepted{})
	if err := projections.CatchUp(ctx, r.log, r.store, b, projections.RunnerOptions{}); err != nil {
		t.Fatal(err)
	}

	// The activity watch is the one consumer over every event subject.
	gate := natstest.NewGate(t, natstest.Connect(t, s))
	watch := "CONSUMER.CREATE." + eventlog.StreamName + "."
	var refused atomic.Int32
	gate.Drop(func(api string) bool {
		return strings.HasPrefix(api, watch) && strings.HasSuffix(api, "."+eventlog.SubjectRoot+".>") && refused.Add(1) <= 2
	})
	gated, err := eventlog.Open(ctx, gate.JetStream(t), eventlog.Options{Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	kctx, stop := context.WithCancel(ctx)
	k := projections.NewKeeper(gated, r.store, projections.RunnerOptions{Idle: 20 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	done := make(chan error, 1)
	go func() { done <- k.Run(kctx) }()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("keeper: %v", err)
		}
	}()
	eventually(t, 20*time.Second, func() (bool, string) {
		n := refused.Load()
		return n > 2, fmt.Sprintf("the keeper made its activity watch %d times, want a third try after two refused", n)
	})

	r.do(b, "summit", 23, "putin", &events.MeetingScheduled{Date: events.OneDay(events.Date(2025, time.November, 1)), Venue: "Budapest"})
	eventually(t, 20*time.Second, func() (bool, string) {
		v := r.stored(b.Name)["summit"]
		return v.Status == "scheduled", fmt.Sprintf("branch %s: summit is %s, want scheduled", b.Name, v.Status)
	})
}

// TestWatchStoppedWhileStarting: a watch stopped while it starts (its
// projection catching up, the current state read) ends with nil, as one
// stopped later does: Ctrl-C in the first moments of summit watch is no
// error.
func TestWatchStoppedWhileStarting(t *testing.T) {
	r := newLiveRig(t)
	r.story(2)
	for i := range 40 {
		after := time.Duration(i) * 250 * time.Microsecond
		ctx, cancel := context.WithTimeout(context.Background(), after)
		err := projections.Watch(ctx, r.log, r.store, eventlog.Main(), projections.WatchOptions{KeepLive: true, Runner: projections.RunnerOptions{Idle: time.Millisecond}},
			func(projections.WatchLine) error { return nil })
		cancel()
		if err != nil {
			t.Fatalf("a watch stopped after %s: %v", after, err)
		}
	}
}
