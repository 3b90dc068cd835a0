package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// summit runs the command line with args and returns its exit status,
// standard output and standard error.
func summit(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestReplayBuiltin(t *testing.T) {
	code, out, errs := summit(t, "replay", "budapest-2025")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	for _, want := range []string{"budapest-summit · Trump-Putin summit in Budapest", "fm-prep", "unmet", "peskov", "unscheduled", "overdue"} {
		if !strings.Contains(out, want) {
			t.Errorf("board lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errs, "all 7 expectations met") {
		t.Errorf("stderr: %s", errs)
	}
}

// jsonBoard is the contract of --json: the fields the domain page names.
type jsonBoard struct {
	Meetings []struct {
		ID            string `json:"id"`
		Title         string `json:"title"`
		Status        string `json:"status"`
		Overdue       *bool  `json:"overdue"`
		Readiness     string `json:"readiness"`
		Preconditions []struct{ ID, Description, State string }
		Claims        map[string]string `json:"claims"`
	} `json:"meetings"`
}

func TestReplayJSONAsOf(t *testing.T) {
	tests := []struct {
		asOf      string
		status    string
		overdue   bool
		claims    int
		readiness string
	}{
		{"2025-10-16", "proposed", false, 0, "0/1"},
		{"2025-10-21", "proposed", false, 2, "0/1"},
		{"2025-10-31", "proposed", true, 2, "0/1"},
	}
	for _, tt := range tests {
		code, out, errs := summit(t, "replay", "budapest-2025", "--json", "--as-of", tt.asOf)
		if code != exitOK {
			t.Fatalf("as of %s: exit %d\n%s", tt.asOf, code, errs)
		}
		var b jsonBoard
		if err := json.Unmarshal([]byte(out), &b); err != nil {
			t.Fatalf("as of %s: %v\n%s", tt.asOf, err, out)
		}
		var found bool
		for _, m := range b.Meetings {
			if m.ID != "budapest-summit" {
				continue
			}
			found = true
			if m.Status != tt.status || m.Overdue == nil || *m.Overdue != tt.overdue || len(m.Claims) != tt.claims || m.Readiness != tt.readiness {
				t.Errorf("as of %s: %+v", tt.asOf, m)
			}
			if len(m.Preconditions) != 1 || m.Preconditions[0].ID != "fm-prep" || m.Preconditions[0].State != "unmet" {
				t.Errorf("as of %s: preconditions %+v", tt.asOf, m.Preconditions)
			}
		}
		if !found {
			t.Errorf("as of %s: no budapest-summit in %s", tt.asOf, out)
		}
	}
}

func TestReplayBadFile(t *testing.T) {
	code, out, errs := summit(t, "replay", "testdata/bad.yaml")
	if code != exitBadInput {
		t.Fatalf("exit %d, want %d\n%s", code, exitBadInput, errs)
	}
	for _, want := range []string{"testdata/bad.yaml:10:", "meeting.teleported", "testdata/bad.yaml:15:", "trumpp"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	if out != "" {
		t.Errorf("a refused file printed a board:\n%s", out)
	}
}

func TestReplayRefusedAppendsNothing(t *testing.T) {
	dir := t.TempDir()
	code, _, errs := summit(t, "replay", "testdata/refused.yaml", "--data", dir)
	if code != exitBadInput {
		t.Fatalf("exit %d, want %d\n%s", code, exitBadInput, errs)
	}
	want := "testdata/refused.yaml:19: meeting summit (cancelled) refuses meeting.held: the meeting is final"
	if !strings.Contains(errs, want) {
		t.Errorf("stderr lacks %q:\n%s", want, errs)
	}
	// The store holds nothing of the refused file.
	code, out, errs := summit(t, "status", "--data", dir, "--json")
	if code != exitOK {
		t.Fatalf("status: exit %d\n%s", code, errs)
	}
	var b jsonBoard
	if err := json.Unmarshal([]byte(out), &b); err != nil {
		t.Fatal(err)
	}
	if len(b.Meetings) != 0 {
		t.Errorf("a refused scenario left %d meetings on the board", len(b.Meetings))
	}
}

func TestReplayUnmetExpectations(t *testing.T) {
	code, out, errs := summit(t, "replay", "testdata/unmet.yaml")
	if code != exitExpect {
		t.Fatalf("exit %d, want %d\n%s", code, exitExpect, errs)
	}
	for _, want := range []string{
		"testdata/unmet.yaml:20: as of 2025-10-17, summit: status is proposed, want agreed",
		"testdata/unmet.yaml:20: as of 2025-10-17, summit: the claim of putin is not made, want postponed",
		"1 of 2 expectations not met",
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	if !strings.Contains(out, "summit · A summit") {
		t.Errorf("the board is printed even when expectations fail:\n%s", out)
	}
}

func TestReplayIntoAStoreTwice(t *testing.T) {
	dir := t.TempDir()
	code, first, errs := summit(t, "replay", "budapest-2025", "--data", dir)
	if code != exitOK {
		t.Fatalf("first replay: exit %d\n%s", code, errs)
	}
	code, second, errs := summit(t, "replay", "budapest-2025", "--data", dir)
	if code != exitOK {
		t.Fatalf("second replay: exit %d\n%s", code, errs)
	}
	if !strings.Contains(errs, "already holds this scenario") || !strings.Contains(errs, "nothing appended") {
		t.Errorf("second replay did not say it skipped:\n%s", errs)
	}
	if dropAsOf(first) != dropAsOf(second) {
		t.Errorf("the board changed on a second replay:\n%s\n---\n%s", first, second)
	}
	// Another version of the scenario is refused.
	changed := filepath.Join(t.TempDir(), "budapest-2025.yaml")
	data, err := os.ReadFile("../../scenarios/budapest-2025.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(changed, append(data, "# an edit\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs = summit(t, "replay", changed, "--data", dir)
	if code != exitBadInput || !strings.Contains(errs, "different version") {
		t.Errorf("another version: exit %d\n%s", code, errs)
	}
}

func TestStatus(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := summit(t, "replay", "budapest-2025", "--data", dir); code != exitOK {
		t.Fatalf("replay: exit %d\n%s", code, errs)
	}
	code, out, errs := summit(t, "status", "budapest-summit", "--data", dir)
	if code != exitOK {
		t.Fatalf("status: exit %d\n%s", code, errs)
	}
	if !strings.Contains(out, "budapest-summit") || strings.Contains(out, "alaska-summit") {
		t.Errorf("status of one meeting:\n%s", out)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"status", "nowhere", "--data", dir}, `no meeting "nowhere" on the board of main (meetings: alaska-summit, budapest-summit, rubio-lavrov-prep)`},
		{[]string{"status"}, "no store: give --data DIR"},
		{[]string{"status", "--data", dir, "--as-of", "21.10.2025"}, "--as-of"},
		{[]string{"status", "--data", dir, "--branch", "nope"}, `unknown branch "nope"`},
		{[]string{"status", "--data", dir, "--server", "nats://127.0.0.1:1"}, "exclude each other"},
		{[]string{"frobnicate"}, `unknown verb "frobnicate"`},
	}
	for _, tt := range tests {
		code, _, errs := summit(t, tt.args...)
		if code != exitBadInput || !strings.Contains(errs, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tt.args, code, errs, exitBadInput, tt.want)
		}
	}
}

func TestRebuild(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := summit(t, "replay", "budapest-2025", "--data", dir); code != exitOK {
		t.Fatalf("replay: exit %d\n%s", code, errs)
	}
	_, before, _ := summit(t, "status", "--data", dir, "--json")
	code, _, errs := summit(t, "rebuild", "--data", dir)
	if code != exitOK || !strings.Contains(errs, "rebuilt the projection of main: 3 meetings") {
		t.Fatalf("rebuild: exit %d\n%s", code, errs)
	}
	if _, after, _ := summit(t, "status", "--data", dir, "--json"); after != before {
		t.Errorf("the board changed on a rebuild:\n%s\n---\n%s", before, after)
	}
}

func TestHelp(t *testing.T) {
	for _, verb := range []string{"replay", "status", "serve", "watch", "append", "inject", "branches", "branch", "diff", "explain", "timeline", "rebuild"} {
		code, _, errs := summit(t, verb, "-h")
		if code != exitOK || !strings.Contains(errs, "Usage: summit "+verb) || !strings.Contains(errs, "Examples:") || !strings.Contains(errs, "Exit status") {
			t.Errorf("%s -h: exit %d\n%s", verb, code, errs)
		}
	}
	code, out, _ := summit(t, "help")
	if code != exitOK || !strings.Contains(out, "replay") {
		t.Errorf("help: exit %d\n%s", code, out)
	}
}

// dropAsOf removes the board's first line, which names the moment read.
func dropAsOf(board string) string {
	_, rest, _ := strings.Cut(board, "\n")
	return rest
}
