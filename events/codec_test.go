package events

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
)

func sample(p Payload, ref Ref) Event {
	return Event{
		ID:            uuid.MustParse("0199f0a2-0000-7000-8000-000000000001"),
		Aggregate:     ref,
		Version:       3,
		At:            Date(2025, time.October, 16),
		Recorded:      time.Date(2026, 11, 25, 16, 0, 0, 0, time.UTC),
		By:            "trump",
		Party:         "USA",
		Source:        &Source{ID: "ntv", Outlet: "ntv.de", Published: "2025-10-21", Quote: "binnen zweier Wochen"},
		Branch:        Main,
		CAMEO:         CAMEO(p.Kind(), p),
		CausationID:   uuid.MustParse("0199f0a2-0000-7000-8000-000000000002"),
		CorrelationID: uuid.MustParse("0199f0a2-0000-7000-8000-000000000003"),
		Payload:       p,
	}
}

func TestCodecRoundTrip(t *testing.T) {
	within := Span{Days: 14}
	until := Date(2025, time.November, 30)
	tests := []struct {
		name string
		p    Payload
		ref  Ref
	}{
		{"party declared", &PartyDeclared{Name: "United States"}, Actor("USA")},
		{"person declared", &PersonDeclared{Name: "Donald Trump", Party: "USA", Role: "President"}, Actor("trump")},
		{"meeting declared", &MeetingDeclared{Title: "Budapest", Participants: []Participant{{"trump", "USA"}, {"putin", "RUS"}, {Party: "UKR"}}}, Meeting("budapest-summit")},
		{"floated", &MeetingFloated{}, Meeting("m")},
		{"proposed within", &MeetingProposed{Venue: "Budapest", Within: &within}, Meeting("m")},
		{"proposed window", &MeetingProposed{Window: &Window{From: Date(2025, 10, 20), To: Date(2025, 10, 30)}}, Meeting("m")},
		{"accepted", &MeetingAccepted{}, Meeting("m")},
		{"declined", &MeetingDeclined{Reason: "no"}, Meeting("m")},
		{"scheduled", &MeetingScheduled{Date: OneDay(At(time.Date(2025, 10, 30, 14, 0, 0, 0, time.FixedZone("CET", 3600)))), Venue: "Budapest"}, Meeting("m")},
		{"scheduled over days", &MeetingScheduled{Date: Days{From: Date(2019, 2, 27), To: Date(2019, 2, 28)}, Venue: "Hanoi"}, Meeting("m")},
		{"postponed", &MeetingPostponed{Reason: "prep", Until: &until}, Meeting("m")},
		{"cancelled", &MeetingCancelled{Reason: "did not feel right"}, Meeting("m")},
		{"held", &MeetingHeld{Venue: "Anchorage", Outcome: "no deal"}, Meeting("m")},
		{"ended", &MeetingEnded{Early: true, Outcome: "no deal"}, Meeting("m")},
		{"participants changed", &ParticipantsChanged{Add: []Participant{{Person: "witkoff", Party: "USA"}}, Remove: []Participant{{Party: "USA"}}, Reason: "named"}, Meeting("m")},
		{"retracted", &EventRetracted{Retracts: "lavrov-oct19", Reason: "denied"}, Meeting("m")},
		{"precondition added", &PreconditionAdded{Precondition: "fm-prep", Description: "prep", Requires: &Requirement{Held: "prep"}}, Meeting("m")},
		{"precondition met", &PreconditionMet{Precondition: "fm-prep"}, Meeting("m")},
		{"precondition failed", &PreconditionFailed{Precondition: "fm-prep", Reason: "x"}, Meeting("m")},
		{"precondition waived", &PreconditionWaived{Precondition: "fm-prep"}, Meeting("m")},
		{"call", &CallHeld{Participants: []string{"trump", "putin"}, InitiatedBy: "trump", Tone: "productive", Topics: []string{"ukraine"}}, Actor("trump")},
		{"visit", &VisitMade{Host: "putin", Place: "Moscow"}, Actor("witkoff")},
		{"statement", &StatementMade{About: "m", Stance: StanceNoncommittal, Claim: "unscheduled", Quote: "Wir brauchen Vorbereitung"}, Meeting("m")},
		{"position", &PositionStated{Issue: "ukraine", Position: "unchanged"}, Actor("RUS")},
		{"sanctions", &SanctionsImposed{Target: "Rosneft", Description: "SDN"}, Actor("USA")},
	}
	seen := map[Kind]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := sample(tt.p, tt.ref)
			e.Key = Identity(e)
			b, err := Marshal(e)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			got, err := Unmarshal(b)
			if err != nil {
				t.Fatalf("Unmarshal(%s): %v", b, err)
			}
			if diff := cmp.Diff(e, got, cmp.Comparer(func(a, b Time) bool { return a.Equal(b.Time) && a.DateOnly == b.DateOnly })); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
		seen[tt.p.Kind()] = true
	}
	for _, s := range Specs() {
		if !seen[s.Kind] {
			t.Errorf("kind %s has no round-trip case", s.Kind)
		}
	}
}

func TestUnmarshalRefuses(t *testing.T) {
	good, err := Marshal(sample(&MeetingHeld{Venue: "Anchorage"}, Meeting("alaska")))
	if err != nil {
		t.Fatal(err)
	}
	replace := func(old, new string) []byte { return []byte(strings.Replace(string(good), old, new, 1)) }
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrMalformed},
		{"not json", []byte("{"), ErrMalformed},
		{"array", []byte("[]"), ErrMalformed},
		{"trailing data", append(append([]byte{}, good...), "{}"...), ErrMalformed},
		{"trailing brace", append(append([]byte{}, good...), "}"...), ErrMalformed},
		{"trailing bracket", append(append([]byte{}, good...), " ]"...), ErrMalformed},
		{"trailing brace in data", replace(`"data":{"venue":"Anchorage"}`, `"data":{"venue":"Anchorage"}}`), ErrMalformed},
		{"unknown kind", replace(`"kind":"meeting.held"`, `"kind":"meeting.teleported"`), ErrUnknownKind},
		{"future version", replace(`"v":2`, `"v":3`), ErrUnsupportedVersion},
		{"version 1 with fields of 2", replace(`"v":2`, `"v":1,"tz":"Asia/Tokyo"`), ErrMalformed},
		{"unknown envelope field", replace(`"v":2`, `"v":2,"mood":"tense"`), ErrMalformed},
		{"unknown zone", replace(`"v":2`, `"v":2,"tz":"Mars/Olympus"`), ErrMalformed},
		{"unknown payload field", replace(`"venue":"Anchorage"`, `"venue":"Anchorage","weather":"cold"`), ErrMalformed},
		{"payload of another kind", replace(`"kind":"meeting.held"`, `"kind":"precondition.met"`), ErrMalformed},
		{"no version", replace(`"version":3`, `"version":0`), ErrMalformed},
		{"bad world time", replace(`"at":"2025-10-16"`, `"at":"16.10.2025"`), ErrMalformed},
		{"bad aggregate id", replace(`"id":"alaska"`, `"id":"alaska.>"`), ErrMalformed},
		{"hypothetical on main", replace(`"branch":"main"`, `"branch":"main","hypothetical":true`), ErrMalformed},
		{"no data", replace(`"data":{"venue":"Anchorage"}`, `"data":null`), ErrMalformed},
		{"bad causation", replace(`"causation":"0199f0a2-0000-7000-8000-000000000002"`, `"causation":"yesterday"`), ErrMalformed},
		// Marshal leaves the causation out of an event that has none; an
		// empty one is not an id.
		{"empty causation", replace(`"causation":"0199f0a2-0000-7000-8000-000000000002"`, `"causation":""`), ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Unmarshal(tt.in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Unmarshal(%s) = %v, want %v", tt.in, err, tt.want)
			}
		})
	}
}

func TestMarshalRefusesInvalid(t *testing.T) {
	tests := []struct {
		name  string
		event func(e *Event)
	}{
		{"no id", func(e *Event) { e.ID = uuid.Nil }},
		{"no payload", func(e *Event) { e.Payload = nil }},
		{"no version", func(e *Event) { e.Version = 0 }},
		{"no world time", func(e *Event) { e.At = Time{} }},
		{"subject wildcard in meeting", func(e *Event) { e.Aggregate = Meeting("*") }},
		{"space in actor", func(e *Event) { e.By = "donald trump" }},
		{"hypothetical on main", func(e *Event) { e.Hypothetical = true }},
		{"record event on branch", func(e *Event) { e.Branch = "prep-held" }},
		{"bad payload", func(e *Event) { e.Payload = &StatementMade{Stance: "furious"} }},
		{"window past 2199", func(e *Event) {
			e.At = Date(2199, 12, 31)
			e.Payload = &MeetingProposed{Within: &Span{Days: 1}}
		}},
		{"reported out of range", func(e *Event) { e.Reported = Time{Time: time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC)} }},
		{"bad ref", func(e *Event) { e.RefName = "a.b" }},
		{"bad corrects", func(e *Event) { e.Corrects = "a b" }},
		{"unknown zone", func(e *Event) { e.Zone = "Mars/Olympus" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := sample(&MeetingFloated{}, Meeting("m"))
			tt.event(&e)
			if _, err := Marshal(e); !errors.Is(err, ErrInvalid) {
				t.Fatalf("Marshal = %v, want ErrInvalid", err)
			}
		})
	}
}

// FuzzUnmarshal checks that Unmarshal never panics, that each refusal
// wraps one of the codec's errors, and that what it accepts survives a
// round trip unchanged. The seeds under testdata/fuzz/FuzzUnmarshal hold an
// event of several kinds and the inputs it must refuse: ids that would be
// subject wildcards, world times out of range, numbers that overflow, deep
// nesting, bytes that are not UTF-8.
func FuzzUnmarshal(f *testing.F) {
	for _, p := range []Payload{
		&MeetingProposed{Venue: "Budapest", Window: &Window{From: Date(2025, 10, 20), To: Date(2025, 10, 30)}},
		&StatementMade{About: "m", Stance: StanceOpposed, Claim: "ruled-out", Quote: "q"},
		&MeetingScheduled{Date: Days{From: Date(2019, 2, 27), To: Date(2019, 2, 28)}},
		&CallHeld{Participants: []string{"a", "b"}},
	} {
		b, err := Marshal(sample(p, Meeting("m")))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := Unmarshal(b)
		if err != nil {
			// Every refusal says which kind of refusal it is, for the
			// log to report with the subject and sequence it read.
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnknownKind) && !errors.Is(err, ErrUnsupportedVersion) {
				t.Fatalf("Unmarshal error %v wraps none of the codec's errors", err)
			}
			return
		}
		// Whatever Unmarshal accepts is a valid event whose JSON form is
		// stable: a second round trip writes the same bytes.
		again, err := Marshal(e)
		if err != nil {
			t.Fatalf("Unmarshal accepted what Marshal refuses: %v", err)
		}
		e2, err := Unmarshal(again)
		if err != nil {
			t.Fatalf("second Unmarshal of %s: %v", again, err)
		}
		third, err := Marshal(e2)
		if err != nil {
			t.Fatalf("second Marshal: %v", err)
		}
		if !bytes.Equal(again, third) {
			t.Fatalf("the round trip changed the event:\n%s\n%s", again, third)
		}
	})
}

// TestUnmarshalVersion1 reads an event as the first edition wrote it: no
// reported time, no zone, no key; its identity is computed as it is read.
func TestUnmarshalVersion1(t *testing.T) {
	v1 := `{"v":1,"id":"0199f0a2-0000-7000-8000-000000000001","kind":"meeting.scheduled","aggregate":{"type":"meeting","id":"m"},"version":3,"at":"2025-10-16","recorded":"2026-11-25T16:00:00Z","by":"trump","party":"USA","branch":"main","cameo":"036","data":{"date":"2025-10-30","venue":"Budapest"}}`
	e, err := Unmarshal([]byte(v1))
	if err != nil {
		t.Fatal(err)
	}
	p, ok := e.Payload.(*MeetingScheduled)
	if !ok || !p.Date.Single() || p.Date.From.String() != "2025-10-30" {
		t.Errorf("payload = %#v, want one day, 2025-10-30", e.Payload)
	}
	if !e.Known().Equal(e.At.Time) {
		t.Errorf("Known() = %v, want At %v", e.Known(), e.At)
	}
	if e.Key == "" || e.Key != Identity(e) {
		t.Errorf("Key = %q, want the identity %q", e.Key, Identity(e))
	}
}

// TestCodecZone checks that dates in a zone come back as days of that zone:
// midnight in Hanoi, not in UTC.
func TestCodecZone(t *testing.T) {
	loc, err := Location("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	day := func(d int) Time { return Date(2019, 2, d).In(loc) }
	e := sample(&MeetingScheduled{Date: Days{From: day(27), To: day(28)}}, Meeting("hanoi"))
	e.At, e.Reported, e.Zone = day(5), day(6), "Asia/Ho_Chi_Minh"
	b, err := Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if !got.At.Equal(e.At.Time) || got.At.Location().String() != "Asia/Ho_Chi_Minh" {
		t.Errorf("At = %v, want %v", got.At.Time, e.At.Time)
	}
	if !got.Reported.Equal(e.Reported.Time) {
		t.Errorf("Reported = %v, want %v", got.Reported.Time, e.Reported.Time)
	}
	d := got.Payload.(*MeetingScheduled).Date
	if !d.To.Equal(day(28).Time) || d.To.End().Sub(d.From.Time) != 48*time.Hour {
		t.Errorf("date = %v to %v, want the 27th and 28th in Hanoi", d.From.Time, d.To.Time)
	}
}

// TestIdentity checks what an event's identity depends on: what it says,
// not when it was appended or with which id.
func TestIdentity(t *testing.T) {
	base := sample(&MeetingProposed{Venue: "Budapest", Within: &Span{Days: 14}}, Meeting("m"))
	same := []func(e *Event){
		func(e *Event) { e.ID = NewID() },
		func(e *Event) { e.Version = 9 },
		func(e *Event) { e.Recorded = time.Now() },
		func(e *Event) { e.Reported = Date(2025, 10, 20) },
		func(e *Event) { e.CorrelationID = NewID() },
		func(e *Event) {
			e.Source = &Source{ID: "other-key", Outlet: "ntv.de", Published: "2025-10-21", Quote: "binnen zweier Wochen"}
		},
	}
	differs := []func(e *Event){
		func(e *Event) { e.At = Date(2025, 10, 17) },
		func(e *Event) { e.By = "putin" },
		func(e *Event) { e.Payload = &MeetingProposed{Venue: "Vienna", Within: &Span{Days: 14}} },
		func(e *Event) { e.Source = nil },
		func(e *Event) { e.Branch, e.Hypothetical = "what-if", true },
		func(e *Event) { e.RefName = "p1" },
		func(e *Event) { e.Zone = "Europe/Budapest" },
	}
	want := Identity(base)
	for i, f := range same {
		e := base
		f(&e)
		if got := Identity(e); got != want {
			t.Errorf("same %d: identity %s, want %s", i, got, want)
		}
	}
	for i, f := range differs {
		e := base
		f(&e)
		if got := Identity(e); got == want {
			t.Errorf("differs %d: identity %s unchanged", i, got)
		}
	}
}

// TestSpecs checks the kinds table: every kind has a payload of its kind,
// tagged fields, and an example for each kind a timeline may write.
func TestSpecs(t *testing.T) {
	for _, s := range Specs() {
		p := s.New()
		if p.Kind() != s.Kind {
			t.Errorf("%s: New() makes a %s", s.Kind, p.Kind())
		}
		fields := Fields(s.Kind) // panics on a field without tags
		if s.Timeline && s.Example == "" {
			t.Errorf("%s: no example", s.Kind)
		}
		if s.Timeline && s.Help == "" {
			t.Errorf("%s: no help", s.Kind)
		}
		for _, f := range fields {
			if f.Type != FieldQuote && f.Help == "" {
				t.Errorf("%s: field %s has no help", s.Kind, f.Key)
			}
		}
	}
	req, opt := Keys(KindMeetingScheduled)
	if !slices.Equal(req, []string{"meeting", "date"}) || !slices.Equal(opt, []string{"by", "venue"}) {
		t.Errorf("Keys(meeting.scheduled) = %v, %v", req, opt)
	}
}

// TestCodecKeepsReported checks that reported reads back exactly as it was
// written, whatever at says: a date-time reported at the instant of a date
// (or a date at a date-time's midnight) is not dropped as "the same as at",
// and a reported equal to at is kept too.
func TestCodecKeepsReported(t *testing.T) {
	hanoi, err := Location("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	midnight := At(time.Date(2025, 10, 16, 0, 0, 0, 0, time.UTC))
	tests := []struct {
		name         string
		at, reported Time
		zone         string
	}{
		{"a date reported at its midnight, as a date-time", Date(2025, 10, 16), midnight, ""},
		{"a date-time at midnight reported on that date", midnight, Date(2025, 10, 16), ""},
		{"a date reported the same day", Date(2025, 10, 16), Date(2025, 10, 16), ""},
		{"a day in Hanoi reported at its first instant", Date(2019, 2, 27).In(hanoi), At(time.Date(2019, 2, 26, 17, 0, 0, 0, time.UTC)), "Asia/Ho_Chi_Minh"},
		{"a date-time reported the same instant in another offset", At(time.Date(2025, 10, 16, 9, 30, 0, 0, time.FixedZone("", 2*3600))), At(time.Date(2025, 10, 16, 7, 30, 0, 0, time.UTC)), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := sample(&MeetingFloated{}, Meeting("m"))
			e.At, e.Reported, e.Zone = tt.at, tt.reported, tt.zone
			e.Key = Identity(e)
			b, err := Marshal(e)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Unmarshal(b)
			if err != nil {
				t.Fatal(err)
			}
			if got.Reported.String() != tt.reported.String() || got.Reported.DateOnly != tt.reported.DateOnly || !got.Reported.Equal(tt.reported.Time) {
				t.Errorf("reported %q (date only %v) reads back as %q (date only %v); written %s", tt.reported, tt.reported.DateOnly, got.Reported, got.Reported.DateOnly, b)
			}
			again, err := Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b, again) {
				t.Errorf("the round trip changed the event:\n%s\n%s", b, again)
			}
		})
	}
}

// TestValidateDatesAreDaysOfTheZone checks that a date-only at or reported
// must be the first instant of a day in the event's zone: the codec writes
// a date as its calendar day and reads it back in the zone, so any other
// instant would come back changed.
func TestValidateDatesAreDaysOfTheZone(t *testing.T) {
	moscow, err := Location("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name         string
		at, reported Time
		zone         string
		ok           bool
	}{
		{"a UTC day in UTC", Date(2025, 10, 16), Date(2025, 10, 17), "", true},
		{"a Moscow day in Moscow", Date(2025, 10, 16).In(moscow), Date(2025, 10, 17).In(moscow), "Europe/Moscow", true},
		{"a date-time in any zone", At(time.Date(2025, 10, 16, 9, 0, 0, 0, time.UTC)), Time{}, "Europe/Moscow", true},
		{"a UTC day in Moscow", Date(2025, 10, 16), Time{}, "Europe/Moscow", false},
		{"reported a UTC day in Moscow", Date(2025, 10, 16).In(moscow), Date(2025, 10, 17), "Europe/Moscow", false},
		{"a Moscow day in UTC", Date(2025, 10, 16).In(moscow), Time{}, "", false},
		{"a date at noon", Time{Time: time.Date(2025, 10, 16, 12, 0, 0, 0, time.UTC), DateOnly: true}, Time{}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := sample(&MeetingFloated{}, Meeting("m"))
			e.At, e.Reported, e.Zone = tt.at, tt.reported, tt.zone
			err := e.Validate()
			if tt.ok && err != nil {
				t.Errorf("Validate = %v, want nil", err)
			}
			if !tt.ok && !errors.Is(err, ErrInvalid) {
				t.Errorf("Validate = %v, want ErrInvalid", err)
			}
		})
	}
}
