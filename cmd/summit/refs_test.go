package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestAppendCorrectsAnEarlierFilesEvent checks the desk's way of mending
// the record: a file appended later corrects an event that an earlier file
// named with ref (Reykjavik's outcome, which the scenario itself corrected
// once), and a read known at a date before the new correction still sees
// the one before. A file that names a ref the store does not hold, or takes
// one it does, is refused whole at its line.
func TestAppendCorrectsAnEarlierFilesEvent(t *testing.T) {
	data := filepath.Join(t.TempDir(), "store")
	must(t, "replay", "reykjavik-1986", "--data", data)
	outcome := func(args ...string) string {
		t.Helper()
		var b struct {
			Meetings []struct{ Outcome string }
		}
		out := must(t, append([]string{"status", "reykjavik", "--json", "--data", data}, args...)...)
		if err := json.Unmarshal([]byte(out), &b); err != nil || len(b.Meetings) != 1 {
			t.Fatalf("status --json: %v\n%s", err, out)
		}
		return b.Meetings[0].Outcome
	}
	conceded := outcome()
	if !strings.Contains(conceded, "conceded on 27 October") {
		t.Fatalf("the replayed outcome is %q, want the scenario's correction of 27 October", conceded)
	}

	fix := writeFile(t, "fix.yaml", `timeline:
  - reported: 1986-11-03
    corrects: reykjavik-outcome
    event: meeting.ended
    meeting: reykjavik
    outcome: "no agreement, as a later file tells it"
`)
	must(t, "append", fix, "--data", data)
	if got := outcome(); got != "no agreement, as a later file tells it" {
		t.Errorf("after the later file's correction the outcome is %q", got)
	}
	if got := outcome("--known-at", "1986-11-01"); got != conceded {
		t.Errorf("known at 1 November, before the later correction, the outcome is %q, want %q", got, conceded)
	}
	// The same file again appends nothing.
	if _, _, errs := summit(t, "append", fix, "--data", data); !strings.Contains(errs, "nothing appended") {
		t.Errorf("the correction appended again: %s", errs)
	}

	timeline := must(t, "timeline", "--all", "--data", data)
	for _, tc := range []struct{ name, file, want string }{
		{"an unknown ref", `timeline:
  - reported: 1986-11-05
    corrects: no-such-ref
    event: meeting.ended
    meeting: reykjavik
    outcome: "x"
`, `:3: corrects: unknown ref "no-such-ref"`},
		{"a ref taken", `timeline:
  - at: 1986-11-06
    ref: reykjavik-outcome
    event: statement.made
    by: shultz
    about: reykjavik
    stance: noncommittal
`, `:2: ref "reykjavik-outcome": the ref name is taken`},
	} {
		code, out, errs := summit(t, "append", writeFile(t, "bad.yaml", tc.file), "--data", data)
		if code != exitBadInput || out != "" || !strings.Contains(errs, "bad.yaml"+tc.want) {
			t.Errorf("%s: exit %d, want %d and %q\n%s%s", tc.name, code, exitBadInput, tc.want, out, errs)
		}
	}
	if got := must(t, "timeline", "--all", "--data", data); got != timeline {
		t.Error("a refused file changed the timeline")
	}
}
