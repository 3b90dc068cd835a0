package scenarios

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/events"
)

// sameTime compares world times as instants, and whether only the day is
// known; sameZone compares locations by name.
var (
	sameTime = cmp.Comparer(func(a, b events.Time) bool { return a.Equal(b.Time) && a.DateOnly == b.DateOnly })
	sameZone = cmp.Comparer(func(a, b *time.Location) bool { return a.String() == b.String() })
	noLines  = cmpopts.IgnoreFields(Entry{}, "Lines")
)

// ignoreLines leaves out the lines of every key, which TestLoadLines
// checks on their own.
var ignoreLines = cmp.Options{
	cmpopts.IgnoreFields(Entry{}, "Lines"),
	cmpopts.IgnoreFields(Person{}, "Lines"),
	cmpopts.IgnoreFields(Meeting{}, "Lines"),
	cmpopts.IgnoreFields(Expectation{}, "Lines"),
}

func ptr[T any](v T) *T { return &v }

func TestLoadExample(t *testing.T) {
	const path = "testdata/budapest.yaml"
	ntv := events.Source{ID: "ntv", Outlet: "ntv.de", Published: "2025-10-21", Note: "lme/rts/dpa"}
	quoted := ntv
	quoted.Quote = "Wir brauchen Vorbereitung, ernsthafte Vorbereitung"
	oct16 := events.Date(2025, time.October, 16)
	want := &Scenario{
		File:     path,
		Name:     "budapest-2025",
		Title:    "The Budapest summit that was not held",
		Location: time.UTC,
		Sources:  map[string]events.Source{"ntv": ntv},
		Parties:  []Party{{Line: 6, ID: "USA", Name: "United States"}, {Line: 7, ID: "RUS", Name: "Russia"}},
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
			{Line: 18, Kind: events.KindCallHeld, At: oct16, Payload: &events.CallHeld{Participants: []string{"trump", "putin"}}},
			{
				Line: 21, Kind: events.KindMeetingProposed, At: oct16, Meeting: "budapest-summit", By: "trump",
				Payload: &events.MeetingProposed{Venue: "Budapest", Within: &events.Span{Days: 14}},
			},
			{
				Line: 27, Kind: events.KindPreconditionAdded, At: oct16, Meeting: "budapest-summit",
				Payload: &events.PreconditionAdded{
					Precondition: "fm-prep",
					Description:  "the foreign ministers prepare the summit",
					Requires:     &events.Requirement{Held: "rubio-lavrov-prep"},
				},
			},
			{
				Line: 33, Kind: events.KindStatementMade, At: events.Date(2025, time.October, 21), By: "peskov", Source: &quoted,
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
	got, err := LoadFile(path, ScenarioFile)
	if err != nil {
		t.Fatalf("LoadFile: %v", err)
	}
	if diff := cmp.Diff(want, got, sameTime, sameZone, ignoreLines); diff != "" {
		t.Errorf("LoadFile(%s) (-want +got):\n%s", path, diff)
	}
}

// TestLoadSecondEdition loads a fixture with every second-edition key: a
// timezone, parties as participants, a range of days, meeting.ended, a late
// report, a ref, a correction without at, a retraction, a change of
// participants, known_at and the new claim words.
func TestLoadSecondEdition(t *testing.T) {
	const path = "testdata/hanoi.yaml"
	hcm, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	day := func(m time.Month, d int) events.Time {
		return events.Time{Time: time.Date(2019, m, d, 0, 0, 0, 0, hcm), DateOnly: true}
	}
	reuters := events.Source{ID: "reuters", Outlet: "Reuters", Published: "2019-02-28"}
	want := &Scenario{
		File:     path,
		Name:     "hanoi-2019",
		Title:    "The Hanoi summit that ended early",
		Zone:     "Asia/Ho_Chi_Minh",
		Location: hcm,
		Sources:  map[string]events.Source{"reuters": reuters},
		Parties:  []Party{{Line: 10, ID: "USA", Name: "United States"}, {Line: 11, ID: "PRK", Name: "North Korea"}},
		People: []Person{
			{Line: 13, ID: "trump", Name: "Donald Trump", Party: "USA", Role: "President"},
			{Line: 14, ID: "kim", Name: "Kim Jong Un", Party: "PRK", Role: "Chairman"},
			{Line: 15, ID: "biegun", Name: "Stephen Biegun", Party: "USA", Role: "Special Representative"},
		},
		Meetings: []Meeting{
			{Line: 17, ID: "hanoi", Title: "Trump-Kim summit in Hanoi", Participants: []string{"trump", "kim"}},
			{Line: 18, ID: "working", Title: "Working-level talks", Participants: []string{"USA", "PRK"}},
		},
		Timeline: []Entry{
			{Line: 20, Kind: events.KindMeetingProposed, At: day(2, 5), Meeting: "hanoi", By: "trump", Payload: &events.MeetingProposed{Venue: "Vietnam"}},
			{Line: 25, Kind: events.KindMeetingScheduled, At: day(2, 8), Meeting: "hanoi", RefName: "hanoi-dates",
				Payload: &events.MeetingScheduled{Date: events.Days{From: day(2, 27), To: day(2, 28)}, Venue: "Hanoi"}},
			{Line: 31, Kind: events.KindMeetingProposed, At: day(2, 6), Reported: day(2, 8), Meeting: "working", By: "USA", Payload: &events.MeetingProposed{Venue: "Pyongyang"}},
			{Line: 37, Kind: events.KindParticipantsChanged, At: day(2, 6), Meeting: "working", By: "USA",
				Payload: &events.ParticipantsChanged{Add: []events.Participant{{Person: "biegun"}}, Reason: "the Special Representative leads the delegation"}},
			{Line: 43, Kind: events.KindMeetingHeld, At: day(2, 27), Meeting: "hanoi", Payload: &events.MeetingHeld{Venue: "Sofitel Legend Metropole"}},
			{Line: 47, Kind: events.KindMeetingEnded, At: events.At(time.Date(2019, 2, 28, 14, 0, 0, 0, time.FixedZone("", 7*3600))), Meeting: "hanoi", Source: &reuters,
				Payload: &events.MeetingEnded{Early: true, Outcome: "no agreement"}},
			{Line: 53, Kind: events.KindStatementMade, At: day(2, 28), By: "kim", RefName: "kim-willing",
				Payload: &events.StatementMade{About: "hanoi", Stance: events.StanceSupportive, Claim: "willing"}},
			{Line: 60, Kind: events.KindStatementMade, Reported: day(3, 1), By: "kim", Corrects: "kim-willing",
				Payload: &events.StatementMade{About: "hanoi", Stance: events.StanceNoncommittal, Claim: "willing"}},
			{Line: 67, Kind: events.KindStatementMade, At: day(3, 1), By: "PRK", RefName: "prk-no-talks",
				Payload: &events.StatementMade{About: "working", Stance: events.StanceOpposed, Claim: "ruled-out"}},
			{Line: 74, Kind: events.KindEventRetracted, At: day(3, 2), Payload: &events.EventRetracted{Retracts: "prk-no-talks", Reason: "the ministry denied it"}},
		},
		Expect: []Expectation{
			{Line: 79, At: day(2, 27), Meeting: "hanoi", Status: ptr(aggregates.StatusHeld), Overdue: ptr(false)},
			{Line: 83, At: day(2, 6), KnownAt: day(2, 7), Meeting: "working", Status: ptr(aggregates.StatusNamed), Participants: []string{"biegun", "PRK"}},
			{Line: 88, At: day(3, 1), Meeting: "hanoi", Claims: map[string]string{"kim": "willing"}},
		},
	}
	got, err := LoadFile(path, ScenarioFile)
	if err != nil {
		t.Fatalf("LoadFile: %v", err)
	}
	if diff := cmp.Diff(want, got, sameTime, sameZone, ignoreLines); diff != "" {
		t.Errorf("LoadFile(%s) (-want +got):\n%s", path, diff)
	}
}

// TestLoadLines shows that each key's line is kept, as Plan's errors need
// it: keys, list items and the keys of a mapping.
func TestLoadLines(t *testing.T) {
	src := `name: t
people:
  trump: {name: Donald Trump, party: USA}
meetings:
  m:
    title: M
    participants:
      - trump
      - USA
timeline:
  - at: 2025-10-16
    event: call.held
    participants:
      - trump
      - putin
    initiated_by: trump
  - at: 2025-10-17
    event: meeting.proposed
    meeting: m
    by: trump
    window:
      from: 2025-10-20
      to: 2025-10-30
expect:
  - at: 2025-10-18
    meeting: m
    claims:
      trump: willing
    participants: [trump, USA]
`
	sc, err := Load("t.yaml", []byte(src), ScenarioFile)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		what      string
		got, want map[string]int
	}{
		{"person", sc.People[0].Lines, map[string]int{"name": 3, "party": 3}},
		{"meeting", sc.Meetings[0].Lines, map[string]int{"title": 6, "participants": 7, "participants[0]": 8, "participants[1]": 9}},
		{"call", sc.Timeline[0].Lines, map[string]int{"at": 11, "event": 12, "participants": 13, "participants[0]": 14, "participants[1]": 15, "initiated_by": 16}},
		{"proposal", sc.Timeline[1].Lines, map[string]int{"at": 17, "event": 18, "meeting": 19, "by": 20, "window": 21, "window.from": 22, "window.to": 23}},
		{"expectation", sc.Expect[0].Lines, map[string]int{"at": 25, "meeting": 26, "claims": 27, "claims.trump": 28, "participants": 29, "participants[0]": 29, "participants[1]": 29}},
	}
	for _, c := range checks {
		if diff := cmp.Diff(c.want, c.got); diff != "" {
			t.Errorf("%s: lines (-want +got):\n%s", c.what, diff)
		}
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

// TestLoadEveryKind reads an entry of every kind the timeline may write,
// with every key its kind takes, field by field.
func TestLoadEveryKind(t *testing.T) {
	src := cast + `timeline:
  - {at: 2025-10-01, event: meeting.floated, meeting: summit, by: trump, cameo: "036"}
  - {at: 2025-10-02, event: meeting.proposed, meeting: summit, by: USA, venue: Budapest, window: {from: 2025-10-20, to: 2025-10-30}}
  - {at: 2025-10-02, event: meeting.proposed, meeting: summit, by: trump, within: 2w}
  - {at: 2025-10-03, event: meeting.accepted, meeting: summit, by: putin}
  - {at: 2025-10-04, event: meeting.declined, meeting: summit, by: RUS, reason: no}
  - {at: 2025-10-05, event: meeting.scheduled, meeting: summit, date: "2025-10-30T14:00:00+01:00", venue: Budapest, by: trump}
  - {at: 2025-10-05, event: meeting.scheduled, meeting: summit, date: {from: 2025-10-30, to: 2025-10-31}}
  - {at: 2025-10-06, event: meeting.postponed, meeting: summit, by: trump, reason: prep, until: 2025-11-30}
  - {at: 2025-10-07, event: meeting.cancelled, meeting: summit, by: trump, reason: waste of time}
  - {at: 2025-10-08, event: meeting.held, meeting: summit, venue: Anchorage, outcome: none, by: putin, cameo: "043"}
  - {at: 2025-10-09, event: meeting.ended, meeting: summit, early: true, outcome: no deal, by: trump}
  - {at: 2025-10-09, event: participants.changed, meeting: summit, by: USA, add: [witkoff, UKR], remove: [trump], reason: swap}
  - {at: 2025-10-09, event: precondition.added, meeting: summit, precondition: date, description: a date, requires: {held: prep}, by: trump}
  - {at: 2025-10-09, event: precondition.met, meeting: summit, precondition: date, by: trump}
  - {at: 2025-10-09, event: precondition.failed, meeting: summit, precondition: date, reason: x, by: putin}
  - {at: 2025-10-09, event: precondition.waived, meeting: summit, precondition: date, reason: y, by: USA}
  - {at: 2025-10-10, event: call.held, participants: [trump, RUS], initiated_by: trump, tone: warm, topics: [ukraine, trade]}
  - {at: 2025-10-11, event: visit.made, by: trump, host: putin, place: Moscow, source: {outlet: ria, address: "https://ria.ru/x", published: 2025-10-11, note: n}}
  - {at: 2025-10-12, event: statement.made, by: putin, about: summit, stance: opposed, claim: ruled-out, quote: nyet}
  - {at: 2025-10-13, event: position.stated, by: RUS, issue: ukraine, position: unchanged, source: ntv, quote: "so"}
  - {at: "2025-10-14T09:30:00Z", event: sanctions.imposed, by: USA, target: Rosneft, description: SDN}
  - {at: 2025-10-15, reported: 2025-10-16, event: event.retracted, retracts: r1, reason: denied, meeting: summit, by: trump, ref: r2}
  - {at: 2025-10-15, event: event.retracted, retracts: 0199f0a2-0000-7000-8000-000000000001}
  - {corrects: r1, event: meeting.floated, meeting: summit, by: putin}
expect:
  - {at: 2025-10-14, known_at: 2025-10-15, meeting: summit, status: held, overdue: false, readiness: "01/1", claims: {putin: ruled-out}, preconditions: {date: waived}, participants: [putin, witkoff, UKR]}
  - {at: 2025-10-14, meeting: summit, status: declared}
`
	d := func(day int) events.Time { return events.Date(2025, time.October, day) }
	cet := time.FixedZone("", 3600)
	want := []Entry{
		{Line: 13, Kind: events.KindMeetingFloated, At: d(1), Meeting: "summit", By: "trump", CAMEO: "036", Payload: &events.MeetingFloated{}},
		{Line: 14, Kind: events.KindMeetingProposed, At: d(2), Meeting: "summit", By: "USA", Payload: &events.MeetingProposed{Venue: "Budapest", Window: &events.Window{From: d(20), To: d(30)}}},
		{Line: 15, Kind: events.KindMeetingProposed, At: d(2), Meeting: "summit", By: "trump", Payload: &events.MeetingProposed{Within: &events.Span{Days: 14}}},
		{Line: 16, Kind: events.KindMeetingAccepted, At: d(3), Meeting: "summit", By: "putin", Payload: &events.MeetingAccepted{}},
		{Line: 17, Kind: events.KindMeetingDeclined, At: d(4), Meeting: "summit", By: "RUS", Payload: &events.MeetingDeclined{Reason: "no"}},
		{Line: 18, Kind: events.KindMeetingScheduled, At: d(5), Meeting: "summit", By: "trump", Payload: &events.MeetingScheduled{Date: events.OneDay(events.At(time.Date(2025, 10, 30, 14, 0, 0, 0, cet))), Venue: "Budapest"}},
		{Line: 19, Kind: events.KindMeetingScheduled, At: d(5), Meeting: "summit", Payload: &events.MeetingScheduled{Date: events.Days{From: d(30), To: d(31)}}},
		{Line: 20, Kind: events.KindMeetingPostponed, At: d(6), Meeting: "summit", By: "trump", Payload: &events.MeetingPostponed{Reason: "prep", Until: ptr(events.Date(2025, time.November, 30))}},
		{Line: 21, Kind: events.KindMeetingCancelled, At: d(7), Meeting: "summit", By: "trump", Payload: &events.MeetingCancelled{Reason: "waste of time"}},
		{Line: 22, Kind: events.KindMeetingHeld, At: d(8), Meeting: "summit", By: "putin", CAMEO: "043", Payload: &events.MeetingHeld{Venue: "Anchorage", Outcome: "none"}},
		{Line: 23, Kind: events.KindMeetingEnded, At: d(9), Meeting: "summit", By: "trump", Payload: &events.MeetingEnded{Early: true, Outcome: "no deal"}},
		{Line: 24, Kind: events.KindParticipantsChanged, At: d(9), Meeting: "summit", By: "USA", Payload: &events.ParticipantsChanged{
			Add: []events.Participant{{Person: "witkoff"}, {Person: "UKR"}}, Remove: []events.Participant{{Person: "trump"}}, Reason: "swap"}},
		{Line: 25, Kind: events.KindPreconditionAdded, At: d(9), Meeting: "summit", By: "trump", Payload: &events.PreconditionAdded{Precondition: "date", Description: "a date", Requires: &events.Requirement{Held: "prep"}}},
		{Line: 26, Kind: events.KindPreconditionMet, At: d(9), Meeting: "summit", By: "trump", Payload: &events.PreconditionMet{Precondition: "date"}},
		{Line: 27, Kind: events.KindPreconditionFailed, At: d(9), Meeting: "summit", By: "putin", Payload: &events.PreconditionFailed{Precondition: "date", Reason: "x"}},
		{Line: 28, Kind: events.KindPreconditionWaived, At: d(9), Meeting: "summit", By: "USA", Payload: &events.PreconditionWaived{Precondition: "date", Reason: "y"}},
		{Line: 29, Kind: events.KindCallHeld, At: d(10), Payload: &events.CallHeld{Participants: []string{"trump", "RUS"}, InitiatedBy: "trump", Tone: "warm", Topics: []string{"ukraine", "trade"}}},
		{Line: 30, Kind: events.KindVisitMade, At: d(11), By: "trump", Source: &events.Source{Outlet: "ria", Address: "https://ria.ru/x", Published: "2025-10-11", Note: "n"}, Payload: &events.VisitMade{Host: "putin", Place: "Moscow"}},
		{Line: 31, Kind: events.KindStatementMade, At: d(12), By: "putin", Source: &events.Source{Quote: "nyet"}, Payload: &events.StatementMade{About: "summit", Stance: events.StanceOpposed, Claim: "ruled-out", Quote: "nyet"}},
		{Line: 32, Kind: events.KindPositionStated, At: d(13), By: "RUS", Source: &events.Source{ID: "ntv", Outlet: "ntv.de", Quote: "so"}, Payload: &events.PositionStated{Issue: "ukraine", Position: "unchanged"}},
		{Line: 33, Kind: events.KindSanctionsImposed, At: events.At(time.Date(2025, 10, 14, 9, 30, 0, 0, time.UTC)), By: "USA", Payload: &events.SanctionsImposed{Target: "Rosneft", Description: "SDN"}},
		{Line: 34, Kind: events.KindEventRetracted, At: d(15), Reported: d(16), Meeting: "summit", By: "trump", RefName: "r2", Payload: &events.EventRetracted{Retracts: "r1", Reason: "denied"}},
		{Line: 35, Kind: events.KindEventRetracted, At: d(15), Payload: &events.EventRetracted{Retracts: "0199f0a2-0000-7000-8000-000000000001"}},
		{Line: 36, Kind: events.KindMeetingFloated, Meeting: "summit", By: "putin", Corrects: "r1", Payload: &events.MeetingFloated{}},
	}
	sc, err := Load("t.yaml", []byte(src), ScenarioFile)
	if err != nil {
		t.Fatalf("Load:\n%v", err)
	}
	if diff := cmp.Diff(want, sc.Timeline, sameTime, noLines); diff != "" {
		t.Errorf("timeline (-want +got):\n%s", diff)
	}
	wantExpect := []Expectation{
		{
			Line: 38, At: d(14), KnownAt: d(15), Meeting: "summit",
			Status: ptr(aggregates.StatusHeld), Overdue: ptr(false), Readiness: ptr("1/1"),
			Claims:        map[string]string{"putin": "ruled-out"},
			Preconditions: map[string]aggregates.PreconditionState{"date": aggregates.Waived},
			Participants:  []string{"putin", "witkoff", "UKR"},
		},
		{Line: 39, At: d(14), Meeting: "summit", Status: ptr(aggregates.StatusNamed)},
	}
	if diff := cmp.Diff(wantExpect, sc.Expect, sameTime, cmpopts.IgnoreFields(Expectation{}, "Lines")); diff != "" {
		t.Errorf("expect (-want +got):\n%s", diff)
	}
	seen := map[events.Kind]bool{}
	for _, e := range sc.Timeline {
		seen[e.Kind] = true
	}
	for _, k := range events.TimelineKinds() {
		if !seen[k] {
			t.Errorf("no entry of kind %s", k)
		}
	}
}

// TestLoadEveryFieldType shows that the test above reads a key of every
// field type the kinds table uses: a new field type makes this fail until
// the loader reads it and a test covers it.
func TestLoadEveryFieldType(t *testing.T) {
	covered := map[events.FieldType]bool{
		events.FieldText: true, events.FieldTexts: true, events.FieldID: true, events.FieldActor: true,
		events.FieldActors: true, events.FieldParticipants: true, events.FieldMeeting: true, events.FieldTime: true,
		events.FieldSpan: true, events.FieldWindow: true, events.FieldDays: true, events.FieldBool: true,
		events.FieldStance: true, events.FieldClaim: true, events.FieldRequires: true, events.FieldRef: true,
		events.FieldQuote: true,
	}
	for _, k := range events.TimelineKinds() {
		for _, f := range events.Fields(k) {
			if !covered[f.Type] {
				t.Errorf("%s: field %s has type %q, which no test reads", k, f.Key, f.Type)
			}
		}
	}
}

func TestLoadTimezone(t *testing.T) {
	src := `name: t
timezone: Asia/Ho_Chi_Minh
parties: {VNM: {name: Vietnam}, USA: {name: United States}}
meetings: {m: {title: M, participants: [VNM, USA]}}
timeline:
  - {at: 2019-02-27, event: meeting.floated, meeting: m, by: USA}
  - {at: "2019-02-28T00:15:00+07:00", event: meeting.proposed, meeting: m, by: VNM, reported: 2019-02-28}
expect:
  - {at: 2019-02-28, known_at: 2019-02-28, meeting: m}
`
	sc, err := Load("t.yaml", []byte(src), ScenarioFile)
	if err != nil {
		t.Fatal(err)
	}
	hcm, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	if sc.Zone != "Asia/Ho_Chi_Minh" || sc.Location.String() != "Asia/Ho_Chi_Minh" {
		t.Errorf("zone %q, location %v", sc.Zone, sc.Location)
	}
	// A date-only at is midnight of that day there: 17:00 UTC the day
	// before.
	at := sc.Timeline[0].At
	if want := time.Date(2019, 2, 27, 0, 0, 0, 0, hcm); !at.DateOnly || !at.Equal(want) || at.UTC().Day() != 26 {
		t.Errorf("at %v (%v UTC): want midnight of 27 February in Hanoi", at, at.UTC())
	}
	// A date-time a quarter past midnight in Hanoi is on Hanoi's 28th,
	// though it is the 27th in UTC.
	second := sc.Timeline[1]
	if got, want := second.At.Day(), (events.Time{Time: time.Date(2019, 2, 28, 0, 0, 0, 0, hcm), DateOnly: true}); !got.Equal(want.Time) || got.String() != "2019-02-28" {
		t.Errorf("day of %v: %v, want 2019-02-28", second.At, got)
	}
	if second.At.UTC().Day() != 27 {
		t.Errorf("%v is %v in UTC: want the 27th", second.At, second.At.UTC())
	}
	// reported on the 28th in Hanoi is not before 00:15 there.
	if !second.Reported.Equal(time.Date(2019, 2, 28, 0, 0, 0, 0, hcm)) {
		t.Errorf("reported %v", second.Reported)
	}
	x := sc.Expect[0]
	if !x.At.Equal(time.Date(2019, 2, 28, 0, 0, 0, 0, hcm)) || !x.KnownAt.Equal(x.At.Time) {
		t.Errorf("expectation at %v known at %v: want days in Hanoi", x.At, x.KnownAt)
	}

	// UTC, named or not, is "".
	for _, zone := range []string{"", "timezone: UTC\n"} {
		sc, err := Load("t.yaml", []byte("name: t\n"+zone), ScenarioFile)
		if err != nil || sc.Zone != "" || sc.Location != time.UTC {
			t.Errorf("%q: zone %q, location %v, %v", zone, sc.Zone, sc.Location, err)
		}
	}
}

func TestLoadModes(t *testing.T) {
	tests := []struct {
		name string
		src  string
		mode Mode
		want []string // errors; nil for none
	}{
		{"an empty scenario", "", ScenarioFile, []string{"t.yaml: the file is empty: a scenario needs at least a name and a timeline"}},
		{"an empty event file", "", EventFile, []string{"t.yaml: the file is empty: an event file needs a timeline"}},
		{"a scenario of comments", "# nothing\n", ScenarioFile, []string{"t.yaml: the file is empty: a scenario needs"}},
		{"an event file of comments", "# nothing\n\n", EventFile, []string{"t.yaml: the file is empty: an event file needs a timeline"}},
		{"a null event file", "~\n", EventFile, []string{"t.yaml: the file is empty: an event file needs a timeline"}},
		{"a scenario without a name", "title: x\n", ScenarioFile, []string{"t.yaml:1: missing name"}},
		{"an event file without a name", "title: x\n", EventFile, nil},
		{"expect in an event file", "timeline: []\nexpect:\n  - {at: 2025-10-16, meeting: m}\n", EventFile,
			[]string{"t.yaml:2: an event file has no expectations: replay a scenario to check them"}},
		{"an empty expect in an event file", "expect: []\n", EventFile, []string{"t.yaml:1: an event file has no expectations"}},
		{"expect in a scenario", "name: t\nexpect: []\n", ScenarioFile, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := Load("t.yaml", []byte(tt.src), tt.mode)
			if tt.want == nil {
				if err != nil || sc == nil {
					t.Fatalf("Load: %v", err)
				}
				return
			}
			if sc != nil {
				t.Error("Load returned a scenario with an error")
			}
			checkErrors(t, err, tt.want)
		})
	}
}

func TestLoadErrors(t *testing.T) {
	entry := func(lines ...string) string { return cast + "timeline:\n  - " + strings.Join(lines, "\n    ") + "\n" }
	tests := []struct {
		name string
		src  string
		// want is every error, in order, as "file:line: fragment": the
		// error must begin with file:line and hold the fragment.
		want []string
	}{
		// The file as such.
		{"not UTF-8", "name: t\ntitle: \xff\n", []string{"t.yaml:2: not UTF-8"}},
		{"control character", "name: t\n\ntitle: a\x01b\n", []string{"t.yaml:3: character U+0001 is not allowed"}},
		{"syntax, scanner", "name: t\ntitle: a: b\n", []string{"t.yaml:2: mapping values are not allowed"}},
		{"syntax, scanner, line 1", "name: a: b\n", []string{"t.yaml:1: mapping values are not allowed"}},
		{"syntax, parser", "name: t\nparties: [\nb: 2\n", []string{"t.yaml:2: did not find expected ',' or ']'"}},
		{"syntax, parser, line 2", "- a\nb: 1\n", []string{"t.yaml:2: did not find expected '-' indicator"}},
		{"a tab indents a list", "name: t\ntimeline:\n\t- at: 2025-10-16\n", []string{"t.yaml:3: a tab indents this line: YAML indents with spaces only"}},
		{"a tab after spaces", "name: t\nparties:\n  USA: {name: US}\n \tPRK: {name: DPRK}\n", []string{"t.yaml:4: a tab indents this line"}},
		{"a tab, CR LF line ends", "name: t\r\ntimeline:\r\n\t- at: 2025-10-16\r\n", []string{"t.yaml:3: a tab indents this line"}},
		{"a tab, CR line ends", "name: t\rtimeline:\r\t- at: 2025-10-16\r", []string{"t.yaml:3: a tab indents this line"}},
		{"a tab inside a value", "name: t\ntitle: a\tb\nparties: {USA: @x}\n", []string{"t.yaml:3: found character that cannot start any token"}},
		{"two documents", "name: t\n---\nname: u\n", []string{"t.yaml:2: a second YAML document"}},
		{"anchor and alias", cast + "timeline:\n  - &a {at: 2025-10-16, event: meeting.floated, meeting: summit, by: trump}\n  - *a\n",
			[]string{"t.yaml:13: anchor &a: anchors and aliases are not supported", "t.yaml:14: alias *a: anchors and aliases"}},
		{"merge key", cast + "timeline:\n  - {<<: {at: 2025-10-16}, event: meeting.floated, meeting: summit, by: trump}\n",
			[]string{"t.yaml:13: timeline entry: merge keys (<<) are not supported", "t.yaml:13: missing at"}},
		{"alias without anchor", "name: t\ntitle: *nope\n", []string{"t.yaml:2: alias *nope: anchors and aliases are not supported"}},
		{"too deep", "name: t\ntitle: " + strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth) + "\n", []string{"t.yaml:2: nested more than 16 levels deep"}},
		{"string too long", "name: t\n\ntitle: " + strings.Repeat("x", MaxStringLen+1) + "\n", []string{"t.yaml:3: a string of 16385 bytes is longer than the limit of 16384"}},
		{"not a mapping", "- name\n", []string{"t.yaml:1: a scenario file is a mapping"}},

		// Keys and types.
		{"unknown key", "name: t\ntimline: []\n", []string{`t.yaml:2: scenario: unknown key "timline", did you mean timeline? (want name, title, timezone,`}},
		{"unknown key in a declaration", "name: t\nparties:\n  USA: {name: US, flag: stars}\n", []string{`t.yaml:3: party "USA": unknown key "flag" (want name)`}},
		{"duplicate key", "name: t\ntitle: a\ntitle: b\n", []string{`t.yaml:3: scenario: key "title" given twice (first at line 2)`}},
		{"duplicate id", cast + "  summit: {title: Again, participants: [trump]}\n", []string{`t.yaml:12: meetings: key "summit" given twice (first at line 11)`}},
		{"a mapping for a single value", "name: {a: b}\n", []string{"t.yaml:1: name: want a single value, not a mapping", "t.yaml:1: missing name"}},
		{"a single value for a mapping", "name: t\nparties: USA\n", []string{"t.yaml:2: parties: want a mapping, not a single value"}},
		{"a single value for a list", "name: t\ntimeline: soon\n", []string{"t.yaml:2: timeline: want a list, not a single value"}},
		{"a key that is not a single value", "name: t\nparties:\n  [USA]: {name: US}\n", []string{"t.yaml:3: parties: a key must be a single value, not a list"}},

		// The declarations.
		{"missing name", "title: t\n", []string{"t.yaml:1: missing name"}},
		{"bad name", "name: budapest 2025\n", []string{`t.yaml:1: name: bad name "budapest 2025"`}},
		{"bad timezone", "name: t\ntimezone: Mars/Olympus_Mons\n", []string{`t.yaml:2: timezone "Mars/Olympus_Mons": not an IANA time zone name`}},
		{"Local is no timezone", "name: t\ntimezone: Local\n", []string{`t.yaml:2: timezone "Local": not an IANA time zone name`}},
		{"party without a name", "name: t\nparties:\n  USA: {}\n", []string{`t.yaml:3: party "USA": missing name`}},
		{"person without a party", "name: t\npeople:\n  trump: {name: Donald Trump}\n", []string{`t.yaml:3: person "trump": missing party`}},
		{"person of a bad party id", "name: t\npeople:\n  trump:\n    name: Donald Trump\n    party: U.S.A\n", []string{`t.yaml:5: person "trump": party: bad name "U.S.A"`}},
		{"person id equals party id", "name: t\nparties:\n  USA: {name: US}\npeople:\n  USA: {name: Uncle Sam, party: USA}\n", []string{`t.yaml:5: person "USA": already a party's id`}},
		{"dot in a meeting id", cast + "  summit.x: {title: x, participants: [trump]}\n", []string{`t.yaml:12: meeting id: bad name "summit.x"`}},
		{"meeting without participants", "name: t\nmeetings:\n  m: {title: M}\n", []string{`t.yaml:3: meeting "m": needs at least one participant`}},
		{"meeting of bad and twice-named participants", cast + "  m:\n    title: M\n    participants: [trump, a.b, trump, '']\n",
			[]string{`t.yaml:14: meeting "m": participants: bad name "a.b"`, `t.yaml:14: meeting "m": participants: "trump" named twice (first at line 14)`, `t.yaml:14: meeting "m": participants: an empty item`}},

		// The timeline: the envelope.
		{"missing at", entry("event: meeting.floated", "meeting: summit", "by: trump"), []string{"t.yaml:13: missing at"}},
		{"bad at", entry("at: 16 October", "event: meeting.floated", "meeting: summit", "by: trump"), []string{`t.yaml:13: at: "16 October": not a date`}},
		{"bad reported", entry("at: 2025-10-16", "reported: soon", "event: meeting.floated", "meeting: summit", "by: trump"), []string{`t.yaml:14: reported: "soon": not a date`}},
		{"reported before at", entry("at: 2025-10-16", "reported: 2025-10-15", "event: meeting.floated", "meeting: summit", "by: trump"),
			[]string{`t.yaml:14: reported 2025-10-15 is before at 2025-10-16: an event becomes known when it happens, or later`}},
		{"bad ref", entry("at: 2025-10-16", "event: meeting.floated", "meeting: summit", "by: trump", "ref: a.b"), []string{`t.yaml:17: ref: bad name "a.b"`}},
		{"bad corrects", entry("at: 2025-10-16", "event: meeting.floated", "meeting: summit", "by: trump", "corrects: '*'"), []string{`t.yaml:17: corrects: not a ref name nor an event id`}},
		{"a retraction that corrects", entry("at: 2025-10-16", "event: event.retracted", "retracts: r", "corrects: r"), []string{`t.yaml:16: corrects: a retraction corrects nothing`}},
		{"a retraction without at", entry("event: event.retracted", "retracts: r"), []string{"t.yaml:13: missing at"}},
		{"unknown kind", entry("at: 2025-10-16", "event: meeting.teleported", "meeting: summit"),
			[]string{`t.yaml:14: event "meeting.teleported": unknown kind (want one of meeting.floated, meeting.proposed,`}},
		{"a declaration in the timeline", cast + "timeline:\n  - {at: 2025-10-16, event: party.declared}\n", []string{`t.yaml:13: event "party.declared": not for the timeline`}},
		{"missing event", cast + "timeline:\n  - at: 2025-10-16\n", []string{"t.yaml:13: missing event: want one of meeting.floated"}},
		{"a kind mistyped", entry("at: 2025-10-16", "event: meeting.postpone", "meeting: summit", "by: trump"),
			[]string{`t.yaml:14: event "meeting.postpone": unknown kind, did you mean meeting.postponed? (want one of meeting.floated,`}},
		{"event mistyped", entry("at: 2025-10-16", "evnt: meeting.floated", "meeting: summit", "by: trump"),
			[]string{`t.yaml:13: missing event ("evnt" at line 14, did you mean event?): want one of meeting.floated`}},
		{"a kind's key mistyped", entry("at: 2025-10-16", "event: meeting.postponed", "meeting: summit", "by: trump", "untill: 2025-11-01"),
			[]string{`t.yaml:17: meeting.postponed: unknown key "untill", did you mean until? (want meeting, by, reason, until; or at,`}},
		{"key of another kind", entry("at: 2025-10-16", "event: meeting.floated", "meeting: summit", "by: trump", "venue: Budapest"),
			[]string{`t.yaml:17: meeting.floated: unknown key "venue" (want meeting, by; or at, reported, event, source, quote, cameo, ref, corrects)`}},
		{"missing key of the kind", entry("at: 2025-10-16", "event: meeting.proposed", "meeting: summit"), []string{"t.yaml:13: meeting.proposed: missing by"}},
		{"missing meeting and date", entry("at: 2025-10-16", "event: meeting.scheduled"), []string{"t.yaml:13: meeting.scheduled: missing meeting", "t.yaml:13: meeting.scheduled: missing date"}},
		{"unknown source", entry("at: 2025-10-16", "event: meeting.floated", "meeting: summit", "by: trump", "source: nvt"), []string{`t.yaml:17: source: unknown source "nvt"`}},
		{"inline source with an unknown key", entry("at: 2025-10-16", "event: meeting.floated", "meeting: summit", "by: trump", "source: {outlet: x, url: y}"),
			[]string{`t.yaml:17: source: unknown key "url" (want outlet, address, published, note)`}},
		{"bad cameo", entry("at: 2025-10-16", "event: meeting.floated", "meeting: summit", "by: trump", "cameo: 4a"), []string{`t.yaml:17: cameo "4a": want a CAMEO code of 2 to 4 digits`}},
		{"bad by", entry("at: 2025-10-16", "event: meeting.floated", "meeting: summit", "by: '>'"), []string{`t.yaml:16: by: bad name ">"`}},
		{"a list for a single value", entry("at: 2025-10-16", "event: meeting.floated", "meeting: summit", "by: [trump, putin]"), []string{"t.yaml:16: by: want a single value, not a list"}},
		{"an empty entry", cast + "timeline:\n  -\n", []string{"t.yaml:13: timeline: an empty entry"}},

		// The timeline: the kinds' fields, by field type.
		{"text: a list", entry("at: 2025-10-16", "event: meeting.held", "meeting: summit", "venue: [a, b]"), []string{"t.yaml:16: venue: want a single value, not a list"}},
		{"texts: a mapping", entry("at: 2025-10-16", "event: call.held", "participants: [trump, putin]", "topics: {a: b}"), []string{"t.yaml:16: topics: want a list, not a mapping"}},
		{"texts: an empty item", entry("at: 2025-10-16", "event: call.held", "participants: [trump, putin]", "topics: [a, '']"), []string{"t.yaml:16: topics: an empty item"}},
		{"id: a bad precondition", entry("at: 2025-10-16", "event: precondition.met", "meeting: summit", "precondition: fm prep"), []string{`t.yaml:16: precondition: bad name "fm prep"`}},
		{"actor: a bad host", entry("at: 2025-10-16", "event: visit.made", "by: trump", "host: a*"), []string{`t.yaml:16: host: bad name "a*"`}},
		{"actors: a bad participant", entry("at: 2025-10-16", "event: call.held", "participants: [trump, x.y]"), []string{`t.yaml:15: participants: bad name "x.y"`}},
		{"actors: named twice", entry("at: 2025-10-16", "event: call.held", "participants:", "  - trump", "  - trump"), []string{`t.yaml:17: participants: "trump" named twice (first at line 16)`}},
		{"participants: named twice", entry("at: 2025-10-16", "event: participants.changed", "meeting: summit", "by: USA", "remove: [putin, putin]"), []string{`t.yaml:17: remove: "putin" named twice`}},
		{"meeting: a bad about", entry("at: 2025-10-16", "event: statement.made", "by: trump", "stance: supportive", "about: a/b"), []string{`t.yaml:17: about: bad name "a/b"`}},
		{"time: a bad until", entry("at: 2025-10-16", "event: meeting.postponed", "meeting: summit", "by: trump", "until: later"), []string{`t.yaml:17: until: "later": not a date`}},
		{"span: bad", entry("at: 2025-10-16", "event: meeting.proposed", "meeting: summit", "by: trump", "within: 2 weeks"), []string{`t.yaml:17: within: span "2 weeks"`}},
		{"span: too long", entry("at: 2025-10-16", "event: meeting.proposed", "meeting: summit", "by: trump", "within: 999999w"), []string{`t.yaml:17: within: span "999999w": 6999993d is longer than the limit`}},
		{"window: without to", entry("at: 2025-10-16", "event: meeting.proposed", "meeting: summit", "by: trump", "window:", "  from: 2025-10-20"), []string{`t.yaml:18: window: missing to`}},
		{"window: a single value", entry("at: 2025-10-16", "event: meeting.proposed", "meeting: summit", "by: trump", "window: 2025-10-20"), []string{`t.yaml:17: window: want a mapping, not a single value`}},
		{"window: unknown key", entry("at: 2025-10-16", "event: meeting.proposed", "meeting: summit", "by: trump", "window: {from: 2025-10-20, to: 2025-10-30, by: 2025-10-25}"),
			[]string{`t.yaml:17: window: unknown key "by" (want from, to)`}},
		{"window: ends before it begins", entry("at: 2025-10-16", "event: meeting.proposed", "meeting: summit", "by: trump", "window: {from: 2025-10-30, to: 2025-10-20}"),
			[]string{`t.yaml:13: meeting.proposed: window ends (2025-10-20) before it begins (2025-10-30)`}},
		{"days: a bad day", entry("at: 2025-10-16", "event: meeting.scheduled", "meeting: summit", "date: {from: 2025-10-30, to: tomorrow}"), []string{`t.yaml:16: date: to: "tomorrow": not a date`}},
		{"days: end before they begin", entry("at: 2025-10-16", "event: meeting.scheduled", "meeting: summit", "date: {from: 2025-10-30, to: 2025-10-29}"),
			[]string{`t.yaml:13: meeting.scheduled: date ends (2025-10-29) before it begins (2025-10-30)`}},
		{"bool: yes", entry("at: 2025-10-16", "event: meeting.ended", "meeting: summit", "early: yes"), []string{`t.yaml:16: early "yes": want true or false`}},
		{"stance: rude", entry("at: 2025-10-16", "event: statement.made", "by: putin", "stance: rude"), []string{`t.yaml:16: stance "rude": not a stance (want supportive, noncommittal or opposed)`}},
		{"stance mistyped", entry("at: 2025-10-16", "event: statement.made", "by: putin", "stance: oppposed"), []string{`t.yaml:16: stance "oppposed": not a stance, did you mean opposed? (want supportive,`}},
		{"claim: dead", entry("at: 2025-10-16", "event: statement.made", "by: putin", "about: summit", "stance: opposed", "claim: dead"),
			[]string{`t.yaml:18: claim "dead": not a claim (want one of floated, proposed, agreed, scheduled, postponed, declined, cancelled, held, unscheduled, willing, ruled-out)`}},
		{"claim mistyped", entry("at: 2025-10-16", "event: statement.made", "by: putin", "about: summit", "stance: opposed", "claim: ruled_out"),
			[]string{`t.yaml:18: claim "ruled_out": not a claim, did you mean ruled-out? (want one of`}},
		{"requires: without held", entry("at: 2025-10-16", "event: precondition.added", "meeting: summit", "precondition: p", "requires: {}"), []string{`t.yaml:17: requires: missing held`}},
		{"requires: a bad meeting", entry("at: 2025-10-16", "event: precondition.added", "meeting: summit", "precondition: p", "requires: {held: a.b}"), []string{`t.yaml:17: requires: held: bad name "a.b"`}},
		{"requires: a single value", entry("at: 2025-10-16", "event: precondition.added", "meeting: summit", "precondition: p", "requires: prep"), []string{`t.yaml:17: requires: want a mapping, not a single value`}},
		{"ref: a bad retraction", entry("at: 2025-10-16", "event: event.retracted", "retracts: a b"), []string{`t.yaml:15: retracts: not a ref name nor an event id`}},

		// The payload's own rules, once nothing else is wrong.
		{"within and window", entry("at: 2025-10-16", "event: meeting.proposed", "meeting: summit", "by: trump", "within: 14d", "window: {from: 2025-10-20, to: 2025-10-30}"),
			[]string{`t.yaml:13: meeting.proposed: a proposal gives within or window, not both`}},
		{"a window out of range", entry("at: 2025-10-16", "event: meeting.proposed", "meeting: summit", "by: trump", "window: {from: 2025-10-20, to: 9999-12-31}"),
			[]string{`t.yaml:17: window: to: "9999-12-31": world time out of range`}},
		{"a span past the years summit reads", entry("at: 2199-12-01", "event: meeting.proposed", "meeting: summit", "by: trump", "within: 60d"),
			[]string{`t.yaml:13: meeting.proposed: the window would end on 2200-01-30: world time out of range`}},
		{"call of one", entry("at: 2025-10-16", "event: call.held", "participants: [trump]"), []string{`t.yaml:13: call.held: a call needs at least two participants`}},
		{"initiator not on the call", entry("at: 2025-10-16", "event: call.held", "participants: [trump, putin]", "initiated_by: RUS"), []string{`t.yaml:13: call.held: initiated_by RUS is not a participant of the call`}},
		{"a claim about nothing", entry("at: 2025-10-16", "event: statement.made", "by: putin", "stance: opposed", "claim: held"), []string{`t.yaml:13: statement.made: a claim needs the meeting it is about`}},
		{"a change of nobody", entry("at: 2025-10-16", "event: participants.changed", "meeting: summit", "by: USA", "reason: x"), []string{`t.yaml:13: participants.changed: a change of participants adds or removes someone`}},
		{"added and removed", entry("at: 2025-10-16", "event: participants.changed", "meeting: summit", "by: USA", "add: [witkoff]", "remove: [witkoff]"), []string{`t.yaml:13: participants.changed: witkoff is both added and removed`}},

		// Every problem of one entry.
		{"three bad keys of one entry", entry("at: 2025-10-16", "event: meeting.proposed", "meeting: summit", "by: trump", "within: 3x", "venue: [a]", "place: Budapest"),
			[]string{`t.yaml:17: within: span "3x"`, `t.yaml:18: venue: want a single value`, `t.yaml:19: meeting.proposed: unknown key "place"`}},
		{"a flow entry of four problems", cast + "timeline:\n  - {at: soon, event: meeting.postponed, meeting: a.b, until: later, colour: red}\n",
			[]string{`t.yaml:13: at: "soon": not a date`, `t.yaml:13: meeting.postponed: unknown key "colour"`, `t.yaml:13: meeting.postponed: missing by`, `t.yaml:13: meeting: bad name "a.b"`, `t.yaml:13: until: "later": not a date`}},

		// What the scenario expects.
		{"expectation without meeting", cast + "expect:\n  - {at: 2025-10-16}\n", []string{"t.yaml:13: expectation: missing meeting"}},
		{"expectation without at", cast + "expect:\n  - {meeting: summit}\n", []string{"t.yaml:13: expectation: missing at"}},
		{"unknown key of an expectation", cast + "expect:\n  - {at: 2025-10-16, meeting: summit, known: 2025-10-17}\n", []string{`t.yaml:13: expectation: unknown key "known" (want at, known_at,`}},
		{"bad known_at", cast + "expect:\n  - {at: 2025-10-16, meeting: summit, known_at: later}\n", []string{`t.yaml:13: known_at: "later": not a date`}},
		{"unknown status", cast + "expect:\n  - {at: 2025-10-16, meeting: summit, status: dead}\n", []string{`t.yaml:13: status "dead": unknown status (want one of named, floated,`}},
		{"bad overdue", cast + "expect:\n  - {at: 2025-10-16, meeting: summit, overdue: yes}\n", []string{`t.yaml:13: overdue "yes": want true or false`}},
		{"bad readiness", cast + "expect:\n  - {at: 2025-10-16, meeting: summit, readiness: 2/1}\n", []string{`t.yaml:13: readiness "2/1": want met/total`}},
		{"bad precondition state", cast + "expect:\n  - at: 2025-10-16\n    meeting: summit\n    preconditions:\n      fm-prep: done\n",
			[]string{`t.yaml:16: preconditions: fm-prep: "done" is not a state (want one of unmet, met, failed, waived)`}},
		{"bad claim word and speaker", cast + "expect:\n  - at: 2025-10-16\n    meeting: summit\n    claims:\n      a.b: scheduled\n      putin: dead\n",
			[]string{`t.yaml:16: claims: speaker: bad name "a.b"`, `t.yaml:17: claims: putin: "dead" is not a claim`}},
		{"a status mistyped", cast + "expect:\n  - at: 2025-10-16\n    meeting: summit\n    status: porposed\n", []string{`t.yaml:15: status "porposed": unknown status, did you mean proposed? (want one of`}},
		{"participants named twice", cast + "expect:\n  - {at: 2025-10-16, meeting: summit, participants: [trump, trump]}\n", []string{`t.yaml:13: participants: "trump" named twice`}},

		// Every error, in line order.
		{"several", `name: t
people:
  trump: {name: Donald Trump, party: USA}
parties:
  USA: {}
meetings:
  m: {title: M, participants: [trump, x.y]}
timeline:
  - {at: 2025-10-16, event: meeting.teleported}
  - {at: 2025-10-17, event: meeting.floated, meeting: m, by: trump, ref: r}
  - {at: 2025-10-15, event: meeting.floated, meeting: m.n, by: trump}
expect:
  - {meeting: m, status: held}
`, []string{
			`t.yaml:5: party "USA": missing name`,
			`t.yaml:7: meeting "m": participants: bad name "x.y"`,
			`t.yaml:9: event "meeting.teleported": unknown kind`,
			`t.yaml:11: meeting: bad name "m.n"`,
			`t.yaml:13: expectation: missing at`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := Load("t.yaml", []byte(tt.src), ScenarioFile)
			if sc != nil {
				t.Errorf("Load returned a scenario with an error")
			}
			checkErrors(t, err, tt.want)
		})
	}
}

// TestLoadLateReports shows that the first edition's "dates out of order"
// error is gone: a file lists its entries as they were recorded.
func TestLoadLateReports(t *testing.T) {
	src := cast + `timeline:
  - {at: 2025-10-16, event: meeting.floated, meeting: summit, by: trump}
  - {at: 2025-10-14, event: meeting.accepted, meeting: summit, by: putin, reported: 2025-10-17}
  - {at: "2025-10-15T23:00:00-05:00", event: meeting.accepted, meeting: summit, by: trump}
`
	sc, err := Load("t.yaml", []byte(src), ScenarioFile)
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Timeline) != 3 {
		t.Errorf("%d entries, want 3", len(sc.Timeline))
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

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, MaxFileSize+1); err != nil {
		t.Fatal(err)
	}
	_, err := LoadFile(big, ScenarioFile)
	checkErrors(t, err, []string{big + ": the file is larger than the limit of 8 MiB"})

	_, err = Load("big.yaml", make([]byte, MaxFileSize+1), ScenarioFile)
	checkErrors(t, err, []string{"big.yaml: the file is larger than the limit of 8 MiB"})

	if _, err := LoadFile(filepath.Join(dir, "missing.yaml"), ScenarioFile); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("LoadFile of a missing file: %v, want fs.ErrNotExist", err)
	}

	// "-" names no file here (the test runs in the package's directory).
	_, err = LoadFile("-", EventFile)
	checkErrors(t, err, []string{"-: no such file: summit reads a scenario or event file from a path, not from standard input"})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("LoadFile of -: %v, want fs.ErrNotExist", err)
	}

	_, err = LoadFile(dir, EventFile)
	checkErrors(t, err, []string{dir + ": a directory, not a regular file"})
	if !errors.Is(err, ErrNotRegular) {
		t.Errorf("LoadFile of a directory: %v, want ErrNotRegular", err)
	}
	if _, err := Open(dir); !errors.Is(err, ErrNotRegular) {
		t.Errorf("Open of a directory: %v, want ErrNotRegular", err)
	}
}

// TestLoadFileRefusesFIFO shows that a named pipe with no writer is
// refused at once: reading it would wait for ever.
func TestLoadFileRefusesFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "events.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := LoadFile(fifo, EventFile)
		done <- err
	}()
	select {
	case err := <-done:
		checkErrors(t, err, []string{fifo + ": a named pipe, not a regular file"})
		if !errors.Is(err, ErrNotRegular) {
			t.Errorf("%v: want ErrNotRegular", err)
		}
	case <-time.After(5 * time.Second):
		// Unblock the reader, so that the test ends.
		if f, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			f.Close()
		}
		t.Fatal("LoadFile of a named pipe did not return")
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
	l.Add("", 0, "--by: flags")
	l.Sort()
	want := "--by: flags\na.yaml: file\na.yaml:9: nine 9\na.yaml:9: nine again\nb.yaml:3: three"
	if got := l.Err().Error(); got != want {
		t.Errorf("Error() =\n%s\nwant\n%s", got, want)
	}
	if got := fmt.Sprint(ErrorList{{File: "x", Msg: "m", Err: ErrNotRegular}}); got != "x: m" {
		t.Errorf("%q", got)
	}
}
