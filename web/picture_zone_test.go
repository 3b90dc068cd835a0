package web_test

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/scenarios"
)

// hanoi is a meeting whose days are Hanoi's (UTC+7): proposed on 6
// February, accepted at 00:15 on the 28th, Hanoi time, which is still the
// 27th in UTC.
const hanoi = `name: hanoi-zone
timezone: Asia/Ho_Chi_Minh
parties:
  PRK: {name: North Korea}
people:
  kim: {name: Kim Jong Un, party: PRK}
meetings:
  hanoi: {title: The Hanoi summit, participants: [trump, kim]}
timeline:
  - at: 2019-02-06
    event: meeting.proposed
    meeting: hanoi
    by: trump
  - at: 2019-02-28T00:15:00+07:00
    event: meeting.accepted
    meeting: hanoi
    by: kim
`

// The timeline picture lays its days in the meeting's zone: each mark
// stands between the tick of the day its story gives it and the next.
func TestPictureDaysAreTheMeetingsDays(t *testing.T) {
	r := newRig(t)
	sc, err := scenarios.Load("hanoi.yaml", []byte(hanoi), scenarios.ScenarioFile)
	if err != nil {
		t.Fatal(err)
	}
	r.record(eventlog.Main(), sc)
	_, hs := r.serve()
	resp, body := get(t, hs.URL, "/api/meetings/hanoi/timeline.svg?as_of=2019-03-01", "")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	ticks := map[string]float64{}
	for _, m := range regexp.MustCompile(`<text x="([0-9.]+)" y="\d+" text-anchor="middle" stroke="none">([A-Z][a-z]+ \d+)</text>`).FindAllSubmatch(body, -1) {
		ticks[string(m[2])], _ = strconv.ParseFloat(string(m[1]), 64)
	}
	marks := map[string]float64{}
	for _, m := range regexp.MustCompile(`<g class="mark" data-kind="([a-z.]+)" data-seq="\d+"><title>[^<]*</title><circle cx="([0-9.]+)"`).FindAllSubmatch(body, -1) {
		marks[string(m[1])], _ = strconv.ParseFloat(string(m[2]), 64)
	}
	for _, tt := range []struct {
		kind, day, next string
	}{
		{"meeting.proposed", "Feb 6", "Feb 8"},
		{"meeting.accepted", "Feb 28", ""},
	} {
		x, ok := marks[tt.kind]
		if !ok {
			t.Fatalf("no mark of %s in %s", tt.kind, body)
		}
		from, ok := ticks[tt.day]
		if !ok {
			t.Fatalf("no tick %q among %v", tt.day, ticks)
		}
		to, ok := ticks[tt.next]
		if tt.next == "" {
			to, ok = 1e9, true
		}
		if !ok {
			t.Fatalf("no tick %q among %v", tt.next, ticks)
		}
		if x <= from || x >= to {
			t.Errorf("the %s mark at x=%.1f, want on %s, between %.1f and %.1f (ticks %v)", tt.kind, x, tt.day, from, to, ticks)
		}
	}
}
