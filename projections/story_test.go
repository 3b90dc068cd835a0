package projections

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/workload"
)

// tangled returns a random history of one meeting, in record order, as the
// model would never accept it but a reader must still read: late reports,
// corrections of events, of corrections and of nothing, retractions of
// events, of corrections, of retracted events and of nothing.
func tangled(rng *rand.Rand) []eventlog.Record {
	day := func() events.Time { return events.Date(2025, time.October, 1+rng.IntN(20)) }
	var recs []eventlog.Record
	var names []string
	add := func(e events.Event) {
		e.ID = events.NewID()
		e.Aggregate = events.Meeting("m")
		e.Version = uint64(len(recs) + 1)
		if rng.IntN(3) == 0 {
			e.RefName = fmt.Sprintf("r%d", len(recs))
		}
		recs = append(recs, eventlog.Record{Seq: uint64(2*len(recs) + 1), Event: e})
		names = append(names, e.ID.String())
		if e.RefName != "" {
			names = append(names, e.RefName)
		}
	}
	add(events.Event{At: day(), Payload: &events.MeetingDeclared{Title: "m"}})
	for range 5 + rng.IntN(25) {
		e := events.Event{At: day(), Payload: &events.StatementMade{Stance: events.StanceSupportive, Claim: "willing"}}
		if rng.IntN(3) == 0 {
			e.Reported = e.At
			e.Reported.Time = e.At.AddDate(0, 0, rng.IntN(10))
		}
		switch rng.IntN(6) {
		case 0:
			e.Corrects = names[rng.IntN(len(names))]
		case 1:
			e.Payload = &events.EventRetracted{Retracts: names[rng.IntN(len(names))]}
		case 2:
			e.Corrects = "nothing"
		}
		add(e)
	}
	return recs
}

// settle, which explain and timeline show, must agree with
// aggregates.Effective, which every fold reads: the events that stand, in
// the same order, as known on any date.
func TestSettleIsEffective(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for i := range 500 {
		recs := tangled(rng)
		evs := make([]events.Event, len(recs))
		for j, r := range recs {
			evs[j] = r.Event
		}
		for _, known := range []time.Time{{}, events.Date(2025, time.October, 5+rng.IntN(25)).End()} {
			slots, _ := settle(recs, known)
			got, want := ids(standing(slots)), ids(aggregates.Effective(evs, known))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("history %d, known %v: standing (-Effective +settle):\n%s", i, known, diff)
			}
		}
	}
}

func ids(evs []events.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.ID.String())
	}
	return out
}

// lateReports against its definition, event by event.
func TestLateReports(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 300 {
		recs := tangled(rng)
		known := time.Time{}
		if i%2 == 1 {
			known = events.Date(2025, time.October, 10+rng.IntN(20)).End()
		}
		counts := func(e events.Event) bool {
			return !bookkeeping(e.Kind()) && e.Kind() != events.KindEventRetracted && (known.IsZero() || e.Known().Before(known))
		}
		want := map[uint64]bool{}
		for j, r := range recs {
			e := r.Event
			if !counts(e) || e.Corrects != "" {
				continue
			}
			for _, o := range recs[:j] {
				if counts(o.Event) && e.At.Precedes(o.Event.At) && !e.Known().Precedes(o.Event.At) {
					want[r.Seq] = true
				}
			}
		}
		got := lateReports(recs, known)
		if got == nil {
			got = map[uint64]bool{}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("history %d: late (-want +got):\n%s", i, diff)
		}
	}
}

// The story's last view of a meeting is the board's, but for what a
// board adds (its label, sequence, last activity) and the overdue flag,
// which the story judges as of each event's date.
var storyIgnores = cmpopts.IgnoreFields(View{}, "Overdue", "AsOf", "KnownAt", "Seq", "LastActivity", "Cause")

// lastView returns the view after the last line of lines that stands.
func lastView(lines []line) *View {
	for i := len(lines) - 1; i >= 0; i-- {
		if lines[i].view != nil && lines[i].inTime {
			return lines[i].view
		}
	}
	return nil
}

func TestStoryIsTheBoard(t *testing.T) {
	s := lateStory()
	for _, read := range []Read{{}, {AsOf: oct(19)}, {Known: oct(24)}, {AsOf: oct(19), Known: oct(24)}, {Known: oct(27)}, {AsOf: oct(23), Known: oct(26)}, {AsOf: oct(25)}} {
		b := s.board(t, read)
		for _, id := range b.IDs() {
			var holdings []eventlog.Record
			for _, req := range requirements(s.history(id, b.Seq()), read) {
				if r, ok := holdingOf(s.history(req, b.Seq()), read); ok {
					holdings = append(holdings, r)
				}
			}
			lines := telling{branch: events.Main, read: read, fold: true}.tell(s.history(id, b.Seq()), holdings)
			want, _ := b.View(id, oct(30), "")
			got := lastView(lines)
			if got == nil {
				t.Fatalf("%+v: no story of %s", read, id)
			}
			if diff := cmp.Diff(want, *got, storyIgnores); diff != "" {
				t.Errorf("%+v: the story of %s ends elsewhere than the board (-board +story):\n%s", read, id, diff)
			}
		}
	}
}

// The same over a generated load: thirty meetings, some requiring others
// held, whose events arrive interleaved.
func TestStoryIsTheBoardUnderLoad(t *testing.T) {
	load, err := workload.Generate(workload.Options{Meetings: 30, Events: 3000, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	histories := map[string][]eventlog.Record{}
	b := NewBoard(events.Main, BoardOptions{})
	for i, e := range load.Events {
		r := eventlog.Record{Seq: uint64(i + 1), Event: e}
		histories[e.Aggregate.ID] = append(histories[e.Aggregate.ID], r)
		if _, err := b.Apply(r); err != nil {
			t.Fatal(err)
		}
	}
	required := 0
	for _, id := range b.IDs() {
		var holdings []eventlog.Record
		for _, req := range requirements(histories[id], Read{}) {
			required++
			if r, ok := holdingOf(histories[req], Read{}); ok {
				holdings = append(holdings, r)
			}
		}
		lines := telling{branch: events.Main, fold: true}.tell(histories[id], holdings)
		want, _ := b.View(id, time.Time{}, "")
		if diff := cmp.Diff(want, *lastView(lines), storyIgnores); diff != "" {
			t.Errorf("the story of %s ends elsewhere than the board (-board +story):\n%s", id, diff)
		}
	}
	if required == 0 {
		t.Error("no meeting requires another: the load tests less than it should")
	}
}
