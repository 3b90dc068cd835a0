package scenarios

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/summit-model/summit/events"
)

// flags reads "name=value name2" as flags: a name alone is a flag without
// a value.
func flags(s string) []Flag {
	var out []Flag
	for _, f := range strings.Split(s, "|") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		name, value, _ := strings.Cut(f, "=")
		out = append(out, Flag{Name: name, Value: value})
	}
	return out
}

// TestLoadFlags builds an entry of each field type from flags.
func TestLoadFlags(t *testing.T) {
	d := func(m time.Month, day int) events.Time { return events.Date(2025, m, day) }
	tests := []struct {
		kind  events.Kind
		flags string
		want  Entry
	}{
		{events.KindMeetingProposed, "meeting=budapest-summit|by=trump|venue=Budapest|within=14d|at=2025-10-16",
			Entry{Kind: events.KindMeetingProposed, At: d(10, 16), Meeting: "budapest-summit", By: "trump", Payload: &events.MeetingProposed{Venue: "Budapest", Within: &events.Span{Days: 14}}}},
		{events.KindMeetingProposed, "meeting=m|by=trump|window=2025-10-20..2025-10-30|at=2025-10-16",
			Entry{Kind: events.KindMeetingProposed, At: d(10, 16), Meeting: "m", By: "trump", Payload: &events.MeetingProposed{Window: &events.Window{From: d(10, 20), To: d(10, 30)}}}},
		{events.KindMeetingScheduled, "meeting=hanoi|date=2025-02-27..2025-02-28|at=2025-02-05",
			Entry{Kind: events.KindMeetingScheduled, At: d(2, 5), Meeting: "hanoi", Payload: &events.MeetingScheduled{Date: events.Days{From: d(2, 27), To: d(2, 28)}}}},
		{events.KindMeetingScheduled, "meeting=m|date=2025-10-30|venue=Budapest|at=2025-10-20|by=trump",
			Entry{Kind: events.KindMeetingScheduled, At: d(10, 20), Meeting: "m", By: "trump", Payload: &events.MeetingScheduled{Date: events.OneDay(d(10, 30)), Venue: "Budapest"}}},
		{events.KindMeetingPostponed, "meeting=m|by=trump|reason=a waste of time|until=2025-11-30|at=2025-10-22",
			Entry{Kind: events.KindMeetingPostponed, At: d(10, 22), Meeting: "m", By: "trump", Payload: &events.MeetingPostponed{Reason: "a waste of time", Until: ptr(d(11, 30))}}},
		{events.KindMeetingEnded, "meeting=hanoi|early|outcome=no agreement|at=2025-02-28",
			Entry{Kind: events.KindMeetingEnded, At: d(2, 28), Meeting: "hanoi", Payload: &events.MeetingEnded{Early: true, Outcome: "no agreement"}}},
		{events.KindMeetingEnded, "meeting=hanoi|early=false|at=2025-02-28",
			Entry{Kind: events.KindMeetingEnded, At: d(2, 28), Meeting: "hanoi", Payload: &events.MeetingEnded{}}},
		{events.KindParticipantsChanged, "meeting=talks|by=USA|add=witkoff, UKR|remove=trump|at=2025-04-10",
			Entry{Kind: events.KindParticipantsChanged, At: d(4, 10), Meeting: "talks", By: "USA", Payload: &events.ParticipantsChanged{
				Add: []events.Participant{{Person: "witkoff"}, {Person: "UKR"}}, Remove: []events.Participant{{Person: "trump"}}}}},
		{events.KindCallHeld, "participants=trump,putin|initiated-by=trump|tone=productive|topics=Ukraine,trade|at=2025-10-16",
			Entry{Kind: events.KindCallHeld, At: d(10, 16), Payload: &events.CallHeld{Participants: []string{"trump", "putin"}, InitiatedBy: "trump", Tone: "productive", Topics: []string{"Ukraine", "trade"}}}},
		{events.KindVisitMade, "--by=witkoff|--host=putin|--place=Moscow|--at=2025-08-06",
			Entry{Kind: events.KindVisitMade, At: d(8, 6), By: "witkoff", Payload: &events.VisitMade{Host: "putin", Place: "Moscow"}}},
		{events.KindStatementMade, "by=peskov|about=budapest-summit|stance=noncommittal|claim=ruled-out|quote=no dates yet|source=ntv.de|source-url=https://n-tv.de/x|published=2025-10-21|at=2025-10-21|reported=2025-10-22|ref=peskov-1|cameo=012",
			Entry{Kind: events.KindStatementMade, At: d(10, 21), Reported: d(10, 22), By: "peskov", RefName: "peskov-1", CAMEO: "012",
				Source:  &events.Source{Outlet: "ntv.de", Address: "https://n-tv.de/x", Published: "2025-10-21", Quote: "no dates yet"},
				Payload: &events.StatementMade{About: "budapest-summit", Stance: events.StanceNoncommittal, Claim: "ruled-out", Quote: "no dates yet"}}},
		{events.KindPreconditionAdded, "meeting=budapest-summit|precondition=fm-prep|requires=rubio-lavrov-prep|description=the ministers prepare|at=2025-10-16",
			Entry{Kind: events.KindPreconditionAdded, At: d(10, 16), Meeting: "budapest-summit", Payload: &events.PreconditionAdded{Precondition: "fm-prep", Description: "the ministers prepare", Requires: &events.Requirement{Held: "rubio-lavrov-prep"}}}},
		{events.KindEventRetracted, "retracts=lavrov-oct19|reason=the ministry denied it|at=2025-10-23",
			Entry{Kind: events.KindEventRetracted, At: d(10, 23), Payload: &events.EventRetracted{Retracts: "lavrov-oct19", Reason: "the ministry denied it"}}},
		{events.KindMeetingFloated, "meeting=m|by=putin|corrects=lavrov-oct19",
			Entry{Kind: events.KindMeetingFloated, Meeting: "m", By: "putin", Corrects: "lavrov-oct19", Payload: &events.MeetingFloated{}}},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind)+" "+tt.flags, func(t *testing.T) {
			sc, err := LoadFlags(tt.kind, flags(tt.flags), "")
			if err != nil {
				t.Fatalf("LoadFlags:\n%v", err)
			}
			if sc.File != "" || len(sc.Timeline) != 1 {
				t.Fatalf("file %q, %d entries", sc.File, len(sc.Timeline))
			}
			if diff := cmp.Diff(tt.want, sc.Timeline[0], sameTime, noLines); diff != "" {
				t.Errorf("entry (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadFlagsZone(t *testing.T) {
	sc, err := LoadFlags(events.KindMeetingHeld, flags("meeting=hanoi|at=2019-02-27"), "Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	hcm, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	if at := sc.Timeline[0].At; !at.Equal(time.Date(2019, 2, 27, 0, 0, 0, 0, hcm)) || sc.Zone != "Asia/Ho_Chi_Minh" {
		t.Errorf("at %v in zone %q: want midnight in Hanoi", at, sc.Zone)
	}
}

// TestLoadFlagsErrors shows that the errors of flags name the flag, at
// Load and at Plan.
func TestLoadFlagsErrors(t *testing.T) {
	tests := []struct {
		kind  events.Kind
		flags string
		zone  string
		want  []string
	}{
		{kind: events.KindMeetingProposed, flags: "meeting=m|by=trump|within=3x|at=2025-10-16", want: []string{`--within: span "3x": want a number of days or weeks`}},
		{kind: events.KindMeetingProposed, flags: "meeting=m|by=trump|window=2025-10-20|at=2025-10-16", want: []string{`--window "2025-10-20": want FROM..TO, such as 2025-10-20..2025-10-30`}},
		{kind: events.KindMeetingProposed, flags: "meeting=m|by=trump|window=2025-10-20..later|at=2025-10-16", want: []string{`--window: to: "later": not a date`}},
		{kind: events.KindMeetingProposed, flags: "meeting=m|by=trump|within=1d|window=2025-10-20..2025-10-21|at=2025-10-16", want: []string{`meeting.proposed: a proposal gives within or window, not both`}},
		{kind: events.KindMeetingProposed, flags: "meeting=m|at=2025-10-16", want: []string{`meeting.proposed: missing --by`}},
		{kind: events.KindMeetingFloated, flags: "meeting=m|by=trump", want: []string{`missing --at: when the event happened`}},
		{kind: events.KindMeetingFloated, flags: "meeting=m|by=trump|at=soon", want: []string{`--at: "soon": not a date`}},
		{kind: events.KindMeetingFloated, flags: "meeting=m|by=trump|at=2025-10-16|reported=2025-10-15", want: []string{`--reported 2025-10-15 is before at 2025-10-16`}},
		{kind: events.KindMeetingFloated, flags: "meeting=m|by=trump|venue=Budapest|at=2025-10-16",
			want: []string{`--venue: meeting.floated takes no --venue (want --meeting, --by, --at, --reported, --source, --quote, --cameo, --ref, --corrects, --source-url, --published)`}},
		{kind: events.KindMeetingFloated, flags: "meeting=m|by=trump|by=putin|at=2025-10-16", want: []string{`--by: given twice`}},
		{kind: events.KindMeetingFloated, flags: "meeting=m|by=a.b|at=2025-10-16", want: []string{`--by: bad name "a.b"`}},
		{kind: events.KindMeetingFloated, flags: "meeting=m|by=trump|at=2025-10-16|cameo=x", want: []string{`--cameo "x": want a CAMEO code`}},
		{kind: events.KindMeetingFloated, flags: "meeting=m|by=trump|at=2025-10-16|corrects=a b", want: []string{`--corrects: not a ref name nor an event id`}},
		{kind: events.KindMeetingEnded, flags: "meeting=m|early=maybe|at=2025-10-16", want: []string{`--early "maybe": want true or false`}},
		{kind: events.KindStatementMade, flags: "by=putin|stance=rude|at=2025-10-16", want: []string{`--stance "rude": not a stance (want supportive, noncommittal or opposed)`}},
		{kind: events.KindStatementMade, flags: "by=putin|stance=opposed|about=m|claim=dead|at=2025-10-16", want: []string{`--claim "dead": not a claim (want one of`}},
		{kind: events.KindCallHeld, flags: "participants=trump,,putin|at=2025-10-16", want: []string{`--participants: an empty item`}},
		{kind: events.KindCallHeld, flags: "participants=trump,trump|at=2025-10-16", want: []string{`--participants: "trump" named twice`}},
		{kind: events.KindPreconditionAdded, flags: "meeting=m|precondition=p|requires=a.b|at=2025-10-16", want: []string{`--requires: held: bad name "a.b"`}},
		{kind: events.KindEventRetracted, flags: "retracts=r|corrects=s|at=2025-10-16", want: []string{`--corrects: a retraction corrects nothing: it names what it withdraws with --retracts`}},
		{kind: "meeting.teleported", flags: "meeting=m", want: []string{`unknown kind "meeting.teleported" (want one of meeting.floated`}},
		{kind: events.KindPartyDeclared, flags: "name=x", want: []string{`party.declared: not an event to add`}},
		{kind: events.KindMeetingFloated, flags: "meeting=m|by=trump|at=2025-10-16", zone: "Mars/Olympus_Mons", want: []string{`timezone "Mars/Olympus_Mons": not an IANA time zone name`}},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind)+" "+tt.flags, func(t *testing.T) {
			sc, err := LoadFlags(tt.kind, flags(tt.flags), tt.zone)
			if sc != nil {
				t.Error("LoadFlags returned a scenario with an error")
			}
			checkFlagErrors(t, err, tt.want)
		})
	}
}

// checkFlagErrors checks that err is an ErrorList whose errors begin with
// the fragments of want, in order, and name no file or line.
func checkFlagErrors(t *testing.T, err error, want []string) {
	t.Helper()
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("error %v (%T): want an ErrorList", err, err)
	}
	if len(list) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%v", len(list), len(want), err)
	}
	for i, w := range want {
		if got := list[i].Error(); !strings.HasPrefix(got, w) || list[i].File != "" || list[i].Line != 0 {
			t.Errorf("error %d:\n got %s (file %q, line %d)\nwant %s...", i, got, list[i].File, list[i].Line, w)
		}
	}
}

// TestPlanFlags plans what flags give against a store's cast, and shows
// that Plan's errors name the flag too.
func TestPlanFlags(t *testing.T) {
	c := Cast{
		Parties:  map[string]Party{"USA": {ID: "USA"}, "RUS": {ID: "RUS"}},
		People:   map[string]Person{"trump": {ID: "trump", Party: "USA"}, "witkoff": {ID: "witkoff", Party: "USA"}},
		Meetings: map[string]Meeting{"talks": {ID: "talks", Participants: []string{"USA", "RUS"}}},
		Refs:     map[string]Target{"r": {Aggregate: events.Meeting("talks"), At: events.Date(2025, 4, 1)}},
	}
	sc, err := LoadFlags(events.KindParticipantsChanged, flags("meeting=talks|by=trump|add=witkoff|corrects=r"), "")
	if err != nil {
		t.Fatal(err)
	}
	p := mustPlan(t, sc, c)
	if diff := cmp.Diff([]string{"0 participants.changed meeting/talks 2025-04-01 trump/USA"}, describeAll(p.Steps)); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	if got := p.Steps[0].Command.Payload.(*events.ParticipantsChanged).Add; !cmp.Equal(got, []events.Participant{{Person: "witkoff", Party: "USA"}}) {
		t.Errorf("add %v", got)
	}

	tests := []struct {
		kind  events.Kind
		flags string
		want  []string
	}{
		{events.KindParticipantsChanged, "meeting=talk|by=trumpp|add=witkoff,xi|at=2025-04-10",
			[]string{`--by: unknown person or party "trumpp"`, `--meeting: unknown meeting "talk"`, `--add: unknown person or party "xi"`}},
		{events.KindPreconditionAdded, "meeting=talks|precondition=p|requires=prep|at=2025-04-10", []string{`--requires: unknown meeting "prep"`}},
		{events.KindMeetingFloated, "meeting=talks|by=USA|corrects=nope", []string{`--corrects: unknown ref "nope"`}},
		{events.KindEventRetracted, "retracts=0199f0a2-0000-7000-8000-000000000001|at=2025-04-10", []string{`--retracts: event 0199f0a2-0000-7000-8000-000000000001 is not known, and the entry names no meeting`}},
	}
	for _, tt := range tests {
		t.Run(tt.flags, func(t *testing.T) {
			sc, err := LoadFlags(tt.kind, flags(tt.flags), "")
			if err != nil {
				t.Fatal(err)
			}
			_, err = sc.Plan(context.Background(), c)
			checkFlagErrors(t, err, tt.want)
		})
	}
}
