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
// reads it and every earlier version, and refuses later ones, so that a
// reader never guesses at a form it does not know.
//
// Version 2 added, to version 1's envelope: reported (when the event became
// known), tz (the zone of its dates), gen (its branch's generation), ref,
// corrects and key (its identity). A version 1 event has none of them: it
// was known when it happened, its dates are UTC days, and its identity is
// computed when it is read.
const CodecVersion = 2

// Errors of [Unmarshal], for callers that branch on them.
var (
	ErrMalformed          = errors.New("malformed event")
	ErrUnknownKind        = errors.New("unknown event kind")
	ErrUnsupportedVersion = errors.New("unsupported event codec version")
)

// wire is the JSON form of an event.
type wire struct {
	V            int             `json:"v"`
	ID           uuid.UUID       `json:"id"`
	Kind         Kind            `json:"kind"`
	Aggregate    Ref             `json:"aggregate"`
	Version      uint64          `json:"version"`
	At           Time            `json:"at"`
	Reported     *Time           `json:"reported,omitempty"`
	Recorded     time.Time       `json:"recorded"`
	Zone         string          `json:"tz,omitempty"`
	By           string          `json:"by,omitempty"`
	Party        string          `json:"party,omitempty"`
	Source       *Source         `json:"source,omitempty"`
	Hypothetical bool            `json:"hypothetical,omitempty"`
	Branch       string          `json:"branch"`
	Gen          uint64          `json:"gen,omitempty"`
	CAMEO        string          `json:"cameo,omitempty"`
	RefName      string          `json:"ref,omitempty"`
	Corrects     string          `json:"corrects,omitempty"`
	Key          string          `json:"key,omitempty"`
	Causation    uuid.UUID       `json:"causation,omitzero"`
	Correlation  uuid.UUID       `json:"correlation,omitzero"`
	Data         json.RawMessage `json:"data"`
}

//go:generate go run -tags codecgen ./internal/codecgen -o codec_fast.go

// Marshal returns the JSON form of e, as the log stores it. It refuses an
// event that [Event.Validate] refuses.
//
// It writes the bytes encoding/json writes of the wire form, by the fast
// path generated from the kinds table (codec_fast.go, see fastjson.go),
// or with encoding/json itself where the fast path cannot.
func Marshal(e Event) ([]byte, error) { return marshal(make([]byte, 0, 768), e, true) }

// AppendMarshal appends what [Marshal] returns to dst: a writer of many
// events (a bulk append) encodes them into memory it reuses.
func AppendMarshal(dst []byte, e Event) ([]byte, error) { return marshal(dst, e, true) }

// marshal appends [Marshal]'s bytes to dst, with the fast path or without
// it (to test that the two agree).
func marshal(dst []byte, e Event, fast bool) ([]byte, error) {
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
		Zone:         e.Zone,
		By:           e.By,
		Party:        e.Party,
		Source:       e.Source,
		Hypothetical: e.Hypothetical,
		Branch:       e.Branch,
		Gen:          e.Gen,
		CAMEO:        e.CAMEO,
		RefName:      e.RefName,
		Corrects:     e.Corrects,
		Key:          e.Key,
		Causation:    e.CausationID,
		Correlation:  e.CorrelationID,
	}
	if !e.Reported.IsZero() {
		// Written whenever it is given, even when it says what at says:
		// a date and a date-time of the same instant are not the same
		// report, and an event reads back as it was written.
		r := e.Reported
		w.Reported = &r
	}
	if fast {
		if b, ok := fastMarshal(dst, &w, e.Payload); ok {
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
	return append(dst, b...), nil
}

// Unmarshal reads an event that [Marshal] wrote, in this version or an
// earlier one. Unknown fields, unknown kinds, later codec versions and
// payloads their kind refuses are errors (wrapping [ErrMalformed],
// [ErrUnknownKind] or [ErrUnsupportedVersion]); Unmarshal never panics on
// bad input.
//
// It reads the form Marshal writes by the fast path generated from the
// kinds table (codec_fast.go, see fastjson.go), which gives up on anything
// else; then encoding/json reads the message, strictly: it refuses unknown
// fields and anything after the value. Both read the same events and
// refuse the same messages, with the same errors.
func Unmarshal(b []byte) (Event, error) { return unmarshal(b, true) }

// unmarshal is [Unmarshal], with the fast path or without it (to test that
// the two agree).
func unmarshal(b []byte, fast bool) (Event, error) {
	var w wire
	var p Payload
	ok := false
	if fast {
		p, ok = fastUnmarshal(b, &w)
	}
	if ok {
		// The fast path reads what the strict decoder would: the same
		// checks come next.
		if err := w.check(); err != nil {
			return Event{}, err
		}
	} else {
		var err error
		if w, p, err = strictWire(b); err != nil {
			return Event{}, err
		}
	}
	e := Event{
		ID:            w.ID,
		Aggregate:     w.Aggregate,
		Version:       w.Version,
		At:            w.At,
		Recorded:      w.Recorded,
		Zone:          w.Zone,
		By:            w.By,
		Party:         w.Party,
		Source:        w.Source,
		Hypothetical:  w.Hypothetical,
		Branch:        w.Branch,
		Gen:           w.Gen,
		CAMEO:         w.CAMEO,
		RefName:       w.RefName,
		Corrects:      w.Corrects,
		Key:           w.Key,
		CausationID:   w.Causation,
		CorrelationID: w.Correlation,
		Payload:       p,
	}
	if w.Reported != nil {
		e.Reported = *w.Reported
	}
	if err := localize(&e); err != nil {
		return Event{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if err := e.Validate(); err != nil {
		return Event{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if e.Key == "" {
		e.Key = Identity(e)
	}
	return e, nil
}

// check reports what Unmarshal refuses in a wire form before it reads the
// payload: a version it does not read, a version 1 event with fields of
// version 2, an unknown kind, no data.
func (w *wire) check() error {
	switch w.V {
	case 1:
		if w.Reported != nil || w.Zone != "" || w.Gen != 0 || w.RefName != "" || w.Corrects != "" || w.Key != "" {
			return fmt.Errorf("%w: a version 1 event with fields of version 2", ErrMalformed)
		}
	case CodecVersion:
	default:
		return fmt.Errorf("%w: v%d (this summit reads v1 to v%d)", ErrUnsupportedVersion, w.V, CodecVersion)
	}
	if !w.Kind.Known() {
		return fmt.Errorf("%w %q", ErrUnknownKind, w.Kind)
	}
	if len(w.Data) == 0 || string(w.Data) == "null" {
		return fmt.Errorf("%w: %s event has no data", ErrMalformed, w.Kind)
	}
	return nil
}

// strictWire reads b with encoding/json, strictly. (The wire it fills is
// its own, on the heap for the decoder; the fast path's stays on the
// stack.)
func strictWire(b []byte) (wire, Payload, error) {
	w := new(wire)
	if err := strictDecode(b, w); err != nil {
		return wire{}, nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if err := w.check(); err != nil {
		return wire{}, nil, err
	}
	p := w.Kind.New()
	if err := strictDecode(w.Data, p); err != nil {
		return wire{}, nil, fmt.Errorf("%w: %s data: %w", ErrMalformed, w.Kind, err)
	}
	return *w, p, nil
}

// marshalPayload returns the JSON form of p, as encoding/json writes it.
func marshalPayload(p Payload) ([]byte, error) { return appendPayloadJSON(nil, p) }

// appendPayloadJSON appends to dst the JSON form of p, as encoding/json
// writes it: by the fast path, or with encoding/json where it cannot.
func appendPayloadJSON(dst []byte, p Payload) ([]byte, error) {
	if b, ok := appendPayload(dst, p); ok {
		return b, nil
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return append(dst, b...), nil
}

// strictDecode decodes one JSON value into v, refusing unknown fields and
// anything but white space after the value. (Decoder.More is no test of
// that: it is false before a '}' or a ']'.)
func strictDecode(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if len(bytes.TrimLeft(b[d.InputOffset():], " \t\r\n")) > 0 {
		return errors.New("data after the event")
	}
	return nil
}
