package scenarios

import (
	"os"
	"strings"
	"testing"
)

// FuzzLoad checks that Load never panics, and that whatever it returns is
// either a scenario whose every entry its payload accepts, or an ErrorList
// whose every error names the file and a line of it (or no line, for a
// problem with the file as a whole). The seeds under testdata/fuzz/FuzzLoad
// hold the inputs Load must refuse: deep nesting, aliases, huge strings,
// a '.' in an id.
func FuzzLoad(f *testing.F) {
	example, err := os.ReadFile("testdata/budapest.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	f.Add([]byte(cast))
	f.Add([]byte(cast + "timeline:\n  - {at: 2025-10-16, event: meeting.proposed, meeting: summit, by: trump, window: {from: 2025-10-20, to: 2025-10-30}}\n"))
	f.Add([]byte(cast + "timeline:\n  - {at: 2025-10-16, event: call.held, participants: [trump, putin], initiated_by: trump, topics: [a]}\n  - {at: 2025-10-15, event: meeting.floated}\n"))
	f.Add([]byte(cast + "expect:\n  - {at: 2025-10-16, meeting: summit, status: held, overdue: true, readiness: 0/1, claims: {putin: postponed}, preconditions: {p: met}}\n"))
	f.Add([]byte("people:\n  witkoff: {name: Steve Witkoff, party: USA}\ntimeline:\n  - {at: 2025-10-30, event: meeting.held, meeting: rubio-lavrov-prep}\n"))
	f.Add([]byte("name: t\n---\nname: u\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := lineAt(data, len(data))
		for _, mode := range []Mode{ScenarioFile, EventFile} {
			sc, err := Load("f.yaml", data, mode)
			if err == nil {
				if sc == nil {
					t.Fatal("Load returned neither a scenario nor an error")
				}
				for _, e := range sc.Timeline {
					if e.Line <= 0 || e.Payload == nil || e.Payload.Kind() != e.Kind {
						t.Fatalf("entry at line %d without a line or payload of its kind", e.Line)
					}
					if err := provisional(e.Payload).Validate(); err != nil {
						t.Fatalf("line %d: Load accepted a payload that Validate refuses: %v", e.Line, err)
					}
				}
				continue
			}
			if sc != nil {
				t.Fatal("Load returned a scenario and an error")
			}
			list, ok := err.(ErrorList)
			if !ok || len(list) == 0 {
				t.Fatalf("error %v (%T): want a non-empty ErrorList", err, err)
			}
			for i, e := range list {
				switch {
				case e.File != "f.yaml":
					t.Fatalf("error %q names file %q", e, e.File)
				case e.Line < 0 || e.Line > lines+1:
					t.Fatalf("error %q: line %d of a file of %d lines", e, e.Line, lines)
				case e.Line == 0 && !fileLevel(e.Msg):
					t.Fatalf("error %q has no line", e)
				case i > 0 && e.Line < list[i-1].Line:
					t.Fatalf("errors out of line order:\n%v", list)
				}
			}
		}
	})
}

// fileLevel reports whether msg is about the file as a whole, and so has
// no line.
func fileLevel(msg string) bool {
	for _, p := range []string{"the file is larger", "the file is empty", "the YAML parser failed"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}
