package scenarios

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/events"
)

// sameTime compares world times as instants, and whether only the day is
// known.
var sameTime = cmp.Comparer(func(a, b events.Time) bool { return a.Equal(b.Time) && a.DateOnly == b.DateOnly })

func ptr[T any](v T) *T { return &v }

func TestLoadExample(t *testing.T) {
	const path = "testdata/budapest.yaml"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	ntv := events.Source{ID: "ntv", Outlet: "ntv.de", Published: "2025-10-21", Note: "lme/rts/dpa"}
	quoted := ntv
	quoted.Quote = "Wir brauchen Vorbereitung, ernsthafte Vorbereitung"
	oct16 := events.Date(2025, time.October, 16)
	want := &Scenario{
		File:    path,
		Name:    "budapest-2025",
		Title:   "The Budapest summit that was not held",
		Digest:  hex.EncodeToString(sum[:]),
		Sources: map[string]events.Source{"ntv": ntv},
		Parties: []Party{{Line: 6, ID: "USA", Name: "United States"}, {Line: 7, ID: "RUS", Name: "Russia"}},
		People: []Person{
			{Line: 9, ID: "trump", Name: "Donald Trump", Party: "USA", Role: "President"},
			{Line: 10, ID: "putin", Name: "Vladimir Putin", Party: "RUS", Role: "President"},
			{Line: 11, ID: "rubio", Name: "Marco Rubio", Party: "USA", Role: "Secretary of State"},
			{Line: 12, ID: "lavrov", Name: "Sergey Lavrov", Party: "RUS", Role: "Foreign Minister"},
			{Line: 13, ID: "peskov", Name: "Dmitry Peskov", Party: "RUS", Role: "Kremlin spokesman"},
		},
		Meetings: []Meeting{
			{Line: 15, ID: "budapest-summit", Title: "Trump-Putin summit in Budapest", Participants: []string{"trump", "putin"}},
			{Line: 16, ID: "rubio-lavrov-prep", Title: "Rubio-Lavrov preparatory meeting", Participants: []string{"rubio", "lavrov"}},
		},
		Timeline: []Entry{
			{Line: 18, At: oct16, Payload: &events.CallHeld{Participants: []string{"trump", "putin"}}},
			{
				Line: 21, At: oct16, Meeting: "budapest-summit", By: "trump", Party: "USA",
				Payload: &events.MeetingProposed{Venue: "Budapest", Within: &events.Span{Days: 14}},
			},
			{
				Line: 27, At: oct16, Meeting: "budapest-summit",
				Payload: &events.PreconditionAdded{
					Precondition: "fm-prep",
					Description:  "the foreign ministers prepare the summit",
					Requires:     &events.Requirement{Held: "rubio-lavrov-prep"},
				},
			},
			{
				Line: 33, At: events.Date(2025, time.October, 21), By: "peskov", Party: "RUS", Source: &quoted,
				Payload: &events.StatementMade{About: "budapest-summit", Stance: events.StanceNoncommittal, Quote: quoted.Quote},
			},
		},
		Expect: []Expectation{{
			Line:          41,
			At:            events.Date(2025, time.October, 21),
			Meeting:       "budapest-summit",
			Status:        ptr(aggregates.StatusProposed),
			Preconditions: map[string]aggregates.PreconditionState{"fm-prep": aggregates.Unmet},
		}},
	}
	got, err := LoadFile(path, nil)
	if err != nil {
		t.Fatalf("LoadFile: %v", err)
	}
	if diff := cmp.Diff(want, got, sameTime); diff != "" {
		t.Errorf("LoadFile(%s) (-want +got):\n%s", path, diff)
	}
}

// cast is the head of most test files: 11 lines, so that what follows it
// begins on line 12.
const cast = `name: t
sources:
  ntv: {outlet: ntv.de}
parties:
  USA: {name: United States}
  RUS: {name: Russia}
people:
  trump: {name: Donald Trump, party: USA}
  putin: {name: Vladimir Putin, party: RUS}
meetings:
  summit: {title: Summit, participants: [trump, putin]}
`

func TestLoadEveryKind(t *testing.T) {
	src := cast + `timeline:
  - {at: 2025-10-01, event: meeting.floated, meeting: summit, by: trump, cameo: "036"}
  - {at: 2025-10-02, event: meeting.proposed, meeting: summit, by: USA, window: {from: 2025-10-20, to: 2025-10-30}}
  - {at: 2025-10-03, event: meeting.accepted, meeting: summit, by: putin}
  - {at: 2025-10-04, event: meeting.declined, meeting: summit, by: RUS, reason: no}
  - {at: 2025-10-05, event: meeting.scheduled, meeting: summit, date: "2025-10-30T14:00:00+01:00", venue: Budapest}
  - {at: 2025-10-06, event: meeting.postponed, meeting: summit, by: trump, reason: prep, until: 2025-11-30}
  - {at: 2025-10-07, event: meeting.cancelled, meeting: summit, by: trump, reason: waste of time}
  - {at: 2025-10-08, event: meeting.held, meeting: summit, venue: Anchorage, outcome: none, cameo: "043"}
  - {at: 2025-10-09, event: precondition.added, meeting: summit, precondition: date}
  - {at: 2025-10-09, event: precondition.met, meeting: summit, precondition: date, by: trump}
  - {at: 2025-10-09, event: precondition.failed, meeting: summit, precondition: date, reason: x}
  - {at: 2025-10-09, event: precondition.waived, meeting: summit, precondition: date, by: USA}
  - {at: 2025-10-10, event: call.held, participants: [trump, RUS], initiated_by: trump, tone: warm, topics: [ukraine]}
  - {at: 2025-10-11, event: visit.made, by: trump, host: putin, place: Moscow, source: {outlet: ria, address: "https://ria.ru/x"}}
  - {at: 2025-10-12, event: statement.made, by: putin, about: summit, stance: opposed, claim: postponed, quote: nyet}
  - {at: 2025-10-13, event: position.stated, by: RUS, issue: ukraine, position: unchanged, source: ntv}
  - {at: "2025-10-14T09:30:00Z", event: sanctions.imposed, by: USA, target: Rosneft, description: SDN}
expect:
  - {at: 2025-10-14, meeting: summit, status: held, overdue: false, readiness: "01/1", claims: {putin: postponed}}
`
	d := func(day int) events.Time { return events.Date(2025, time.October, day) }
	cet := time.FixedZone("", 3600)
	want := []Entry{
		{Line: 13, At: d(1), Meeting: "summit", By: "trump", Party: "USA", CAMEO: "036", Payload: &events.MeetingFloated{}},
		{Line: 14, At: d(2), Meeting: "summit", By: "USA", Party: "USA", Payload: &events.MeetingProposed{Window: &events.Window{From: d(20), To: d(30)}}},
		{Line: 15, At: d(3), Meeting: "summit", By: "putin", Party: "RUS", Payload: &events.MeetingAccepted{}},
		{Line: 16, At: d(4), Meeting: "summit", By: "RUS", Party: "RUS", Payload: &events.MeetingDeclined{Reason: "no"}},
		{Line: 17, At: d(5), Meeting: "summit", Payload: &events.MeetingScheduled{Date: events.At(time.Date(2025, 10, 30, 14, 0, 0, 0, cet)), Venue: "Budapest"}},
		{Line: 18, At: d(6), Meeting: "summit", By: "trump", Party: "USA", Payload: &events.MeetingPostponed{Reason: "prep", Until: ptr(events.Date(2025, time.November, 30))}},
		{Line: 19, At: d(7), Meeting: "summit", By: "trump", Party: "USA", Payload: &events.MeetingCancelled{Reason: "waste of time"}},
		{Line: 20, At: d(8), Meeting: "summit", CAMEO: "043", Payload: &events.MeetingHeld{Venue: "Anchorage", Outcome: "none"}},
		{Line: 21, At: d(9), Meeting: "summit", Payload: &events.PreconditionAdded{Precondition: "date"}},
		{Line: 22, At: d(9), Meeting: "summit", By: "trump", Party: "USA", Payload: &events.PreconditionMet{Precondition: "date"}},
		{Line: 23, At: d(9), Meeting: "summit", Payload: &events.PreconditionFailed{Precondition: "date", Reason: "x"}},
		{Line: 24, At: d(9), Meeting: "summit", By: "USA", Party: "USA", Payload: &events.PreconditionWaived{Precondition: "date"}},
		{Line: 25, At: d(10), By: "trump", Party: "USA", Payload: &events.CallHeld{Participants: []string{"trump", "RUS"}, InitiatedBy: "trump", Tone: "warm", Topics: []string{"ukraine"}}},
		{Line: 26, At: d(11), By: "trump", Party: "USA", Source: &events.Source{Outlet: "ria", Address: "https://ria.ru/x"}, Payload: &events.VisitMade{Host: "putin", Place: "Moscow"}},
		{Line: 27, At: d(12), By: "putin", Party: "RUS", Source: &events.Source{Quote: "nyet"}, Payload: &events.StatementMade{About: "summit", Stance: events.StanceOpposed, Claim: "postponed", Quote: "nyet"}},
		{Line: 28, At: d(13), By: "RUS", Party: "RUS", Source: &events.Source{ID: "ntv", Outlet: "ntv.de"}, Payload: &events.PositionStated{Issue: "ukraine", Position: "unchanged"}},
		{Line: 29, At: events.At(time.Date(2025, 10, 14, 9, 30, 0, 0, time.UTC)), By: "USA", Party: "USA", Payload: &events.SanctionsImposed{Target: "Rosneft", Description: "SDN"}},
	}
	sc, err := Load("t.yaml", []byte(src), nil)
	if err != nil {
		t.Fatalf("Load:\n%v", err)
	}
	if diff := cmp.Diff(want, sc.Timeline, sameTime); diff != "" {
		t.Errorf("timeline (-want +got):\n%s", diff)
	}
	wantExpect := []Expectation{{
		Line: 31, At: d(14), Meeting: "summit",
		Status: ptr(aggregates.StatusHeld), Overdue: ptr(false), Readiness: ptr("1/1"),
		Claims: map[string]string{"putin": "postponed"},
	}}
	if diff := cmp.Diff(wantExpect, sc.Expect, sameTime); diff != "" {
		t.Errorf("expect (-want +got):\n%s", diff)
	}
	seen := map[events.Kind]bool{}
	for _, e := range sc.Timeline {
		seen[e.Kind()] = true
	}
	for _, k := range events.TimelineKinds() {
		if !seen[k] {
			t.Errorf("no entry of kind %s", k)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		// want is every error, in order, as "file:line: fragment": the
		// error must begin with file:line and hold the fragment.
		want []string
	}{
		// The file as such.
		{"empty", "", []string{"t.yaml: the file is empty"}},
		{"comments only", "# nothing\n", []string{"t.yaml: the file is empty"}},
		{"not UTF-8", "name: t\ntitle: \xff\n", []string{"t.yaml:2: not UTF-8"}},
		{"control character", "name: t\n\ntitle: a\x01b\n", []string{"t.yaml:3: character U+0001 is not allowed"}},
		{"syntax, scanner", "name: t\ntitle: a: b\n", []string{"t.yaml:2: mapping values are not allowed"}},
		{"syntax, scanner, line 1", "name: a: b\n", []string{"t.yaml:1: mapping values are not allowed"}},
		{"syntax, parser", "name: t\nparties: [\nb: 2\n", []string{"t.yaml:2: did not find expected ',' or ']'"}},
		{"syntax, parser, line 2", "- a\nb: 1\n", []string{"t.yaml:2: did not find expected '-' indicator"}},
		{"two documents", "name: t\n---\nname: u\n", []string{"t.yaml:2: a second YAML document"}},
		{"anchor and alias", cast + "timeline:\n  - &a {at: 2025-10-16, event: meeting.floated, meeting: summit, by: trump}\n  - *a\n",
			[]string{"t.yaml:13: anchor &a: anchors and aliases are not supported", "t.yaml:14: alias *a: anchors and aliases"}},
		{"merge key", cast + "timeline:\n  - {<<: {at: 2025-10-16}, event: meeting.floated, meeting: summit, by: trump}\n",
			[]string{"t.yaml:13: timeline entry: merge keys (<<) are not supported", "t.yaml:13: missing at"}},
		{"alias without anchor", "name: t\ntitle: *nope\n", []string{"t.yaml:2: alias *nope: anchors and aliases are not supported"}},
		{"too deep", "name: t\ntitle: " + strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth) + "\n", []string{"t.yaml:2: nested more than 16 levels deep"}},
		{"string too long", "name: t\n\ntitle: " + strings.Repeat("x", MaxStringLen+1) + "\n", []string{"t.yaml:3: a string of 16385 bytes is longer than the limit of 16384"}},
		{"not a mapping", "- name\n", []string{"t.yaml:1: a scenario is a mapping"}},

		// Keys and types.
		{"unknown key", "name: t\ntimline: []\n", []string{`t.yaml:2: scenario: unknown key "timline" (want name, title,`}},
		{"unknown key in a declaration", "name: t\nparties:\n  USA: {name: US, flag: stars}\n", []string{`t.yaml:3: party "USA": unknown key "flag" (want name)`}},
		{"duplicate key", "name: t\ntitle: a\ntitle: b\n", []string{`t.yaml:3: scenario: key "title" given twice (first at line 2)`}},
		{"duplicate id", cast + "  summit: {title: Again, participants: [trump]}\n", []string{`t.yaml:12: meetings: key "summit" given twice (first at line 11)`}},
		{"a mapping for a single value", "name: {a: b}\n", []string{"t.yaml:1: name: want a single value, not a mapping", "t.yaml:1: missing name"}},
		{"a single value for a mapping", "name: t\nparties: USA\n", []string{"t.yaml:2: parties: want a mapping, not a single value"}},
		{"a single value for a list", "name: t\ntimeline: soon\n", []string{"t.yaml:2: timeline: want a list, not a single value"}},
		{"a key that is not a single value", "name: t\nparties:\n  [USA]: {name: US}\n", []string{"t.yaml:3: parties: a key must be a single value, not a list"}},

		// The cast.
		{"missing name", "title: t\n", []string{"t.yaml:1: missing name"}},
		{"bad name", "name: budapest 2025\n", []string{`t.yaml:1: name: bad name "budapest 2025"`}},
		{"party without a name", "name: t\nparties:\n  USA: {}\n", []string{`t.yaml:3: party "USA": missing name`}},
		{"person without a party", "name: t\npeople:\n  trump: {name: Donald Trump}\n", []string{`t.yaml:3: person "trump": missing party`}},
		{"person of an unknown party", "name: t\npeople:\n  trump:\n    name: Donald Trump\n    party: USAA\n", []string{`t.yaml:5: person "trump": party: unknown party "USAA"`}},
		{"person id equals party id", "name: t\nparties:\n  USA: {name: US}\npeople:\n  USA: {name: Uncle Sam, party: USA}\n", []string{`t.yaml:5: person "USA": already a party's id`}},
		{"dot in a meeting id", cast + "  summit.x: {title: x, participants: [trump]}\n", []string{`t.yaml:12: meeting id: bad name "summit.x"`}},
		{"wildcard in a person id", "name: t\nparties: {USA: {name: US}}\npeople:\n  '>': {name: x, party: USA}\n", []string{`t.yaml:4: person id: bad name ">"`}},
		{"meeting without participants", "name: t\nmeetings:\n  m: {title: M}\n", []string{`t.yaml:3: meeting "m": needs at least one participant`}},
		{"meeting of unknown people", cast + "  m:\n    title: M\n    participants: [trump, trumpp, USA, trump]\n",
			[]string{`t.yaml:14: meeting "m": participants: unknown person "trumpp"`, `t.yaml:14: meeting "m": participants: "USA" is a party`, `t.yaml:14: meeting "m": participants: "trump" named twice (first at line 14)`}},

		// The timeline.
		{"missing at", cast + "timeline:\n  - event: meeting.floated\n    meeting: summit\n    by: trump\n", []string{"t.yaml:13: missing at"}},
		{"bad at", cast + "timeline:\n  - at: 16 October\n    event: meeting.floated\n    meeting: summit\n    by: trump\n", []string{`t.yaml:13: at: "16 October": not a date`}},
		{"unknown kind", cast + "timeline:\n  - at: 2025-10-16\n    event: meeting.teleported\n    meeting: summit\n",
			[]string{`t.yaml:14: event "meeting.teleported": unknown kind (want one of meeting.floated, meeting.proposed,`}},
		{"a declaration in the timeline", cast + "timeline:\n  - {at: 2025-10-16, event: party.declared}\n", []string{`t.yaml:13: event "party.declared": not for the timeline`}},
		{"missing event", cast + "timeline:\n  - at: 2025-10-16\n", []string{"t.yaml:13: missing event: want one of meeting.floated"}},
		{"key of another kind", cast + "timeline:\n  - at: 2025-10-16\n    event: meeting.floated\n    meeting: summit\n    by: trump\n    venue: Budapest\n",
			[]string{`t.yaml:17: meeting.floated: unknown key "venue" (want meeting, by; or at, event, source, quote, cameo)`}},
		{"missing key of the kind", cast + "timeline:\n  - at: 2025-10-16\n    event: meeting.proposed\n    meeting: summit\n", []string{"t.yaml:13: meeting.proposed: missing by"}},
		{"unknown by", cast + "timeline:\n  - at: 2025-10-16\n    event: meeting.floated\n    meeting: summit\n    by: trumpp\n",
			[]string{`t.yaml:16: by: unknown person or party "trumpp"`}},
		{"unknown meeting", cast + "timeline:\n  - at: 2025-10-16\n    event: meeting.floated\n    meeting: sumit\n    by: trump\n",
			[]string{`t.yaml:15: meeting: unknown meeting "sumit"`}},
		{"unknown about", cast + "timeline:\n  - {at: 2025-10-16, event: statement.made, by: trump, stance: supportive, about: x}\n",
			[]string{`t.yaml:13: about: unknown meeting "x"`}},
		{"unknown requirement", cast + "timeline:\n  - {at: 2025-10-16, event: precondition.added, meeting: summit, precondition: p, requires: {held: x}}\n",
			[]string{`t.yaml:13: requires: held: unknown meeting "x"`}},
		{"requirement without held", cast + "timeline:\n  - {at: 2025-10-16, event: precondition.added, meeting: summit, precondition: p, requires: {}}\n",
			[]string{`t.yaml:13: requires: missing held`}},
		{"unknown call participant", cast + "timeline:\n  - {at: 2025-10-16, event: call.held, participants: [trump, xi], initiated_by: UKR}\n",
			[]string{`t.yaml:13: participants: unknown person or party "xi"`, `t.yaml:13: initiated_by: unknown person or party "UKR"`}},
		{"unknown host", cast + "timeline:\n  - {at: 2025-10-16, event: visit.made, by: trump, host: xi}\n", []string{`t.yaml:13: host: unknown person or party "xi"`}},
		{"unknown source", cast + "timeline:\n  - {at: 2025-10-16, event: meeting.floated, meeting: summit, by: trump, source: nvt}\n",
			[]string{`t.yaml:13: source: unknown source "nvt"`}},
		{"inline source with an unknown key", cast + "timeline:\n  - at: 2025-10-16\n    event: meeting.floated\n    meeting: summit\n    by: trump\n    source: {outlet: x, url: y}\n",
			[]string{`t.yaml:17: source: unknown key "url" (want outlet, address, published, note)`}},
		{"bad cameo", cast + "timeline:\n  - {at: 2025-10-16, event: meeting.floated, meeting: summit, by: trump, cameo: 4a}\n",
			[]string{`t.yaml:13: cameo "4a": want a CAMEO code of 2 to 4 digits`}},
		{"bad span", cast + "timeline:\n  - {at: 2025-10-16, event: meeting.proposed, meeting: summit, by: trump, within: 2 weeks}\n",
			[]string{`t.yaml:13: within: span "2 weeks"`}},
		{"window without to", cast + "timeline:\n  - at: 2025-10-16\n    event: meeting.proposed\n    meeting: summit\n    by: trump\n    window:\n      from: 2025-10-20\n",
			[]string{`t.yaml:18: window: missing to`}},
		{"within and window", cast + "timeline:\n  - {at: 2025-10-16, event: meeting.proposed, meeting: summit, by: trump, within: 14d, window: {from: 2025-10-20, to: 2025-10-30}}\n",
			[]string{`t.yaml:13: meeting.proposed: a proposal gives within or window, not both`}},
		{"call of one", cast + "timeline:\n  - {at: 2025-10-16, event: call.held, participants: [trump]}\n",
			[]string{`t.yaml:13: call.held: a call needs at least two participants`}},
		{"bad claim", cast + "timeline:\n  - {at: 2025-10-16, event: statement.made, by: putin, about: summit, stance: opposed, claim: dead}\n",
			[]string{`t.yaml:13: statement.made: claim "dead": want one of`}},
		{"bad stance", cast + "timeline:\n  - {at: 2025-10-16, event: statement.made, by: putin, stance: rude}\n",
			[]string{`t.yaml:13: statement.made: stance "rude"`}},
		{"a list for a single value", cast + "timeline:\n  - at: 2025-10-16\n    event: meeting.floated\n    meeting: summit\n    by: [trump, putin]\n",
			[]string{"t.yaml:16: by: want a single value, not a list"}},
		{"an empty entry", cast + "timeline:\n  -\n", []string{"t.yaml:13: timeline: an empty entry"}},
		{"out of order", cast + `timeline:
  - {at: 2025-10-16, event: meeting.floated, meeting: summit, by: trump}
  - {at: 2025-10-15, event: meeting.accepted, meeting: summit, by: putin}
  - {at: "2025-10-15T23:00:00-05:00", event: meeting.accepted, meeting: summit, by: putin}
`, []string{"t.yaml:14: at 2025-10-15 is before the previous event (2025-10-16, line 13): the timeline must be in date order"}},
		{"out of order behind another", cast + `timeline:
  - {at: 2025-10-16, event: meeting.floated, meeting: summit, by: trump}
  - {at: 2025-10-14, event: meeting.accepted, meeting: summit, by: putin}
  - {at: 2025-10-15, event: meeting.accepted, meeting: summit, by: putin}
`, []string{"t.yaml:14: at 2025-10-14 is before the previous event (2025-10-16, line 13)", "t.yaml:15: at 2025-10-15 is before an earlier event (2025-10-16, line 13)"}},
		{"the same day with a time stays in file order", cast + `timeline:
  - {at: "2025-10-16T09:00:00Z", event: meeting.floated, meeting: summit, by: trump}
  - {at: 2025-10-16, event: meeting.accepted, meeting: summit, by: putin}
  - {at: "2025-10-16T08:00:00Z", event: meeting.accepted, meeting: summit, by: putin}
`, []string{"t.yaml:15: at 2025-10-16T08:00:00Z is before an earlier event (2025-10-16T09:00:00Z, line 13)"}},

		// What the scenario expects.
		{"expectation without meeting", cast + "expect:\n  - {at: 2025-10-16}\n", []string{"t.yaml:13: expectation: missing meeting"}},
		{"expectation of an unknown meeting", cast + "expect:\n  - {at: 2025-10-16, meeting: x}\n", []string{`t.yaml:13: meeting: unknown meeting "x"`}},
		{"unknown status", cast + "expect:\n  - {at: 2025-10-16, meeting: summit, status: dead}\n", []string{`t.yaml:13: status "dead": unknown status (want one of declared, floated,`}},
		{"bad overdue", cast + "expect:\n  - {at: 2025-10-16, meeting: summit, overdue: yes}\n", []string{`t.yaml:13: overdue "yes": want true or false`}},
		{"bad readiness", cast + "expect:\n  - {at: 2025-10-16, meeting: summit, readiness: 2/1}\n", []string{`t.yaml:13: readiness "2/1": want met/total`}},
		{"bad precondition state", cast + "expect:\n  - at: 2025-10-16\n    meeting: summit\n    preconditions:\n      fm-prep: done\n",
			[]string{`t.yaml:16: preconditions: fm-prep: "done" is not a state (want one of unmet, met, failed, waived)`}},
		{"bad claim word and unknown speaker", cast + "expect:\n  - at: 2025-10-16\n    meeting: summit\n    claims:\n      peskov: scheduled\n      putin: dead\n",
			[]string{`t.yaml:16: claims: unknown person or party "peskov"`, `t.yaml:17: claims: putin: "dead" is not a claim`}},

		// Every error, in line order.
		{"several", `name: t
people:
  trump: {name: Donald Trump, party: USA}
parties:
  USA: {}
meetings:
  m: {title: M, participants: [trump, xi]}
timeline:
  - {at: 2025-10-16, event: meeting.teleported}
  - {at: 2025-10-17, event: meeting.floated, meeting: m, by: trumpp}
  - {at: 2025-10-15, event: meeting.floated, meeting: n, by: trump}
expect:
  - {meeting: m, status: held}
`, []string{
			`t.yaml:5: party "USA": missing name`,
			`t.yaml:7: meeting "m": participants: unknown person "xi"`,
			`t.yaml:9: event "meeting.teleported": unknown kind`,
			`t.yaml:10: by: unknown person or party "trumpp"`,
			`t.yaml:11: meeting: unknown meeting "n"`,
			`t.yaml:11: at 2025-10-15 is before the previous event (2025-10-17, line 10)`,
			`t.yaml:13: expectation: missing at`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := Load("t.yaml", []byte(tt.src), nil)
			if sc != nil {
				t.Errorf("Load returned a scenario with an error")
			}
			checkErrors(t, err, tt.want)
		})
	}
}

// checkErrors checks that err is an ErrorList of the errors want describes,
// in order: each as "file:line: fragment" or "file: fragment".
func checkErrors(t *testing.T, err error, want []string) {
	t.Helper()
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("error %v (%T): want an ErrorList", err, err)
	}
	if len(list) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%v", len(list), len(want), err)
	}
	for i, w := range want {
		loc, frag, _ := strings.Cut(w, ": ")
		if got := list[i].Error(); !strings.HasPrefix(got, loc+": ") || !strings.Contains(got, frag) {
			t.Errorf("error %d:\n got %s\nwant %s", i, got, w)
		}
	}
}

func TestLoadKnown(t *testing.T) {
	known := &Cast{
		Parties:  map[string]Party{"USA": {ID: "USA", Name: "United States"}, "RUS": {ID: "RUS", Name: "Russia"}},
		People:   map[string]Person{"rubio": {ID: "rubio", Name: "Marco Rubio", Party: "USA"}, "lavrov": {ID: "lavrov", Name: "Sergey Lavrov", Party: "RUS"}},
		Meetings: map[string]Meeting{"rubio-lavrov-prep": {ID: "rubio-lavrov-prep", Title: "prep", Participants: []string{"rubio", "lavrov"}}},
	}
	src := `people:
  witkoff: {name: Steve Witkoff, party: USA}
meetings:
  moscow-talks: {title: Witkoff in Moscow, participants: [witkoff, lavrov]}
timeline:
  - {at: 2025-10-30, event: meeting.held, meeting: rubio-lavrov-prep, by: lavrov}
  - {at: 2025-10-31, event: meeting.proposed, meeting: moscow-talks, by: witkoff}
`
	sc, err := Load("what-if.yaml", []byte(src), known)
	if err != nil {
		t.Fatalf("Load:\n%v", err)
	}
	want := []Entry{
		{Line: 6, At: events.Date(2025, time.October, 30), Meeting: "rubio-lavrov-prep", By: "lavrov", Party: "RUS", Payload: &events.MeetingHeld{}},
		{Line: 7, At: events.Date(2025, time.October, 31), Meeting: "moscow-talks", By: "witkoff", Party: "USA", Payload: &events.MeetingProposed{}},
	}
	if diff := cmp.Diff(want, sc.Timeline, sameTime); diff != "" {
		t.Errorf("timeline (-want +got):\n%s", diff)
	}
	if sc.Name != "" || len(sc.People) != 1 || len(sc.Meetings) != 1 {
		t.Errorf("name %q, people %v, meetings %v: want no name and only the file's own declarations", sc.Name, sc.People, sc.Meetings)
	}

	// Without the cast, the same file names strangers.
	_, err = Load("what-if.yaml", []byte(src), nil)
	checkErrors(t, err, []string{
		"what-if.yaml:1: missing name",
		`what-if.yaml:2: person "witkoff": party: unknown party "USA"`,
		`what-if.yaml:4: meeting "moscow-talks": participants: unknown person "lavrov"`,
		`what-if.yaml:6: meeting: unknown meeting "rubio-lavrov-prep"`,
		`what-if.yaml:6: by: unknown person or party "lavrov"`,
	})

	// A cast's party cannot become a person.
	_, err = Load("what-if.yaml", []byte("people:\n  RUS: {name: Russia, party: RUS}\n"), known)
	checkErrors(t, err, []string{`what-if.yaml:2: person "RUS": already a party's id`})
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, MaxFileSize+1); err != nil {
		t.Fatal(err)
	}
	_, err := LoadFile(big, nil)
	checkErrors(t, err, []string{big + ": the file is larger than the limit of 8 MiB"})

	_, err = Load("big.yaml", make([]byte, MaxFileSize+1), nil)
	checkErrors(t, err, []string{"big.yaml: the file is larger than the limit of 8 MiB"})

	if _, err := LoadFile(filepath.Join(dir, "missing.yaml"), nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("LoadFile of a missing file: %v, want fs.ErrNotExist", err)
	}
}

func TestErrorList(t *testing.T) {
	var l ErrorList
	if l.Err() != nil {
		t.Errorf("empty list: Err() = %v, want nil", l.Err())
	}
	l.Add("b.yaml", 3, "three")
	l.Add("a.yaml", 9, "nine %d", 9)
	l.Add("a.yaml", 0, "file")
	l.Add("a.yaml", 9, "nine again")
	l.Sort()
	want := "a.yaml: file\na.yaml:9: nine 9\na.yaml:9: nine again\nb.yaml:3: three"
	if got := l.Err().Error(); got != want {
		t.Errorf("Error() =\n%s\nwant\n%s", got, want)
	}
}
