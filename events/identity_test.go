package events

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"testing"
)

// identityByWrites is Identity as it was first written, one write to the
// digest a field: the reference the faster one must match byte for byte,
// since the identities of the events on record were made by it.
func identityByWrites(e Event) string {
	h := sha256.New()
	put := func(s string) {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
	}
	put(e.Branch)
	put(strconv.FormatUint(e.Gen, 10))
	put(e.Aggregate.String())
	put(string(e.Kind()))
	put(e.At.String())
	put(e.Zone)
	put(e.By)
	put(e.Party)
	if s := e.Source; s != nil {
		put(s.Outlet)
		put(s.Address)
		put(s.Published)
		put(s.Note)
		put(s.Quote)
	} else {
		put("-")
	}
	put(e.CAMEO)
	put(e.RefName)
	put(e.Corrects)
	if e.Payload != nil {
		data, err := marshalPayload(e.Payload)
		if err != nil {
			data = nil
		}
		put(string(data))
	}
	sum := h.Sum(nil)
	return hex.EncodeToString(sum[:8])
}

// TestIdentityAsOnRecord checks that Identity gives every event of the mix
// (every kind, with and without sources, refs, corrections, zones) and
// the samples of TestIdentity the identity the first Identity gave.
func TestIdentityAsOnRecord(t *testing.T) {
	var evs []Event
	for _, b := range forms(t) {
		e, err := Unmarshal(b)
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, e)
	}
	long := sample(&MeetingProposed{Venue: string(make([]byte, 3000)), Within: &Span{Days: 14}}, Meeting("m"))
	evs = append(evs, long, Event{}, sample(&MeetingFloated{}, Meeting("m")))
	for i, e := range evs {
		if got, want := Identity(e), identityByWrites(e); got != want {
			t.Errorf("event %d (%s): identity %s, want %s as on record", i, e.Kind(), got, want)
		}
	}
	if len(evs) < 20 {
		t.Errorf("only %d events compared", len(evs))
	}
}
