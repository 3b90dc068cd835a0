package events

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
)

// exactly compares events to the last detail: world and record times by
// instant, precision and zone, slices nil or empty.
var exactly = cmp.Options{
	cmp.Comparer(func(a, b Time) bool { return sameTime(a.Time, b.Time) && a.DateOnly == b.DateOnly }),
	cmp.Comparer(sameTime),
}

// sameTime reports whether a and b are the same instant, read in zones of
// the same name and offset.
func sameTime(a, b time.Time) bool {
	an, ao := a.Zone()
	bn, bo := b.Zone()
	return a.Equal(b) && a.Location().String() == b.Location().String() && an == bn && ao == bo
}

// agree checks that Unmarshal reads b as the strict decoder alone does:
// the same event, or the same error. Where both accept it, Marshal writes
// the event as encoding/json does.
func agree(t *testing.T, b []byte) {
	t.Helper()
	fast, ferr := unmarshal(b, true)
	strict, serr := unmarshal(b, false)
	if (ferr == nil) != (serr == nil) {
		t.Fatalf("fast path: %v; strict decoder: %v\n%q", ferr, serr, b)
	}
	if ferr != nil {
		if ferr.Error() != serr.Error() {
			t.Fatalf("errors differ: fast path %q, strict decoder %q\n%q", ferr, serr, b)
		}
		return
	}
	if diff := cmp.Diff(strict, fast, exactly); diff != "" {
		t.Fatalf("fast path reads otherwise (-strict +fast):\n%s\n%q", diff, b)
	}
	sameBytes(t, fast)
}

// sameBytes checks that Marshal writes e as encoding/json alone does, and
// its payload too.
func sameBytes(t *testing.T, e Event) {
	t.Helper()
	fast, ferr := marshal(nil, e, true)
	slow, serr := marshal(nil, e, false)
	if (ferr == nil) != (serr == nil) || ferr != nil && ferr.Error() != serr.Error() {
		t.Fatalf("fast path: %v; encoding/json: %v", ferr, serr)
	}
	if !bytes.Equal(fast, slow) {
		t.Fatalf("fast path writes\n%s\nencoding/json writes\n%s", fast, slow)
	}
	// Appended to bytes already there, by either path, the same bytes
	// follow them.
	for _, path := range []bool{true, false} {
		prefix := []byte("earlier event")
		got, err := marshal(prefix[:len(prefix):len(prefix)], e, path)
		if ferr == nil && (err != nil || string(got[:len(prefix)]) != string(prefix) || !bytes.Equal(got[len(prefix):], fast)) {
			t.Fatalf("appended (fast path %v): %q (%v), want %q then %q", path, got, err, prefix, fast)
		}
	}
	if e.Payload == nil {
		return
	}
	want, werr := json.Marshal(e.Payload)
	got, gerr := marshalPayload(e.Payload)
	if (werr == nil) != (gerr == nil) || !bytes.Equal(got, want) {
		t.Fatalf("payload: fast path writes %s (%v), encoding/json %s (%v)", got, gerr, want, werr)
	}
}

// forms returns what Marshal writes of the events of the mix, two of
// each kind at least.
func forms(t testing.TB) [][]byte {
	t.Helper()
	seen := map[Kind]int{}
	var out [][]byte
	for _, e := range mixEvents(4000, 7) {
		if seen[e.Kind()] >= 2 && len(out)%25 != 0 {
			continue
		}
		seen[e.Kind()]++
		b, err := Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	for _, s := range Specs() {
		if seen[s.Kind] == 0 {
			t.Fatalf("the mix has no %s", s.Kind)
		}
	}
	return out
}

// edits are changes to a good message, each of which the fast path must
// read as the strict decoder does: most it leaves to it.
var edits = []struct{ name, from, to string }{
	{"unknown envelope field", `"v":2,`, `"v":2,"mood":"tense",`},
	{"unknown aggregate field", `"aggregate":{`, `"aggregate":{"x":1,`},
	{"unknown source field", `"source":{`, `"source":{"x":1,`},
	{"unknown payload field", `"data":{`, `"data":{"weather":"cold",`},
	{"unknown payload field, empty payload", `"data":{}`, `"data":{"weather":"cold"}`},
	{"unknown field in a participant", `"participants":[{`, `"participants":[{"x":1,`},
	{"unknown field in a window", `"window":{`, `"window":{"x":1,`},
	{"unknown field in days", `"date":{`, `"date":{"x":1,`},
	{"days without to", `"date":{`, `"date":{"from":"2025-01-01"},"x":{`},
	{"days in another case", `"date":{"from"`, `"date":{"FROM"`},
	{"a key twice, the same", `"v":2,`, `"v":2,"v":2,`},
	{"a key twice, the last wins", `"v":2,`, `"v":1,"v":2,`},
	{"a key twice, the last differs", `"v":2,`, `"v":2,"v":3,`},
	{"by twice", `"branch":`, `"by":"putin","branch":`},
	{"a payload key twice", `"data":{`, `"data":{"reason":"x","reason":"y",`},
	{"the source twice, the second partial", `"branch":`, `"source":{"note":"n"},"branch":`},
	{"the aggregate twice, the second partial", `"version":`, `"aggregate":{"id":"other"},"version":`},
	{"a window twice, the second partial", `"window":{`, `"window":{"to":"2025-12-31"},"window":{`},
	{"a window twice, the first partial", `"window":{`, `"window":{"from":"2025-01-01"},"window":{`},
	{"participants twice", `"participants":[`, `"participants":[{"party":"ZZZ"},{"party":"YYY"}],"participants":[`},
	{"a key in another case", `"kind"`, `"KIND"`},
	{"a payload key in another case", `"data":{"`, `"data":{"X`},
	{"trailing object", `"}}$`, `"}}{}`},
	{"trailing brace", `}}$`, `}}}`},
	{"trailing bracket", `}}$`, `}}]`},
	{"trailing garbage", `}}$`, `}}x`},
	{"trailing white space", `}}$`, "}} \n\t"},
	{"cut short", `}}$`, `}`},
	{"null data", `"data":{`, `"data":null,"x":{`},
	{"null by", `"branch":`, `"by":null,"branch":`},
	{"null source", `"branch":`, `"source":null,"branch":`},
	{"null reported", `"branch":`, `"reported":null,"branch":`},
	{"an escape", `"branch":"main"`, `"branch":"m\u0061in"`},
	{"an escaped quote", `"branch":"main"`, `"branch":"main","by":"a\"b"`},
	{"invalid UTF-8", `"branch":"main"`, "\"branch\":\"main\",\"party\":\"\xff\""},
	{"a control character", `"branch":"main"`, "\"branch\":\"main\",\"cameo\":\"\x01\""},
	{"a float", `"version":`, `"version":1.0,"version":`},
	{"a negative number", `"version":`, `"version":-1,"version":`},
	{"an exponent", `"v":2`, `"v":2e0`},
	{"a leading zero", `"v":2`, `"v":02`},
	{"a huge number", `"version":`, `"version":123456789012345678901234567890,"version":`},
	{"19 digits", `"version":`, `"version":1234567890123456789,"version":`},
	{"a string for a number", `"v":2`, `"v":"2"`},
	{"a number for a string", `"branch":"main"`, `"branch":1`},
	{"a string for a bool", `"branch":`, `"hypothetical":"true","branch":`},
	{"true", `"branch":`, `"hypothetical":true,"branch":`},
	{"truth", `"branch":`, `"hypothetical":truth,"branch":`},
	{"data an array", `"data":{`, `"data":[{`},
	{"white space", `,"data":`, ` , "data" : `},
	{"a newline in a string", `"branch":"main"`, "\"branch\":\"ma\nin\""},
	{"another version", `"v":2`, `"v":3`},
	{"version 1", `"v":2`, `"v":1`},
	{"an unknown kind", `"kind":"`, `"kind":"x`},
	{"a bad date", `"at":"2025-`, `"at":"2025-13-`},
	{"the 30th of February", `"at":"2025-`, `"at":"2024-02-30","x":"`},
	{"a date out of range", `"at":"2025-`, `"at":"1799-12-31","x":"`},
	{"a date-time", `"at":"2025-`, `"at":"2025-10-16T09:30:00+02:00","x":"`},
	{"a bad record time", `"recorded":"2026`, `"recorded":"1926`},
	{"a bad id", `"id":"`, `"id":"x`},
	{"an id in braces", `"causation":"`, `"x":"`},
	{"a zone", `"v":2,`, `"v":2,"tz":"Asia/Tokyo",`},
	{"an unknown zone", `"v":2,`, `"v":2,"tz":"Mars/Olympus",`},
	{"a bad span", `"within":"`, `"within":"0`},
	{"a span in weeks", `"within":"`, `"within":"2w","x":"`},
	{"an empty list", `"participants":[`, `"participants":[],"x":[`},
	{"a list cut short", `"participants":[`, `"participants":[}`},
	{"a trailing comma", `"participants":[{`, `"participants":[{"party":"X"},]`},
	{"an empty object", `"data":{`, `"data":{},"x":{`},
	{"a trailing comma in an object", `"aggregate":{`, `"aggregate":{"type":"meeting",}`},
	{"the data first", ``, ``},
}

// apply makes an edit of a good message; "" if it does not apply.
func apply(b []byte, from, to string) string {
	s := string(b)
	if from == "" {
		i := strings.Index(s, `,"data":`)
		return `{"data":` + s[i+len(`,"data":`):len(s)-1] + "," + s[1:i] + "}"
	}
	if strings.HasSuffix(from, "$") {
		from = strings.TrimSuffix(from, "$")
		if !strings.HasSuffix(s, from) {
			return ""
		}
		return strings.TrimSuffix(s, from) + to
	}
	if !strings.Contains(s, from) {
		return ""
	}
	return strings.Replace(s, from, to, 1)
}

func TestFastPathAgrees(t *testing.T) {
	for _, b := range forms(t) {
		agree(t, b)
		for _, e := range edits {
			if in := apply(b, e.from, e.to); in != "" {
				agree(t, []byte(in))
			}
		}
		for _, n := range []int{1, len(b) / 2, len(b) - 1} {
			agree(t, b[:n])
		}
	}
	v1 := `{"v":1,"id":"0199f0a2-0000-7000-8000-000000000001","kind":"meeting.scheduled","aggregate":{"type":"meeting","id":"m"},"version":3,"at":"2025-10-16","recorded":"2026-11-25T16:00:00Z","by":"trump","party":"USA","branch":"main","cameo":"036","data":{"date":"2025-10-30","venue":"Budapest"}}`
	agree(t, []byte(v1))
}

// TestFastPathReads checks that the fast path reads, itself, what Marshal
// writes of every kind, but for strings with escapes, which it leaves to
// encoding/json.
func TestFastPathReads(t *testing.T) {
	seen := map[Kind]bool{}
	for _, b := range forms(t) {
		var w wire
		p, ok := fastUnmarshal(b, &w)
		if bytes.Contains(b, []byte(`\`)) {
			continue
		}
		if !ok {
			t.Fatalf("the fast path leaves to encoding/json what Marshal writes: %s", b)
		}
		seen[p.Kind()] = true
		if !localizePayload(p, time.UTC) {
			t.Errorf("localizePayload does not know %s", p.Kind())
		}
	}
	for _, s := range Specs() {
		if !seen[s.Kind] {
			t.Errorf("the fast path read no %s", s.Kind)
		}
	}
}

func TestFastMarshalAgrees(t *testing.T) {
	for _, e := range mixEvents(2000, 3) {
		sameBytes(t, e)
		e.Hypothetical, e.Branch = true, "what-if"
		e.Source = nil
		e.CausationID, e.CorrelationID = uuid.Nil, uuid.Nil
		sameBytes(t, e)
		e.Source = &Source{Quote: "<b>\"Ja\" & nein</b>\u2028\u2029\t\b\f\r\n\x01\x7f \xff\xfe end", Note: "ü", Outlet: "\\"}
		e.Recorded = time.Date(2026, 1, 2, 3, 4, 5, 600, time.FixedZone("X", 3600))
		sameBytes(t, e)
	}
	// Empty and nil lists, which encoding/json writes differently, and
	// times it writes in full.
	within := Span{Days: 700}
	until := At(time.Date(2025, 10, 16, 9, 30, 0, 1, time.FixedZone("", -5*3600)))
	for _, p := range []Payload{
		&CallHeld{Participants: []string{"a", "b"}, Topics: []string{}},
		&CallHeld{Participants: []string{"a", "b"}, Topics: []string{""}},
		&MeetingDeclared{Title: "t", Participants: []Participant{{Party: "A"}}},
		&ParticipantsChanged{Add: []Participant{}, Remove: []Participant{{Party: "A"}}},
		&MeetingProposed{Within: &within},
		&MeetingPostponed{Until: &until},
		&MeetingScheduled{Date: Days{From: until, To: At(until.Add(time.Hour))}},
		&MeetingEnded{Early: true},
	} {
		sameBytes(t, sample(p, Meeting("m")))
	}
	// A record time encoding/json refuses, and payloads the fast path does
	// not know.
	e := sample(&MeetingFloated{}, Meeting("m"))
	e.Recorded = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	sameBytes(t, e)
	if b, ok := fastMarshal(nil, &wire{Recorded: e.Recorded}, &MeetingFloated{}); ok {
		t.Errorf("fast path wrote a record time encoding/json refuses: %s", b)
	}
	var nilHeld *MeetingHeld
	for _, p := range []Payload{nilHeld, unknownPayload{}} {
		if b, ok := appendPayload(nil, p); ok {
			t.Errorf("appendPayload(%T) = %s, want false", p, b)
		}
	}
}

type unknownPayload struct{}

func (unknownPayload) Kind() Kind      { return "x" }
func (unknownPayload) Validate() error { return nil }
func (unknownPayload) Summary() string { return "" }

// FuzzFastPath checks that the fast path never accepts what the strict
// decoder refuses, nor reads anything otherwise, and that Marshal writes
// what it reads as encoding/json does. Its seeds under
// testdata/fuzz/FuzzFastPath are messages of every kind and edits of them
// that the fast path must leave to encoding/json.
func FuzzFastPath(f *testing.F) {
	for i, b := range forms(f) {
		if i%4 == 0 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) { agree(t, b) })
}

// FuzzFastMarshal checks that the fast path writes what encoding/json
// writes, whatever the strings hold.
func FuzzFastMarshal(f *testing.F) {
	f.Add("Wir brauchen Vorbereitung", "ntv.de", "<&>", "Budapest", int64(0))
	f.Add("\x00\xff\u2029\"\\", "", "\t", "x", int64(1_000_000_123))
	f.Fuzz(func(t *testing.T, quote, outlet, note, venue string, nanos int64) {
		for _, p := range []Payload{
			&StatementMade{About: "m", Stance: StanceOpposed, Claim: "held", Quote: quote},
			&MeetingHeld{Venue: venue, Outcome: note},
			&CallHeld{Participants: []string{"a", "b"}, Tone: quote, Topics: []string{note, venue}},
			&PositionStated{Issue: outlet, Position: quote},
			&MeetingDeclared{Title: venue, Participants: []Participant{{Person: "p", Party: "P"}}},
		} {
			e := sample(p, Meeting("m"))
			e.Source = &Source{ID: venue, Outlet: outlet, Note: note, Quote: quote}
			e.Recorded = time.Unix(0, nanos).In(time.FixedZone("", 3600))
			sameBytes(t, e)
		}
	})
}

// TestGeneratedUpToDate checks that codec_fast.go is what go generate
// writes from the kinds table today.
func TestGeneratedUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the generator")
	}
	out := filepath.Join(t.TempDir(), "codec_fast.go")
	cmd := exec.Command("go", "run", "-tags", "codecgen", "./internal/codecgen", "-o", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run ./internal/codecgen: %v\n%s", err, b)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("codec_fast.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("codec_fast.go is not what internal/codecgen writes from the kinds table: run go generate ./events")
	}
}

// TestParseWorldTime holds the fast path's reading of a world time to
// ParseTime's.
func TestParseWorldTime(t *testing.T) {
	ins := []string{
		"2025-10-16", "1800-01-01", "1799-12-31", "2199-12-31", "2200-01-01", "0000-01-01", "9999-12-31",
		"2024-02-29", "2025-02-29", "2025-02-28", "2025-04-31", "2025-12-31", "2025-13-01", "2025-00-10",
		"2025-01-00", "2025-1-016", "+025-10-16", "-025-10-16", "2025/10/16", "2025-10-1a", " 025-10-16",
		"2025-10-16T09:30:00+02:00", "2025-10-16T09:30:00Z", "2199-12-31T23:59:59.999999999Z",
		"2200-01-01T00:00:00Z", "2025-10-16T09:30:00", "", "x",
		"2025-10-16T9:30:00Z", "2025-10-16T09:30:00,5Z", "2025-10-16T09:30:00.5+01:00", "2025-10-16t09:30:00z",
		"2025-10-16T09:30:00+24:00", "2025-10-16T09:30:60Z", "2025-10-16T24:00:00Z", "2025-10-16T09:30:00.Z",
		"1799-12-31T23:59:59-01:00", "2199-12-30T23:59:59+14:00",
	}
	for _, in := range ins {
		want, werr := ParseTime(in)
		got, ok := parseWorldTime([]byte(in))
		if ok != (werr == nil) {
			t.Errorf("%q: fast path ok %v, ParseTime %v", in, ok, werr)
			continue
		}
		if ok && (!sameTime(got.Time, want.Time) || got.DateOnly != want.DateOnly) {
			t.Errorf("%q: fast path %v, ParseTime %v", in, got, want)
		}
	}
}
