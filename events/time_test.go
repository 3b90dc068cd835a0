package events

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	tests := []struct {
		in       string
		want     time.Time
		dateOnly bool
		err      bool
	}{
		{in: "2025-10-16", want: time.Date(2025, 10, 16, 0, 0, 0, 0, time.UTC), dateOnly: true},
		{in: "2025-10-16T09:30:00+02:00", want: time.Date(2025, 10, 16, 7, 30, 0, 0, time.UTC)},
		{in: "2025-10-16T09:30:00Z", want: time.Date(2025, 10, 16, 9, 30, 0, 0, time.UTC)},
		{in: "2025-10-16T09:30:00", err: true}, // no zone
		{in: "16.10.2025", err: true},
		{in: "2025-13-01", err: true},
		{in: "2025-02-30", err: true},
		{in: "1066-10-14", err: true}, // out of range
		{in: "9999-12-31", err: true},
		{in: "", err: true},
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.in)
		if tt.err {
			if err == nil {
				t.Errorf("ParseTime(%q) = %v, want an error", tt.in, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseTime(%q): %v", tt.in, err)
			continue
		}
		if !got.Equal(tt.want) || got.DateOnly != tt.dateOnly {
			t.Errorf("ParseTime(%q) = %v (date only %v), want %v (%v)", tt.in, got, got.DateOnly, tt.want, tt.dateOnly)
		}
		if got.String() != tt.in && tt.dateOnly {
			t.Errorf("ParseTime(%q).String() = %q", tt.in, got.String())
		}
	}
}

func TestTimeEnd(t *testing.T) {
	d := Date(2025, 10, 30)
	if got, want := d.End(), time.Date(2025, 10, 31, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("date End = %v, want %v (a date lasts the whole day)", got, want)
	}
	at := At(time.Date(2025, 10, 30, 14, 0, 0, 0, time.UTC))
	if got := at.End(); !got.After(at.Time) || got.Sub(at.Time) != time.Nanosecond {
		t.Errorf("date-time End = %v, want one nanosecond after %v", got, at)
	}
}

// TestDaysWhoseMidnightIsSkipped holds the days of zones that spring
// forward at midnight to their first instant: the end of the hour skipped,
// where time.Date gives 23:00 of the day before. A date of such a day
// reads back as itself, ends at the next day's start, and the day before
// ends where it begins.
func TestDaysWhoseMidnightIsSkipped(t *testing.T) {
	tests := []struct {
		zone, date string
		start      string // RFC 3339, in the zone
	}{
		{"America/Santiago", "2025-09-07", "2025-09-07T01:00:00-03:00"},
		{"Africa/Cairo", "2024-04-26", "2024-04-26T01:00:00+03:00"},
		{"America/Havana", "2025-03-09", "2025-03-09T01:00:00-04:00"},
		{"Asia/Beirut", "2025-03-30", "2025-03-30T01:00:00+03:00"},
		{"Asia/Tehran", "2021-03-22", "2021-03-22T01:00:00+04:30"},
		{"Atlantic/Azores", "2025-03-30", "2025-03-30T01:00:00+00:00"},
		// Days with their midnight, for comparison.
		{"America/Santiago", "2025-09-08", "2025-09-08T00:00:00-03:00"},
		{"Europe/Berlin", "2025-03-30", "2025-03-30T00:00:00+01:00"}, // forward at 02:00
		{"UTC", "2025-10-16", "2025-10-16T00:00:00Z"},
	}
	for _, tt := range tests {
		loc, err := time.LoadLocation(tt.zone)
		if err != nil {
			t.Fatal(err)
		}
		want, err := time.Parse(time.RFC3339, tt.start)
		if err != nil {
			t.Fatal(err)
		}
		d, err := ParseTimeIn(tt.date, loc)
		if err != nil {
			t.Fatalf("%s in %s: %v", tt.date, tt.zone, err)
		}
		if !d.Equal(want) || !d.DateOnly {
			t.Errorf("%s in %s starts at %s, want %s", tt.date, tt.zone, d.Time.Format(time.RFC3339), tt.start)
		}
		if got := d.String(); got != tt.date {
			t.Errorf("%s in %s reads back as %s", tt.date, tt.zone, got)
		}
		if err := midnight(d, loc); err != nil {
			t.Errorf("%s in %s: %v", tt.date, tt.zone, err)
		}
		before := d.AddDays(-1)
		if got := before.End(); !got.Equal(want) {
			t.Errorf("the day before %s in %s ends at %s, want %s", tt.date, tt.zone, got.Format(time.RFC3339), tt.start)
		}
		if got, next := d.End(), d.AddDays(1); !got.Equal(next.Time) || next.String() == tt.date {
			t.Errorf("%s in %s ends at %s; the next day is %s", tt.date, tt.zone, got.Format(time.RFC3339), next)
		}
		if y, m, day := d.Date(); !Date(y, m, day).In(loc).Equal(want) {
			t.Errorf("the UTC date %s read in %s is not %s", tt.date, tt.zone, tt.start)
		}
	}
}

// TestEveryDayStartsOnItself holds DayStart to its promise on every day
// from 1970 to 2040 in zones with clock changes at or near midnight, with
// half-hour offsets, or with none: the instant is on the day asked for,
// the instant before it is on the day before, and a date reads back as
// itself.
func TestEveryDayStartsOnItself(t *testing.T) {
	zones := []string{"UTC", "America/Santiago", "America/Asuncion", "America/Havana", "Africa/Cairo",
		"Asia/Beirut", "Asia/Tehran", "Atlantic/Azores", "Asia/Gaza", "America/Sao_Paulo",
		"Europe/Berlin", "America/New_York", "Asia/Kathmandu", "Australia/Lord_Howe", "Asia/Damascus",
		"America/Scoresbysund", "Asia/Amman", "Europe/Moscow", "Asia/Tokyo", "Pacific/Chatham"}
	for _, zone := range zones {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		bad := 0
		for day := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC); day.Year() < 2041 && bad < 3; day = day.AddDate(0, 0, 1) {
			y, m, d := day.Date()
			start := DayStart(y, m, d, loc)
			if !sameDate(start, day) || sameDate(start.Add(-time.Nanosecond), day) {
				t.Errorf("%s: %s starts at %s, and the instant before is %s", zone, day.Format(DateLayout),
					start.Format(time.RFC3339), start.Add(-time.Nanosecond).Format(time.RFC3339Nano))
				bad++
				continue
			}
			if got, err := ParseTimeIn(day.Format(DateLayout), loc); err != nil || got.String() != day.Format(DateLayout) {
				t.Errorf("%s: %s reads back as %s (%v)", zone, day.Format(DateLayout), got, err)
				bad++
			}
		}
	}
}

func TestParseSpan(t *testing.T) {
	tests := []struct {
		in   string
		days int
	}{
		{"14d", 14}, {"2w", 14}, {"1d", 1},
		{"0d", 0}, {"d", 0}, {"14", 0}, {"-3d", 0}, {"1.5w", 0}, {"14days", 0}, {"9999999d", 0},
	}
	for _, tt := range tests {
		got, err := ParseSpan(tt.in)
		if tt.days == 0 {
			if err == nil {
				t.Errorf("ParseSpan(%q) = %v, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got.Days != tt.days {
			t.Errorf("ParseSpan(%q) = %v, %v; want %d days", tt.in, got, err, tt.days)
		}
	}
}

func TestCheckName(t *testing.T) {
	good := []string{"budapest-summit", "USA", "rubio_lavrov-prep", "g7", "2025-summit"}
	// Each bad name, and what its error names: the character refused.
	bad := []struct{ name, says string }{
		{"", "empty"},
		{"a.b", `'.' is not allowed`},
		{"*", `'*' is not allowed`},
		{">", `'>' is not allowed`},
		{"a b", `' ' is not allowed`},
		{"-lead", `it begins with '-'`},
		{"_lead", `it begins with '_'`},
		{"a/b", `'/' is not allowed`},
		{"Zürich", `'ü' is not allowed; use ASCII letters`},
		{string(make([]byte, MaxNameLen+1)), "longer than 64 bytes"},
	}
	for _, s := range good {
		if err := CheckName(s); err != nil {
			t.Errorf("CheckName(%q) = %v, want nil", s, err)
		}
	}
	for _, tt := range bad {
		err := CheckName(tt.name)
		if !errors.Is(err, ErrBadName) || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("CheckName(%q) = %v, want ErrBadName saying %s", tt.name, err, tt.says)
		}
	}
}

func TestPrecedes(t *testing.T) {
	at := func(h int) Time { return At(time.Date(2025, 10, 16, h, 0, 0, 0, time.UTC)) }
	tests := []struct {
		t, u Time
		want bool
	}{
		{Date(2025, 10, 15), Date(2025, 10, 16), true},
		{Date(2025, 10, 16), Date(2025, 10, 16), false},
		{Date(2025, 10, 16), at(9), false}, // the same day: file order stands
		{at(9), Date(2025, 10, 16), false},
		{at(8), at(9), true},
		{at(9), at(9), false},
		{Date(2025, 10, 17), at(9), false},
	}
	for _, tt := range tests {
		if got := tt.t.Precedes(tt.u); got != tt.want {
			t.Errorf("%s.Precedes(%s) = %v, want %v", tt.t, tt.u, got, tt.want)
		}
	}
}

// TestSpanLimit checks that a span the loader accepts is one the codec
// writes and reads back: 14286w was once accepted and stored as 100002d,
// which no read accepted.
func TestSpanLimit(t *testing.T) {
	for _, in := range []string{"14286w", "36501d", "5300w"} {
		if s, err := ParseSpan(in); err == nil {
			t.Errorf("ParseSpan(%q) = %v, want an error", in, s)
		}
	}
	s, err := ParseSpan("5214w")
	if err != nil {
		t.Fatal(err)
	}
	var back Span
	if err := back.UnmarshalText([]byte(s.String())); err != nil || back != s {
		t.Errorf("%s reads back as %v, %v", s, back, err)
	}
}

// TestTimeJSON checks that a time is written as the JSON string of its
// String, date-only or not, in any zone, and reads back the same.
func TestTimeJSON(t *testing.T) {
	kolkata := time.FixedZone("IST", 5*3600+30*60)
	for _, tc := range []struct {
		in   Time
		want string
	}{
		{Time{}, `""`},
		{Date(2025, time.October, 28), `"2025-10-28"`},
		{At(time.Date(2025, time.October, 28, 9, 30, 0, 0, time.UTC)), `"2025-10-28T09:30:00Z"`},
		{At(time.Date(2025, time.October, 28, 9, 30, 0, 123456789, time.UTC)), `"2025-10-28T09:30:00.123456789Z"`},
		{At(time.Date(2025, time.October, 28, 9, 30, 0, 0, kolkata)), `"2025-10-28T09:30:00+05:30"`},
		{At(time.Date(1986, time.October, 11, 10, 0, 0, 0, time.FixedZone("", -3600))), `"1986-10-11T10:00:00-01:00"`},
	} {
		got, err := json.Marshal(tc.in)
		if err != nil {
			t.Fatalf("%v: %v", tc.in, err)
		}
		if string(got) != tc.want || string(got) != strconv.Quote(tc.in.String()) {
			t.Errorf("json of %v = %s, want %s, the quoted String", tc.in, got, tc.want)
		}
		text, _ := tc.in.MarshalText()
		if string(text) != tc.in.String() {
			t.Errorf("text of %v = %s, want its String", tc.in, text)
		}
		if tc.in.IsZero() {
			continue
		}
		var back Time
		if err := json.Unmarshal(got, &back); err != nil || !back.Equal(tc.in.Time) || back.DateOnly != tc.in.DateOnly {
			t.Errorf("%s reads back as %v (%v), want %v", got, back, err, tc.in)
		}
	}
}

func TestNearest(t *testing.T) {
	kinds := []string{"meeting.proposed", "meeting.postponed", "meeting.held", "statement.made"}
	keys := []string{"at", "by", "event", "meeting", "reason", "until"}
	tests := []struct {
		w     string
		words []string
		want  string // "" for none
	}{
		{"meeting.postpone", kinds, "meeting.postponed"},  // a letter dropped
		{"meeting.postopned", kinds, "meeting.postponed"}, // two swapped
		{"meeting.hled", kinds, "meeting.held"},
		{"statment.made", kinds, "statement.made"},
		{"meeting.cancelled", kinds, ""}, // far from each
		{"evnt", keys, "event"},
		{"meetin", keys, "meeting"},
		{"untill", keys, "until"},
		{"ta", keys, "at"},
		{"to", keys, ""},    // two changes in a short word: no guess
		{"venue", keys, ""}, // a word of its own
		{"event", keys, ""}, // the word itself is no mistake
		{"budapest-sumit", []string{"alaska-summit", "budapest-summit"}, "budapest-summit"},
		{"x", nil, ""},
	}
	for _, tt := range tests {
		got, ok := Nearest(tt.w, tt.words)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("Nearest(%q) = %q, %v; want %q", tt.w, got, ok, tt.want)
		}
	}
}
