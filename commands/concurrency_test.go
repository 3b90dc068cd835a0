package commands_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/commands"
	"github.com/summit-model/summit/embedded"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/natstest"
	"github.com/summit-model/summit/projections"
	"github.com/summit-model/summit/scenarios"
)

// load is the size of one run of TestConcurrentWriters.
type load struct {
	meetings   int // meetings every writer works on
	goroutines int // writers in the test's process
	processes  int // other processes
	perProcess int // writers in each of them
	commands   int // commands each writer issues
}

func (l load) writers() int { return l.goroutines + l.processes*l.perProcess }

// outcome is what became of one command, as a writer reports it.
type outcome struct {
	Writer    string      `json:"writer"`
	Meeting   string      `json:"meeting"`
	Kind      events.Kind `json:"kind"`
	Late      bool        `json:"late,omitempty"`
	Landed    []uuid.UUID `json:"landed,omitempty"` // the ids of the events appended
	Seq       uint64      `json:"seq,omitempty"`    // the stream sequence of the last
	Refused   string      `json:"refused,omitempty"`
	Conflict  bool        `json:"conflict,omitempty"` // still in conflict after every retry
	Conflicts int         `json:"conflicts"`          // conflicts met on the way
	Err       string      `json:"err,omitempty"`      // anything else: a failure of the test
}

var parties = map[string]string{"trump": "USA", "rubio": "USA", "putin": "RUS", "lavrov": "RUS", "peskov": "RUS"}

// command returns a writer's command number i of n on meeting m: a mix of
// the kinds that race in real life, as news arrives. The writer's day
// moves on from 16 to 30 October as it goes; most commands are dated that
// day (some with a time of day), and a third are late reports: dated up to
// five days before, reported that day. Many writers adding the same
// precondition or settling it, or holding the same meeting, make the
// model refuse all but one; a late event that would break the history in
// its world-time place is refused too; statements are always accepted.
func command(rng *rand.Rand, m string, i, n int) (aggregates.Command, bool) {
	people := []string{"trump", "rubio", "putin", "lavrov"}
	by := people[rng.IntN(len(people))]
	pre := "p" + strconv.Itoa(rng.IntN(4))
	var p events.Payload
	switch n := rng.IntN(1000); {
	case n < 350:
		p = &events.StatementMade{About: m, Stance: events.StanceNoncommittal, Claim: events.ClaimWords[rng.IntN(len(events.ClaimWords))]}
	case n < 500:
		p = &events.PreconditionAdded{Precondition: pre, Description: "prep " + pre}
	case n < 600:
		p = &events.PreconditionMet{Precondition: pre}
	case n < 650:
		p = &events.PreconditionWaived{Precondition: pre}
	case n < 750:
		p = &events.MeetingProposed{Venue: "Budapest", Within: &events.Span{Days: 14}}
	case n < 830:
		p = &events.MeetingAccepted{}
	case n < 850:
		p = &events.MeetingDeclined{Reason: "not now"}
	case n < 920:
		p = &events.MeetingScheduled{Date: events.OneDay(events.Date(2025, time.November, 3))}
	case n < 980:
		p = &events.MeetingPostponed{Reason: "preparation"}
	case n < 990:
		p = &events.MeetingCancelled{}
	default:
		p = &events.MeetingHeld{Venue: "Budapest"}
	}
	today := 16 + 14*i/max(n, 1)
	at := events.Date(2025, time.October, today)
	var reported events.Time
	late := rng.IntN(3) == 0 && today > 16
	if late {
		reported = at
		at = events.Date(2025, time.October, today-1-rng.IntN(min(5, today-16)))
	}
	if rng.IntN(4) == 0 {
		// A time of day, so that events of one day have an order too.
		at = events.At(at.Add(time.Duration(rng.IntN(24*60)) * time.Minute))
	}
	return aggregates.Command{
		Aggregate: events.Meeting(m), At: at, Reported: reported, By: by, Party: parties[by], Payload: p,
		// Every writer declares the meeting the same way: the first
		// declares it, in one atomic batch with its event; for the
		// others the declaration is already on record.
		Declare: &events.MeetingDeclared{Title: "the " + m, Participants: []events.Participant{{Person: "trump", Party: "USA"}, {Person: "putin", Party: "RUS"}}},
	}, late
}

// write runs n commands of writer name on the meetings, reporting each
// outcome to report.
func write(ctx context.Context, h *commands.Handler, name string, seed uint64, meetings, n int, report func(outcome)) {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	for i := range n {
		m := "m" + strconv.Itoa(rng.IntN(meetings))
		cmd, late := command(rng, m, i, n)
		res, err := h.Handle(ctx, cmd, commands.Meta{})
		o := outcome{Writer: name, Meeting: m, Kind: cmd.Payload.Kind(), Late: late, Conflicts: res.Conflicts, Seq: res.Seq}
		var refused *aggregates.RefusedError
		switch {
		case err == nil:
			for _, e := range res.Events {
				o.Landed = append(o.Landed, e.ID)
			}
		case errors.As(err, &refused):
			o.Refused = refused.Error()
		case errors.Is(err, eventlog.ErrConflict):
			o.Conflict = true
		default:
			o.Err = err.Error()
		}
		report(o)
	}
}

// TestHelperProcess is not a test: it is the other processes of the tests
// of this package, started by natstest.StartChild.
func TestHelperProcess(t *testing.T) {
	switch natstest.HelperMode() {
	case "":
		t.Skip("run as a child process only")
	case "writers":
		writersProcess(t)
	default:
		t.Fatalf("unknown helper mode %q", natstest.HelperMode())
	}
}

// writersProcess connects to the server at $SUMMIT_URL and runs
// $SUMMIT_WRITERS writers, reporting each outcome as a line of JSON as soon
// as it is known.
func writersProcess(t *testing.T) {
	// The parent's deadline, a little before it, so that it still reads
	// every outcome: a slow machine takes minutes over the soak's 12,000
	// commands, and a fixed two minutes cut its writers short.
	deadline, err := time.Parse(time.RFC3339Nano, os.Getenv("SUMMIT_DEADLINE"))
	if err != nil {
		t.Fatalf("SUMMIT_DEADLINE: %v", err)
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	nc, err := nats.Connect(os.Getenv("SUMMIT_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	l, err := eventlog.Open(ctx, js, eventlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	atoi := func(k string) int { n, _ := strconv.Atoi(os.Getenv(k)); return n }
	proc := os.Getenv("SUMMIT_PROCESS")
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range atoi("SUMMIT_WRITERS") {
		wg.Go(func() {
			name := fmt.Sprintf("p%s.w%d", proc, w)
			write(ctx, commands.NewHandler(l, eventlog.Main()), name, uint64(1000*atoi("SUMMIT_PROCESS")+w), atoi("SUMMIT_MEETINGS"), atoi("SUMMIT_COMMANDS"), func(o outcome) {
				b, _ := json.Marshal(o)
				mu.Lock()
				defer mu.Unlock()
				natstest.Report(string(b))
			})
		})
	}
	wg.Wait()
}

// TestConcurrentWriters has many writers, in this process and in others,
// issue commands on the same few meetings at once, a third of them late
// reports, while a live projection follows. Every command must land, be
// refused by the model, or still be in conflict after the handler's
// retries on fresh state; and in the end every acknowledged event is on
// record once, no other event is, each meeting's versions run 1, 2, 3...
// without a gap, the model's rules held under the race (in world order),
// and the live views equal a fold of the log from nothing.
func TestConcurrentWriters(t *testing.T) {
	size := load{meetings: 3, goroutines: 6, processes: 3, perProcess: 3, commands: 25}
	if natstest.Soak() {
		size = load{meetings: 5, goroutines: 16, processes: 4, perProcess: 8, commands: 250}
	}
	budget := 5 * time.Minute
	if natstest.Soak() {
		budget = 15 * time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()
	srv, err := embedded.Start(ctx, embedded.Options{StoreDir: t.TempDir(), Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	js := natstest.JetStream(t, srv)
	l, err := eventlog.Open(ctx, js, eventlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	store, err := projections.OpenStore(ctx, js, projections.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}

	// A live projection follows the race, with a small tail, so that late
	// reports make it fold meetings again from their history.
	runCtx, stopRunner := context.WithCancel(ctx)
	runner := projections.NewRunner(l, store, eventlog.Main(), projections.RunnerOptions{Tail: 2})
	runDone := make(chan error, 1)
	go func() { runDone <- runner.Run(runCtx) }()

	var (
		mu       sync.Mutex
		outcomes []outcome
	)
	report := func(o outcome) {
		mu.Lock()
		defer mu.Unlock()
		outcomes = append(outcomes, o)
	}
	var children []*natstest.Child
	for p := range size.processes {
		children = append(children, natstest.StartChild(t, "writers",
			"SUMMIT_URL="+srv.ClientURL(), "SUMMIT_PROCESS="+strconv.Itoa(p+1),
			"SUMMIT_WRITERS="+strconv.Itoa(size.perProcess), "SUMMIT_MEETINGS="+strconv.Itoa(size.meetings),
			"SUMMIT_COMMANDS="+strconv.Itoa(size.commands),
			"SUMMIT_DEADLINE="+time.Now().Add(budget-15*time.Second).Format(time.RFC3339Nano)))
	}
	var wg sync.WaitGroup
	for w := range size.goroutines {
		wg.Go(func() {
			h := commands.NewHandler(l, eventlog.Main())
			if w%2 == 0 {
				// As the verbs make it: meetings read from the live
				// projection's snapshots, late events of the course
				// decided on the course they list.
				h.Snapshots = store
			}
			write(ctx, h, fmt.Sprintf("p0.w%d", w), uint64(w), size.meetings, size.commands, report)
		})
	}
	for i, c := range children {
		wg.Go(func() {
			rest, err := c.Wait()
			if err != nil {
				t.Errorf("writer process %d: %v", i+1, err)
			}
			for _, line := range rest {
				var o outcome
				if err := json.Unmarshal([]byte(line), &o); err != nil {
					t.Errorf("writer process %d: %q: %v", i+1, line, err)
					continue
				}
				report(o)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	// Every command has an outcome, and none failed otherwise.
	if want := size.writers() * size.commands; len(outcomes) != want {
		t.Fatalf("%d outcomes, want one for each of %d commands", len(outcomes), want)
	}
	acked := map[uuid.UUID]outcome{}
	var landed, lateLanded, refused, exhausted, conflicts int
	for _, o := range outcomes {
		conflicts += o.Conflicts
		switch {
		case o.Err != "":
			t.Errorf("%s: %s on %s failed: %s", o.Writer, o.Kind, o.Meeting, o.Err)
		case o.Landed != nil:
			landed++
			if o.Late {
				lateLanded++
			}
			for _, id := range o.Landed {
				if _, ok := acked[id]; ok {
					t.Errorf("event %s acknowledged twice", id)
				}
				acked[id] = o
			}
		case o.Refused != "":
			refused++
		case o.Conflict:
			exhausted++
		}
	}

	// The record holds every acknowledged event once, nothing else, and
	// each meeting's versions without a gap.
	var stored []eventlog.Record
	if err := l.Read(ctx, eventlog.BranchSubjects(events.Main), 1, 0, func(r eventlog.Record) error {
		stored = append(stored, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	seen := map[uuid.UUID]bool{}
	histories := map[string][]events.Event{}
	for _, r := range stored {
		e := r.Event
		if seen[e.ID] {
			t.Errorf("event %s stored twice", e.ID)
		}
		seen[e.ID] = true
		o, ok := acked[e.ID]
		if !ok {
			t.Errorf("seq %d: event %s (%s on %s) is on record but was never acknowledged", r.Seq, e.ID, e.Kind(), e.Aggregate)
		} else if o.Landed[len(o.Landed)-1] == e.ID && o.Seq != r.Seq {
			t.Errorf("event %s acknowledged at seq %d, stored at %d", e.ID, o.Seq, r.Seq)
		}
		h := histories[e.Aggregate.ID]
		if want := uint64(len(h) + 1); e.Version != want {
			t.Errorf("%s: seq %d has version %d, want %d", e.Aggregate, r.Seq, e.Version, want)
		}
		histories[e.Aggregate.ID] = append(h, e)
	}
	lost := 0
	for id, o := range acked {
		if !seen[id] {
			lost++
			t.Errorf("event %s (%s on %s by %s) was acknowledged and is not on record", id, o.Kind, o.Meeting, o.Writer)
		}
	}

	// The model's rules held under the race, in world order: no
	// precondition added twice, and after the holding nothing but what
	// may follow it.
	for m, h := range histories {
		added := map[string]bool{}
		held := false
		for _, e := range aggregates.Effective(h, time.Time{}) {
			switch p := e.Payload.(type) {
			case *events.PreconditionAdded:
				if added[p.Precondition] {
					t.Errorf("%s: precondition %s added twice", m, p.Precondition)
				}
				added[p.Precondition] = true
			case *events.MeetingHeld:
				if held {
					t.Errorf("%s: held twice", m)
				}
				held = true
			case *events.MeetingProposed, *events.MeetingAccepted, *events.MeetingScheduled, *events.MeetingPostponed, *events.MeetingCancelled, *events.MeetingDeclined:
				if held {
					t.Errorf("%s: %s v%d of %s after the meeting was held", m, e.Kind(), e.Version, e.At)
				}
			}
		}
	}

	// The live projection catches up, and its views equal a fold of the
	// log from nothing.
	last, err := l.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	if _, err := store.WaitFor(wctx, events.Main, last); err != nil {
		t.Fatal(err)
	}
	stopRunner()
	if err := <-runDone; err != nil {
		t.Fatalf("live projection: %v", err)
	}
	live := checkEqualsRebuild(ctx, t, l, store)
	if len(live) != size.meetings {
		t.Errorf("the board has %d meetings, want %d", len(live), size.meetings)
	}

	t.Logf("%d writers (%d processes) on %d meetings: %d commands tried, %d landed (%d of them late reports), %d refused by the model, %d still in conflict after %d retries; %d conflicts met and decided again; %d events on record, %d acknowledged, %d lost",
		size.writers(), size.processes+1, size.meetings, len(outcomes), landed, lateLanded, refused, exhausted, commands.NewHandler(l, eventlog.Main()).Retries, conflicts, len(stored), len(acked), lost)
	if landed == 0 || lateLanded == 0 || conflicts == 0 {
		t.Errorf("a race with %d commands landed, %d of them late, and %d conflicts proves little", landed, lateLanded, conflicts)
	}
}

// sameView compares views by what they say, not when or why they were
// written: the live projection's views are written as of the day each
// changed, with their cause.
var sameView = cmpopts.IgnoreFields(projections.View{}, "AsOf", "KnownAt", "Cause")

// checkEqualsRebuild fails the test unless the views the projection wrote
// on main equal a fold of main from the log (seq included: each names the
// last event folded into it), and returns the views.
func checkEqualsRebuild(ctx context.Context, t *testing.T, l *eventlog.Log, store *projections.Store) []projections.View {
	t.Helper()
	live, err := store.Views(ctx, events.Main)
	if err != nil {
		t.Fatal(err)
	}
	rebuilt, err := projections.FoldView(ctx, l, projections.Query{Branch: eventlog.Main()})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rebuilt.Meetings, live, sameView, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("the projection's views differ from a rebuild (-rebuild +projection):\n%s", diff)
	}
	return live
}

// TestLateCrossFileOrder appends two files one after the other whose
// claims are out of world order: the first says Peskov called the summit
// cancelled at 23:00, the second that he called it scheduled at 01:00 the
// same day. The board folds in world order, live and rebuilt: Peskov's
// latest claim is the 23:00 one (issue 12, item 4). A claim dated that
// day with no time of day, appended last, comes first in world order.
func TestLateCrossFileOrder(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	js := natstest.JetStream(t, natstest.Start(t))
	l, err := eventlog.Open(ctx, js, eventlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	store, err := projections.OpenStore(ctx, js, projections.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stopRunner := context.WithCancel(ctx)
	runDone := make(chan error, 1)
	go func() {
		runDone <- projections.NewRunner(l, store, eventlog.Main(), projections.RunnerOptions{}).Run(runCtx)
	}()

	moscow := time.FixedZone("MSK", 3*3600)
	claim := func(word string, at events.Time) aggregates.Command {
		return aggregates.Command{
			Aggregate: events.Meeting("summit"), At: at, By: "peskov", Party: "RUS",
			Payload: &events.StatementMade{About: "summit", Stance: events.StanceNoncommittal, Claim: word},
			Declare: &events.MeetingDeclared{Title: "the summit", Participants: []events.Participant{{Person: "trump", Party: "USA"}, {Person: "putin", Party: "RUS"}}},
		}
	}
	files := []struct {
		name string
		cmd  aggregates.Command
	}{
		{"first.yaml", claim("cancelled", events.At(time.Date(2025, 10, 23, 23, 0, 0, 0, moscow)))},
		{"second.yaml", claim("scheduled", events.At(time.Date(2025, 10, 23, 1, 0, 0, 0, moscow)))},
		{"third.yaml", claim("willing", events.Date(2025, 10, 23))},
	}
	h := commands.NewHandler(l, eventlog.Main())
	for _, f := range files {
		if _, err := h.HandleAll(ctx, commands.Batch{File: f.name, Steps: []scenarios.Step{{Line: 1, Command: f.cmd}}}); err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
	}
	last, err := l.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.WaitFor(ctx, events.Main, last); err != nil {
		t.Fatal(err)
	}
	stopRunner()
	if err := <-runDone; err != nil {
		t.Fatal(err)
	}
	live := checkEqualsRebuild(ctx, t, l, store)
	if len(live) != 1 {
		t.Fatalf("%d meetings on the board, want 1", len(live))
	}
	v := live[0]
	if got := v.Claims["peskov"]; got != "cancelled" {
		t.Errorf("peskov's latest claim: %q, want cancelled (23:00, though appended before the 01:00 one)", got)
	}
	if len(v.ClaimDetails) != 1 || v.ClaimDetails[0].At.String() != "2025-10-23T23:00:00+03:00" {
		t.Errorf("claim details %+v, want the claim of 23:00", v.ClaimDetails)
	}
	// As of the 23rd, as it could be known on the 23rd: the same.
	b, err := projections.FoldView(ctx, l, projections.Query{AsOf: events.Date(2025, 10, 23), KnownAt: events.Date(2025, 10, 23)})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Meetings) != 1 || b.Meetings[0].Claims["peskov"] != "cancelled" {
		t.Errorf("as of the 23rd: %+v, want peskov's claim cancelled", b.Meetings)
	}
}
