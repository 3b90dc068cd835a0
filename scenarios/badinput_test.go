package scenarios

import (
	"fmt"
	"strings"
	"testing"
)

// TestLoadRefusesHostileInput holds the loader to the limits a mistaken or
// hostile file meets: each is refused with an error that names the file
// and the line (or, for the file as a whole, just the file).
func TestLoadRefusesHostileInput(t *testing.T) {
	nested := func(open, close string, n int) string {
		return "name: t\ntitle: " + strings.Repeat(open, n) + strings.Repeat(close, n) + "\n"
	}
	indented := func(item string, n int) string {
		var b strings.Builder
		b.WriteString("name: t\ntitle:\n")
		for i := range n {
			b.WriteString(strings.Repeat(" ", i+1) + item + "\n")
		}
		return b.String()
	}
	entry := func(at string) string {
		return cast + "timeline:\n  - {at: " + at + ", event: meeting.floated, meeting: summit, by: trump}\n"
	}
	tests := []struct {
		name string
		src  string
		want []string
	}{
		// Size and shape.
		{"one byte too large", strings.Repeat("#", MaxFileSize+1), []string{fmt.Sprintf("t.yaml: the file is larger than the limit of %d MiB", MaxFileSize>>20)}},
		{"nested lists, just too deep", nested("[", "]", MaxDepth), []string{"t.yaml:2: nested more than 16 levels deep"}},
		{"nested lists, far too deep", nested("[", "]", 50_000), []string{"t.yaml:2: nested more than 16 levels deep"}},
		{"nested mappings, far too deep", nested("{a: ", "}", 50_000), []string{"t.yaml:2: nested more than 16 levels deep"}},
		{"unclosed nesting", "name: t\ntitle: " + strings.Repeat("[", 1<<20), []string{"t.yaml:2: nested more than 16 levels deep"}},
		{"indented lists", indented("- ", 3000), []string{"t.yaml:18: nested more than 16 levels deep"}},
		{"indented mappings", indented("a:", 3000), []string{"t.yaml:18: nested more than 16 levels deep"}},
		{"a huge value", "name: t\ntitle: " + strings.Repeat("x", 4<<20) + "\n", []string{"t.yaml:2: a string of 4194304 bytes is longer than the limit of 16384"}},
		{"a huge key", "name: t\n? " + strings.Repeat("k", 1<<20) + "\n: v\n", []string{"t.yaml:2: a string of 1048576 bytes is longer than the limit"}},
		{"a huge implicit key", "name: t\n" + strings.Repeat("k", 1<<20) + ": v\n", []string{"t.yaml:2: could not find expected ':'"}},
		{"a huge quoted string over lines", "name: t\ntitle: \"" + strings.Repeat("x\n", 20_000) + "\"\n", []string{"t.yaml:2: a string of 40000 bytes is longer than the limit"}},
		{"a huge id", "name: " + strings.Repeat("a", 65) + "\n", []string{`t.yaml:1: name: bad name "aaaaaaaaaaaaaaaaaaaa"...: longer than 64 bytes`}},

		// World time out of range.
		{"before 1800", entry("1799-12-31"), []string{`t.yaml:13: at: "1799-12-31": world time out of range (1800-01-01 to 2199-12-31)`}},
		{"from 2200", entry("2200-01-01"), []string{`t.yaml:13: at: "2200-01-01": world time out of range`}},
		{"a date-time from 2200", entry(`"2200-01-01T00:00:00Z"`), []string{`t.yaml:13: at: "2200-01-01T00:00:00Z": world time out of range`}},
		{"a date-time of the year 0", entry(`"0000-01-01T00:00:00Z"`), []string{`t.yaml:13: at: "0000-01-01T00:00:00Z": world time out of range`}},
		{"a year of five digits", entry("10000-01-01"), []string{`t.yaml:13: at: "10000-01-01": not a date`}},
		{"the 30th of February", entry("2025-02-30"), []string{`t.yaml:13: at: "2025-02-30": not a date`}},
		{"a window out of range", cast + "timeline:\n  - at: 2025-10-16\n    event: meeting.proposed\n    meeting: summit\n    by: trump\n    window: {from: 2025-10-20, to: 9999-12-31}\n",
			[]string{`t.yaml:17: window: to: "9999-12-31": world time out of range`}},
		{"an expectation out of range", cast + "expect:\n  - {at: 1066-10-14, meeting: summit, status: held}\n", []string{`t.yaml:13: at: "1066-10-14": world time out of range`}},

		// Ids given twice.
		{"a party twice", "name: t\nparties:\n  USA: {name: US}\n  USA: {name: US again}\n", []string{`t.yaml:4: parties: key "USA" given twice (first at line 3)`}},
		{"a person twice", cast[:strings.Index(cast, "meetings:")] + "  trump: {name: Again, party: USA}\n", []string{`t.yaml:10: people: key "trump" given twice (first at line 8)`}},
		{"a meeting twice", cast + "  summit: {title: Again, participants: [trump]}\n", []string{`t.yaml:12: meetings: key "summit" given twice (first at line 11)`}},
		{"a person with a party's id", cast[:strings.Index(cast, "meetings:")] + "  USA: {name: Uncle Sam, party: USA}\n", []string{`t.yaml:10: person "USA": already a party's id`}},
		{"a key of an entry twice", cast + "timeline:\n  - at: 2025-10-16\n    event: meeting.floated\n    meeting: summit\n    meeting: summit\n    by: trump\n",
			[]string{`t.yaml:16: timeline entry: key "meeting" given twice (first at line 15)`}},
		{"a participant twice", cast + "  m: {title: M, participants: [trump, trump]}\n", []string{`t.yaml:12: meeting "m": participants: "trump" named twice`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := Load("t.yaml", []byte(tt.src), ScenarioFile)
			if sc != nil {
				t.Fatal("Load returned a scenario")
			}
			checkErrors(t, err, tt.want)
		})
	}
}

// TestLoadRefusesSubjectTokens shows that no id a file gives can become
// more than one NATS subject token or key: '.', '*', '>', spaces, a leading
// '-' and the rest are refused wherever an id is declared.
func TestLoadRefusesSubjectTokens(t *testing.T) {
	bad := []string{"a.b", "*", ">", "a*", "a>", "a b", " a", "-a", "_a", "a\tb", "a/b", "ä", "$KV", "a:b"}
	places := []struct {
		name string
		src  func(id string) string
		line int
		want string
	}{
		{"scenario name", func(id string) string { return "name: " + id + "\n" }, 1, "name: bad name"},
		{"party", func(id string) string { return "name: t\nparties:\n  " + id + ": {name: X}\n" }, 3, "party id: bad name"},
		{"person", func(id string) string {
			return "name: t\nparties:\n  USA: {name: US}\npeople:\n  " + id + ": {name: X, party: USA}\n"
		}, 5, "person id: bad name"},
		{"meeting", func(id string) string { return cast + "  " + id + ": {title: X, participants: [trump]}\n" }, 12, "meeting id: bad name"},
		{"precondition", func(id string) string {
			return cast + "timeline:\n  - {at: 2025-10-16, event: precondition.added, meeting: summit, precondition: " + id + "}\n"
		}, 13, "precondition: bad name"},
	}
	for _, p := range places {
		for _, id := range bad {
			t.Run(p.name+"/"+id, func(t *testing.T) {
				quoted := fmt.Sprintf("%q", id) // a YAML double-quoted string, so that the id reaches the loader whole
				sc, err := Load("t.yaml", []byte(p.src(quoted)), ScenarioFile)
				if sc != nil {
					t.Fatalf("Load accepted id %q", id)
				}
				list, _ := err.(ErrorList)
				for _, e := range list {
					if e.Line == p.line && strings.Contains(e.Msg, p.want) {
						return
					}
				}
				t.Fatalf("id %q: want t.yaml:%d: ...%s..., got:\n%v", id, p.line, p.want, err)
			})
		}
	}
}

// TestLoadCapsErrors shows a file with very many errors is reported by its
// first MaxErrors and a count of the rest, in line order.
func TestLoadCapsErrors(t *testing.T) {
	var b strings.Builder
	b.WriteString(cast + "timeline:\n")
	const n = 2500
	for range n {
		b.WriteString("  - {at: 2025-10-16, event: meeting.teleported}\n")
	}
	_, err := Load("t.yaml", []byte(b.String()), ScenarioFile)
	list, ok := err.(ErrorList)
	if !ok {
		t.Fatalf("error %v: want an ErrorList", err)
	}
	if len(list) != MaxErrors+1 {
		t.Fatalf("%d errors reported, want %d and one that counts the rest", len(list), MaxErrors+1)
	}
	for i, e := range list[:MaxErrors] {
		if e.Line != 13+i || !strings.Contains(e.Msg, "unknown kind") {
			t.Fatalf("error %d: %s", i, e)
		}
	}
	last := list[MaxErrors]
	if want := fmt.Sprintf("t.yaml:%d: too many errors: %d more not shown", 13+MaxErrors-1, n-MaxErrors); last.Error() != want {
		t.Errorf("last error %q, want %q", last, want)
	}
}
