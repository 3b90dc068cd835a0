package scenarios

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/natstest"
	"github.com/summit-model/summit/projections"
)

func openStore(t *testing.T) (*eventlog.Log, *Records) {
	t.Helper()
	ctx := context.Background()
	js := natstest.JetStream(t, natstest.Start(t))
	l, err := eventlog.Open(ctx, js, eventlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := OpenRecords(ctx, js, 1)
	if err != nil {
		t.Fatal(err)
	}
	return l, r
}

// scenario returns a scenario named name whose timeline is entries (YAML
// list items, indented by two spaces), on the domain page's cast.
func scenario(t *testing.T, name, title string, entries string) *Scenario {
	t.Helper()
	src := fmt.Sprintf(`name: %s
parties:
  USA: {name: United States}
  RUS: {name: Russia}
people:
  trump: {name: Donald Trump, party: USA}
  putin: {name: Vladimir Putin, party: RUS}
meetings:
  summit: {title: %s, participants: [trump, putin]}
timeline:
%s`, name, title, entries)
	s, err := Load(name+".yaml", []byte(src), nil)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return s
}

func TestReplayRefusalAppendsNothing(t *testing.T) {
	ctx := context.Background()
	l, r := openStore(t)
	first := scenario(t, "first", "A summit", `  - {at: 2025-10-16, event: meeting.proposed, meeting: summit, by: trump}
`)
	if _, err := Replay(ctx, l, r, first); err != nil {
		t.Fatal(err)
	}
	before, _ := l.LastSeq(ctx)
	// A second scenario names the same meeting with another title, and
	// holds it after cancelling it: both refused, each at its line.
	second := scenario(t, "second", "Another summit", `  - {at: 2025-10-22, event: meeting.cancelled, meeting: summit, by: trump}
  - {at: 2025-10-30, event: meeting.held, meeting: summit}
`)
	_, err := Replay(ctx, l, r, second)
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("Replay = %v, want an ErrorList", err)
	}
	msg := err.Error()
	for _, want := range []string{
		`second.yaml:9: meeting summit (proposed) refuses meeting.declared: already declared differently: on record as "A summit" with trump (USA), putin (RUS)`,
		"second.yaml:12: meeting summit (cancelled) refuses meeting.held: the meeting is final",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if after, _ := l.LastSeq(ctx); after != before {
		t.Errorf("a refused scenario appended %d events", after-before)
	}
	if _, ok, _ := r.Get(ctx, "second"); ok {
		t.Error("a refused scenario left a record")
	}
}

func TestConcurrentReplaysOfOneMeeting(t *testing.T) {
	// Scenarios that write to the same meeting at once: each lands whole,
	// deciding again on the other's events when they collide.
	ctx := context.Background()
	l, r := openStore(t)
	var wg sync.WaitGroup
	const n = 6
	errs := make([]error, n)
	for i := range n {
		s := scenario(t, fmt.Sprintf("s%d", i), "A summit", fmt.Sprintf(`  - {at: 2025-10-16, event: statement.made, by: trump, about: summit, stance: supportive, quote: "q%d"}
  - {at: 2025-10-16, event: statement.made, by: putin, about: summit, stance: noncommittal, quote: "r%d"}
`, i, i))
		wg.Go(func() {
			_, errs[i] = Replay(ctx, l, r, s)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replay %d: %v", i, err)
		}
	}
	h, err := l.Load(ctx, eventlog.Main(), events.Meeting("summit"))
	if err != nil {
		t.Fatal(err)
	}
	// One declaration, two statements per scenario, versions gapless.
	if len(h.Events) != 1+2*n {
		t.Errorf("summit has %d events, want %d", len(h.Events), 1+2*n)
	}
	for i, e := range h.Events {
		if e.Version != uint64(i+1) {
			t.Fatalf("event %d has version %d", i, e.Version)
		}
	}
}

func TestCheckBuiltins(t *testing.T) {
	ctx := context.Background()
	for _, name := range Builtins() {
		t.Run(name, func(t *testing.T) {
			l, r := openStore(t)
			s, err := Open(name)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Replay(ctx, l, r, s); err != nil {
				t.Fatal(err)
			}
			failures, err := Check(ctx, l, s)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range failures {
				t.Error(f)
			}
			if len(s.Expect) == 0 {
				t.Error("a built-in scenario without expectations checks nothing")
			}
			// The board is not empty, and every meeting on it is one the
			// scenario declares.
			b, err := projections.Read(ctx, l, eventlog.Main(), s.Timeline[len(s.Timeline)-1].At.End())
			if err != nil {
				t.Fatal(err)
			}
			if b.Len() != len(s.Meetings) {
				t.Errorf("board has %d meetings, the scenario declares %d", b.Len(), len(s.Meetings))
			}
		})
	}
}

func TestInterruptedAppendResumes(t *testing.T) {
	ctx := context.Background()
	s, err := Open("budapest-2025")
	if err != nil {
		t.Fatal(err)
	}
	// The whole replay, into a store of its own, for comparison.
	wl, wr := openStore(t)
	whole, err := Replay(ctx, wl, wr, s)
	if err != nil {
		t.Fatal(err)
	}
	for _, stopAfter := range []int{1, 12, 20} {
		t.Run(fmt.Sprint(stopAfter), func(t *testing.T) {
			l, r := openStore(t)
			cctx, cancel := context.WithCancel(ctx)
			landed := 0
			_, err := Append(cctx, l, r, s, AppendOptions{
				Pace: Pace{World: 24 * time.Hour, Wall: time.Microsecond},
				Landed: func(Step, []events.Event) {
					if landed++; landed == stopAfter {
						cancel()
					}
				},
			})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("interrupted append: %v", err)
			}
			res, err := Replay(ctx, l, r, s)
			if err != nil {
				t.Fatalf("resumed replay: %v", err)
			}
			if res.Skipped || !res.Record.Complete {
				t.Fatalf("resumed replay: %+v", res)
			}
			last, _ := l.LastSeq(ctx)
			wlast, _ := wl.LastSeq(ctx)
			if last != wlast || res.Record.Events != whole.Record.Events {
				t.Errorf("interrupted after %d steps and resumed: %d events in the log (%d noted); whole replay: %d", stopAfter, last, res.Record.Events, wlast)
			}
			if failures, err := Check(ctx, l, s); err != nil || len(failures) > 0 {
				t.Errorf("expectations after resuming: %v %v", failures, err)
			}
		})
	}
}

func TestPacedAppend(t *testing.T) {
	ctx := context.Background()
	l, r := openStore(t)
	s, err := Open("budapest-2025")
	if err != nil {
		t.Fatal(err)
	}
	var landed []events.Time
	res, err := Append(ctx, l, r, s, AppendOptions{
		Pace:   Pace{World: 24 * time.Hour, Wall: time.Microsecond},
		Landed: func(st Step, _ []events.Event) { landed = append(landed, st.Command.At) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Conflicts != 0 {
		t.Errorf("a paced append alone met %d conflicts", res.Conflicts)
	}
	if len(landed) != len(s.Steps(nil)) {
		t.Errorf("%d steps landed, want %d", len(landed), len(s.Steps(nil)))
	}
	for i := 1; i < len(landed); i++ {
		if landed[i].Precedes(landed[i-1]) {
			t.Errorf("step %d (%s) landed after a later one (%s)", i, landed[i], landed[i-1])
		}
	}
}

func TestParsePace(t *testing.T) {
	tests := []struct {
		in          string
		world, wall time.Duration
	}{
		{"1d=1s", 24 * time.Hour, time.Second},
		{"2w=500ms", 14 * 24 * time.Hour, 500 * time.Millisecond},
		{"6h=1s", 6 * time.Hour, time.Second},
		{"1d", 0, 0}, {"1y=1s", 0, 0}, {"0d=1s", 0, 0}, {"1d=0s", 0, 0}, {"1d=fast", 0, 0}, {"=1s", 0, 0},
	}
	for _, tt := range tests {
		p, err := ParsePace(tt.in)
		if tt.world == 0 {
			if err == nil {
				t.Errorf("ParsePace(%q) = %+v, want an error", tt.in, p)
			}
			continue
		}
		if err != nil || p.World != tt.world || p.Wall != tt.wall {
			t.Errorf("ParsePace(%q) = %+v, %v", tt.in, p, err)
		}
	}
}
