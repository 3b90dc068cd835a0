package projections_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
)

// messages is a log handler that keeps each message logged.
type messages struct {
	mu   sync.Mutex
	msgs []string
}

func (m *messages) Enabled(context.Context, slog.Level) bool { return true }
func (m *messages) WithAttrs([]slog.Attr) slog.Handler       { return m }
func (m *messages) WithGroup(string) slog.Handler            { return m }

func (m *messages) Handle(_ context.Context, r slog.Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.msgs = append(m.msgs, r.Message)
	return nil
}

func (m *messages) logged(msg string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Contains(m.msgs, msg)
}

// TestBranchStartsFromMainSnapshots: given main's projection saved (its
// snapshots and checkpoint), when a branch's projection first catches up,
// then it starts from main's snapshots where they stand for the fork (and
// reads by sequence the few meetings main moved on past it), and folds the
// record from its first event where they do not; either way its
// views are those a fold of the branch makes, its dead letters main's up
// to the fork, and a rebuild of the branch agrees.
func TestBranchStartsFromMainSnapshots(t *testing.T) {
	const restores = "branch projection starts from main's snapshots"
	tests := []struct {
		name string
		// saved reports whether main's projection is saved before the
		// fork; savedAfter, after it (past the fork), once main has moved
		// on movedOn meetings more than the one the branch does not see.
		saved, savedAfter bool
		movedOn           int
		forkAt            events.Time
		want              bool
	}{
		{name: "main saved before the fork", saved: true, want: true},
		{name: "main never saved", saved: false, want: false},
		{name: "main saved past the fork, a few meetings moved on", saved: true, savedAfter: true, want: true},
		{name: "main saved past the fork, most meetings moved on", saved: true, savedAfter: true, movedOn: 25, want: false},
		{name: "fork at a world time", saved: true, forkAt: events.Date(2025, time.October, 22), want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			r := newLiveRig(t)
			main := eventlog.Main()
			r.story(30)
			// A message that is no event: a dead letter of main, and of
			// the branch, which sees the record up to its fork.
			bad, err := r.js.Publish(ctx, eventlog.Subject(events.Main, events.Meeting("garbage")), []byte(`{"not":"an event"`))
			if err != nil {
				t.Fatal(err)
			}
			if tt.saved {
				if err := projections.NewRunner(r.log, r.store, main, projections.RunnerOptions{}).CatchUp(ctx); err != nil {
					t.Fatal(err)
				}
			}
			// After main's checkpoint, before the fork: a late report
			// (dated before events of its meeting already folded, which
			// a restored meeting holds no tail of), and the required
			// meeting held, which meets the summit's precondition.
			r.do(main, "filler-002", 16, "peskov", &events.StatementMade{About: "filler-002", Stance: events.StanceNoncommittal, Claim: "unscheduled"})
			r.do(main, "prep", 25, "rubio", &events.MeetingHeld{Venue: "Budapest"})
			b, err := r.log.Fork(ctx, "what-if", tt.forkAt)
			if err != nil {
				t.Fatal(err)
			}
			r.do(b, "summit", 27, "putin", &events.MeetingAccepted{})
			r.do(b, "filler-003", 18, "putin", &events.MeetingDeclined{})
			// On main after the fork: what the branch does not see.
			r.do(main, "filler-004", 26, "trump", &events.MeetingCancelled{})
			for i := range tt.movedOn {
				m := fmt.Sprintf("filler-%03d", 5+i)
				r.do(main, m, 26, "peskov", &events.StatementMade{About: m, Stance: events.StanceNoncommittal, Claim: "unscheduled"})
			}
			if tt.savedAfter {
				if err := projections.NewRunner(r.log, r.store, main, projections.RunnerOptions{}).CatchUp(ctx); err != nil {
					t.Fatal(err)
				}
			}

			logged := &messages{}
			o := projections.RunnerOptions{Logger: slog.New(logged)}
			if err := projections.NewRunner(r.log, r.store, b, o).CatchUp(ctx); err != nil {
				t.Fatal(err)
			}
			if got := logged.logged(restores); got != tt.want {
				t.Errorf("started from main's snapshots: %v, want %v; the runner logged: %q", got, tt.want, logged.msgs)
			}
			got, want := r.stored(b.Name), r.folded(b)
			if len(got) == 0 {
				t.Fatal("the branch's projection wrote no view")
			}
			if diff := cmp.Diff(want, got, sameBoard); diff != "" {
				t.Errorf("branch's views differ from its fold (-fold +projection):\n%s", diff)
			}
			if st := got["filler-004"].Status; st == "cancelled" {
				t.Errorf("filler-004 is %s on the branch: it was cancelled on main after the fork", st)
			}
			dead, err := r.store.DeadLetters(ctx, b.Name)
			if err != nil {
				t.Fatal(err)
			}
			if len(dead) != 1 || dead[0].Seq != bad.Sequence {
				t.Errorf("branch's dead letters: %+v, want the one at %d", dead, bad.Sequence)
			}

			if err := projections.NewRunner(r.log, r.store, b, projections.RunnerOptions{}).Rebuild(ctx); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(r.stored(b.Name), got, sameBoard); diff != "" {
				t.Errorf("branch's views differ from its rebuild (-rebuild +first):\n%s", diff)
			}
		})
	}
}

// TestBranchForkedWhileMainIsLive: given main's projection running live
// while commands keep coming (its checkpoint and snapshots moving past each
// fork), when branches are made one after another and each is read at
// once, then each branch's views equal a fold of it, whichever way its
// projection started (it logs how many started from main's snapshots).
func TestBranchForkedWhileMainIsLive(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	r := newLiveRig(t)
	main := eventlog.Main()
	r.story(8)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- projections.NewRunner(r.log, r.store, main, projections.RunnerOptions{Idle: time.Millisecond}).Run(runCtx)
	}()
	writing := make(chan error, 1)
	go func() {
		for i := 0; runCtx.Err() == nil && i < 400; i++ {
			m := fmt.Sprintf("filler-%03d", i%8)
			if err := r.try(main, m, 18+i%5, "peskov", &events.StatementMade{About: m, Stance: events.StanceNoncommittal, Claim: "unscheduled"}); err != nil {
				writing <- err
				return
			}
		}
		writing <- nil
	}()
	restored := 0
	for i := range 12 {
		b, err := r.log.Fork(ctx, fmt.Sprintf("b%d", i), events.Time{})
		if err != nil {
			t.Fatal(err)
		}
		r.do(b, "summit", 27, "putin", &events.MeetingAccepted{})
		logged := &messages{}
		if _, err := projections.ReadBoard(ctx, r.log, r.store, projections.Query{Branch: b}, projections.RunnerOptions{Logger: slog.New(logged)}); err != nil {
			t.Fatal(err)
		}
		if logged.logged("branch projection starts from main's snapshots") {
			restored++
		}
		if ok, why := r.sameAsFold(b); !ok {
			t.Fatal(why)
		}
	}
	t.Logf("%d of 12 branches started from main's snapshots", restored)
	stop()
	if err := <-writing; err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
