package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestDeadlineDayInAZoneEastOfUTC: a meeting of a scenario in Tokyo's days
// is due on the test's today, 1 November. Every read of that day says it is
// not overdue (its deadline's day is not over), whichever way it is made:
// the board replay prints (a fold), status (the stored views), status as of
// that date, and explain; as of the 2nd, it is. The fold used to judge the
// deadline by the end of UTC's 1 November, nine hours after Tokyo's, and
// said "overdue YES" on the deadline's own day, where status said no.
func TestDeadlineDayInAZoneEastOfUTC(t *testing.T) {
	data := filepath.Join(t.TempDir(), "store")
	scenario := writeFile(t, "tokyo.yaml", `name: tokyo
title: Days of Tokyo
timezone: Asia/Tokyo
parties:
  USA: {name: United States}
  JPN: {name: Japan}
people:
  trump: {name: Donald Trump, party: USA}
  takaichi: {name: Sanae Takaichi, party: JPN}
meetings:
  tokyo: {title: A Tokyo meeting, participants: [trump, takaichi]}
timeline:
  - {at: 2025-10-25, event: meeting.proposed, meeting: tokyo, by: trump, within: 7d}
`)
	const notYet, passed = "overdue       no, deadline 2025-11-01", "overdue       YES, deadline 2025-11-01"
	for _, tc := range []struct {
		name string
		out  string
		want string
	}{
		{"replay", must(t, "replay", scenario, "--data", data), notYet},
		{"status", must(t, "status", "--data", data), notYet},
		{"status --as-of 2025-11-01", must(t, "status", "--as-of", "2025-11-01", "--data", data), notYet},
		{"status --as-of 2025-11-02", must(t, "status", "--as-of", "2025-11-02", "--data", data), passed},
	} {
		if !strings.Contains(tc.out, tc.want) {
			t.Errorf("%s: want %q in\n%s", tc.name, tc.want, tc.out)
		}
	}
	if out := must(t, "explain", "tokyo", "--data", data); strings.Contains(out, "deadline.passed") {
		t.Errorf("explain as of the deadline's day shows it passed:\n%s", out)
	}
	if out := must(t, "explain", "tokyo", "--as-of", "2025-11-02", "--data", data); !strings.Contains(out, "2025-11-02 deadline.passed") {
		t.Errorf("explain as of the 2nd does not show the deadline passing that day:\n%s", out)
	}
}

// TestADayWithoutItsMidnight: in a zone that springs forward at midnight
// (Santiago on 7 September 2025: its clocks went from 23:59:59 on the 6th
// to 01:00 on the 7th), an event dated that day is appended and read as
// that day, and a deadline counts it as a whole day. The append was
// refused ("the date 2025-09-06 is 2025-09-07T03:00:00Z, not the start of a
// day"), after the file's earlier commands had landed.
func TestADayWithoutItsMidnight(t *testing.T) {
	data := filepath.Join(t.TempDir(), "store")
	scenario := writeFile(t, "santiago.yaml", `name: santiago
title: Days of Santiago
timezone: America/Santiago
parties:
  CHL: {name: Chile}
  ARG: {name: Argentina}
people:
  boric: {name: Gabriel Boric, party: CHL}
  milei: {name: Javier Milei, party: ARG}
meetings:
  talks: {title: Border talks, participants: [boric, milei]}
timeline:
  - {at: 2025-09-01, event: meeting.proposed, meeting: talks, by: boric, within: 6d}
  - {at: 2025-09-07, event: statement.made, by: milei, about: talks, stance: supportive}
`)
	must(t, "replay", scenario, "--data", data)
	if out := must(t, "timeline", "--data", data); !strings.Contains(out, "2025-09-07  statement.made") {
		t.Errorf("the timeline does not date the statement 2025-09-07:\n%s", out)
	}
	for _, tc := range []struct{ asOf, want string }{
		{"2025-09-07", "overdue       no, deadline 2025-09-07"},
		{"2025-09-08", "overdue       YES, deadline 2025-09-07"},
	} {
		if out := must(t, "status", "--as-of", tc.asOf, "--timezone", "America/Santiago", "--data", data); !strings.Contains(out, tc.want) {
			t.Errorf("status as of %s: want %q in\n%s", tc.asOf, tc.want, out)
		}
	}
}
