package scenarios

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/uuid"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/events"
)

// fuzzSeeds are the inputs both fuzz targets start from, besides the
// corpus under testdata/fuzz: the fixtures, a file of every kind, and the
// second edition's keys (ref, corrects, retracts, reported, timezone).
func fuzzSeeds(f *testing.F) {
	for _, path := range []string{"testdata/budapest.yaml", "testdata/hanoi.yaml", "budapest-2025.yaml", "what-if/prep-held.yaml"} {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		cast,
		cast + "timeline:\n  - {at: 2025-10-16, event: meeting.proposed, meeting: summit, by: trump, window: {from: 2025-10-20, to: 2025-10-30}}\n",
		cast + "timeline:\n  - {at: 2025-10-16, event: call.held, participants: [trump, putin], initiated_by: trump, topics: [a]}\n  - {at: 2025-10-15, event: meeting.floated}\n",
		cast + "expect:\n  - {at: 2025-10-16, known_at: 2025-10-17, meeting: summit, status: held, overdue: true, readiness: 0/1, claims: {putin: ruled-out}, preconditions: {p: met}, participants: [trump]}\n",
		"people:\n  witkoff: {name: Steve Witkoff, party: USA}\ntimeline:\n  - {at: 2025-10-30, event: meeting.held, meeting: rubio-lavrov-prep, by: witkoff}\n",
		"name: t\n---\nname: u\n",
		// ref, corrects, retracts, reported.
		cast + `timeline:
  - {at: 2025-10-16, event: meeting.proposed, meeting: summit, by: trump, within: 14d, ref: p1}
  - {corrects: p1, reported: 2025-10-18, event: meeting.proposed, meeting: summit, by: trump, within: 7d}
  - {at: 2025-10-17, reported: 2025-10-19, event: meeting.accepted, meeting: summit, by: putin, ref: late}
  - {at: 2025-10-20, event: event.retracted, retracts: late, reason: denied}
  - {at: 2025-10-21, event: event.retracted, retracts: p1, meeting: summit}
`,
		// The store's events, by ref name and by id.
		"timeline:\n  - {corrects: old, event: meeting.floated, meeting: rubio-lavrov-prep, by: lavrov}\n  - {at: 2025-10-20, event: event.retracted, retracts: 0199f0a2-0000-7000-8000-000000000001}\n  - {at: 2025-10-21, event: meeting.held, meeting: rubio-lavrov-prep}\n  - {at: 2025-10-22, event: meeting.ended, meeting: rubio-lavrov-prep, early: true}\n",
		// A timezone, parties as participants, a range of days, a change
		// of participants.
		`name: t
timezone: Asia/Ho_Chi_Minh
meetings:
  talks: {title: Talks, participants: [USA, RUS]}
timeline:
  - {at: "2019-02-28T00:15:00+07:00", event: meeting.proposed, meeting: talks, by: USA}
  - {at: 2019-02-28, event: participants.changed, meeting: talks, by: USA, add: [rubio], remove: [RUS]}
  - {at: 2019-02-28, event: participants.changed, meeting: talks, by: RUS, add: [lavrov, UKR]}
  - {at: 2019-03-01, event: meeting.scheduled, meeting: talks, date: {from: 2019-03-05, to: 2019-03-06}}
  - {at: 2019-03-05, event: meeting.held, meeting: talks}
  - {at: 2019-03-06, event: meeting.ended, meeting: talks, outcome: none}
  - {at: 2019-03-06, event: statement.made, by: lavrov, about: talks, stance: opposed, claim: willing}
`,
	} {
		f.Add([]byte(s))
	}
}

// FuzzLoad checks that Load never panics, and that whatever it returns is
// either a scenario whose every entry has a line and a payload of its kind
// that its rules accept, or an ErrorList whose every error names the file
// and a line of it (or no line, for a problem with the file as a whole),
// in line order; and that Plan does the same with what Load accepts. The
// seeds under testdata/fuzz/FuzzLoad hold the inputs Load must refuse:
// deep nesting, aliases, huge strings, a '.' in an id.
func FuzzLoad(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := lineAt(data, len(data))
		for _, mode := range []Mode{ScenarioFile, EventFile} {
			sc, err := Load("f.yaml", data, mode)
			if err != nil {
				if sc != nil {
					t.Fatal("Load returned a scenario and an error")
				}
				checkFuzzErrors(t, err, lines)
				continue
			}
			if sc == nil {
				t.Fatal("Load returned neither a scenario nor an error")
			}
			for _, e := range sc.Timeline {
				if e.Line <= 0 || e.Payload == nil || e.Payload.Kind() != e.Kind {
					t.Fatalf("entry at line %d without a line or payload of its kind", e.Line)
				}
				if err := provisional(e.Payload).Validate(); err != nil {
					t.Fatalf("line %d: Load accepted a payload that Validate refuses: %v", e.Line, err)
				}
				if e.At.IsZero() && e.Corrects == "" {
					t.Fatalf("line %d: no at, and no correction", e.Line)
				}
			}
			if mode == EventFile && len(sc.Expect) > 0 {
				t.Fatal("an event file with expectations")
			}
			p, err := sc.Plan(context.Background(), fuzzCast)
			if err != nil {
				if p != nil {
					t.Fatal("Plan returned a plan and an error")
				}
				checkFuzzErrors(t, err, lines)
			}
		}
	})
}

// checkFuzzErrors checks that err is a non-empty ErrorList of errors each
// on a line of a file of lines lines, or on none for a problem with the
// file as a whole, in line order.
func checkFuzzErrors(t *testing.T, err error, lines int) {
	t.Helper()
	list, ok := err.(ErrorList)
	if !ok || len(list) == 0 {
		t.Fatalf("error %v (%T): want a non-empty ErrorList", err, err)
	}
	for i, e := range list {
		switch {
		case e.File != "f.yaml":
			t.Fatalf("error %q names file %q", e, e.File)
		case e.Line < 0 || e.Line > lines+1:
			t.Fatalf("error %q: line %d of a file of %d lines", e, e.Line, lines)
		case e.Line == 0 && !fileLevel(e.Msg):
			t.Fatalf("error %q has no line", e)
		case i > 0 && e.Line < list[i-1].Line:
			t.Fatalf("errors out of line order:\n%v", list)
		}
	}
}

// fileLevel reports whether msg is about the file as a whole, and so has
// no line.
func fileLevel(msg string) bool {
	for _, p := range []string{"the file is larger", "the file is empty", "the YAML parser failed"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// The store the fuzz targets plan against: two parties and a third, a
// person of each of the two, a meeting of them, and two of its events, one
// by ref name and one by id.
const fuzzEventID = "0199f0a2-0000-7000-8000-000000000001"

var fuzzCast = Cast{
	Parties: map[string]Party{"USA": {ID: "USA", Name: "United States"}, "RUS": {ID: "RUS", Name: "Russia"}, "UKR": {ID: "UKR", Name: "Ukraine"}},
	People: map[string]Person{
		"rubio":  {ID: "rubio", Name: "Marco Rubio", Party: "USA"},
		"lavrov": {ID: "lavrov", Name: "Sergey Lavrov", Party: "RUS"},
	},
	Meetings: map[string]Meeting{"rubio-lavrov-prep": {ID: "rubio-lavrov-prep", Title: "Rubio-Lavrov preparatory meeting", Participants: []string{"rubio", "lavrov"}}},
	Refs: map[string]Target{
		"old":       {Aggregate: events.Meeting("rubio-lavrov-prep"), At: events.Date(2025, 10, 1)},
		fuzzEventID: {Aggregate: events.Meeting("rubio-lavrov-prep"), At: events.Date(2025, 10, 2)},
	},
}

// fuzzStore returns a decider whose histories hold what fuzzCast says the
// store holds.
func fuzzStore(t *testing.T) *decider {
	t.Helper()
	d := newDecider()
	at := events.Date(2025, 10, 1)
	must := func(cmd aggregates.Command) []events.Event {
		evs, err := d.decide(cmd)
		if err != nil {
			t.Fatal(err)
		}
		return evs
	}
	for _, id := range []string{"USA", "RUS", "UKR"} {
		must(aggregates.Command{Aggregate: events.Actor(id), At: at, Declare: &events.PartyDeclared{Name: fuzzCast.Parties[id].Name}})
	}
	for _, id := range []string{"rubio", "lavrov"} {
		p := fuzzCast.People[id]
		must(aggregates.Command{Aggregate: events.Actor(id), At: at, Declare: &events.PersonDeclared{Name: p.Name, Party: p.Party}})
	}
	prep := events.Meeting("rubio-lavrov-prep")
	must(aggregates.Command{Aggregate: prep, At: at, Declare: &events.MeetingDeclared{Title: "Rubio-Lavrov preparatory meeting",
		Participants: []events.Participant{{Person: "rubio", Party: "USA"}, {Person: "lavrov", Party: "RUS"}}}})
	must(aggregates.Command{Aggregate: prep, At: at, By: "rubio", Party: "USA", RefName: "old", Payload: &events.MeetingFloated{}})
	must(aggregates.Command{Aggregate: prep, At: events.Date(2025, 10, 2), By: "lavrov", Party: "RUS", Payload: &events.MeetingAccepted{}})
	h := d.records[prep]
	h[len(h)-1].ID = uuid.MustParse(fuzzEventID)
	h[len(h)-1].Key = events.Identity(h[len(h)-1])
	return d
}

// sameEvent compares events as the codec must keep them; FuzzModel drops
// a reported time whose instant equals the world time's before it
// compares, as events.Marshal does (it writes none: the event is known
// when it happened). Marshal does so even when one is a date and the other
// a date-time ({at: "2025-10-16T00:00:00Z", reported: 2025-10-16}): the
// decoded event's Known is then a date-time where it was a date, the same
// instant. That is the codec's to decide; the comparison here follows it.
var sameEvent = cmp.Options{sameTime, cmpopts.EquateEmpty()}

// FuzzModel is the property of issue 12 item 1: whatever the loader and
// the model accept, the codec and the fold accept. For each file Load and
// Plan accept (against a small store), each step is decided with the
// aggregates on its aggregate's history so far, and each event decided is
// stamped as the log stamps it, encoded and decoded: the codec must accept
// it and give back an equal event with the same identity, and folding the
// decoded histories must not panic, and give the meeting the decided
// history gives.
func FuzzModel(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, mode := range []Mode{ScenarioFile, EventFile} {
			sc, err := Load("f.yaml", data, mode)
			if err != nil {
				continue
			}
			p, err := sc.Plan(context.Background(), fuzzCast)
			if err != nil {
				continue
			}
			d := fuzzStore(t)
			decoded := map[events.Ref][]events.Event{}
			for ref, h := range d.records {
				decoded[ref] = append(decoded[ref], h...)
			}
			for _, st := range p.Steps {
				evs, err := d.decide(st.Command)
				if err != nil {
					var refused *aggregates.RefusedError
					if !errors.As(err, &refused) {
						t.Fatalf("line %d: %s on %s: the model failed without refusing: %v", st.Line, st.Command.Kind(), st.Command.Aggregate, err)
					}
					continue
				}
				for _, e := range evs {
					b, err := events.Marshal(e)
					if err != nil {
						t.Fatalf("line %d: the model accepted %s, the codec refuses it: %v\nevent: %+v", st.Line, e.Kind(), err, e)
					}
					got, err := events.Unmarshal(b)
					if err != nil {
						t.Fatalf("line %d: Unmarshal of what Marshal wrote: %v\n%s", st.Line, err, b)
					}
					want := e
					if want.Reported.Equal(want.At.Time) {
						want.Reported = events.Time{}
					}
					if diff := cmp.Diff(want, got, sameEvent); diff != "" {
						t.Fatalf("line %d: %s decoded differs (-encoded +decoded):\n%s\n%s", st.Line, e.Kind(), diff, b)
					}
					if id := events.Identity(got); id != e.Key {
						t.Fatalf("line %d: %s: identity %s once decoded, %s as decided: a file appended again would be stored twice\n%s", st.Line, e.Kind(), id, e.Key, b)
					}
					decoded[e.Aggregate] = append(decoded[e.Aggregate], got)
				}
			}
			for ref, h := range decoded {
				if ref.Type != events.AggregateMeeting {
					aggregates.FoldActor(h)
					continue
				}
				if diff := cmp.Diff(aggregates.Fold(d.records[ref]), aggregates.Fold(h), sameEvent); diff != "" {
					t.Fatalf("%s folds differently once decoded (-decided +decoded):\n%s", ref, diff)
				}
			}
		}
	})
}
