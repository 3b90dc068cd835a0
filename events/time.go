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
// A date-only Time is midnight of that day in its zone: UTC unless the
// scenario it comes from names a timezone, so that a day is the day of the
// place where the story happens (a 00:15 news conference in Hanoi belongs to
// Hanoi's day, not to the day before in UTC).
type Time struct {
	time.Time
	// DateOnly is true when only the day is known.
	DateOnly bool
}

// Date returns the date-only Time of year, month and day, in UTC.
func Date(year int, month time.Month, day int) Time {
	return Time{Time: time.Date(year, month, day, 0, 0, 0, 0, time.UTC), DateOnly: true}
}

// DayStart returns the first instant of the calendar day year-month-day in
// loc (normalized as [time.Date] normalizes it): its midnight, or, in a zone
// whose clocks skip midnight that day, the end of the hour skipped. Chile,
// Paraguay, Cuba, Egypt, Lebanon and the Azores spring forward at midnight,
// as Iran did until 2022; for such a midnight time.Date gives an instant
// of the day before (23:00 on 6 September 2025 for the 7th in Santiago).
//
// Where the clocks fall back from 01:00 to midnight (Gaza, Amman and Tehran
// have), midnight comes twice, and time.Date gives the second: the day
// begins at the first.
func DayStart(year int, month time.Month, day int, loc *time.Location) time.Time {
	t := time.Date(year, month, day, 0, 0, 0, 0, loc)
	want := time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
	if !sameDate(t, want) {
		// t is in the last zone period of the day before: the day begins
		// where that period ends.
		if _, end := t.ZoneBounds(); !end.IsZero() && sameDate(end, want) {
			return end
		}
		return t
	}
	// A period that began this day, at or after midnight, with the clocks
	// put back: the midnight of the period before came first.
	if begin, _ := t.ZoneBounds(); !begin.IsZero() && sameDate(begin, want) {
		_, before := begin.Add(-time.Nanosecond).Zone()
		if _, now := t.Zone(); before > now {
			if first := t.Add(-time.Duration(before-now) * time.Second); first.Before(begin) && sameDate(first, want) {
				return first
			}
		}
	}
	return t
}

// sameDate reports whether a and b fall on the same calendar day, each in
// its own location.
func sameDate(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// AddDays returns t moved n calendar days: for a date, the day n days on
// (its first instant, [DayStart]); for a date-time, the same clock time n
// days on ([time.Time.AddDate]).
func (t Time) AddDays(n int) Time {
	if !t.DateOnly {
		return Time{Time: t.AddDate(0, 0, n)}
	}
	y, m, d := t.Date()
	return Time{Time: DayStart(y, m, d+n, t.Location()), DateOnly: true}
}

// At returns t as a Time known to the second (or better).
func At(t time.Time) Time { return Time{Time: t} }

// ErrBadTime is returned by [ParseTime] for a value that is neither a date
// nor a date-time with a zone.
var ErrBadTime = errors.New("not a date (2025-10-16) or a date-time with a zone (2025-10-16T09:30:00+02:00)")

// ErrTimeRange is returned for a world time outside the years summit
// accepts (see [Earliest] and [Latest]).
var ErrTimeRange = errors.New("world time out of range")

// Earliest and Latest bound the world times summit accepts: Earliest is the
// first instant accepted, Latest the first refused. Diplomacy before 1800 or
// after 2199 is almost certainly a typo, and the bounds keep every date
// printable in four digits. Every derived time (the end of a proposal's
// window, say) must fall within them too, so that whatever the loader and
// the model accept, every read accepts.
var (
	Earliest = time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC)
	Latest   = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// ParseTime reads a world time: a date (2025-10-16), a day in UTC, or an
// RFC 3339 date-time with a zone (2025-10-16T09:30:00+02:00 or ...Z).
func ParseTime(s string) (Time, error) { return ParseTimeIn(s, time.UTC) }

// ParseTimeIn reads a world time as [ParseTime] does, a date being a day in
// loc.
func ParseTimeIn(s string, loc *time.Location) (Time, error) {
	var t Time
	if len(s) == len(DateLayout) {
		d, err := time.Parse(DateLayout, s)
		if err != nil {
			return Time{}, fmt.Errorf("%q: %w", s, ErrBadTime)
		}
		t = Time{Time: DayStart(d.Year(), d.Month(), d.Day(), loc), DateOnly: true}
	} else {
		d, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return Time{}, fmt.Errorf("%q: %w", s, ErrBadTime)
		}
		t = Time{Time: d}
	}
	if err := t.CheckRange(); err != nil {
		return Time{}, fmt.Errorf("%q: %w", s, err)
	}
	return t, nil
}

// CheckRange reports a time outside [Earliest, Latest), or one whose end
// (the day after, for a date) is past Latest.
func (t Time) CheckRange() error {
	// Most times are days from either bound, and need no End.
	if !t.Before(Earliest) && t.Before(Latest.Add(-48*time.Hour)) {
		return nil
	}
	if t.Before(Earliest) || !t.End().Before(Latest.Add(time.Nanosecond)) {
		return fmt.Errorf("%w (%s to %s)", ErrTimeRange, Earliest.Format(DateLayout), Latest.AddDate(0, 0, -1).Format(DateLayout))
	}
	return nil
}

// In returns t with its day read in loc: a date-only Time becomes the start
// of the same calendar day in loc ([DayStart]); a date-time is unchanged
// (it names an instant whatever the zone).
func (t Time) In(loc *time.Location) Time {
	if !t.DateOnly || loc == nil {
		return t
	}
	y, m, d := t.Date()
	return Time{Time: DayStart(y, m, d, loc), DateOnly: true}
}

// String returns the date, or the RFC 3339 date-time, as [ParseTime] reads it.
func (t Time) String() string { return t.Format(t.layout()) }

// appendString appends [Time.String] to b.
func (t Time) appendString(b []byte) []byte { return t.AppendFormat(b, t.layout()) }

// layout returns the layout t is written in: none for the zero Time.
func (t Time) layout() string {
	switch {
	case t.IsZero():
		return ""
	case t.DateOnly:
		return DateLayout
	}
	return time.RFC3339Nano
}

// Day returns the calendar day t falls on in its own zone, as a date-only
// Time.
func (t Time) Day() Time {
	if t.DateOnly {
		return t
	}
	y, m, d := t.Date()
	return Time{Time: DayStart(y, m, d, t.Location()), DateOnly: true}
}

// End returns the first instant after t: the start of the next day for a
// date (a date lasts all day), the next nanosecond otherwise. An event
// happened by t if its time is before t.End().
func (t Time) End() time.Time {
	if t.DateOnly {
		return t.AddDays(1).Time
	}
	return t.Add(time.Nanosecond)
}

// Precedes reports whether all of t lies before u begins: a date precedes
// u when the day is over by then. Two events of the same day never precede
// one another, whichever gives a time of day.
func (t Time) Precedes(u Time) bool { return !u.Before(t.End()) }

// Compare orders two world times by the instant each begins; a date and a
// date-time at its midnight compare equal.
func (t Time) Compare(u Time) int { return t.Time.Compare(u.Time) }

// MarshalText writes t as [Time.String] does.
func (t Time) MarshalText() ([]byte, error) { return t.appendString(nil), nil }

// MarshalJSON writes t as a JSON string, as [Time.String] does. (Time embeds
// [time.Time], whose own JSON form would lose DateOnly.)
func (t Time) MarshalJSON() ([]byte, error) {
	return appendWorldTime(make([]byte, 0, len(time.RFC3339Nano)+2), t), nil
}

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

// MaxSpanDays is the longest span summit accepts: a proposal "within" more
// than a hundred years is a typo.
const MaxSpanDays = 36_500

// Span is a length of world time in whole days or weeks, as a proposal's
// "within 14d" gives it.
type Span struct {
	Days int
}

// ParseSpan reads a span: a whole number followed by d (days) or w (weeks),
// such as 14d or 2w, of at most [MaxSpanDays] days.
func ParseSpan(s string) (Span, error) {
	bad := func() error { return fmt.Errorf("span %q: want a number of days or weeks, such as 14d or 2w", s) }
	unit := 0
	switch {
	case strings.HasSuffix(s, "d"):
		unit = 1
	case strings.HasSuffix(s, "w"):
		unit = 7
	default:
		return Span{}, bad()
	}
	digits := s[:len(s)-1]
	if digits == "" || len(digits) > 6 {
		return Span{}, bad()
	}
	n := 0
	for _, c := range digits {
		if c < '0' || c > '9' {
			return Span{}, bad()
		}
		n = n*10 + int(c-'0')
	}
	sp := Span{Days: n * unit}
	if err := sp.Check(); err != nil {
		return Span{}, fmt.Errorf("span %q: %w", s, err)
	}
	return sp, nil
}

// Check reports a span shorter than a day or longer than [MaxSpanDays].
func (s Span) Check() error {
	switch {
	case s.Days < 1:
		return errors.New("must be at least one day")
	case s.Days > MaxSpanDays:
		return fmt.Errorf("%dd is longer than the limit of %d days", s.Days, MaxSpanDays)
	}
	return nil
}

// String returns the span in days, as in 14d.
func (s Span) String() string { return strconv.Itoa(s.Days) + "d" }

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

// Check reports a window without both ends, or one that ends before it
// begins.
func (w Window) Check() error {
	if w.From.IsZero() || w.To.IsZero() {
		return errors.New("window needs from and to")
	}
	if !w.From.Before(w.To.End()) {
		return fmt.Errorf("window ends (%s) before it begins (%s)", w.To, w.From)
	}
	return nil
}

// String reads as "2025-10-16 to 2025-10-30".
func (w Window) String() string { return w.From.String() + " to " + w.To.String() }

// Days is the day, or the days, a meeting is scheduled for: From to To, both
// inclusive. A meeting of one day has From equal to To. In a scenario it is
// written "date: 2019-02-27" or "date: {from: 2019-02-27, to: 2019-02-28}".
type Days struct {
	From Time
	To   Time
}

// OneDay returns the Days of the single day (or moment) t.
func OneDay(t Time) Days { return Days{From: t, To: t} }

// IsZero reports whether d names no day.
func (d Days) IsZero() bool { return d.From.IsZero() }

// Single reports whether d is one day.
func (d Days) Single() bool { return d.From.Equal(d.To.Time) && d.From.DateOnly == d.To.DateOnly }

// Check reports days without a beginning, or that end before they begin.
func (d Days) Check() error {
	if d.From.IsZero() || d.To.IsZero() {
		return errors.New("date needs a day, or from and to")
	}
	if !d.From.Before(d.To.End()) {
		return fmt.Errorf("date ends (%s) before it begins (%s)", d.To, d.From)
	}
	return nil
}

// String reads as "2019-02-27", or "2019-02-27 to 2019-02-28".
func (d Days) String() string {
	if d.Single() {
		return d.From.String()
	}
	return d.From.String() + " to " + d.To.String()
}

// MarshalJSON writes one day as a string, several as {"from", "to"}.
func (d Days) MarshalJSON() ([]byte, error) {
	if d.Single() {
		return d.From.MarshalJSON()
	}
	b := append([]byte(`{"from":`), strconv.Quote(d.From.String())...)
	b = append(b, `,"to":`...)
	b = append(b, strconv.Quote(d.To.String())...)
	return append(b, '}'), nil
}

// UnmarshalJSON reads what MarshalJSON writes.
func (d *Days) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var t Time
		if err := t.UnmarshalJSON(b); err != nil {
			return err
		}
		*d = OneDay(t)
		return nil
	}
	var w struct {
		From *Time `json:"from"`
		To   *Time `json:"to"`
	}
	if err := strictDecode(b, &w); err != nil {
		return fmt.Errorf("date: %w", err)
	}
	if w.From == nil || w.To == nil {
		return errors.New("date: want a day, or from and to")
	}
	*d = Days{From: *w.From, To: *w.To}
	return nil
}
