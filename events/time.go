package events

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DateLayout is how a world date is written: in scenario files, on the
// board and in the JSON the log stores.
const DateLayout = "2006-01-02"

// Time is a moment in world time: when a thing happened, as precisely as the
// sources say. Most sources give a day ("am 16. Oktober"), some give a time
// of day; Time keeps which, so that a date prints as a date and a deadline
// given as a day lasts the whole day.
//
// A date-only Time is midnight UTC of that day.
type Time struct {
	time.Time
	// DateOnly is true when only the day is known.
	DateOnly bool
}

// Date returns the date-only Time of year, month and day.
func Date(year int, month time.Month, day int) Time {
	return Time{Time: time.Date(year, month, day, 0, 0, 0, 0, time.UTC), DateOnly: true}
}

// At returns t as a Time known to the second (or better).
func At(t time.Time) Time { return Time{Time: t} }

// ErrBadTime is returned by [ParseTime] for a value that is neither a date
// nor a date-time with a zone.
var ErrBadTime = errors.New("not a date (2025-10-16) or a date-time with a zone (2025-10-16T09:30:00+02:00)")

// earliest and latest bound the world times summit accepts. Diplomacy before
// 1800 or after 2200 is almost certainly a typo, and the bounds keep every
// date printable in four digits.
var (
	earliest = time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC)
	latest   = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// ParseTime reads a world time: a date (2025-10-16) or an RFC 3339 date-time
// with a zone (2025-10-16T09:30:00+02:00 or ...Z).
func ParseTime(s string) (Time, error) {
	var t Time
	if len(s) == len(DateLayout) {
		d, err := time.Parse(DateLayout, s)
		if err != nil {
			return Time{}, fmt.Errorf("%q: %w", s, ErrBadTime)
		}
		t = Time{Time: d, DateOnly: true}
	} else {
		d, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return Time{}, fmt.Errorf("%q: %w", s, ErrBadTime)
		}
		t = Time{Time: d}
	}
	if t.Before(earliest) || !t.Before(latest) {
		return Time{}, fmt.Errorf("%q: world time out of range (%s to %s)", s, earliest.Format(DateLayout), latest.AddDate(0, 0, -1).Format(DateLayout))
	}
	return t, nil
}

// String returns the date, or the RFC 3339 date-time, as [ParseTime] reads it.
func (t Time) String() string {
	if t.IsZero() {
		return ""
	}
	if t.DateOnly {
		return t.UTC().Format(DateLayout)
	}
	return t.Format(time.RFC3339Nano)
}

// End returns the first instant after t: the next midnight for a date (a date
// lasts all day), the next nanosecond otherwise. An event happened by t if its
// time is before t.End().
func (t Time) End() time.Time {
	if t.DateOnly {
		return t.UTC().AddDate(0, 0, 1)
	}
	return t.Add(time.Nanosecond)
}

// Precedes reports whether all of t lies before u begins: a date precedes
// u when the day is over by then. Two events of the same day never precede
// one another, whichever gives a time of day, so the order a scenario lists
// them in stands.
func (t Time) Precedes(u Time) bool { return !u.Before(t.End()) }

// MarshalText writes t as [Time.String] does.
func (t Time) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// MarshalJSON writes t as a JSON string, as [Time.String] does. (Time embeds
// [time.Time], whose own JSON form would lose DateOnly.)
func (t Time) MarshalJSON() ([]byte, error) { return strconv.AppendQuote(nil, t.String()), nil }

// UnmarshalJSON reads a JSON string as [ParseTime] does.
func (t *Time) UnmarshalJSON(b []byte) error {
	s, err := strconv.Unquote(string(b))
	if err != nil || len(b) == 0 || b[0] != '"' {
		return fmt.Errorf("world time %s: want a JSON string", b)
	}
	return t.UnmarshalText([]byte(s))
}

// UnmarshalText reads t as [ParseTime] does.
func (t *Time) UnmarshalText(b []byte) error {
	p, err := ParseTime(string(b))
	if err != nil {
		return err
	}
	*t = p
	return nil
}

// Span is a length of world time in whole days or weeks, as a proposal's
// "within 14d" gives it.
type Span struct {
	Days int
}

// ParseSpan reads a span: a whole number followed by d (days) or w (weeks),
// such as 14d or 2w.
func ParseSpan(s string) (Span, error) {
	unit := 0
	switch {
	case strings.HasSuffix(s, "d"):
		unit = 1
	case strings.HasSuffix(s, "w"):
		unit = 7
	default:
		return Span{}, fmt.Errorf("span %q: want a number of days or weeks, such as 14d or 2w", s)
	}
	n := 0
	digits := s[:len(s)-1]
	if digits == "" || len(digits) > 5 {
		return Span{}, fmt.Errorf("span %q: want a number of days or weeks, such as 14d or 2w", s)
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return Span{}, fmt.Errorf("span %q: want a number of days or weeks, such as 14d or 2w", s)
		}
		n = n*10 + int(c-'0')
	}
	if n == 0 {
		return Span{}, fmt.Errorf("span %q: must be at least one day", s)
	}
	return Span{Days: n * unit}, nil
}

// String returns the span in days, as in 14d.
func (s Span) String() string { return fmt.Sprintf("%dd", s.Days) }

// MarshalText writes the span as [Span.String] does.
func (s Span) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads the span as [ParseSpan] does.
func (s *Span) UnmarshalText(b []byte) error {
	p, err := ParseSpan(string(b))
	if err != nil {
		return err
	}
	*s = p
	return nil
}

// Window is a span of world time within which a proposed meeting should take
// place. Both ends are inclusive: a window to 30 October includes that day.
type Window struct {
	From Time `json:"from"`
	To   Time `json:"to"`
}
