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
