package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/natstest"
	"github.com/summit-model/summit/scenarios"
)

// cast is the head of a scenario file: lines 1 to 9.
const cast = `name: bad
parties:
  USA: {name: United States}
  RUS: {name: Russia}
people:
  trump: {name: Donald Trump, party: USA}
  putin: {name: Vladimir Putin, party: RUS}
meetings:
  summit: {title: A summit, participants: [trump, putin]}
`

// TestReplayRefusesBadInputWhole replays files that are wrong in each of
// the ways a hostile or mistaken file can be: each is refused with exit
// status 2 and an error naming the file and the line, and the store holds
// nothing of it afterwards, neither an event nor a record of the scenario.
func TestReplayRefusesBadInputWhole(t *testing.T) {
	entry := func(s string) string { return cast + "timeline:\n" + s }
	tests := []struct {
		name string
		src  string
		want string // after "FILE"
	}{
		{"too large", strings.Repeat("#", scenarios.MaxFileSize+1), ": the file is larger than the limit of 8 MiB"},
		{"nested too deep", "name: bad\ntitle: " + strings.Repeat("[", 100_000) + "\n", ":2: nested more than 16 levels deep"},
		{"a huge string", "name: bad\ntitle: " + strings.Repeat("x", 1<<20) + "\n", ":2: a string of 1048576 bytes"},
		{"a date out of range", entry("  - {at: 2200-01-01, event: meeting.floated, meeting: summit, by: trump}\n"), `:11: at: "2200-01-01": world time out of range`},
		{"a meeting declared twice", cast + "  summit: {title: Again, participants: [trump]}\n", `:10: meetings: key "summit" given twice`},
		{"a dot in a meeting id", cast + "  summit.x: {title: X, participants: [trump]}\n", `:10: meeting id: bad name "summit.x"`},
		{"a wildcard party", strings.Replace(cast, "  RUS: {name: Russia}", "  '*': {name: Russia}", 1), `:4: party id: bad name "*"`},
		{"a space in a person id", strings.Replace(cast, "  putin:", "  'vladimir putin':", 1), `:7: person id: bad name "vladimir putin"`},
		{"a scenario name with '>'", strings.Replace(cast, "name: bad", "name: 'bad.>'", 1), `:1: name: bad name "bad.>"`},
		{"a precondition id with a leading '-'", entry("  - {at: 2025-10-16, event: precondition.added, meeting: summit, precondition: '-p'}\n"), `:11: precondition.added: precondition: bad name "-p"`},
		{"a precondition added twice", entry("  - {at: 2025-10-16, event: precondition.added, meeting: summit, precondition: p}\n  - {at: 2025-10-17, event: precondition.added, meeting: summit, precondition: p}\n"),
			":12: meeting summit (declared) refuses precondition.added: precondition already added: p"},
		{"held after it was cancelled", entry("  - {at: 2025-10-16, event: meeting.proposed, meeting: summit, by: trump}\n  - {at: 2025-10-22, event: meeting.cancelled, meeting: summit, by: trump}\n  - {at: 2025-10-30, event: meeting.held, meeting: summit}\n"),
			":13: meeting summit (cancelled) refuses meeting.held: the meeting is final"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "bad.yaml")
			if err := os.WriteFile(file, []byte(tt.src), 0o644); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			code, out, errs := summit(t, "replay", file, "--data", dir)
			if code != exitBadInput {
				t.Fatalf("exit %d, want %d\n%s", code, exitBadInput, errs)
			}
			if !strings.Contains(errs, file+tt.want) {
				t.Errorf("stderr:\n%s\nwant %q", errs, file+tt.want)
			}
			if out != "" {
				t.Errorf("a refused file printed a board:\n%s", out)
			}
			// Nothing of the file is in the store.
			js := natstest.JetStream(t, natstest.StartIn(t, dir))
			ctx := context.Background()
			for _, stream := range []string{eventlog.StreamName, "KV_" + scenarios.RecordBucket} {
				s, err := js.Stream(ctx, stream)
				if errors.Is(err, jetstream.ErrStreamNotFound) {
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				if n := s.CachedInfo().State.Msgs; n != 0 {
					t.Errorf("stream %s holds %d messages after a refused replay", stream, n)
				}
			}
		})
	}
}
