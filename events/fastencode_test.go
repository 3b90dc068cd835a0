package events

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/uuid"
)

// sameBytes checks that Marshal writes e as encoding/json alone does.
func sameBytes(t *testing.T, e Event) {
	t.Helper()
	fast, ferr := marshal(e, true)
	slow, serr := marshal(e, false)
	if (ferr == nil) != (serr == nil) {
		t.Fatalf("fast path: %v; encoding/json: %v", ferr, serr)
	}
	if !bytes.Equal(fast, slow) {
		t.Fatalf("fast path writes\n%s\nencoding/json writes\n%s", fast, slow)
	}
}

func TestFastMarshalAgrees(t *testing.T) {
	for _, b := range forms(t) {
		e, err := Unmarshal(b)
		if err != nil {
			t.Fatal(err)
		}
		sameBytes(t, e)
		e.Hypothetical, e.Branch = true, "what-if"
		e.Source = nil
		e.CausationID, e.CorrelationID = uuid.Nil, uuid.Nil
		sameBytes(t, e)
		e.Source = &Source{Quote: "<b>\"Ja\" & nein</b>\u2028\t\x01 \xff end", Note: "ü"}
		e.Recorded = time.Date(2026, 1, 2, 3, 4, 5, 600, time.FixedZone("X", 3600))
		sameBytes(t, e)
	}
	// Empty and nil lists, which encoding/json writes differently.
	for _, p := range []Payload{
		&CallHeld{Participants: []string{"a", "b"}, Topics: []string{}},
		&MeetingDeclared{Title: "t", Participants: []Participant{{"a", "A"}}},
	} {
		sameBytes(t, sample(p, Meeting("m")))
	}
	if b, ok := fastMarshal(&wire{Recorded: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, &MeetingFloated{}); ok {
		t.Errorf("fast path wrote a record time encoding/json refuses: %s", b)
	}
}

// FuzzFastMarshal checks that the fast path writes what encoding/json
// writes, whatever the strings hold.
func FuzzFastMarshal(f *testing.F) {
	f.Add("Wir brauchen Vorbereitung", "ntv.de", "<&>", "budapest")
	f.Add("\x00\xff\u2029\"\\", "", "\t", "x")
	f.Fuzz(func(t *testing.T, quote, outlet, note, venue string) {
		for _, p := range []Payload{
			&StatementMade{About: "m", Stance: StanceOpposed, Claim: "held", Quote: quote},
			&MeetingHeld{Venue: venue, Outcome: note},
			&CallHeld{Participants: []string{"a", "b"}, Tone: quote, Topics: []string{note, venue}},
		} {
			e := sample(p, Meeting("m"))
			e.Source = &Source{Outlet: outlet, Note: note, Quote: quote}
			e.By = ""
			sameBytes(t, e)
		}
	})
}
