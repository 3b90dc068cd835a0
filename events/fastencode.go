package events

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// This file is the fast path of [Marshal]: it writes, field by field, the
// very bytes encoding/json writes of the wire form, without reflection.
// Encoding is most of the client's work in a bulk append. A test and a
// fuzz target hold the two to the same bytes; a payload type the fast path
// does not know, or a record time encoding/json refuses, goes the slow way.

const hexDigits = "0123456789abcdef"

// appendString appends s as encoding/json writes a string: quoted, with
// <, > and & escaped for HTML, invalid UTF-8 as U+FFFD, and U+2028 and
// U+2029 escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// encoder appends an object's fields, with the commas between them.
type encoder struct {
	b     []byte
	first bool
}

func (e *encoder) key(k string) {
	if !e.first {
		e.b = append(e.b, ',')
	}
	e.first = false
	e.b = append(e.b, '"')
	e.b = append(e.b, k...)
	e.b = append(e.b, '"', ':')
}

func (e *encoder) open() {
	e.b = append(e.b, '{')
	e.first = true
}

func (e *encoder) close() {
	e.b = append(e.b, '}')
	e.first = false
}

func (e *encoder) str(k, v string) {
	e.key(k)
	e.b = appendString(e.b, v)
}

// omit writes a string field that omitempty leaves out when empty.
func (e *encoder) omit(k, v string) {
	if v != "" {
		e.str(k, v)
	}
}

func (e *encoder) time(k string, t Time) {
	e.key(k)
	// Time's MarshalJSON quotes its String, which is all ASCII letters,
	// digits and punctuation that need no escape.
	e.b = append(e.b, '"')
	e.b = append(e.b, t.String()...)
	e.b = append(e.b, '"')
}

func (e *encoder) timePtr(k string, t *Time) {
	if t != nil {
		e.time(k, *t)
	}
}

func (e *encoder) id(k string, u uuid.UUID) {
	e.key(k)
	e.b = append(e.b, '"')
	e.b = append(e.b, u.String()...)
	e.b = append(e.b, '"')
}

func (e *encoder) strings(k string, ss []string, omitempty bool) {
	if omitempty && len(ss) == 0 {
		return
	}
	e.key(k)
	if ss == nil {
		e.b = append(e.b, "null"...)
		return
	}
	e.b = append(e.b, '[')
	for i, s := range ss {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.b = appendString(e.b, s)
	}
	e.b = append(e.b, ']')
}

// fastMarshal returns what encoding/json writes of w and the payload p,
// and false where it cannot say.
func fastMarshal(w *wire, p Payload) ([]byte, bool) {
	if y := w.Recorded.Year(); y < 0 || y > 9999 {
		return nil, false
	}
	e := encoder{b: make([]byte, 0, 768)}
	e.open()
	e.key("v")
	e.b = strconv.AppendInt(e.b, int64(w.V), 10)
	e.id("id", w.ID)
	e.str("kind", string(w.Kind))
	e.key("aggregate")
	e.open()
	e.str("type", string(w.Aggregate.Type))
	e.str("id", w.Aggregate.ID)
	e.close()
	e.key("version")
	e.b = strconv.AppendUint(e.b, w.Version, 10)
	e.time("at", w.At)
	e.key("recorded")
	e.b = append(e.b, '"')
	e.b = w.Recorded.AppendFormat(e.b, time.RFC3339Nano)
	e.b = append(e.b, '"')
	e.omit("by", w.By)
	e.omit("party", w.Party)
	if s := w.Source; s != nil {
		e.key("source")
		e.open()
		e.omit("id", s.ID)
		e.omit("outlet", s.Outlet)
		e.omit("address", s.Address)
		e.omit("published", s.Published)
		e.omit("note", s.Note)
		e.omit("quote", s.Quote)
		e.close()
	}
	if w.Hypothetical {
		e.key("hypothetical")
		e.b = append(e.b, "true"...)
	}
	e.str("branch", w.Branch)
	e.omit("cameo", w.CAMEO)
	e.omit("causation", w.Causation)
	e.omit("correlation", w.Correlation)
	e.key("data")
	if !e.payload(p) {
		return nil, false
	}
	e.close()
	return e.b, true
}

// payload appends p as encoding/json writes it, and reports false for a
// type it does not know.
func (e *encoder) payload(p Payload) bool {
	e.open()
	switch p := p.(type) {
	case *MeetingFloated, *MeetingAccepted:
	case *PartyDeclared:
		e.str("name", p.Name)
	case *PersonDeclared:
		e.str("name", p.Name)
		e.str("party", p.Party)
		e.omit("role", p.Role)
	case *MeetingDeclared:
		e.str("title", p.Title)
		e.key("participants")
		if p.Participants == nil {
			e.b = append(e.b, "null"...)
			break
		}
		e.b = append(e.b, '[')
		for i, pt := range p.Participants {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			e.open()
			e.str("person", pt.Person)
			e.str("party", pt.Party)
			e.close()
		}
		e.b = append(e.b, ']')
	case *MeetingProposed:
		e.omit("venue", p.Venue)
		if p.Within != nil {
			e.str("within", p.Within.String())
		}
		if w := p.Window; w != nil {
			e.key("window")
			e.open()
			e.time("from", w.From)
			e.time("to", w.To)
			e.close()
		}
	case *MeetingDeclined:
		e.omit("reason", p.Reason)
	case *MeetingScheduled:
		e.time("date", p.Date)
		e.omit("venue", p.Venue)
	case *MeetingPostponed:
		e.omit("reason", p.Reason)
		e.timePtr("until", p.Until)
	case *MeetingCancelled:
		e.omit("reason", p.Reason)
	case *MeetingHeld:
		e.omit("venue", p.Venue)
		e.omit("outcome", p.Outcome)
	case *PreconditionAdded:
		e.str("precondition", p.Precondition)
		e.omit("description", p.Description)
		if p.Requires != nil {
			e.key("requires")
			e.open()
			e.str("held", p.Requires.Held)
			e.close()
		}
	case *PreconditionMet:
		e.str("precondition", p.Precondition)
	case *PreconditionFailed:
		e.str("precondition", p.Precondition)
		e.omit("reason", p.Reason)
	case *PreconditionWaived:
		e.str("precondition", p.Precondition)
		e.omit("reason", p.Reason)
	case *CallHeld:
		e.strings("participants", p.Participants, false)
		e.omit("initiated_by", p.InitiatedBy)
		e.omit("tone", p.Tone)
		e.strings("topics", p.Topics, true)
	case *VisitMade:
		e.str("host", p.Host)
		e.omit("place", p.Place)
	case *StatementMade:
		e.omit("about", p.About)
		e.str("stance", string(p.Stance))
		e.omit("claim", p.Claim)
		e.omit("quote", p.Quote)
	case *PositionStated:
		e.str("issue", p.Issue)
		e.str("position", p.Position)
	case *SanctionsImposed:
		e.str("target", p.Target)
		e.omit("description", p.Description)
	default:
		return false
	}
	e.close()
	return true
}
