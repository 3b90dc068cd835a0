package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestAdd records events from the command line: the same checks and
// errors as a file entry, naming the flag; today (the clock's) as the
// default date; the same event added twice recorded once.
func TestAdd(t *testing.T) {
	data := filepath.Join(t.TempDir(), "store")
	must(t, "replay", "budapest-2025", "--data", data)
	add := []string{"add", "statement.made", "--by", "putin", "--about", "budapest-summit", "--stance", "noncommittal", "--claim", "willing", "--data", data}

	code, _, errs := summit(t, add...)
	if code != exitOK || !strings.HasSuffix(errs, ": 1 event appended to the store in "+data+"\n") {
		t.Fatalf("add: exit %d\n%s", code, errs)
	}
	if tl := must(t, "timeline", "budapest-summit", "--data", data); !strings.Contains(tl, "2025-11-01  statement.made") {
		t.Errorf("an event added without --at is not dated today (2025-11-01):\n%s", tl)
	}
	// Added again: --reported defaults to now, the same fixed clock here,
	// so it is the same event.
	if code, _, errs := summit(t, add...); code != exitOK || !strings.Contains(errs, "nothing appended") {
		t.Errorf("the same event added twice: exit %d\n%s", code, errs)
	}

	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"statement.made", "--by", "putin", "--about", "budapest-summit", "--stance", "weird", "--claim", "maybe"},
			[]string{`stance "weird": not a stance (want supportive, noncommittal or opposed)`, `claim "maybe": not a claim (want one of`}},
		{[]string{"statement.made", "--by", "nobody", "--about", "nowhere", "--stance", "opposed"},
			[]string{`by: unknown person or party "nobody"`, `about: unknown meeting "nowhere"`}},
		// Held, then cancelled: the model refuses it, naming the rule.
		{[]string{"meeting.held", "--meeting", "budapest-summit", "--at", "2025-10-31"}, nil},
		{[]string{"meeting.cancelled", "--meeting", "budapest-summit", "--by", "trump", "--at", "2025-11-01"}, []string{"refuses meeting.cancelled"}},
		{[]string{"meeting.proposed", "--meeting", "budapest-summit", "--by", "trump", "--within", "3x"}, []string{`within: span "3x"`}},
		{[]string{"statement.made", "--by", "putin", "extra"}, []string{`unexpected arguments ["extra"]`}},
		{[]string{"meeting.postpone", "--meeting", "budapest-summit", "--by", "trump"},
			[]string{`"meeting.postpone" is not a kind an event file may write, did you mean meeting.postponed?`}},
		{[]string{"statement.made", "--by", "putn", "--about", "budapest-sumit", "--stance", "opposed"},
			[]string{"summit add: 2 errors, nothing written:\n", `by: unknown person or party "putn", did you mean putin?`, `about: unknown meeting "budapest-sumit", did you mean budapest-summit?`}},
	}
	for _, tt := range tests {
		code, out, errs := summit(t, append(append([]string{"add"}, tt.args...), "--data", data)...)
		if tt.want == nil {
			if code != exitOK {
				t.Errorf("add %v: exit %d\n%s", tt.args, code, errs)
			}
			continue
		}
		if code != exitBadInput || out != "" {
			t.Errorf("add %v: exit %d, want %d\n%s", tt.args, code, exitBadInput, errs)
		}
		for _, w := range tt.want {
			if !strings.Contains(errs, w) {
				t.Errorf("add %v: no %q in\n%s", tt.args, w, errs)
			}
		}
	}
}
