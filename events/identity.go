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
	// Each field as its length, a colon and its bytes, hashed at once:
	// the bytes the first Identity wrote to the digest one by one, so
	// that the identities on record stay what they are.
	var buf [768]byte
	b := buf[:0]
	b = putField(b, e.Branch)
	b = putField(b, strconv.FormatUint(e.Gen, 10))
	b = putField(b, e.Aggregate.String())
	b = putField(b, string(e.Kind()))
	var at [64]byte // the world time's text, made without an allocation
	b = putField(b, e.At.appendString(at[:0]))
	b = putField(b, e.Zone)
	b = putField(b, e.By)
	b = putField(b, e.Party)
	if s := e.Source; s != nil {
		b = putField(b, s.Outlet)
		b = putField(b, s.Address)
		b = putField(b, s.Published)
		b = putField(b, s.Note)
		b = putField(b, s.Quote)
	} else {
		b = putField(b, "-")
	}
	b = putField(b, e.CAMEO)
	b = putField(b, e.RefName)
	b = putField(b, e.Corrects)
	if e.Payload != nil {
		var pbuf [512]byte
		data, err := appendPayloadJSON(pbuf[:0], e.Payload)
		if err != nil {
			// A payload that cannot be encoded cannot be stored either:
			// Validate or Marshal says why.
			data = nil
		}
		b = putField(b, data)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// putField appends s to b as Identity hashes a field: its length, a colon,
// its bytes. It takes a string or bytes (the payload's JSON) alike, with no
// conversion to copy them.
func putField[S ~string | ~[]byte](b []byte, s S) []byte {
	b = strconv.AppendInt(b, int64(len(s)), 10)
	b = append(b, ':')
	return append(b, s...)
}
