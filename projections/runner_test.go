package projections_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/commands"
	"github.com/summit-model/summit/embedded"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/natstest"
	"github.com/summit-model/summit/projections"
)

type liveRig struct {
	t     *testing.T
	js    jetstream.JetStream
	log   *eventlog.Log
	store *projections.Store
}

func newLiveRig(t *testing.T) *liveRig {
	t.Helper()
	return liveRigOn(t, natstest.Start(t))
}

// liveRigOn is a rig on server s, which a test also reaches another way
// (through a gate).
func liveRigOn(t *testing.T, s *embedded.Server) *liveRig {
	t.Helper()
	ctx := context.Background()
	js := natstest.JetStream(t, s)
	l, err := eventlog.Open(ctx, js, eventlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := projections.OpenStore(ctx, js, projections.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return &liveRig{t: t, js: js, log: l, store: st}
}

var partyOfPerson = map[string]string{"trump": "USA", "rubio": "USA", "putin": "RUS", "lavrov": "RUS", "peskov": "RUS"}

// do runs a command on meeting m of branch b by a person on October day d,
// declaring m with participants if it is new.
func (r *liveRig) do(b eventlog.Branch, m string, d int, by string, p events.Payload) {
	r.t.Helper()
	if err := r.try(b, m, d, by, p); err != nil {
		r.t.Fatal(err)
	}
}

// try is [liveRig.do] for a goroutine other than the test's: it returns
// the error.
func (r *liveRig) try(b eventlog.Branch, m string, d int, by string, p events.Payload) error {
	cmd := aggregates.Command{
		Aggregate: events.Meeting(m), At: events.Date(2025, time.October, d), By: by, Party: partyOfPerson[by], Payload: p,
		Declare: &events.MeetingDeclared{Title: "the " + m, Participants: []events.Participant{{Person: "trump", Party: "USA"}, {Person: "putin", Party: "RUS"}}},
	}
	if _, err := commands.NewHandler(r.log, b).Handle(context.Background(), cmd, commands.Meta{}); err != nil {
		return fmt.Errorf("%s on %s: %w", p.Kind(), m, err)
	}
	return nil
}

// story appends a Budapest-like story with n filler meetings.
func (r *liveRig) story(n int) {
	main := eventlog.Main()
	r.do(main, "summit", 16, "trump", &events.MeetingProposed{Venue: "Budapest", Within: &events.Span{Days: 14}})
	r.do(main, "summit", 16, "trump", &events.PreconditionAdded{Precondition: "fm-prep", Requires: &events.Requirement{Held: "prep"}})
	r.do(main, "summit", 21, "peskov", &events.StatementMade{About: "summit", Stance: events.StanceNoncommittal, Claim: "unscheduled"})
	r.do(main, "prep", 16, "trump", &events.MeetingFloated{})
	for i := range n {
		m := fmt.Sprintf("filler-%03d", i)
		r.do(main, m, 16, "trump", &events.MeetingProposed{Within: &events.Span{Days: 7}})
		r.do(main, m, 17, "putin", &events.MeetingAccepted{})
	}
}

// stored returns the views in the bucket for branch, keyed by meeting.
func (r *liveRig) stored(branch string) map[string]projections.View {
	r.t.Helper()
	vs, err := r.store.Views(context.Background(), branch)
	if err != nil {
		r.t.Fatal(err)
	}
	out := map[string]projections.View{}
	for _, v := range vs {
		out[v.ID] = v
	}
	return out
}

// folded returns the views the log makes for branch, read afresh.
func (r *liveRig) folded(b eventlog.Branch) map[string]projections.View {
	r.t.Helper()
	ctx := context.Background()
	board := projections.NewBoard(b.Name, projections.BoardOptions{})
	err := r.log.ReadBranch(ctx, b, func(rec eventlog.Record) error {
		_, err := board.Apply(rec)
		var refold *projections.RefoldError
		if errors.As(err, &refold) {
			h, err := r.log.LoadUpTo(ctx, b, events.Meeting(refold.Meeting), rec.Seq)
			if err != nil {
				return err
			}
			board.Refold(refold.Meeting, h.Records)
			return nil
		}
		return err
	})
	if err != nil {
		r.t.Fatal(err)
	}
	out := map[string]projections.View{}
	cutoff, label := today()
	for _, v := range board.Views(cutoff, label) {
		out[v.ID] = v
	}
	return out
}

func today() (time.Time, string) {
	now := time.Now().UTC()
	d := events.Date(now.Year(), now.Month(), now.Day())
	return d.End(), d.String()
}

// sameBoard compares views by what they say, not when or why they were
// written.
var sameBoard = cmpopts.IgnoreFields(projections.View{}, "AsOf", "Seq", "Cause")

func TestCatchUpEqualsFold(t *testing.T) {
	r := newLiveRig(t)
	r.story(20)
	run := projections.NewRunner(r.log, r.store, eventlog.Main(), projections.RunnerOptions{})
	if err := run.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, want := r.stored(events.Main), r.folded(eventlog.Main())
	if len(got) != 22 {
		t.Fatalf("bucket holds %d views, want 22", len(got))
	}
	if diff := cmp.Diff(want, got, sameBoard); diff != "" {
		t.Errorf("bucket differs from the fold (-fold +bucket):\n%s", diff)
	}
	cp, err := r.store.Checkpoint(context.Background(), events.Main)
	if err != nil {
		t.Fatal(err)
	}
	last, _ := r.log.LastSeq(context.Background())
	if cp.Seq != last {
		t.Errorf("checkpoint %d, want the log's last %d", cp.Seq, last)
	}
}

func TestRestartResumesAndEqualsRebuild(t *testing.T) {
	ctx := context.Background()
	r := newLiveRig(t)
	r.story(5)
	if err := projections.NewRunner(r.log, r.store, eventlog.Main(), projections.RunnerOptions{}).CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	before, _ := r.store.Checkpoint(ctx, events.Main)
	// While the projection is down, the story goes on: the required
	// meeting is held, which meets the summit's precondition.
	main := eventlog.Main()
	r.do(main, "prep", 25, "rubio", &events.MeetingHeld{Venue: "Budapest"})
	r.do(main, "filler-001", 26, "trump", &events.MeetingCancelled{})
	resumed := projections.NewRunner(r.log, r.store, main, projections.RunnerOptions{})
	if err := resumed.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	// The restarted runner resumed from its checkpoint: it applied only the
	// two new events.
	if n := resumed.Board().Seq() - before.Seq; n != 2 {
		t.Errorf("resumed runner applied %d sequences after the checkpoint, want 2", n)
	}
	afterRestart := r.stored(events.Main)
	if st := afterRestart["summit"].Preconditions[0].State; st != aggregates.Met {
		t.Errorf("summit's fm-prep after the prep meeting was held: %s, want met", st)
	}
	if err := projections.NewRunner(r.log, r.store, main, projections.RunnerOptions{}).Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r.stored(events.Main), afterRestart, sameBoard); diff != "" {
		t.Errorf("restarted projection differs from a full rebuild (-rebuild +restarted):\n%s", diff)
	}
}

func TestLiveRunnerWritesEveryChange(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r := newLiveRig(t)
	r.story(3)
	w, err := r.store.Meetings().Watch(ctx, "main.summit", jetstream.UpdatesOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	run := projections.NewRunner(r.log, r.store, eventlog.Main(), projections.RunnerOptions{})
	done := make(chan error, 1)
	go func() { done <- run.Run(ctx) }()

	// next returns the next view of the summit the watcher sees.
	next := func() projections.View {
		t.Helper()
		select {
		case e := <-w.Updates():
			var v projections.View
			if err := json.Unmarshal(e.Value(), &v); err != nil {
				t.Fatal(err)
			}
			return v
		case <-ctx.Done():
			t.Fatal("no change seen before the deadline")
		}
		return projections.View{}
	}
	first := next() // the catch-up writes the summit once
	if first.Status != aggregates.StatusProposed {
		t.Fatalf("first view: status %s", first.Status)
	}
	main := eventlog.Main()
	steps := []struct {
		do   func()
		want func(projections.View) bool
	}{
		{func() {
			r.do(main, "summit", 22, "trump", &events.StatementMade{About: "summit", Stance: events.StanceOpposed, Claim: "cancelled"})
		},
			func(v projections.View) bool { return v.Claims["trump"] == "cancelled" }},
		{func() { r.do(main, "prep", 24, "rubio", &events.MeetingHeld{}) },
			func(v projections.View) bool {
				return v.Preconditions[0].State == aggregates.Met && v.LastActivity.Meeting == "prep"
			}},
		{func() { r.do(main, "summit", 25, "trump", &events.MeetingPostponed{}) },
			func(v projections.View) bool { return v.Status == aggregates.StatusPostponed }},
	}
	for i, s := range steps {
		s.do()
		if v := next(); !s.want(v) {
			t.Fatalf("step %d: view %+v", i, v)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
}

// TestLiveRunnerSavesTheEndOfABurst checks that a live runner saves its
// checkpoint (after the snapshots) once a burst of events has ended, not at
// its next idle round: a writer waiting for the projection ([CatchUp])
// returns as soon as its events are reflected.
func TestLiveRunnerSavesTheEndOfABurst(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r := newLiveRig(t)
	r.story(1)
	// No idle round comes within the test.
	run := projections.NewRunner(r.log, r.store, eventlog.Main(), projections.RunnerOptions{Idle: time.Hour})
	done := make(chan error, 1)
	go func() { done <- run.Run(ctx) }()
	end, err := r.log.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.WaitFor(ctx, events.Main, end); err != nil {
		t.Fatalf("catching up: %v", err)
	}
	for i, m := range []string{"summit", "prep", "summit"} {
		r.do(eventlog.Main(), m, 22+i, "trump", &events.StatementMade{About: m, Stance: events.StanceSupportive, Claim: "scheduled"})
		seq, err := r.log.LastSeq(ctx)
		if err != nil {
			t.Fatal(err)
		}
		wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
		_, err = r.store.WaitFor(wctx, events.Main, seq)
		wcancel()
		if err != nil {
			t.Fatalf("command %d: no checkpoint at seq %d within 5s: %v", i, seq, err)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func TestLeaseKeepsOneWriter(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r := newLiveRig(t)
	r.story(1)
	live := projections.NewRunner(r.log, r.store, eventlog.Main(), projections.RunnerOptions{Owner: "serve"})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- live.Run(runCtx) }()
	// Wait until the live runner holds the lease and has caught up.
	for {
		cp, err := r.store.Checkpoint(ctx, events.Main)
		if err != nil {
			t.Fatal(err)
		}
		last, _ := r.log.LastSeq(ctx)
		if cp.Seq >= last && last > 0 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("live runner did not catch up")
		case <-time.After(10 * time.Millisecond):
		}
	}
	err := projections.NewRunner(r.log, r.store, eventlog.Main(), projections.RunnerOptions{Owner: "status"}).CatchUp(ctx)
	if !errors.Is(err, projections.ErrBusy) {
		t.Fatalf("second writer: %v, want projections.ErrBusy", err)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Released: another process may write now.
	if err := projections.NewRunner(r.log, r.store, eventlog.Main(), projections.RunnerOptions{Owner: "status"}).CatchUp(ctx); err != nil {
		t.Fatalf("after release: %v", err)
	}
}

func TestBranchProjection(t *testing.T) {
	ctx := context.Background()
	r := newLiveRig(t)
	r.story(2)
	b, err := r.log.Fork(ctx, "prep-held", events.Date(2025, time.October, 21))
	if err != nil {
		t.Fatal(err)
	}
	r.do(b, "prep", 25, "rubio", &events.MeetingHeld{Venue: "Moscow"})
	// Main goes on after the branch was made; the branch does not see it.
	r.do(eventlog.Main(), "summit", 22, "trump", &events.MeetingCancelled{})

	for _, br := range []eventlog.Branch{eventlog.Main(), b} {
		if err := projections.NewRunner(r.log, r.store, br, projections.RunnerOptions{}).CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
	}
	onBranch, onMain := r.stored("prep-held"), r.stored(events.Main)
	if got := onBranch["summit"]; got.Status != aggregates.StatusProposed || got.Preconditions[0].State != aggregates.Met {
		t.Errorf("branch summit: %s, fm-prep %s; want proposed, met", got.Status, got.Preconditions[0].State)
	}
	if got := onMain["summit"]; got.Status != aggregates.StatusCancelled || got.Preconditions[0].State != aggregates.Unmet {
		t.Errorf("main summit: %s, fm-prep %s; want cancelled, unmet", got.Status, got.Preconditions[0].State)
	}
	if diff := cmp.Diff(r.folded(b), onBranch, sameBoard); diff != "" {
		t.Errorf("branch bucket differs from the fold (-fold +bucket):\n%s", diff)
	}
	if len(onBranch) != len(onMain) {
		t.Errorf("branch board has %d meetings, main %d", len(onBranch), len(onMain))
	}
}

func TestLiveEqualsRebuild(t *testing.T) {
	// The views a live runner writes as events arrive are the views a
	// rebuild from nothing writes.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	r := newLiveRig(t)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- projections.NewRunner(r.log, r.store, eventlog.Main(), projections.RunnerOptions{}).Run(runCtx)
	}()
	r.story(10)
	main := eventlog.Main()
	r.do(main, "prep", 24, "rubio", &events.MeetingHeld{})
	r.do(main, "filler-003", 25, "trump", &events.MeetingScheduled{Date: events.OneDay(events.Date(2025, 11, 2))})
	r.do(main, "summit", 26, "trump", &events.MeetingCancelled{})
	last, err := r.log.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.WaitFor(ctx, events.Main, last); err != nil {
		t.Fatal(err)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	live := r.stored(events.Main)
	if err := projections.NewRunner(r.log, r.store, main, projections.RunnerOptions{}).Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(live, r.stored(events.Main), sameBoard); diff != "" {
		t.Errorf("live views differ from a rebuild (-live +rebuild):\n%s", diff)
	}
}

// TestCatchUpReadsSnapshotsOnlyWhenItFolds: given main's projection saved,
// when a catch-up (a status) finds nothing new on main's subjects on the
// day its views were written, then it reads no snapshot, its views stand,
// and its checkpoint follows the log's end; when an event came, or the day
// moved on, then it resumes from the snapshots and folds.
func TestCatchUpReadsSnapshotsOnlyWhenItFolds(t *testing.T) {
	const resumes = "projection resumes"
	tomorrow := func() time.Time { return time.Now().Add(24 * time.Hour) }
	tests := []struct {
		name string
		then func(r *liveRig)
		now  func() time.Time
		want bool
	}{
		{name: "nothing new", then: func(*liveRig) {}, want: false},
		{name: "an event on a branch only", then: func(r *liveRig) {
			b, err := r.log.Fork(context.Background(), "what-if", events.Time{})
			if err != nil {
				r.t.Fatal(err)
			}
			r.do(b, "summit", 27, "putin", &events.MeetingAccepted{})
		}, want: false},
		{name: "an event on main", then: func(r *liveRig) {
			r.do(eventlog.Main(), "summit", 27, "putin", &events.MeetingAccepted{})
		}, want: true},
		{name: "a day later", then: func(*liveRig) {}, now: tomorrow, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			r := newLiveRig(t)
			main := eventlog.Main()
			r.story(4)
			if err := projections.NewRunner(r.log, r.store, main, projections.RunnerOptions{}).CatchUp(ctx); err != nil {
				t.Fatal(err)
			}
			tt.then(r)
			logged := &messages{}
			o := projections.RunnerOptions{Logger: slog.New(logged), Now: tt.now}
			if err := projections.NewRunner(r.log, r.store, main, o).CatchUp(ctx); err != nil {
				t.Fatal(err)
			}
			if got := logged.logged(resumes); got != tt.want {
				t.Errorf("read the snapshots: %v, want %v", got, tt.want)
			}
			if ok, why := r.sameAsFold(main); !ok {
				t.Error(why)
			}
			cp, err := r.store.Checkpoint(ctx, events.Main)
			if err != nil {
				t.Fatal(err)
			}
			if last, _ := r.log.LastSeq(ctx); cp.Seq != last {
				t.Errorf("checkpoint %d, want the log's end %d", cp.Seq, last)
			}
		})
	}
}

// TestReadBoardSameFromBoardAndBucket: a read that catches the projection
// up returns the views of the runner's board; a read that finds it current
// returns the views in the bucket. Given events the projection has not
// folded (on main, and a new branch's whole record), when the board is read
// twice, then both reads return the same board, field for field.
func TestReadBoardSameFromBoardAndBucket(t *testing.T) {
	ctx := context.Background()
	r := newLiveRig(t)
	main := eventlog.Main()
	r.story(5)
	if err := projections.NewRunner(r.log, r.store, main, projections.RunnerOptions{}).CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	r.do(main, "prep", 25, "rubio", &events.MeetingHeld{Venue: "Budapest"})
	r.do(main, "filler-001", 16, "peskov", &events.StatementMade{About: "filler-001", Stance: events.StanceNoncommittal, Claim: "unscheduled"})
	b, err := r.log.Fork(ctx, "what-if", events.Time{})
	if err != nil {
		t.Fatal(err)
	}
	r.do(b, "summit", 27, "putin", &events.MeetingAccepted{})
	for _, branch := range []eventlog.Branch{main, b} {
		q := projections.Query{Branch: branch}
		folded, err := projections.ReadBoard(ctx, r.log, r.store, q, projections.RunnerOptions{})
		if err != nil {
			t.Fatal(err)
		}
		stored, err := projections.ReadBoard(ctx, r.log, r.store, q, projections.RunnerOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(folded.Meetings) == 0 {
			t.Fatalf("%s: an empty board", branch.Name)
		}
		if diff := cmp.Diff(stored, folded); diff != "" {
			t.Errorf("%s: the board read as it was folded differs from the board read back (-bucket +folded):\n%s", branch.Name, diff)
		}
	}
}

// stopAtLook is a context that, once armed, is cancelled the next time
// its Err is asked: at the moment a runner looks whether it was stopped,
// after whatever it was waiting on ended.
type stopAtLook struct {
	context.Context
	cancel context.CancelFunc
	armed  atomic.Bool
}

func (c *stopAtLook) Err() error {
	if c.armed.Load() {
		c.cancel()
	}
	return c.Context.Err()
}

// TestRunnerStoppedAsItsWaitEnds: given a live runner waiting for an event
// (a wait bounded by its idle time), when it is stopped just as that wait
// times out, then Run returns nil: the wait's deadline is no error of the
// run. It returned "context deadline exceeded", and a test under load
// (TestBranchForkedWhileMainIsLive, -race) failed so.
func TestRunnerStoppedAsItsWaitEnds(t *testing.T) {
	r := newLiveRig(t)
	r.story(1)
	last, err := r.log.LastSeq(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		base, cancel := context.WithCancel(context.Background())
		ctx := &stopAtLook{Context: base, cancel: cancel}
		done := make(chan error, 1)
		go func() {
			done <- projections.NewRunner(r.log, r.store, eventlog.Main(), projections.RunnerOptions{Idle: time.Millisecond}).Run(ctx)
		}()
		if _, err := r.store.WaitFor(context.Background(), events.Main, last); err != nil {
			t.Fatal(err)
		}
		ctx.armed.Store(true)
		if err := <-done; err != nil {
			t.Errorf("runner %d stopped as it waited: %v, want nil", i, err)
		}
		cancel()
	}
}
