package projections_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/commands"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/natstest"
	"github.com/summit-model/summit/projections"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// rig is a log on a real in-process nats-server, written to through the
// one write path (commands), so that every story the tests tell is one
// the model accepts.
type rig struct {
	t   *testing.T
	log *eventlog.Log
	h   *commands.Handler
}

func newRig(t *testing.T) *rig {
	t.Helper()
	l, err := eventlog.Open(context.Background(), natstest.JetStream(t, natstest.Start(t)), eventlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := commands.NewHandler(l, eventlog.Main())
	// A correction that gives no reported date is known from the day it
	// is appended: the day of the tests' clock.
	h.Now = func() time.Time { return now }
	return &rig{t: t, log: l, h: h}
}

var parties = map[string]string{"trump": "USA", "rubio": "USA", "putin": "RUS", "lavrov": "RUS", "peskov": "RUS", "orban": "HUN"}

func oct(d int) events.Time { return events.Date(2025, time.October, d) }

var ntv = &events.Source{ID: "ntv", Outlet: "ntv.de", Address: "https://www.n-tv.de/politik/", Published: "2025-10-21"}

// opt changes a command: a reported date, a source, a ref, a correction.
type opt func(*aggregates.Command)

func reported(t events.Time) opt     { return func(c *aggregates.Command) { c.Reported = t } }
func ref(name string) opt            { return func(c *aggregates.Command) { c.RefName = name } }
func corrects(name string) opt       { return func(c *aggregates.Command) { c.Corrects = name } }
func source(s *events.Source) opt    { return func(c *aggregates.Command) { c.Source = s } }
func declaring(p events.Payload) opt { return func(c *aggregates.Command) { c.Declare = p } }
func quoted(s *events.Source, q string) opt {
	return func(c *aggregates.Command) { src := *s; src.Quote = q; c.Source = &src }
}

// on records an event of meeting m (or of by's actor, if m is "").
func (r *rig) on(h *commands.Handler, m string, at events.Time, by string, p events.Payload, opts ...opt) {
	r.t.Helper()
	cmd := aggregates.Command{At: at, By: by, Party: parties[by], Payload: p}
	if by == "" {
		cmd.Party = ""
	}
	cmd.Aggregate = aggregates.Route(m, by, p)
	for _, o := range opts {
		o(&cmd)
	}
	if _, err := h.Handle(context.Background(), cmd, commands.Meta{}); err != nil {
		r.t.Fatalf("%s %s of %s: %v", m, p.Kind(), at, err)
	}
}

func (r *rig) do(m string, at events.Time, by string, p events.Payload, opts ...opt) {
	r.t.Helper()
	r.on(r.h, m, at, by, p, opts...)
}

// declare names meeting m, bringing people (or parties) together.
func (r *rig) declare(m string, at events.Time, title string, who ...string) {
	r.t.Helper()
	r.declareOn(r.h, m, at, title, who...)
}

func (r *rig) declareOn(h *commands.Handler, m string, at events.Time, title string, who ...string) {
	r.t.Helper()
	var ps []events.Participant
	for _, w := range who {
		if p, ok := parties[w]; ok {
			ps = append(ps, events.Participant{Person: w, Party: p})
		} else {
			ps = append(ps, events.Participant{Party: w})
		}
	}
	cmd := aggregates.Command{Aggregate: events.Meeting(m), At: at, Declare: &events.MeetingDeclared{Title: title, Participants: ps}}
	if _, err := h.Handle(context.Background(), cmd, commands.Meta{}); err != nil {
		r.t.Fatalf("declare %s: %v", m, err)
	}
}

// budapest records the story the tests read: the Budapest summit of
// October 2025, which needs a preparatory meeting of the foreign
// ministers, with news arriving late, a correction and a retraction.
//
//	16  trump calls putin; summit proposed within 14d; fm-prep requires prep; agenda
//	17  putin accepts (reported on the 25th: a late report)
//	20  prep proposed, window 20-22
//	21  peskov: unscheduled (ntv)
//	22  summit cancelled by trump (ref cxl), corrected on the 26th: postponed
//	23  prep's window has passed
//	24  prep held in Budapest
//	27  peskov: ruled-out (ref pk), withdrawn on the 28th: misquoted
func budapest(t *testing.T) *rig {
	r := newRig(t)
	r.do("", oct(16), "trump", &events.CallHeld{Participants: []string{"trump", "putin"}, Tone: "productive"},
		declaring(&events.PersonDeclared{Name: "Donald Trump", Party: "USA", Role: "President"}))
	r.declare("budapest-summit", oct(16), "Trump-Putin summit in Budapest", "trump", "putin")
	r.declare("prep", oct(16), "Rubio-Lavrov preparatory meeting", "rubio", "lavrov")
	r.do("budapest-summit", oct(16), "trump", &events.MeetingProposed{Venue: "Budapest", Within: &events.Span{Days: 14}}, source(ntv))
	r.do("budapest-summit", oct(16), "trump", &events.PreconditionAdded{Precondition: "fm-prep", Description: "the foreign ministers prepare the summit", Requires: &events.Requirement{Held: "prep"}})
	r.do("budapest-summit", oct(16), "trump", &events.PreconditionAdded{Precondition: "agenda", Description: "an agenda agreed"})
	r.do("prep", oct(20), "rubio", &events.MeetingProposed{Window: &events.Window{From: oct(20), To: oct(22)}})
	r.do("budapest-summit", oct(21), "peskov", &events.StatementMade{About: "budapest-summit", Stance: events.StanceNoncommittal, Claim: "unscheduled"},
		quoted(ntv, "Wir brauchen Vorbereitung, ernsthafte Vorbereitung"))
	r.do("budapest-summit", oct(22), "trump", &events.MeetingCancelled{Reason: "a waste of time"}, ref("cxl"))
	r.do("prep", oct(24), "rubio", &events.MeetingHeld{Venue: "Budapest"})
	r.do("budapest-summit", oct(17), "putin", &events.MeetingAccepted{}, reported(oct(25)))
	r.do("budapest-summit", oct(22), "trump", &events.MeetingPostponed{Reason: "not cancelled, postponed"}, corrects("cxl"), reported(oct(26)))
	r.do("budapest-summit", oct(27), "peskov", &events.StatementMade{About: "budapest-summit", Stance: events.StanceOpposed, Claim: "ruled-out"}, ref("pk"))
	r.do("budapest-summit", oct(28), "peskov", &events.EventRetracted{Retracts: "pk", Reason: "misquoted"}, reported(oct(28)))
	return r
}

// now is the clock of every plain read in the tests.
var now = time.Date(2025, time.November, 5, 12, 0, 0, 0, time.UTC)

func query(asOf, knownAt events.Time) projections.Query {
	return projections.Query{AsOf: asOf, KnownAt: knownAt, Now: now}
}

// brief is what the tests compare of a view.
type brief struct {
	Status        aggregates.Status
	Overdue       bool
	Readiness     string
	Preconditions map[string]aggregates.PreconditionState
	Claims        map[string]string
}

func briefOf(v projections.View) brief {
	b := brief{Status: v.Status, Overdue: v.Overdue, Readiness: v.Readiness, Claims: v.Claims, Preconditions: map[string]aggregates.PreconditionState{}}
	for _, p := range v.Preconditions {
		b.Preconditions[p.ID] = p.State
	}
	return b
}

func TestFoldViewReadsDates(t *testing.T) {
	r := budapest(t)
	unmet := map[string]aggregates.PreconditionState{"fm-prep": aggregates.Unmet, "agenda": aggregates.Unmet}
	met := map[string]aggregates.PreconditionState{"fm-prep": aggregates.Met, "agenda": aggregates.Unmet}
	tests := []struct {
		name  string
		q     projections.Query
		asOf  string
		known string
		want  brief
	}{
		{
			name: "as we know it now", q: query(events.Time{}, events.Time{}), asOf: "2025-11-05",
			want: brief{Status: aggregates.StatusPostponed, Readiness: "1/2", Preconditions: met, Claims: map[string]string{"peskov": "unscheduled"}},
		},
		{
			name: "the 19th as we know it now: the late acceptance counts", q: query(oct(19), events.Time{}), asOf: "2025-10-19",
			want: brief{Status: aggregates.StatusAgreed, Readiness: "0/2", Preconditions: unmet, Claims: map[string]string{}},
		},
		{
			name: "the 19th as it could be known then", q: query(oct(19), oct(19)), asOf: "2025-10-19", known: "2025-10-19",
			want: brief{Status: aggregates.StatusProposed, Readiness: "0/2", Preconditions: unmet, Claims: map[string]string{}},
		},
		{
			name: "the 25th as it could be known then: cancelled, not yet corrected", q: query(oct(25), oct(25)), asOf: "2025-10-25", known: "2025-10-25",
			want: brief{Status: aggregates.StatusCancelled, Readiness: "1/2", Preconditions: met, Claims: map[string]string{"peskov": "unscheduled"}},
		},
		{
			name: "the 27th as it could be known then: the retraction not yet made", q: query(oct(27), oct(27)), asOf: "2025-10-27", known: "2025-10-27",
			want: brief{Status: aggregates.StatusPostponed, Readiness: "1/2", Preconditions: met, Claims: map[string]string{"peskov": "ruled-out"}},
		},
		{
			name: "the 31st: postponed, so not overdue though the proposal's window has passed", q: query(oct(31), events.Time{}), asOf: "2025-10-31",
			want: brief{Status: aggregates.StatusPostponed, Readiness: "1/2", Preconditions: met, Claims: map[string]string{"peskov": "unscheduled"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := projections.FoldView(context.Background(), r.log, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if b.Branch != "main" || b.AsOf != tt.asOf || b.KnownAt != tt.known || len(b.Meetings) != 2 {
				t.Fatalf("board %s as of %q known %q with %d meetings, want main as of %q known %q with 2", b.Branch, b.AsOf, b.KnownAt, len(b.Meetings), tt.asOf, tt.known)
			}
			for _, v := range b.Meetings {
				if v.AsOf != b.AsOf || v.KnownAt != b.KnownAt {
					t.Errorf("%s read as of %q known %q, the board as of %q known %q", v.ID, v.AsOf, v.KnownAt, b.AsOf, b.KnownAt)
				}
			}
			if diff := cmp.Diff(tt.want, briefOf(b.Meetings[0])); diff != "" {
				t.Errorf("budapest-summit (-want +got):\n%s", diff)
			}
		})
	}
}

// The prep meeting: overdue on the 23rd, its window past, and not the
// day before; held on the 24th.
func TestFoldViewOverdueAsOfTheDateRead(t *testing.T) {
	r := budapest(t)
	for _, tt := range []struct {
		day     int
		status  aggregates.Status
		overdue bool
	}{{20, aggregates.StatusProposed, false}, {22, aggregates.StatusProposed, false}, {23, aggregates.StatusProposed, true}, {24, aggregates.StatusHeld, false}} {
		b, err := projections.FoldView(context.Background(), r.log, query(oct(tt.day), events.Time{}))
		if err != nil {
			t.Fatal(err)
		}
		v := b.Meetings[1]
		if v.ID != "prep" || v.Status != tt.status || v.Overdue != tt.overdue {
			t.Errorf("as of the %dth: %s %s overdue %v, want prep %s overdue %v", tt.day, v.ID, v.Status, v.Overdue, tt.status, tt.overdue)
		}
	}
}

func TestFoldViewEmptyStore(t *testing.T) {
	r := newRig(t)
	b, err := projections.FoldView(context.Background(), r.log, query(oct(1), events.Time{}))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(b)
	if want := `{"branch":"main","as_of":"2025-10-01","meetings":[]}`; string(out) != want {
		t.Errorf("empty board = %s, want %s", out, want)
	}
}

func TestFoldChecksContext(t *testing.T) {
	r := budapest(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := projections.Fold(ctx, r.log, query(oct(19), events.Time{})); !errors.Is(err, context.Canceled) {
		t.Errorf("fold with a cancelled context: %v, want context.Canceled", err)
	}
}

// A branch reads the record up to its fork, then its own events; main
// never sees them.
func TestFoldBranch(t *testing.T) {
	r := budapest(t)
	ctx := context.Background()
	b, err := r.log.Fork(ctx, "prep-early", oct(19))
	if err != nil {
		t.Fatal(err)
	}
	r.on(commands.NewHandler(r.log, b), "prep", oct(19), "rubio", &events.MeetingHeld{Venue: "Vienna"})
	q := query(events.Time{}, events.Time{})
	q.Branch = b
	got, err := projections.FoldView(ctx, r.log, q)
	if err != nil {
		t.Fatal(err)
	}
	if got.Branch != "prep-early" {
		t.Errorf("branch %q", got.Branch)
	}
	summit, prep := got.Meetings[0], got.Meetings[1]
	// The branch sees each meeting's record up to its first event after
	// the fork: the summit proposed (the late acceptance was recorded
	// after its statement of the 21st), prep named.
	if summit.Status != aggregates.StatusProposed || prep.Status != aggregates.StatusHeld || prep.Venue != "Vienna" || summit.Readiness != "1/2" {
		t.Errorf("branch: summit %s %s, prep %s in %s; want proposed 1/2, held in Vienna", summit.Status, summit.Readiness, prep.Status, prep.Venue)
	}
	main, err := projections.FoldView(ctx, r.log, query(events.Time{}, events.Time{}))
	if err != nil {
		t.Fatal(err)
	}
	if v := main.Meetings[1]; v.Venue != "Budapest" {
		t.Errorf("main's prep held in %q, want Budapest", v.Venue)
	}
}

func TestQueryLabels(t *testing.T) {
	at := events.At(time.Date(2025, 10, 21, 9, 30, 0, 0, time.FixedZone("", 2*3600)))
	tests := []struct {
		q           projections.Query
		asOf, known string
		cutoff      time.Time
	}{
		{query(events.Time{}, events.Time{}), "2025-11-05", "", time.Date(2025, 11, 6, 0, 0, 0, 0, time.UTC)},
		{query(oct(21), oct(19)), "2025-10-21", "2025-10-19", time.Date(2025, 10, 22, 0, 0, 0, 0, time.UTC)},
		{query(at, events.Time{}), "2025-10-21T09:30:00+02:00", "", at.Add(time.Nanosecond)},
	}
	for _, tt := range tests {
		if got := tt.q.AsOfLabel(); got != tt.asOf {
			t.Errorf("AsOfLabel = %q, want %q", got, tt.asOf)
		}
		if got := tt.q.KnownLabel(); got != tt.known {
			t.Errorf("KnownLabel = %q, want %q", got, tt.known)
		}
		if got := tt.q.Cutoff(); !got.Equal(tt.cutoff) {
			t.Errorf("Cutoff = %v, want %v", got, tt.cutoff)
		}
	}
	if r := query(events.Time{}, events.Time{}).Read(); !r.AsOf.IsZero() || !r.Known.IsZero() {
		t.Errorf("a plain read cuts at %v", r)
	}
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

// uuids matches event ids, which are new in every run.
var uuids = regexp.MustCompile(`"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"`)

// stable returns v as indented JSON, with every event id "ID".
func stable(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(uuids.ReplaceAll(b, []byte(`"ID"`)), '\n')
}
