package projections_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/commands"
	"github.com/summit-model/summit/embedded"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/natstest"
	"github.com/summit-model/summit/projections"
)

// TestResumeAfterATornFlush resumes a projection whose writer died in the
// middle of writing its views: the view of a meeting that was held is
// stored, the view of the meeting whose precondition the holding meets is
// not, and the checkpoint is from before both. The resumed projection must
// still show the precondition met, as a rebuild does.
func TestResumeAfterATornFlush(t *testing.T) {
	ctx := context.Background()
	r := newLiveRig(t)
	r.story(1)
	main := eventlog.Main()
	if err := projections.NewRunner(r.log, r.store, main, projections.RunnerOptions{}).CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	r.do(main, "prep", 25, "rubio", &events.MeetingHeld{Venue: "Moscow"})
	// What the dead writer got out before it died: the prep meeting's new
	// view, and not the summit's; no checkpoint.
	prep := r.folded(main)["prep"]
	data, err := json.Marshal(prep)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.Meetings().Put(ctx, projections.Key(events.Main, "prep"), data); err != nil {
		t.Fatal(err)
	}
	if got := r.stored(events.Main)["summit"].Preconditions[0].State; got != aggregates.Unmet {
		t.Fatalf("before the resume, the summit's view shows fm-prep %s; the test wants it stale (unmet)", got)
	}
	if err := projections.NewRunner(r.log, r.store, main, projections.RunnerOptions{}).CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r.folded(main), r.stored(events.Main), sameBoard); diff != "" {
		t.Errorf("resumed projection differs from the fold (-fold +bucket):\n%s", diff)
	}
}

// TestHelperProcess is not a test: it is the process the crash tests of
// this package kill, started by natstest.StartChild.
func TestHelperProcess(t *testing.T) {
	switch natstest.HelperMode() {
	case "":
		t.Skip("run as a child process only")
	case "catchup":
		catchUpProcess(t)
	default:
		t.Fatalf("unknown helper mode %q", natstest.HelperMode())
	}
}

// catchUpProcess runs an embedded server on $SUMMIT_STORE and a catch-up of
// main's projection with a checkpoint every 40 events, reporting "cp SEQ"
// for each checkpoint it sees stored, and "done" at the end.
func catchUpProcess(t *testing.T) {
	ctx := context.Background()
	srv, err := embedded.Start(ctx, embedded.Options{StoreDir: os.Getenv("SUMMIT_STORE")})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	js := natstest.JetStream(t, srv)
	l, err := eventlog.Open(ctx, js, eventlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := projections.OpenStore(ctx, js, projections.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := st.WatchCheckpoint(ctx, events.Main, jetstream.UpdatesOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	go func() {
		for e := range w.Updates() {
			var c projections.Checkpoint
			if e != nil && json.Unmarshal(e.Value(), &c) == nil {
				natstest.Report(fmt.Sprintf("cp %d", c.Seq))
			}
		}
	}()
	r := projections.NewRunner(l, st, eventlog.Main(), projections.RunnerOptions{CatchUpEvents: 40, LeaseTTL: time.Second, Owner: "child"})
	if err := r.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	natstest.Report("done")
}

// crashStory appends a story of n meetings to the log: meeting i has a
// precondition that requires meeting i+1 held, and every meeting is
// proposed (on the 16th), talked about (a round a day from the 20th) and
// then, in late reports of the 27th, accepted and held on the 18th, the
// last first, so that a holding changes the views of other meetings and
// every acceptance and holding is folded before events recorded earlier.
// Each meeting's first command is an atomic batch of two events.
func crashStory(t *testing.T, l *eventlog.Log, n int) {
	t.Helper()
	ctx := context.Background()
	type cmd struct {
		m    string
		by   string
		p    events.Payload
		day  int
		late bool
	}
	var cmds []cmd
	name := func(i int) string { return fmt.Sprintf("m%03d", i) }
	for i := range n {
		cmds = append(cmds, cmd{name(i), "trump", &events.MeetingProposed{Venue: "Budapest", Within: &events.Span{Days: 14}}, 16, false})
		if i+1 < n {
			cmds = append(cmds, cmd{name(i), "trump", &events.PreconditionAdded{Precondition: "prep", Requires: &events.Requirement{Held: name(i + 1)}}, 16, false})
		}
	}
	for round := range 6 {
		for i := range n {
			cmds = append(cmds, cmd{name(i), "peskov", &events.StatementMade{About: name(i), Stance: events.StanceNoncommittal, Claim: events.ClaimWords[(i+round)%len(events.ClaimWords)]}, 20 + round, false})
		}
	}
	for i := n - 1; i >= 0; i-- {
		cmds = append(cmds, cmd{name(i), "putin", &events.MeetingAccepted{}, 18, true}, cmd{name(i), "trump", &events.MeetingHeld{Venue: "Budapest"}, 18, true})
	}
	histories := map[string][]events.Event{}
	var plan []eventlog.Pending
	for _, c := range cmds {
		var reported events.Time
		if c.late {
			reported = events.Date(2025, time.October, 27)
		}
		evs, err := aggregates.Decide(aggregates.Whole(histories[c.m]), aggregates.Command{
			Aggregate: events.Meeting(c.m), At: events.Date(2025, time.October, c.day), Reported: reported, By: c.by, Party: partyOfPerson[c.by], Payload: c.p,
			Declare: &events.MeetingDeclared{Title: "the " + c.m, Participants: []events.Participant{{Person: "trump", Party: "USA"}, {Person: "putin", Party: "RUS"}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		commands.Stamp(evs, eventlog.Main(), commands.Meta{})
		histories[c.m] = append(histories[c.m], evs...)
		plan = append(plan, eventlog.Pending{Events: evs})
	}
	if landed, err := l.AppendAll(ctx, plan); err != nil || landed != len(plan) {
		t.Fatalf("append the story: %d of %d, %v", landed, len(plan), err)
	}
}

// TestCrashDuringCatchUp kills (SIGKILL) a process that runs the embedded
// server in the middle of a projection's catch-up, at several points, and
// restarts a server on its store. A reader then sees no view that is half
// of anything: each stored view is exactly the fold of the log up to the
// view's Seq, which never falls inside a command's batch. The projection
// resumes from its checkpoint, once the dead writer's lease expires, and
// ends equal to a full rebuild.
func TestCrashDuringCatchUp(t *testing.T) {
	meetings := 80
	kills := []int{1, 4, 12, 17} // kill after this many checkpoints (17: among the late reports)
	if natstest.Soak() {
		meetings = 400
		kills = append(kills, 2, 7, 30, 60, 90)
	}
	dir := t.TempDir()
	func() {
		srv, err := embedded.Start(context.Background(), embedded.Options{StoreDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Shutdown()
		l, err := eventlog.Open(context.Background(), natstest.JetStream(t, srv), eventlog.Options{})
		if err != nil {
			t.Fatal(err)
		}
		crashStory(t, l, meetings)
	}()
	var checkpoints int
	for _, k := range kills {
		t.Run(fmt.Sprintf("after %d checkpoints", k), func(t *testing.T) {
			// Each kill starts from the story alone: a copy of the store.
			store := t.TempDir()
			if err := os.CopyFS(store, os.DirFS(dir)); err != nil {
				t.Fatal(err)
			}
			checkpoints += crashCatchUp(t, store, k)
		})
	}
	t.Logf("%d crash points tried (%d checkpoints stored before the kills); every stored view was the fold of the log up to its seq, and every resumed projection equalled a rebuild", len(kills), checkpoints)
}

func crashCatchUp(t *testing.T, dir string, kill int) int {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	child := natstest.StartChild(t, "catchup", "SUMMIT_STORE="+dir)
	seen := 0
	for seen < kill {
		select {
		case line, ok := <-child.Lines:
			switch {
			case !ok:
				rest, err := child.Wait()
				t.Fatalf("the child ended before it was killed (%v): %v", err, rest)
			case line == "done":
				t.Fatalf("the child caught up before it was killed: make the story longer")
			case strings.HasPrefix(line, "cp "):
				seen++
			}
		case <-ctx.Done():
			t.Fatalf("%d checkpoints before the deadline, want %d", seen, kill)
		}
	}
	child.Kill()
	if _, err := child.Wait(); err == nil {
		t.Fatal("the child ended cleanly: it was not killed")
	}

	srv := natstest.StartIn(t, dir)
	js := natstest.JetStream(t, srv)
	l, err := eventlog.Open(ctx, js, eventlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := projections.OpenStore(ctx, js, projections.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// What a reader sees after the crash.
	var recs []eventlog.Record
	if err := l.Read(ctx, eventlog.BranchSubjects(events.Main), 1, 0, func(r eventlog.Record) error {
		recs = append(recs, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	bySeq := map[uint64]eventlog.Record{}
	for _, r := range recs {
		bySeq[r.Seq] = r
	}
	cp, err := st.Checkpoint(ctx, events.Main)
	if err != nil {
		t.Fatal(err)
	}
	if cp.Seq == 0 || bySeq[cp.Seq].Partial {
		t.Fatalf("checkpoint %d: want one at the end of a command", cp.Seq)
	}
	views, err := st.Views(ctx, events.Main)
	if err != nil {
		t.Fatal(err)
	}
	if len(views) == 0 {
		t.Fatal("no views stored before the kill")
	}
	for _, v := range views {
		if r, ok := bySeq[v.Seq]; !ok || r.Partial {
			t.Errorf("view %s is current to seq %d, inside a command's batch or off the record", v.ID, v.Seq)
			continue
		}
		b := projections.NewBoard(events.Main, projections.BoardOptions{})
		for _, r := range recs {
			if r.Seq > v.Seq {
				break
			}
			_, err := b.Apply(r)
			var refold *projections.RefoldError
			if errors.As(err, &refold) {
				var h []eventlog.Record
				for _, x := range recs {
					if x.Seq <= r.Seq && x.Event.Aggregate == events.Meeting(refold.Meeting) {
						h = append(h, x)
					}
				}
				b.Refold(refold.Meeting, h)
			} else if err != nil {
				t.Fatal(err)
			}
		}
		day, err := events.ParseTime(v.AsOf)
		if err != nil {
			t.Fatalf("view %s: as_of %q: %v", v.ID, v.AsOf, err)
		}
		want, _ := b.View(v.ID, day.End(), v.AsOf)
		want.Cause = v.Cause
		if diff := cmp.Diff(want, v); diff != "" {
			t.Errorf("view %s (seq %d) is not the fold of the log up to its seq (-fold +stored):\n%s", v.ID, v.Seq, diff)
		}
	}

	// The projection resumes from its checkpoint, once the lease the dead
	// writer held expires, and ends equal to a rebuild.
	var logged strings.Builder
	logger := slog.New(slog.NewTextHandler(&logged, nil))
	for {
		err := projections.NewRunner(l, st, eventlog.Main(), projections.RunnerOptions{Logger: logger}).CatchUp(ctx)
		if err == nil {
			break
		}
		if !errors.Is(err, projections.ErrBusy) || ctx.Err() != nil {
			t.Fatal(err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
	if want := fmt.Sprintf("checkpoint=%d", cp.Seq); !strings.Contains(logged.String(), "projection resumes") || !strings.Contains(logged.String(), want) {
		t.Errorf("the projection did not resume from checkpoint %d:\n%s", cp.Seq, logged.String())
	}
	rebuilt, err := projections.FoldView(ctx, l, projections.Query{})
	if err != nil {
		t.Fatal(err)
	}
	resumed, err := st.Views(ctx, events.Main)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rebuilt.Meetings, resumed, sameBoard); diff != "" {
		t.Errorf("the resumed projection differs from a rebuild (-rebuild +resumed):\n%s", diff)
	}
	after, err := st.Checkpoint(ctx, events.Main)
	if err != nil {
		t.Fatal(err)
	}
	if last := recs[len(recs)-1].Seq; after.Seq != last {
		t.Errorf("checkpoint after the resume: %d, want the log's last, %d", after.Seq, last)
	}
	t.Logf("killed after %d checkpoints: checkpoint %d of %d events, %d views stored, each the fold up to its seq; resumed to equal a rebuild", kill, cp.Seq, len(recs), len(views))
	return seen
}

// TestLiveRunnerOutlivesItsConsumer deletes the consumer a live runner
// reads with, as a server that stops takes its consumers with it: the
// runner carries on with a new one and projects what comes next.
func TestLiveRunnerOutlivesItsConsumer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r := newLiveRig(t)
	r.story(1)
	run := projections.NewRunner(r.log, r.store, eventlog.Main(), projections.RunnerOptions{Idle: 20 * time.Millisecond})
	done := make(chan error, 1)
	go func() { done <- run.Run(ctx) }()
	waitFor := func(seq uint64) {
		t.Helper()
		wctx, wcancel := context.WithTimeout(ctx, 15*time.Second)
		defer wcancel()
		if _, err := r.store.WaitFor(wctx, events.Main, seq); err != nil {
			select {
			case err := <-done:
				t.Fatalf("the runner stopped: %v", err)
			default:
			}
			t.Fatal(err)
		}
	}
	last, _ := r.log.LastSeq(ctx)
	waitFor(last)
	stream, err := r.js.Stream(ctx, eventlog.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	names := stream.ConsumerNames(ctx)
	n := 0
	for name := range names.Name() {
		if err := stream.DeleteConsumer(ctx, name); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no consumer to delete")
	}
	// Idle rounds pass without the consumer.
	select {
	case err := <-done:
		t.Fatalf("the runner stopped when its consumer went: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	r.do(eventlog.Main(), "summit", 25, "trump", &events.MeetingCancelled{})
	last, _ = r.log.LastSeq(ctx)
	waitFor(last)
	if got := r.stored(events.Main)["summit"].Status; got != aggregates.StatusCancelled {
		t.Errorf("summit after the new consumer: %s, want cancelled", got)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
}

// TestLiveRunnerGivesUpOnALostAnswer runs a live runner, with a context
// that has no deadline as summit serve's has not, on a log whose consumer
// info requests go unanswered, as when the server that holds the runner's
// consumer stops with the request (issue 12: TestClusterLeaderStops). The
// runner must not wait for the answer for ever, its checkpoint short of the
// log: it stops, unavailable, and a runner started again carries on.
func TestLiveRunnerGivesUpOnALostAnswer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s := natstest.Start(t)
	gate := natstest.NewGate(t, natstest.Connect(t, s))
	l, err := eventlog.Open(ctx, gate.JetStream(t), eventlog.Options{Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	js := natstest.JetStream(t, s)
	store, err := projections.OpenStore(ctx, js, projections.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r := &liveRig{t: t, js: js, log: l, store: store}
	r.story(1)
	waitFor := func(done <-chan error) {
		t.Helper()
		last, err := l.LastSeq(ctx)
		if err != nil {
			t.Fatal(err)
		}
		wctx, wcancel := context.WithTimeout(ctx, 15*time.Second)
		defer wcancel()
		if _, err := store.WaitFor(wctx, events.Main, last); err != nil {
			select {
			case err := <-done:
				t.Fatalf("the runner stopped: %v", err)
			default:
			}
			t.Fatal(err)
		}
	}
	start := func(runCtx context.Context) <-chan error {
		done := make(chan error, 1)
		run := projections.NewRunner(l, store, eventlog.Main(), projections.RunnerOptions{Idle: 20 * time.Millisecond})
		go func() { done <- run.Run(runCtx) }()
		return done
	}
	runCtx, stop := context.WithCancel(context.Background())
	defer stop()
	done := start(runCtx)
	waitFor(done)

	// An event to project, saved at once (it ends its burst); then a
	// message on none of main's subjects moves the log's end past the
	// checkpoint, and the idle round asks the server what it delivered:
	// no answer comes.
	r.do(eventlog.Main(), "summit", 25, "trump", &events.MeetingCancelled{})
	waitFor(done)
	gate.Drop(func(api string) bool { return strings.HasPrefix(api, "CONSUMER.INFO.") })
	if _, err := js.Publish(ctx, eventlog.RefRoot+".elsewhere.name", []byte("a marker of another branch")); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, eventlog.ErrUnavailable) {
			t.Errorf("the runner stopped on %v, want ErrUnavailable", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the runner still waits for an answer that will not come")
	}
	gate.Drop(nil)
	done = start(runCtx)
	waitFor(done)
	if got := r.stored(events.Main)["summit"].Status; got != aggregates.StatusCancelled {
		t.Errorf("summit: %s, want cancelled", got)
	}
	stop()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
}

// TestRunnerGivesUpOnALostViewAck runs a runner, with a context that has
// no deadline, whose view writes reach a server that takes them and never
// acknowledges them, as a bucket's stream leader that stops with them. The
// runner must not wait for the acknowledgements for ever: it stops, and a
// runner started again with a store that answers writes the views.
func TestRunnerGivesUpOnALostViewAck(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	r := newLiveRig(t)
	r.story(1)
	if err := projections.NewRunner(r.log, r.store, eventlog.Main(), projections.RunnerOptions{}).CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	r.do(eventlog.Main(), "summit", 25, "trump", &events.MeetingCancelled{})
	// Another server, where a plain subscriber takes the view writes.
	nc := natstest.Connect(t, natstest.Start(t))
	if _, err := nc.Subscribe("$KV."+projections.MeetingBucket+".>", func(*nats.Msg) {}); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	js, err := jetstream.New(nc, jetstream.WithDefaultTimeout(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	lost := r.store.WithJetStream(js)
	done := make(chan error, 1)
	go func() {
		done <- projections.NewRunner(r.log, lost, eventlog.Main(), projections.RunnerOptions{}).Run(context.Background())
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("the runner with unacknowledged views stopped on %v, want a deadline", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the runner still waits for acknowledgements that will not come")
	}
	if err := projections.NewRunner(r.log, r.store, eventlog.Main(), projections.RunnerOptions{}).CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r.folded(eventlog.Main()), r.stored(events.Main), sameBoard); diff != "" {
		t.Errorf("views after the lost acknowledgements (-rebuild +stored):\n%s", diff)
	}
}
