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
	Landed    []uuid.UUID `json:"landed,omitempty"` // the ids of the events appended
	Seq       uint64      `json:"seq,omitempty"`    // the stream sequence of the last
	Refused   string      `json:"refused,omitempty"`
	Conflict  bool        `json:"conflict,omitempty"` // still in conflict after every retry
	Conflicts int         `json:"conflicts"`          // conflicts met on the way
	Err       string      `json:"err,omitempty"`      // anything else: a failure of the test
}

var parties = map[string]string{"trump": "USA", "rubio": "USA", "putin": "RUS", "lavrov": "RUS"}

// command returns a writer's next command on meeting m: a mix of the
// kinds that race in real life. Many writers adding the same precondition
// or settling it, or holding and cancelling the same meeting, make the
// model refuse all but one; statements are always accepted.
func command(rng *rand.Rand, m string) aggregates.Command {
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
	case n < 850:
		p = &events.MeetingAccepted{}
	case n < 930:
		p = &events.MeetingScheduled{Date: events.Date(2025, time.October, 30)}
	case n < 990:
		p = &events.MeetingPostponed{Reason: "preparation"}
	case n < 995:
		p = &events.MeetingHeld{Venue: "Budapest"}
	default:
		p = &events.MeetingCancelled{}
	}
	return aggregates.Command{
		Aggregate: events.Meeting(m), At: events.Date(2025, time.October, 16), By: by, Party: parties[by], Payload: p,
		// Every writer declares the meeting the same way: the first
		// declares it, in one atomic batch with its event; for the
		// others the declaration is already on record.
		Declare: &events.MeetingDeclared{Title: "the " + m, Participants: []events.Participant{{Person: "trump", Party: "USA"}, {Person: "putin", Party: "RUS"}}},
	}
}

// write runs n commands of writer name on the meetings, reporting each
// outcome to report.
func write(ctx context.Context, h *commands.Handler, name string, seed uint64, meetings, n int, report func(outcome)) {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	for range n {
		m := "m" + strconv.Itoa(rng.IntN(meetings))
		cmd := command(rng, m)
		res, err := h.Handle(ctx, cmd, commands.Meta{})
		o := outcome{Writer: name, Meeting: m, Kind: cmd.Payload.Kind(), Conflicts: res.Conflicts, Seq: res.Seq}
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
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
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
// issue commands on the same few meetings at once, while a live projection
// follows. Every command must land, be refused by the model, or still be in
// conflict after the handler's retries on fresh state; and in the end every
// acknowledged event is on record once, no other event is, each meeting's
// versions run 1, 2, 3... without a gap, the model's rules held under the
// race, and the live board equals a rebuild.
func TestConcurrentWriters(t *testing.T) {
	size := load{meetings: 3, goroutines: 6, processes: 3, perProcess: 3, commands: 25}
	if natstest.Soak() {
		size = load{meetings: 5, goroutines: 16, processes: 4, perProcess: 8, commands: 250}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
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

	// A live projection follows the race.
	runCtx, stopRunner := context.WithCancel(ctx)
	runner := projections.NewRunner(l, store, eventlog.Main(), projections.RunnerOptions{})
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
			"SUMMIT_COMMANDS="+strconv.Itoa(size.commands)))
	}
	var wg sync.WaitGroup
	for w := range size.goroutines {
		wg.Go(func() {
			write(ctx, commands.NewHandler(l, eventlog.Main()), fmt.Sprintf("p0.w%d", w), uint64(w), size.meetings, size.commands, report)
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
	var landed, refused, exhausted, conflicts int
	for _, o := range outcomes {
		conflicts += o.Conflicts
		switch {
		case o.Err != "":
			t.Errorf("%s: %s on %s failed: %s", o.Writer, o.Kind, o.Meeting, o.Err)
		case o.Landed != nil:
			landed++
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

	// The model's rules held under the race: no precondition added twice,
	// nothing but statements after a meeting is final.
	for m, h := range histories {
		added := map[string]bool{}
		final := false
		for _, e := range h {
			if final && e.Kind() != events.KindStatementMade {
				t.Errorf("%s: %s v%d after the meeting was final", m, e.Kind(), e.Version)
			}
			switch p := e.Payload.(type) {
			case *events.PreconditionAdded:
				if added[p.Precondition] {
					t.Errorf("%s: precondition %s added twice", m, p.Precondition)
				}
				added[p.Precondition] = true
			case *events.MeetingHeld, *events.MeetingCancelled:
				final = true
			}
		}
	}

	// The live board catches up, and equals a rebuild from the log.
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

	t.Logf("%d writers (%d processes) on %d meetings: %d commands tried, %d landed, %d refused by the model, %d still in conflict after %d retries; %d conflicts met and decided again; %d events on record, %d acknowledged, %d lost",
		size.writers(), size.processes+1, size.meetings, len(outcomes), landed, refused, exhausted, commands.NewHandler(l, eventlog.Main()).Retries, conflicts, len(stored), len(acked), lost)
	if landed == 0 || conflicts == 0 {
		t.Errorf("a race with %d commands landed and %d conflicts proves little", landed, conflicts)
	}
}

// checkEqualsRebuild fails the test unless the views the projection wrote
// on main equal a rebuild of main from the log, and returns the views.
func checkEqualsRebuild(ctx context.Context, t *testing.T, l *eventlog.Log, store *projections.Store) []projections.View {
	t.Helper()
	live, err := store.Views(ctx, events.Main)
	if err != nil {
		t.Fatal(err)
	}
	rebuilt, err := projections.Read(ctx, l, eventlog.Main(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rebuilt.Views(time.Now()), live, cmpopts.IgnoreFields(projections.View{}, "AsOf", "Seq"), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("the projection's views differ from a rebuild (-rebuild +projection):\n%s", diff)
	}
	return live
}
