package events

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// agree checks that Unmarshal decodes b as the strict decoder alone does:
// the same event, or an error from both.
func agree(t *testing.T, b []byte) {
	t.Helper()
	fast, ferr := unmarshal(b, true)
	strict, serr := unmarshal(b, false)
	if (ferr == nil) != (serr == nil) {
		t.Fatalf("fast path: %v; strict decoder: %v\n%s", ferr, serr, b)
	}
	if ferr != nil {
		if ferr.Error() != serr.Error() {
			t.Fatalf("errors differ: fast path %q, strict decoder %q", ferr, serr)
		}
		return
	}
	if diff := cmp.Diff(strict, fast); diff != "" {
		t.Fatalf("fast path decodes differently (-strict +fast):\n%s\n%s", diff, b)
	}
}

// forms returns what Marshal writes of an event of every kind.
func forms(t testing.TB) [][]byte {
	within := Span{Days: 14}
	until := Date(2025, time.November, 30)
	var out [][]byte
	for _, p := range []Payload{
		&PartyDeclared{Name: "United States"},
		&PersonDeclared{Name: "Donald Trump", Party: "USA", Role: "President"},
		&MeetingDeclared{Title: "Budapest", Participants: []Participant{{"trump", "USA"}, {"putin", "RUS"}}},
		&MeetingFloated{}, &MeetingAccepted{},
		&MeetingProposed{Venue: "Budapest", Within: &within},
		&MeetingProposed{Window: &Window{From: Date(2025, 10, 20), To: Date(2025, 10, 30)}},
		&MeetingDeclined{Reason: "no"},
		&MeetingScheduled{Date: At(time.Date(2025, 10, 30, 14, 0, 0, 0, time.FixedZone("CET", 3600))), Venue: "Budapest"},
		&MeetingPostponed{Reason: "prep", Until: &until},
		&MeetingCancelled{Reason: "did not feel right"},
		&MeetingHeld{Venue: "Anchorage", Outcome: "no deal"},
		&PreconditionAdded{Precondition: "fm-prep", Description: "prep", Requires: &Requirement{Held: "prep"}},
		&PreconditionMet{Precondition: "fm-prep"},
		&PreconditionFailed{Precondition: "fm-prep", Reason: "x"},
		&PreconditionWaived{Precondition: "fm-prep", Reason: "y"},
		&CallHeld{Participants: []string{"trump", "putin"}, InitiatedBy: "trump", Tone: "productive", Topics: []string{"ukraine"}},
		&VisitMade{Host: "putin", Place: "Moscow"},
		&StatementMade{About: "m", Stance: StanceNoncommittal, Claim: "unscheduled", Quote: "Wir brauchen Vorbereitung – ernsthafte"},
		&PositionStated{Issue: "ukraine", Position: "unchanged"},
		&SanctionsImposed{Target: "Rosneft", Description: "SDN"},
	} {
		ref := Meeting("m")
		switch p.(type) {
		case *PartyDeclared, *PersonDeclared, *CallHeld, *VisitMade, *PositionStated, *SanctionsImposed:
			ref = Actor("a")
		}
		b, err := Marshal(sample(p, ref))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func TestFastPathAgrees(t *testing.T) {
	edits := []struct{ from, to string }{
		{`"kind"`, `"KIND"`},                         // encoding/json matches keys in any case
		{`{"v":1,`, `{"v":1,"v":1,`},                 // a key twice
		{`"by":"trump"`, `"by":"tr\u0075mp"`},        // an escape
		{`"by":"trump"`, `"by":null`},                // a null
		{`"v":1`, `"v":1.0`},                         // not an integer
		{`"v":1`, `"v":2`},                           // another codec version
		{`"v":1`, `"v":01`},                          // a leading zero
		{`"version":3`, `"version":-3`},              // a negative version
		{`"branch":"main"`, `"branch":"main","x":1`}, // an unknown key
		{`,"data":`, ` , "data" : `},                 // white space
		{`"data":{`, `"data":{"x":1,`},               // an unknown payload key
		{`"data":{`, `"data":[{`},                    // data not an object
		{`"kind":"`, `"kind":"x`},                    // an unknown kind
		{`"at":"2025-10-16"`, `"at":"2025-10-32"`},   // a bad date
		{`"hypothetical"`, `"hypothetical":1,"h"`},   // nothing to replace in most forms
	}
	for _, b := range forms(t) {
		var w wire
		if err := fastWire(b, &w); err != nil {
			t.Fatalf("the fast path refuses what Marshal writes: %s", b)
		}
		if err := fastPayload(w.Data, w.Kind.New()); err != nil {
			t.Fatalf("the fast path refuses the %s payload Marshal writes: %s", w.Kind, w.Data)
		}
		agree(t, b)
		agree(t, append(bytes.Clone(b), " \n"...))
		agree(t, append(bytes.Clone(b), "{}"...))
		agree(t, b[:len(b)-1])
		for _, e := range edits {
			agree(t, []byte(strings.Replace(string(b), e.from, e.to, 1)))
		}
		// The data first, before the kind it needs.
		s := string(b)
		if i := strings.Index(s, `,"data":`); i > 0 {
			agree(t, []byte(`{"data":`+s[i+len(`,"data":`):len(s)-1]+","+s[1:i]+"}"))
		}
	}
}

// FuzzFastPath checks that the fast path never accepts what the strict
// decoder refuses, nor reads anything differently.
func FuzzFastPath(f *testing.F) {
	for _, b := range forms(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) { agree(t, b) })
}

// special agrees with the table of plain bytes: no word with a byte that is
// not plain passes as plain.
func TestSpecial(t *testing.T) {
	for c := range 256 {
		for pos := range 8 {
			var b [8]byte
			for i := range b {
				b[i] = 'a'
			}
			b[pos] = byte(c)
			x := uint64(0)
			for i := 7; i >= 0; i-- {
				x = x<<8 | uint64(b[i])
			}
			if !plain[c] && !special(x) {
				t.Fatalf("byte %#x at %d passes as plain", c, pos)
			}
			if plain[c] && special(x) {
				t.Errorf("byte %#x at %d is taken for special", c, pos)
			}
		}
	}
}
