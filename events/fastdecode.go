package events

import (
	"encoding/binary"
	"errors"
	"unicode/utf8"

	"github.com/google/uuid"
)

// This file is the fast path of [Unmarshal]. Reading the log back is most of
// a projection rebuild's work, and encoding/json's reflective decoder, made
// strict with DisallowUnknownFields, costs several microseconds and dozens
// of allocations per event. The fast path reads the exact form [Marshal]
// writes, field by field, and nothing else: the moment it meets anything
// it does not handle plainly (an unknown or repeated key, a key in another
// case, an escape in a string, invalid UTF-8, a null, a number that is not
// a plain unsigned integer), it gives up, and [Unmarshal] decodes the
// message again with encoding/json, which accepts or refuses it as it
// always has. So the fast path only ever accepts messages that the strict
// decoder accepts too, and decodes them to the same event; its refusals are
// always the strict decoder's.

// errSlow makes [Unmarshal] take the strict decoder.
var errSlow = errors.New("not in the fast path's form")

// scanner reads JSON from b, from i on.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek returns the next byte that is not white space, or 0 at the end.
func (s *scanner) peek() byte {
	s.ws()
	if s.i >= len(s.b) {
		return 0
	}
	return s.b[s.i]
}

func (s *scanner) expect(c byte) error {
	if s.peek() != c {
		return errSlow
	}
	s.i++
	return nil
}

// rawString returns the bytes of a string with no escapes, valid UTF-8 and
// no control characters, without its quotes.
func (s *scanner) rawString() ([]byte, error) {
	if s.peek() != '"' {
		return nil, errSlow
	}
	s.i++
	start := s.i
	ascii := true
	i := start
	// Eight bytes at a time while none of them is special: most of an
	// event's bytes are in its strings.
	for ; i+8 <= len(s.b); i += 8 {
		if special(binary.LittleEndian.Uint64(s.b[i:])) {
			break
		}
	}
	for ; i < len(s.b); i++ {
		c := s.b[i]
		if plain[c] {
			continue
		}
		switch {
		case c == '"':
			v := s.b[start:i]
			if !ascii && !utf8.Valid(v) {
				return nil, errSlow
			}
			s.i = i + 1
			return v, nil
		case c >= utf8.RuneSelf:
			ascii = false
		default: // an escape or a control character
			return nil, errSlow
		}
	}
	return nil, errSlow
}

// special reports whether any of the eight bytes in x is one that plain
// does not hold: a control character, a quote, a backslash or a byte of a
// multi-byte character.
func special(x uint64) bool {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	zero := func(v uint64) uint64 { return (v - ones) & ^v & highs }
	return (x-0x20*ones)&^x&highs != 0 || // a byte below 0x20 (or at or above 0x80)
		zero(x^('"'*ones)) != 0 ||
		zero(x^('\\'*ones)) != 0 ||
		x&highs != 0
}

// plain holds the bytes a string carries as they are: printable ASCII but
// the quote and the backslash.
var plain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func (s *scanner) str() (string, error) {
	v, err := s.rawString()
	return string(v), err
}

func (s *scanner) uint() (uint64, error) {
	s.ws()
	start := s.i
	var n uint64
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		if n > (1<<63)/10 {
			return 0, errSlow
		}
		n = n*10 + uint64(s.b[s.i]-'0')
		s.i++
	}
	digits := s.i - start
	if digits == 0 || digits > 1 && s.b[start] == '0' {
		return 0, errSlow
	}
	if s.i < len(s.b) {
		switch s.b[s.i] {
		case '.', 'e', 'E':
			return 0, errSlow
		}
	}
	return n, nil
}

func (s *scanner) boolean() (bool, error) {
	s.ws()
	switch {
	case len(s.b)-s.i >= 4 && string(s.b[s.i:s.i+4]) == "true":
		s.i += 4
		return true, nil
	case len(s.b)-s.i >= 5 && string(s.b[s.i:s.i+5]) == "false":
		s.i += 5
		return false, nil
	}
	return false, errSlow
}

// object reads an object, calling field with each key (the scanner then at
// its value), and refuses a key seen twice among the first 64 that field
// numbers.
func (s *scanner) object(field func(key []byte) (int, error)) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	if s.peek() == '}' {
		s.i++
		return nil
	}
	var seen uint64
	for {
		key, err := s.rawString()
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		n, err := field(key)
		if err != nil {
			return err
		}
		if seen&(1<<n) != 0 {
			return errSlow
		}
		seen |= 1 << n
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		default:
			return errSlow
		}
	}
}

// array reads an array, calling elem at each element.
func (s *scanner) array(elem func() error) error {
	if err := s.expect('['); err != nil {
		return err
	}
	if s.peek() == ']' {
		s.i++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return nil
		default:
			return errSlow
		}
	}
}

// skip passes over one value, returning its bytes. It checks only what it
// must to find the value's end: the value is read properly later.
func (s *scanner) skip() ([]byte, error) {
	s.ws()
	start := s.i
	depth := 0
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch c {
		case '"':
			if _, err := s.rawString(); err != nil {
				return nil, err
			}
			if depth == 0 {
				return s.b[start:s.i], nil
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth < 0 {
				return nil, errSlow
			}
			if depth == 0 {
				s.i++
				return s.b[start:s.i], nil
			}
		case ',', ':', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return nil, errSlow
			}
		default:
			if depth == 0 {
				// A literal or a number: the fast path reads none
				// where it skips.
				return nil, errSlow
			}
		}
		s.i++
	}
	return nil, errSlow
}

func (s *scanner) worldTime() (Time, error) {
	v, err := s.rawString()
	if err != nil {
		return Time{}, err
	}
	var t Time
	if err := t.UnmarshalText(v); err != nil {
		return Time{}, errSlow
	}
	return t, nil
}

func (s *scanner) worldTimePtr() (*Time, error) {
	t, err := s.worldTime()
	return &t, err
}

func (s *scanner) id() (uuid.UUID, error) {
	v, err := s.rawString()
	if err != nil {
		return uuid.Nil, err
	}
	var u uuid.UUID
	if err := u.UnmarshalText(v); err != nil {
		return uuid.Nil, errSlow
	}
	return u, nil
}

func (s *scanner) strings() ([]string, error) {
	// Not nil: encoding/json makes an empty slice of [].
	out := make([]string, 0, 2)
	err := s.array(func() error {
		v, err := s.str()
		out = append(out, v)
		return err
	})
	return out, err
}

// end checks that nothing but white space follows.
func (s *scanner) end() error {
	if s.peek() != 0 {
		return errSlow
	}
	return nil
}

// fastWire reads b, as [Marshal] writes it, into w, with w.Data the bytes
// of the payload.
func fastWire(b []byte, w *wire) error {
	s := scanner{b: b}
	err := s.object(func(key []byte) (n int, err error) {
		switch string(key) {
		case "v":
			var v uint64
			v, err = s.uint()
			w.V = int(v)
			return 0, err
		case "id":
			w.ID, err = s.id()
			return 1, err
		case "kind":
			var v []byte
			v, err = s.rawString()
			w.Kind = internKind(v)
			return 2, err
		case "aggregate":
			return 3, s.object(func(key []byte) (int, error) {
				switch string(key) {
				case "type":
					v, err := s.rawString()
					switch string(v) {
					case string(AggregateMeeting):
						w.Aggregate.Type = AggregateMeeting
					case string(AggregateActor):
						w.Aggregate.Type = AggregateActor
					default:
						w.Aggregate.Type = AggregateType(v)
					}
					return 0, err
				case "id":
					var err error
					w.Aggregate.ID, err = s.str()
					return 1, err
				}
				return 0, errSlow
			})
		case "version":
			w.Version, err = s.uint()
			return 4, err
		case "at":
			w.At, err = s.worldTime()
			return 5, err
		case "recorded":
			var v []byte
			if v, err = s.rawString(); err != nil {
				return 6, err
			}
			if w.Recorded.UnmarshalText(v) != nil {
				return 6, errSlow
			}
			return 6, nil
		case "by":
			w.By, err = s.str()
			return 7, err
		case "party":
			w.Party, err = s.str()
			return 8, err
		case "source":
			w.Source = &Source{}
			return 9, s.object(func(key []byte) (int, error) {
				src := w.Source
				var err error
				switch string(key) {
				case "id":
					src.ID, err = s.str()
					return 0, err
				case "outlet":
					src.Outlet, err = s.str()
					return 1, err
				case "address":
					src.Address, err = s.str()
					return 2, err
				case "published":
					src.Published, err = s.str()
					return 3, err
				case "note":
					src.Note, err = s.str()
					return 4, err
				case "quote":
					src.Quote, err = s.str()
					return 5, err
				}
				return 0, errSlow
			})
		case "hypothetical":
			w.Hypothetical, err = s.boolean()
			return 10, err
		case "branch":
			var v []byte
			v, err = s.rawString()
			if string(v) == Main {
				w.Branch = Main
			} else {
				w.Branch = string(v)
			}
			return 11, err
		case "cameo":
			var v []byte
			v, err = s.rawString()
			w.CAMEO = internCAMEO(v)
			return 12, err
		case "causation":
			w.causationID, err = s.optionalID()
			return 13, err
		case "correlation":
			w.correlationID, err = s.optionalID()
			return 14, err
		case "data":
			w.Data, err = s.skip()
			return 15, err
		}
		return 0, errSlow
	})
	if err != nil {
		return err
	}
	w.parsedIDs = true
	return s.end()
}

// optionalID reads a string that is empty or an id.
func (s *scanner) optionalID() (uuid.UUID, error) {
	v, err := s.rawString()
	if err != nil || len(v) == 0 {
		return uuid.Nil, err
	}
	id, err := uuid.ParseBytes(v)
	if err != nil {
		return uuid.Nil, errSlow
	}
	return id, nil
}

// kindNames maps each known kind's name to the kind, to share its string.
var kindNames = func() map[string]Kind {
	m := make(map[string]Kind, len(kinds))
	for k := range kinds {
		m[string(k)] = k
	}
	return m
}()

// internKind returns the kind v names without allocating for known kinds.
func internKind(v []byte) Kind {
	if k, ok := kindNames[string(v)]; ok {
		return k
	}
	return Kind(v)
}

// cameoCodes are the CAMEO codes summit writes, to share their strings.
var cameoCodes = []string{"010", "012", "013", "036", "041", "042", "043", "044", "125", "161", "163", "164"}

func internCAMEO(v []byte) string {
	for _, c := range cameoCodes {
		if c == string(v) {
			return c
		}
	}
	return string(v)
}

// fastPayload reads data into p, a new payload of its kind.
func fastPayload(data []byte, p Payload) error {
	s := scanner{b: data}
	var err error
	switch p := p.(type) {
	case *MeetingFloated, *MeetingAccepted:
		err = s.object(func([]byte) (int, error) { return 0, errSlow })
	case *PartyDeclared:
		err = s.object(func(key []byte) (int, error) {
			if string(key) == "name" {
				var err error
				p.Name, err = s.str()
				return 0, err
			}
			return 0, errSlow
		})
	case *PersonDeclared:
		err = s.object(func(key []byte) (int, error) {
			var err error
			switch string(key) {
			case "name":
				p.Name, err = s.str()
				return 0, err
			case "party":
				p.Party, err = s.str()
				return 1, err
			case "role":
				p.Role, err = s.str()
				return 2, err
			}
			return 0, errSlow
		})
	case *MeetingDeclared:
		err = s.object(func(key []byte) (int, error) {
			var err error
			switch string(key) {
			case "title":
				p.Title, err = s.str()
				return 0, err
			case "participants":
				p.Participants = make([]Participant, 0, 3)
				return 1, s.array(func() error {
					var pt Participant
					err := s.object(func(key []byte) (int, error) {
						var err error
						switch string(key) {
						case "person":
							pt.Person, err = s.str()
							return 0, err
						case "party":
							pt.Party, err = s.str()
							return 1, err
						}
						return 0, errSlow
					})
					p.Participants = append(p.Participants, pt)
					return err
				})
			}
			return 0, errSlow
		})
	case *MeetingProposed:
		err = s.object(func(key []byte) (int, error) {
			var err error
			switch string(key) {
			case "venue":
				p.Venue, err = s.str()
				return 0, err
			case "within":
				var v []byte
				if v, err = s.rawString(); err != nil {
					return 1, err
				}
				p.Within = &Span{}
				if p.Within.UnmarshalText(v) != nil {
					return 1, errSlow
				}
				return 1, nil
			case "window":
				p.Window = &Window{}
				return 2, s.object(func(key []byte) (int, error) {
					var err error
					switch string(key) {
					case "from":
						p.Window.From, err = s.worldTime()
						return 0, err
					case "to":
						p.Window.To, err = s.worldTime()
						return 1, err
					}
					return 0, errSlow
				})
			}
			return 0, errSlow
		})
	case *MeetingDeclined:
		err = s.object(func(key []byte) (int, error) { return reason(&s, key, &p.Reason) })
	case *MeetingCancelled:
		err = s.object(func(key []byte) (int, error) { return reason(&s, key, &p.Reason) })
	case *MeetingScheduled:
		err = s.object(func(key []byte) (int, error) {
			var err error
			switch string(key) {
			case "date":
				p.Date, err = s.worldTime()
				return 0, err
			case "venue":
				p.Venue, err = s.str()
				return 1, err
			}
			return 0, errSlow
		})
	case *MeetingPostponed:
		err = s.object(func(key []byte) (int, error) {
			var err error
			switch string(key) {
			case "reason":
				p.Reason, err = s.str()
				return 0, err
			case "until":
				p.Until, err = s.worldTimePtr()
				return 1, err
			}
			return 0, errSlow
		})
	case *MeetingHeld:
		err = s.object(func(key []byte) (int, error) {
			var err error
			switch string(key) {
			case "venue":
				p.Venue, err = s.str()
				return 0, err
			case "outcome":
				p.Outcome, err = s.str()
				return 1, err
			}
			return 0, errSlow
		})
	case *PreconditionAdded:
		err = s.object(func(key []byte) (int, error) {
			var err error
			switch string(key) {
			case "precondition":
				p.Precondition, err = s.str()
				return 0, err
			case "description":
				p.Description, err = s.str()
				return 1, err
			case "requires":
				p.Requires = &Requirement{}
				return 2, s.object(func(key []byte) (int, error) {
					if string(key) == "held" {
						var err error
						p.Requires.Held, err = s.str()
						return 0, err
					}
					return 0, errSlow
				})
			}
			return 0, errSlow
		})
	case *PreconditionMet:
		err = s.object(func(key []byte) (int, error) {
			if string(key) == "precondition" {
				var err error
				p.Precondition, err = s.str()
				return 0, err
			}
			return 0, errSlow
		})
	case *PreconditionFailed:
		err = s.object(func(key []byte) (int, error) {
			return preconditionReason(&s, key, &p.Precondition, &p.Reason)
		})
	case *PreconditionWaived:
		err = s.object(func(key []byte) (int, error) {
			return preconditionReason(&s, key, &p.Precondition, &p.Reason)
		})
	case *CallHeld:
		err = s.object(func(key []byte) (int, error) {
			var err error
			switch string(key) {
			case "participants":
				p.Participants, err = s.strings()
				return 0, err
			case "initiated_by":
				p.InitiatedBy, err = s.str()
				return 1, err
			case "tone":
				p.Tone, err = s.str()
				return 2, err
			case "topics":
				p.Topics, err = s.strings()
				return 3, err
			}
			return 0, errSlow
		})
	case *VisitMade:
		err = s.object(func(key []byte) (int, error) {
			var err error
			switch string(key) {
			case "host":
				p.Host, err = s.str()
				return 0, err
			case "place":
				p.Place, err = s.str()
				return 1, err
			}
			return 0, errSlow
		})
	case *StatementMade:
		err = s.object(func(key []byte) (int, error) {
			var err error
			switch string(key) {
			case "about":
				p.About, err = s.str()
				return 0, err
			case "stance":
				var v []byte
				v, err = s.rawString()
				switch Stance(v) {
				case StanceSupportive:
					p.Stance = StanceSupportive
				case StanceNoncommittal:
					p.Stance = StanceNoncommittal
				case StanceOpposed:
					p.Stance = StanceOpposed
				default:
					p.Stance = Stance(v)
				}
				return 1, err
			case "claim":
				var v []byte
				v, err = s.rawString()
				p.Claim = string(v)
				for _, c := range ClaimWords {
					if c == string(v) {
						p.Claim = c
					}
				}
				return 2, err
			case "quote":
				p.Quote, err = s.str()
				return 3, err
			}
			return 0, errSlow
		})
	case *PositionStated:
		err = s.object(func(key []byte) (int, error) {
			var err error
			switch string(key) {
			case "issue":
				p.Issue, err = s.str()
				return 0, err
			case "position":
				p.Position, err = s.str()
				return 1, err
			}
			return 0, errSlow
		})
	case *SanctionsImposed:
		err = s.object(func(key []byte) (int, error) {
			var err error
			switch string(key) {
			case "target":
				p.Target, err = s.str()
				return 0, err
			case "description":
				p.Description, err = s.str()
				return 1, err
			}
			return 0, errSlow
		})
	default:
		return errSlow
	}
	if err != nil {
		return err
	}
	return s.end()
}

func reason(s *scanner, key []byte, r *string) (int, error) {
	if string(key) == "reason" {
		var err error
		*r, err = s.str()
		return 0, err
	}
	return 0, errSlow
}

func preconditionReason(s *scanner, key []byte, p, r *string) (int, error) {
	var err error
	switch string(key) {
	case "precondition":
		*p, err = s.str()
		return 0, err
	case "reason":
		*r, err = s.str()
		return 1, err
	}
	return 0, errSlow
}
