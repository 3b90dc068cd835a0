package main

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestWordsAndCounts checks what the verbs say of what they did, as a
// newcomer reads it (issue 15, items 5, 6 and 8): counts with the right
// plural, a skipped append that says so in JSON, the message of an empty
// file, explain's label of a dated read, quotes without escapes, timeline
// columns that do not run into each other, and every bad key of an entry
// reported.
func TestWordsAndCounts(t *testing.T) {
	data := filepath.Join(t.TempDir(), "store")
	code, _, errs := summit(t, "replay", "budapest-2025", "--data", data)
	if code != exitOK || !strings.Contains(errs, ": 24 events appended to the store in "+data+"\n") {
		t.Errorf("replay: exit %d\n%s", code, errs)
	}
	st := statement(t, "putin", "postponed", 23)
	if code, _, errs := summit(t, "append", st, "--data", data); code != exitOK || !strings.Contains(errs, ": 1 event appended to ") {
		t.Errorf("append of one event: exit %d\n%s", code, errs)
	}

	t.Run("a skipped append in JSON", func(t *testing.T) {
		var got map[string]any
		if err := json.Unmarshal([]byte(must(t, "append", st, "--data", data, "--json")), &got); err != nil {
			t.Fatal(err)
		}
		if got["events"] != 0.0 || got["known"] != 1.0 || got["skipped"] != nil {
			t.Errorf("append --json of a file on record: %v; want events 0 (appended), known 1, no \"skipped\"", got)
		}
	})
	t.Run("an empty file", func(t *testing.T) {
		// An event file needs no name; a scenario does.
		for verb, want := range map[string]string{
			"append": "the file is empty: an event file needs a timeline\n",
			"replay": "the file is empty: a scenario needs at least a name and a timeline\n",
		} {
			code, _, errs := summit(t, verb, writeFile(t, "empty.yaml", "\n# nothing\n"), "--data", data)
			if code != exitBadInput || !strings.HasSuffix(errs, want) {
				t.Errorf("%s of an empty file: exit %d\n%s", verb, code, errs)
			}
		}
	})
	t.Run("explain's label", func(t *testing.T) {
		tests := []struct {
			args []string
			want string
		}{
			{nil, "\nnow: proposed, OVERDUE, readiness 0/1\n"},
			{[]string{"--as-of", "2025-10-21"}, "\nas of 2025-10-21: proposed, not overdue, readiness 0/1\n"},
			{[]string{"--known-at", "2025-10-16"}, "\nas of 2025-11-01, as known on 2025-10-16: proposed, OVERDUE, readiness 0/1\n"},
		}
		for _, tt := range tests {
			out := must(t, append([]string{"explain", "budapest-summit", "--data", data}, tt.args...)...)
			if !strings.Contains(out, tt.want) {
				t.Errorf("explain %v: no %q in\n%s", tt.args, tt.want, out)
			}
		}
	})
	t.Run("quotes", func(t *testing.T) {
		out := must(t, "explain", "budapest-summit", "--data", data)
		if strings.Contains(out, `\"`) || !strings.Contains(out, `"Dies sei nicht "in naher Zukunft" geplant,`) {
			t.Errorf("explain's quotes:\n%s", out)
		}
	})
	t.Run("timeline columns", func(t *testing.T) {
		out := must(t, "timeline", "--all", "--data", data)
		// Each column starts where the one of the first line starts, after
		// two spaces: what is wider than its column widens it.
		lines := strings.Split(strings.TrimSpace(out), "\n")[2:]
		cols := regexp.MustCompile(`^(    \S+  )(\S+ +)(\S+(?: -> \S+)? +)`)
		first := cols.FindStringSubmatch(lines[0])
		if first == nil {
			t.Fatalf("no columns in %q", lines[0])
		}
		for _, l := range lines {
			m := cols.FindStringSubmatch(l)
			if m == nil || len(m[1]) != len(first[1]) || len(m[2]) != len(first[2]) || !strings.HasSuffix(m[2], "  ") {
				t.Errorf("columns out of line:\n%s\n%s", lines[0], l)
				continue
			}
			if rest := l[len(m[0]):]; rest != "" && rest[0] != '=' && (len(m[3]) < len(first[3]) || !strings.HasSuffix(m[3], "  ")) {
				t.Errorf("the actor column runs into the summary:\n%s\n%s", lines[0], l)
			}
		}
	})
	t.Run("every bad key of an entry", func(t *testing.T) {
		bad := writeFile(t, "bad.yaml", `timeline:
  - at: 2025-13-45
    event: statement.made
    by: putin
    about: budapest-summit
    stance: weird
    claim: maybe
    bogus: 1
`)
		code, out, errs := summit(t, "append", bad, "--data", data)
		if code != exitBadInput || out != "" {
			t.Fatalf("exit %d\n%s%s", code, out, errs)
		}
		for _, want := range []string{bad + ":2: at:", bad + ":6: stance", bad + ":7: claim", bad + `:8: statement.made: unknown key "bogus"`} {
			if !strings.Contains(errs, want) {
				t.Errorf("no %q in\n%s", want, errs)
			}
		}
		names := writeFile(t, "names.yaml", `timeline:
  - {at: 2025-10-23, event: statement.made, by: nobody, about: nowhere, stance: opposed}
`)
		code, _, errs = summit(t, "append", names, "--data", data)
		if code != exitBadInput || !strings.Contains(errs, `by: unknown person or party "nobody"`) || !strings.Contains(errs, `about: unknown meeting "nowhere"`) {
			t.Errorf("unknown names: exit %d\n%s", code, errs)
		}
	})
}
