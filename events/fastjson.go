package events

import (
	"encoding/binary"
	"math/bits"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// This file is the runtime of the codec's fast path: how to read and write
// one JSON value of each kind the wire form uses (a string, a whole number,
// true or false, a world time, a day or days, a record time, an id). What
// reads and writes the envelope and each payload, field by field, is
// generated from the kinds table into codec_fast.go (see
// internal/codecgen); none of it is kept by hand.
//
// The reader accepts only the plain form [Marshal] writes: the moment it
// meets anything else (an unknown, repeated or differently cased key, an
// escape in a string, invalid UTF-8, a control character, a null, a number
// that is not a plain whole number, a value its type refuses) it gives up,
// and [Unmarshal] decodes the message again with encoding/json, which
// accepts or refuses it as it always has. So the fast path accepts only
// what the strict decoder accepts, decodes it to the same event, and every
// refusal is the strict decoder's. The writer writes the very bytes
// encoding/json writes; where it cannot (a record time out of its years),
// it says so, and [Marshal] takes encoding/json.

// Why generated code, and not a library (issue 14). Measured on the
// benchmarks' mix (mix_test.go, every kind, about 520 bytes an event), each
// library strict as the codec must be (unknown fields refused in the
// envelope and the payload, keys given twice read as encoding/json reads
// them, nothing after the value). Each read as encoding/json does some 40
// edits of messages of every kind (unknown, repeated, partial and
// differently cased keys, escapes, nulls, odd numbers, trailing data), and
// each wrote encoding/json's bytes (goccy's v2 API but for invalid UTF-8,
// which it writes as U+FFFD unescaped). Per event, in CPU time, one run of 24 interleaved rounds on a busy 2-core
// machine, as a fraction of strict encoding/json (23.6 µs to read, 10.3 µs
// to write):
//
//	                                         read    write
//	github.com/goccy/go-json v0.12.0          0.47    0.57  (its Decoder: only it refuses unknown fields)
//	github.com/goccy/go-json/v2 (v1 options)  0.38    0.71
//	github.com/segmentio/encoding v0.5.4      0.32    0.72
//	github.com/bytedance/sonic v1.15.5        0.41    0.93
//	the first edition's hand-written path     0.18    0.41  (on version 1 events, 480 bytes)
//	this, generated                           0.17    0.35
//
// The best library reads at about twice the hand-written path's cost, far
// from the 10% the issue allows, so the fast path is generated from the
// kinds table instead, and costs what the hand-written one did.

// scanner reads JSON from b, from i on. bad is set by the first thing it
// does not read plainly; after that every read fails.
type scanner struct {
	b   []byte
	i   int
	bad bool
}

// fail marks the input as not the scanner's to read.
func (s *scanner) fail() { s.bad = true }

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
	if s.i < len(s.b) && s.b[s.i] > ' ' {
		return s.b[s.i]
	}
	s.ws()
	if s.i >= len(s.b) {
		return 0
	}
	return s.b[s.i]
}

// open reads the '{' of an object.
func (s *scanner) open() bool {
	if s.bad || s.peek() != '{' {
		s.fail()
		return false
	}
	s.i++
	return true
}

// key reads the next key of an object and its ':', after the '{' (first)
// or after a value. It returns false at the object's '}', which it
// reads, or on anything else, which it marks bad.
func (s *scanner) key(first bool) ([]byte, bool) {
	if s.bad {
		return nil, false
	}
	c := s.peek()
	switch {
	case c == '}':
		s.i++
		return nil, false
	case !first && c == ',':
		s.i++
	case !first:
		s.fail()
		return nil, false
	}
	k := s.plain()
	if s.bad || s.peek() != ':' {
		s.fail()
		return nil, false
	}
	s.i++
	return k, true
}

// elem reads what comes before the next element of an array: the '['
// (first) or a ','. It returns false at the array's ']', which it reads,
// or on anything else, which it marks bad.
func (s *scanner) elem(first bool) bool {
	if s.bad {
		return false
	}
	c := s.peek()
	switch {
	case first && c == '[':
		s.i++
		if s.peek() == ']' {
			s.i++
			return false
		}
		return true
	case first:
	case c == ',':
		s.i++
		return true
	case c == ']':
		s.i++
		return false
	}
	s.fail()
	return false
}

// twice marks bad a field seen before: encoding/json lets the last one
// win, which the fast path leaves to it.
func (s *scanner) twice(seen *uint64, bit uint64) {
	if *seen&bit != 0 {
		s.fail()
	}
	*seen |= bit
}

// plain returns the bytes of a string with no escape, no control
// character and valid UTF-8, without its quotes.
func (s *scanner) plain() []byte {
	if s.bad || s.peek() != '"' {
		s.fail()
		return nil
	}
	s.i++
	start := s.i
	ascii := true
	i := start
	// Eight bytes at a time to the first that is special: most of an
	// event's bytes are in its strings, and some of them not ASCII.
	for ; i+8 <= len(s.b); i += 8 {
		x := binary.LittleEndian.Uint64(s.b[i:])
		if x&highs != 0 {
			ascii = false
		}
		if m := special(x); m != 0 {
			i += bits.TrailingZeros64(m) / 8
			if s.b[i] != '"' { // an escape or a control character
				s.fail()
				return nil
			}
			v := s.b[start:i]
			if !ascii && !utf8.Valid(v) {
				s.fail()
				return nil
			}
			s.i = i + 1
			return v
		}
	}
	// The last few bytes of the input, one by one.
	for ; i < len(s.b); i++ {
		c := s.b[i]
		if plainByte[c] {
			continue
		}
		switch {
		case c == '"':
			v := s.b[start:i]
			if !ascii && !utf8.Valid(v) {
				s.fail()
				return nil
			}
			s.i = i + 1
			return v
		case c >= utf8.RuneSelf:
			ascii = false
		default: // an escape or a control character
			s.fail()
			return nil
		}
	}
	s.fail()
	return nil
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// special returns the high bit of the first of the eight bytes in x (in
// little-endian order) that ends a plain string's run: a control
// character, a quote or a backslash; 0 if none does. (A byte of a
// multi-byte character does not: the string's UTF-8 is checked whole.)
// Bits above the first may be set too.
func special(x uint64) uint64 {
	zero := func(v uint64) uint64 { return (v - ones) & ^v & highs }
	return (x-0x20*ones)&^x&highs | // a byte below 0x20
		zero(x^('"'*ones)) |
		zero(x^('\\'*ones))
}

// plainByte holds the bytes a string carries as they are: printable ASCII
// but the quote and the backslash.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// str reads a plain string; a short one of summit's vocabulary (a kind, a
// status, a stance, main) is shared, not copied.
func (s *scanner) str() string {
	v := s.plain()
	if len(v) > 0 && len(v) <= maxInterned && internable[v[0]]&(1<<len(v)) != 0 {
		return intern(v)
	}
	return string(v)
}

// strs reads an array of plain strings. An empty array is an empty slice,
// not nil, as encoding/json makes it.
func (s *scanner) strs() []string {
	out := make([]string, 0, 2)
	for ok := s.elem(true); ok; ok = s.elem(false) {
		out = append(out, s.str())
	}
	return out
}

// uint reads a whole number of at most 18 digits, without sign, fraction
// or exponent.
func (s *scanner) uint() uint64 {
	if s.bad {
		return 0
	}
	s.peek()
	start := s.i
	var n uint64
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		n = n*10 + uint64(s.b[s.i]-'0')
		s.i++
	}
	digits := s.i - start
	if digits == 0 || digits > 18 || digits > 1 && s.b[start] == '0' {
		s.fail()
		return 0
	}
	if s.i < len(s.b) {
		switch s.b[s.i] {
		case '.', 'e', 'E':
			s.fail()
			return 0
		}
	}
	return n
}

// int reads a whole number as uint does.
func (s *scanner) int() int { return int(s.uint()) }

func (s *scanner) boolean() bool {
	if s.bad {
		return false
	}
	switch s.peek() {
	case 't':
		if len(s.b)-s.i >= 4 && string(s.b[s.i:s.i+4]) == "true" {
			s.i += 4
			return true
		}
	case 'f':
		if len(s.b)-s.i >= 5 && string(s.b[s.i:s.i+5]) == "false" {
			s.i += 5
			return false
		}
	}
	s.fail()
	return false
}

// skip passes over one object or array, returning its bytes. It checks
// only what it must to find the value's end: the value is read properly
// later, and a value that skip lets pass but the later read refuses goes
// to the strict decoder like any other.
func (s *scanner) skip() []byte {
	if s.bad {
		return nil
	}
	if c := s.peek(); c != '{' && c != '[' {
		s.fail()
		return nil
	}
	start := s.i
	depth := 0
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '"':
			s.plain()
			if s.bad {
				return nil
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				s.i++
				return s.b[start:s.i]
			}
		}
		s.i++
	}
	s.fail()
	return nil
}

// end checks that nothing but white space follows.
func (s *scanner) end() bool {
	if s.bad || s.peek() != 0 {
		s.fail()
		return false
	}
	return true
}

// worldTime reads a [Time] as its UnmarshalJSON does.
func (s *scanner) worldTime() Time {
	v := s.plain()
	if s.bad {
		return Time{}
	}
	t, ok := parseWorldTime(v)
	if !ok {
		s.fail()
	}
	return t
}

// parseWorldTime reads a world time as [ParseTime] does: a date by hand,
// which is most of them, and anything else with ParseTime.
func parseWorldTime(v []byte) (Time, bool) {
	if len(v) == len(DateLayout) && v[4] == '-' && v[7] == '-' {
		y, ok1 := digits(v[0:4])
		m, ok2 := digits(v[5:7])
		d, ok3 := digits(v[8:10])
		// A day of UTC is within Earliest and Latest if its year is (a
		// test holds the two to CheckRange).
		if ok1 && ok2 && ok3 && m >= 1 && m <= 12 && d >= 1 && d <= daysIn(time.Month(m), y) &&
			y >= Earliest.Year() && y < Latest.Year() {
			return Time{Time: time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), DateOnly: true}, true
		}
		return Time{}, false
	}
	// A date-time as time.Time's UnmarshalText reads it (RFC 3339,
	// strictly, as ParseTime's layout does but for leniencies the strict
	// form refuses), else as ParseTime does.
	var t time.Time
	if len(v) > len(DateLayout) && t.UnmarshalText(v) == nil {
		wt := Time{Time: t}
		return wt, wt.CheckRange() == nil
	}
	wt, err := ParseTime(string(v))
	return wt, err == nil
}

func digits(v []byte) (int, bool) {
	n := 0
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// days reads [Days] as its UnmarshalJSON does: one day, or {"from", "to"}.
func (s *scanner) days() Days {
	if s.bad {
		return Days{}
	}
	if s.peek() == '"' {
		return OneDay(s.worldTime())
	}
	var d Days
	var seen uint64
	if !s.open() {
		return Days{}
	}
	for k, ok := s.key(true); ok; k, ok = s.key(false) {
		switch string(k) {
		case "from":
			s.twice(&seen, 1)
			d.From = s.worldTime()
		case "to":
			s.twice(&seen, 2)
			d.To = s.worldTime()
		default:
			s.fail()
		}
	}
	if seen != 3 {
		s.fail()
	}
	return d
}

// recordTime reads a time.Time as its UnmarshalJSON does.
func (s *scanner) recordTime() time.Time {
	v := s.plain()
	var t time.Time
	if s.bad || t.UnmarshalText(v) != nil {
		s.fail()
	}
	return t
}

// id reads a uuid.UUID as encoding/json does, by its UnmarshalText.
func (s *scanner) id() uuid.UUID {
	v := s.plain()
	var u uuid.UUID
	if s.bad || u.UnmarshalText(v) != nil {
		s.fail()
	}
	return u
}

// text reads a string into t by its UnmarshalText, as encoding/json does.
func (s *scanner) text(t interface{ UnmarshalText([]byte) error }) {
	v := s.plain()
	if s.bad || t.UnmarshalText(v) != nil {
		s.fail()
	}
}

const hexDigits = "0123456789abcdef"

// appendString appends s as encoding/json writes a string: quoted, with
// <, > and & escaped for HTML, invalid UTF-8 as U+FFFD, and U+2028 and
// U+2029 escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		// Eight bytes at a time to the first that needs a look.
		for i+8 <= len(s) {
			m := unsafeForJSON(binary.LittleEndian.Uint64([]byte(s[i : i+8])))
			if m != 0 {
				i += bits.TrailingZeros64(m) / 8
				break
			}
			i += 8
		}
		if i >= len(s) {
			break
		}
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

// unsafeForJSON returns the high bit of the first of the eight bytes in x
// (in little-endian order) that encoding/json does not write as it is: a
// control character, a quote, a backslash, <, >, &, or a byte of a
// multi-byte character; 0 if none is. Bits above the first may be set too.
func unsafeForJSON(x uint64) uint64 {
	zero := func(v uint64) uint64 { return (v - ones) & ^v & highs }
	return (x-0x20*ones)&^x&highs | // a byte below 0x20
		x&highs |
		zero(x^('"'*ones)) |
		zero(x^('\\'*ones)) |
		zero(x^('<'*ones)) |
		zero(x^('>'*ones)) |
		zero(x^('&'*ones))
}

// appendStrings appends a list of strings; nil is null.
func appendStrings(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, "true"...)
	}
	return append(b, "false"...)
}

// appendWorldTime appends t as its MarshalJSON writes it. (Its String
// holds only digits, letters and punctuation that need no escape.)
func appendWorldTime(b []byte, t Time) []byte {
	b = append(b, '"')
	return append(t.appendString(b), '"')
}

// appendDays appends d as its MarshalJSON writes it.
func appendDays(b []byte, d Days) []byte {
	if d.Single() {
		return appendWorldTime(b, d.From)
	}
	b = append(b, `{"from":`...)
	b = appendWorldTime(b, d.From)
	b = append(b, `,"to":`...)
	b = appendWorldTime(b, d.To)
	return append(b, '}')
}

// appendRecordTime appends t as its MarshalJSON writes it, and false for a
// time MarshalJSON refuses.
func appendRecordTime(b []byte, t time.Time) ([]byte, bool) {
	b = append(b, '"')
	b, err := t.AppendText(b)
	if err != nil {
		return b, false
	}
	return append(b, '"'), true
}

// nonZero reports whether v is not its type's zero value: encoding/json's
// test for omitzero on a type with no IsZero method.
func nonZero[T comparable](v T) bool {
	var zero T
	return v != zero
}

// appendID appends u as its MarshalText writes it, quoted.
func appendID(b []byte, u uuid.UUID) []byte {
	b = append(b, '"')
	for i, c := range u {
		switch i {
		case 4, 6, 8, 10:
			b = append(b, '-')
		}
		b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
	}
	return append(b, '"')
}

// appendText appends what t's MarshalText writes, as encoding/json does,
// and false where MarshalText fails.
func appendText(b []byte, t interface{ MarshalText() ([]byte, error) }) ([]byte, bool) {
	v, err := t.MarshalText()
	if err != nil {
		return b, false
	}
	return appendString(b, string(v)), true
}

func appendUint(b []byte, n uint64) []byte { return strconv.AppendUint(b, n, 10) }

func appendInt(b []byte, n int) []byte { return strconv.AppendInt(b, int64(n), 10) }
