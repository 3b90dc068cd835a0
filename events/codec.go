package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// CodecVersion is the version of the JSON form [Marshal] writes. [Unmarshal]
// reads this version and refuses others, so that a reader never guesses at a
// form it does not know.
const CodecVersion = 1

// Errors of [Unmarshal], for callers that branch on them.
var (
	ErrMalformed          = errors.New("malformed event")
	ErrUnknownKind        = errors.New("unknown event kind")
	ErrUnsupportedVersion = errors.New("unsupported event codec version")
)

// wire is the JSON form of an event, version 1.
type wire struct {
	V            int             `json:"v"`
	ID           uuid.UUID       `json:"id"`
	Kind         Kind            `json:"kind"`
	Aggregate    Ref             `json:"aggregate"`
	Version      uint64          `json:"version"`
	At           Time            `json:"at"`
	Recorded     time.Time       `json:"recorded"`
	By           string          `json:"by,omitempty"`
	Party        string          `json:"party,omitempty"`
	Source       *Source         `json:"source,omitempty"`
	Hypothetical bool            `json:"hypothetical,omitempty"`
	Branch       string          `json:"branch"`
	CAMEO        string          `json:"cameo,omitempty"`
	Causation    string          `json:"causation,omitempty"`
	Correlation  string          `json:"correlation,omitempty"`
	Data         json.RawMessage `json:"data"`

	// causationID and correlationID are Causation and Correlation as the
	// fast path reads them, parsed already (parsedIDs).
	causationID, correlationID uuid.UUID
	parsedIDs                  bool
}

// Marshal returns the JSON form of e, as the log stores it. It refuses an
// event that [Event.Validate] refuses.
func Marshal(e Event) ([]byte, error) { return marshal(e, true) }

// marshal is [Marshal], with the fast path or without it (to test that the
// two agree).
func marshal(e Event, fast bool) ([]byte, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	w := wire{
		V:            CodecVersion,
		ID:           e.ID,
		Kind:         e.Kind(),
		Aggregate:    e.Aggregate,
		Version:      e.Version,
		At:           e.At,
		Recorded:     e.Recorded.UTC(),
		By:           e.By,
		Party:        e.Party,
		Source:       e.Source,
		Hypothetical: e.Hypothetical,
		Branch:       e.Branch,
		CAMEO:        e.CAMEO,
	}
	if e.CausationID != uuid.Nil {
		w.Causation = e.CausationID.String()
	}
	if e.CorrelationID != uuid.Nil {
		w.Correlation = e.CorrelationID.String()
	}
	// The fast path writes the same bytes as encoding/json (see
	// fastencode.go).
	if fast {
		if b, ok := fastMarshal(&w, e.Payload); ok {
			return b, nil
		}
	}
	data, err := json.Marshal(e.Payload)
	if err != nil {
		return nil, fmt.Errorf("marshal %s payload: %w", e.Kind(), err)
	}
	w.Data = data
	b, err := json.Marshal(w)
	if err != nil {
		return nil, fmt.Errorf("marshal %s event: %w", e.Kind(), err)
	}
	return b, nil
}

// Unmarshal reads an event that [Marshal] wrote. Unknown fields, unknown
// kinds, other codec versions and payloads their kind refuses are errors
// (wrapping [ErrMalformed], [ErrUnknownKind] or [ErrUnsupportedVersion]);
// Unmarshal never panics on bad input.
func Unmarshal(b []byte) (Event, error) { return unmarshal(b, true) }

// unmarshal is [Unmarshal], with the fast path or without it (to test that
// the two agree).
func unmarshal(b []byte, fast bool) (Event, error) {
	// The fast path reads what Marshal writes; anything else, it leaves to
	// the strict decoder (see fastdecode.go).
	var w wire
	var p Payload
	if fast && fastWire(b, &w) == nil && w.V == CodecVersion {
		if p = w.Kind.New(); p != nil && fastPayload(w.Data, p) != nil {
			p = nil
		}
	}
	if p == nil {
		var err error
		if w, p, err = strictWire(b); err != nil {
			return Event{}, err
		}
	}
	e := Event{
		ID:           w.ID,
		Aggregate:    w.Aggregate,
		Version:      w.Version,
		At:           w.At,
		Recorded:     w.Recorded,
		By:           w.By,
		Party:        w.Party,
		Source:       w.Source,
		Hypothetical: w.Hypothetical,
		Branch:       w.Branch,
		CAMEO:        w.CAMEO,
		Payload:      p,
	}
	var err error
	if w.parsedIDs {
		e.CausationID, e.CorrelationID = w.causationID, w.correlationID
	}
	if w.Causation != "" {
		if e.CausationID, err = uuid.Parse(w.Causation); err != nil {
			return Event{}, fmt.Errorf("%w: causation: %w", ErrMalformed, err)
		}
	}
	if w.Correlation != "" {
		if e.CorrelationID, err = uuid.Parse(w.Correlation); err != nil {
			return Event{}, fmt.Errorf("%w: correlation: %w", ErrMalformed, err)
		}
	}
	if err := e.Validate(); err != nil {
		return Event{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return e, nil
}

// strictWire decodes b with encoding/json, strictly. (The wire it fills
// is its own, on the heap for the decoder; the fast path's stays on the
// stack.)
func strictWire(b []byte) (wire, Payload, error) {
	w := new(wire)
	if err := strictDecode(b, w); err != nil {
		return wire{}, nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if w.V != CodecVersion {
		return wire{}, nil, fmt.Errorf("%w: v%d (this summit reads v%d)", ErrUnsupportedVersion, w.V, CodecVersion)
	}
	p := w.Kind.New()
	if p == nil {
		return wire{}, nil, fmt.Errorf("%w %q", ErrUnknownKind, w.Kind)
	}
	if len(w.Data) == 0 || string(w.Data) == "null" {
		return wire{}, nil, fmt.Errorf("%w: %s event has no data", ErrMalformed, w.Kind)
	}
	if err := strictDecode(w.Data, p); err != nil {
		return wire{}, nil, fmt.Errorf("%w: %s data: %w", ErrMalformed, w.Kind, err)
	}
	return *w, p, nil
}

// strictDecode decodes one JSON value into v, refusing unknown fields and
// anything after the value.
func strictDecode(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errors.New("data after the event")
	}
	return nil
}
