package events

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// Identity returns the digest that identifies what e says: its branch and
// generation, aggregate, kind, world time and zone, who acted, its source and
// quote, CAMEO code, ref and what it corrects, and its payload. Not its id,
// version, reported or record time, nor anything of how the file that held
// it was laid out (comments, key order, the names of its sources), so that a
// file appended again is recognised entry by entry. Two events with the same
// identity on one aggregate say the same thing: the second is not stored.
func Identity(e Event) string {
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
			// A payload that cannot be encoded cannot be stored either:
			// Validate or Marshal says why.
			data = nil
		}
		put(string(data))
	}
	sum := h.Sum(nil)
	return hex.EncodeToString(sum[:8])
}
