package scenarios

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
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
			checkModel(t, data, mode)
		}
	})
}

// FuzzModelGenerated holds the property of FuzzModel on files that the
// fuzzer's bytes choose entry by entry from the kinds table (generate):
// most of them load and plan, where random bytes mostly do not, so the
// model, the codec and the fold see many more histories, late reports,
// corrections and retractions among them.
func FuzzModelGenerated(f *testing.F) {
	for _, s := range []string{"", "\x00\x01\x02\x03", "correct and retract", strings.Repeat("\x07\x13\x2a\x05", 40)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkModel(t, generate(data), ScenarioFile)
	})
}

// TestModelGenerated runs the property on a few hundred generated files,
// so that every go test holds it, and checks that the generator is worth
// its name: most files plan, and many of their steps decide.
func TestModelGenerated(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 1))
	n := 300
	if testing.Short() {
		n = 60
	}
	var files, planned, decided, refused int
	for range n {
		data := make([]byte, 64+rng.IntN(256))
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		d, r, ok := checkModel(t, generate(data), ScenarioFile)
		files++
		if ok {
			planned++
		}
		decided += d
		refused += r
	}
	t.Logf("%d files, %d planned; %d steps decided, %d refused", files, planned, decided, refused)
	if planned < files/2 || decided < 10*files {
		t.Errorf("%d of %d generated files planned, %d steps decided: the generator no longer makes files the loader takes", planned, files, decided)
	}
}

// checkModel holds the property of FuzzModel on data read in mode, and
// returns how many steps the model decided and refused, and whether the
// file planned.
func checkModel(t *testing.T, data []byte, mode Mode) (decided, refused int, planned bool) {
	t.Helper()
	sc, err := Load("f.yaml", data, mode)
	if err != nil {
		return 0, 0, false
	}
	p, err := sc.Plan(context.Background(), fuzzCast)
	if err != nil {
		return 0, 0, false
	}
	d := fuzzStore(t)
	decoded := map[events.Ref][]events.Event{}
	for ref, h := range d.records {
		decoded[ref] = append(decoded[ref], h...)
	}
	for _, st := range p.Steps {
		evs, err := d.decide(st.Command)
		if err != nil {
			var r *aggregates.RefusedError
			if !errors.As(err, &r) {
				t.Fatalf("line %d: %s on %s: the model failed without refusing: %v\n%s", st.Line, st.Command.Kind(), st.Command.Aggregate, err, data)
			}
			refused++
			continue
		}
		decided++
		for _, e := range evs {
			b, err := events.Marshal(e)
			if err != nil {
				t.Fatalf("line %d: the model accepted %s, the codec refuses it: %v\nevent: %+v\n%s", st.Line, e.Kind(), err, e, data)
			}
			got, err := events.Unmarshal(b)
			if err != nil {
				t.Fatalf("line %d: Unmarshal of what Marshal wrote: %v\n%s\n%s", st.Line, err, b, data)
			}
			want := e
			if want.Reported.Equal(want.At.Time) {
				want.Reported = events.Time{}
			}
			if diff := cmp.Diff(want, got, sameEvent); diff != "" {
				t.Fatalf("line %d: %s decoded differs (-encoded +decoded):\n%s\n%s\n%s", st.Line, e.Kind(), diff, b, data)
			}
			if id := events.Identity(got); id != e.Key {
				t.Fatalf("line %d: %s: identity %s once decoded, %s as decided: a file appended again would be stored twice\n%s\n%s", st.Line, e.Kind(), id, e.Key, b, data)
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
			t.Fatalf("%s folds differently once decoded (-decided +decoded):\n%s\n%s", ref, diff, data)
		}
	}
	return decided, refused, true
}

// chooser draws choices from the fuzzer's bytes; once they run out, every
// choice is the first.
type chooser struct{ data []byte }

func (c *chooser) more() bool { return len(c.data) > 0 }

// pick returns a choice among n.
func (c *chooser) pick(n int) int {
	if len(c.data) == 0 || n <= 1 {
		return 0
	}
	b := c.data[0]
	c.data = c.data[1:]
	return int(b) % n
}

func (c *chooser) from(s []string) string { return s[c.pick(len(s))] }

// The pools generated files draw from: the file's own cast and fuzzCast's.
var (
	genActors   = []string{"trump", "putin", "witkoff", "USA", "RUS", "UKR", "rubio", "lavrov"}
	genMeetings = []string{"summit", "talks", "rubio-lavrov-prep"}
)

// day returns a day of October 2025, or a moment of it.
func (c *chooser) day() (string, int) {
	d := 1 + c.pick(25)
	switch c.pick(6) {
	case 0:
		return fmt.Sprintf(`"2025-10-%02dT00:15:00+07:00"`, d), d
	case 1:
		return fmt.Sprintf(`"2025-10-%02dT23:30:00Z"`, d), d
	}
	return fmt.Sprintf("2025-10-%02d", d), d
}

// value returns a YAML value of field type t.
func (c *chooser) value(t events.FieldType, refs []string) string {
	switch t {
	case events.FieldText:
		return fmt.Sprintf("text %d", c.pick(3))
	case events.FieldTexts:
		return "[a, b]"
	case events.FieldID:
		return c.from([]string{"p1", "p2"})
	case events.FieldActor:
		return c.from(genActors)
	case events.FieldActors:
		a := c.pick(len(genActors))
		b := (a + 1 + c.pick(len(genActors)-1)) % len(genActors)
		return "[" + genActors[a] + ", " + genActors[b] + "]"
	case events.FieldParticipants:
		return "[" + c.from(genActors) + "]"
	case events.FieldMeeting:
		return c.from(genMeetings)
	case events.FieldTime:
		s, _ := c.day()
		return s
	case events.FieldSpan:
		return fmt.Sprintf("%dd", 1+c.pick(30))
	case events.FieldWindow:
		_, from := c.day()
		return fmt.Sprintf("{from: 2025-10-%02d, to: 2025-10-%02d}", from, from+c.pick(5))
	case events.FieldDays:
		s, from := c.day()
		if c.pick(2) == 0 {
			return s
		}
		return fmt.Sprintf("{from: 2025-10-%02d, to: 2025-10-%02d}", from, from+c.pick(3))
	case events.FieldBool:
		return c.from([]string{"true", "false"})
	case events.FieldStance:
		return c.from([]string{"supportive", "noncommittal", "opposed"})
	case events.FieldClaim:
		return c.from(events.ClaimWords)
	case events.FieldRequires:
		return "{held: " + c.from(genMeetings) + "}"
	case events.FieldRef:
		return c.from(refs)
	}
	return "x"
}

// generate writes a scenario file whose entries data chooses: each of a
// kind of the timeline, with the meeting, actor and keys its kind takes
// (events.Keys, events.Fields), values from small pools, and now and then a
// late report, a ref, a correction or retraction of an earlier entry or of
// a store's event, or a timezone for the whole file. It keeps to what the
// loader takes, so that most files plan and the model sees them: a few
// rules of a payload (a claim needs its meeting, within or window, an
// initiator on the call) and a correction's target (of its own meeting,
// and of its kind) are followed here.
func generate(data []byte) []byte {
	c := &chooser{data: data}
	var b strings.Builder
	b.WriteString("name: g\n")
	if c.pick(3) == 0 {
		b.WriteString("timezone: Asia/Ho_Chi_Minh\n")
	}
	b.WriteString(`parties: {USA: {name: United States}, RUS: {name: Russia}, UKR: {name: Ukraine}}
people:
  trump: {name: Donald Trump, party: USA}
  putin: {name: Vladimir Putin, party: RUS}
  witkoff: {name: Steve Witkoff, party: USA}
meetings:
  summit: {title: Summit, participants: [trump, putin]}
  talks: {title: Talks, participants: [USA, RUS]}
timeline:
`)
	// target is what a correction of a ref keeps: its kind, meeting and
	// actor.
	type target struct {
		kind        events.Kind
		meeting, by string
	}
	targets := map[string]target{
		"old":       {events.KindMeetingFloated, "rubio-lavrov-prep", "rubio"},
		fuzzEventID: {events.KindMeetingAccepted, "rubio-lavrov-prep", "lavrov"},
	}
	refs := []string{"old", fuzzEventID}
	kinds := events.TimelineKinds()
	for i := 0; c.more() && i < 60; i++ {
		k := kinds[c.pick(len(kinds))]
		spec, _ := events.SpecOf(k)
		at, day := c.day()
		meeting, by := "", ""
		if spec.Meeting == events.Required {
			meeting = c.from(genMeetings)
		}
		if spec.By == events.Required || spec.By == events.Optional && k != events.KindEventRetracted && c.pick(2) == 0 {
			by = c.from(genActors)
		}
		keys := []string{"event: " + string(k)}
		fields := map[string]string{}
		switch {
		case k == events.KindEventRetracted:
			ref := c.from(refs)
			fields["retracts"] = ref
			if c.pick(2) == 0 {
				meeting = targets[ref].meeting
			}
			keys = append(keys, "at: "+at)
		case spec.Meeting == events.Required && c.pick(6) == 0:
			ref := c.from(refs)
			t := targets[ref]
			k, meeting, by = t.kind, t.meeting, t.by
			spec, _ = events.SpecOf(k)
			keys = []string{"event: " + string(k), "corrects: " + ref}
			if c.pick(2) == 0 {
				keys = append(keys, "at: "+at)
			}
		default:
			keys = append(keys, "at: "+at)
		}
		if c.pick(4) == 0 {
			keys = append(keys, fmt.Sprintf("reported: 2025-10-%02d", day+1+c.pick(3)))
		}
		if spec.Meeting == events.Required && k != events.KindEventRetracted && c.pick(3) == 0 {
			ref := fmt.Sprintf("r%d", i)
			keys = append(keys, "ref: "+ref)
			refs = append(refs, ref)
			targets[ref] = target{k, meeting, by}
		}
		if meeting != "" {
			keys = append(keys, "meeting: "+meeting)
		}
		if by != "" {
			keys = append(keys, "by: "+by)
		}
		for _, f := range events.Fields(k) {
			if f.Type == events.FieldQuote || f.Type == events.FieldRef {
				continue
			}
			if f.Required || c.pick(2) == 0 {
				fields[f.Key] = c.value(f.Type, refs)
			}
		}
		switch k {
		case events.KindMeetingProposed:
			if _, ok := fields["within"]; ok {
				delete(fields, "window")
			}
		case events.KindParticipantsChanged:
			fields["add"] = "[" + c.from(genActors) + "]"
			if r, ok := fields["remove"]; ok && r == fields["add"] {
				delete(fields, "remove")
			}
		case events.KindStatementMade:
			if _, ok := fields["claim"]; ok {
				fields["about"] = c.from(genMeetings)
			}
		case events.KindCallHeld:
			if _, ok := fields["initiated_by"]; ok {
				list := strings.Split(strings.Trim(fields["participants"], "[]"), ", ")
				fields["initiated_by"] = c.from(list)
			}
		}
		for _, f := range events.Fields(k) {
			if v, ok := fields[f.Key]; ok {
				keys = append(keys, f.Key+": "+v)
			}
		}
		if c.pick(5) == 0 {
			keys = append(keys, "quote: a quote")
		}
		b.WriteString("  - {" + strings.Join(keys, ", ") + "}\n")
	}
	return []byte(b.String())
}
