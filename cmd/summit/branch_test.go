package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/summit-model/summit/projections"
)

// prepHeld is the what-if of the issue: the preparatory meeting held on
// 25 October.
const prepHeld = `timeline:
  - at: 2025-10-25
    event: meeting.held
    meeting: rubio-lavrov-prep
    venue: Budapest
`

// summaryOf reads a --json board into what the board says of each meeting:
// status, overdue, readiness, each precondition, each claim.
func summaryOf(t *testing.T, out string) map[string]string {
	t.Helper()
	var b struct {
		Meetings []struct {
			ID            string
			Status        string
			Overdue       bool
			Readiness     string
			Preconditions []struct{ ID, State string }
			Claims        map[string]string
		}
	}
	if err := json.Unmarshal([]byte(out), &b); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	m := map[string]string{}
	for _, v := range b.Meetings {
		s := v.Status + " overdue=" + map[bool]string{true: "yes", false: "no"}[v.Overdue] + " readiness=" + v.Readiness
		for _, p := range v.Preconditions {
			s += " " + p.ID + "=" + p.State
		}
		claims, _ := json.Marshal(v.Claims)
		m[v.ID] = s + " claims=" + string(claims)
	}
	return m
}

func TestInjectLeavesTheRecordAlone(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := summit(t, "replay", "budapest-2025", "--data", dir); code != exitOK {
		t.Fatalf("replay: exit %d\n%s", code, errs)
	}
	_, before, _ := summit(t, "status", "--data", dir)
	_, beforeJSON, _ := summit(t, "status", "--data", dir, "--json")

	file := writeFile(t, "prep-held.yaml", prepHeld)
	code, out, errs := summit(t, "inject", "--branch", "prep-held", "--fork-at", "2025-10-21", file, "--data", dir)
	if code != exitOK {
		t.Fatalf("inject: exit %d\n%s", code, errs)
	}
	if !strings.Contains(out, "Meeting board · prep-held") {
		t.Errorf("inject prints the branch's board:\n%s", out)
	}
	_, after, _ := summit(t, "status", "--data", dir)
	_, afterJSON, _ := summit(t, "status", "--data", dir, "--json")
	if before != after || beforeJSON != afterJSON {
		t.Errorf("status of main changed after an injection:\n%s\n---\n%s", before, after)
	}

	_, onBranch, _ := summit(t, "status", "budapest-summit", "--branch", "prep-held", "--data", dir, "--json")
	if got := summaryOf(t, onBranch)["budapest-summit"]; !strings.Contains(got, "fm-prep=met") || !strings.Contains(got, "readiness=1/1") {
		t.Errorf("on the branch: %s; want fm-prep met", got)
	}
	if got := summaryOf(t, afterJSON)["budapest-summit"]; !strings.Contains(got, "fm-prep=unmet") {
		t.Errorf("on main: %s; want fm-prep unmet", got)
	}

	code, diff, errs := summit(t, "diff", "prep-held", "--data", dir, "--json")
	if code != exitOK {
		t.Fatalf("diff: exit %d\n%s", code, errs)
	}
	var d struct {
		Meetings []meetingDiff
		Same     []string
	}
	if err := json.Unmarshal([]byte(diff), &d); err != nil {
		t.Fatal(err)
	}
	want := []meetingDiff{
		{ID: "budapest-summit", Changes: []projections.Change{{What: "readiness", From: "0/1", To: "1/1"}, {What: "precondition fm-prep", From: "unmet", To: "met"}}},
		{ID: "rubio-lavrov-prep", Changes: []projections.Change{{What: "status", From: "floated", To: "held"}, {What: "venue", To: "Budapest"}}},
	}
	if diff := cmp.Diff(want, d.Meetings); diff != "" {
		t.Errorf("diff prep-held (-want +got):\n%s", diff)
	}
	if !cmp.Equal(d.Same, []string{"alaska-summit"}) {
		t.Errorf("the same on both: %v", d.Same)
	}

	// The model's rules hold on a branch: a meeting the record cancelled
	// before the fork cannot be held on it.
	cancel := writeFile(t, "cancel.yaml", `timeline:
  - {at: 2025-10-22, event: meeting.cancelled, meeting: budapest-summit, by: trump}
`)
	if code, _, errs := summit(t, "append", cancel, "--data", dir); code != exitOK {
		t.Fatalf("append: exit %d\n%s", code, errs)
	}
	hold := writeFile(t, "hold.yaml", `timeline:
  - {at: 2025-10-30, event: meeting.held, meeting: budapest-summit}
`)
	code, _, errs = summit(t, "inject", "--branch", "held-anyway", hold, "--data", dir)
	if code != exitBadInput || !strings.Contains(errs, "meeting budapest-summit (cancelled) refuses meeting.held: the meeting is final") {
		t.Errorf("holding a cancelled meeting on a branch: exit %d\n%s", code, errs)
	}
	if _, list, _ := summit(t, "branches", "--data", dir, "--json"); strings.Contains(list, "held-anyway") {
		t.Errorf("a refused injection left its branch:\n%s", list)
	}
	// An event before the fork is refused.
	early := writeFile(t, "early.yaml", `timeline:
  - {at: 2025-10-20, event: meeting.held, meeting: rubio-lavrov-prep}
`)
	code, _, errs = summit(t, "inject", "--branch", "early", "--fork-at", "2025-10-21", early, "--data", dir)
	if code != exitBadInput || !strings.Contains(errs, "before the branch's fork") {
		t.Errorf("an event before the fork: exit %d\n%s", code, errs)
	}
}

func TestBranchEqualsAReplayOfRecordAndBranch(t *testing.T) {
	// A branch read equals a fresh store that holds the record up to the
	// fork and then the branch's events as plain events.
	dir := t.TempDir()
	if code, _, errs := summit(t, "replay", "budapest-2025", "--data", dir); code != exitOK {
		t.Fatalf("replay: exit %d\n%s", code, errs)
	}
	late := writeFile(t, "late.yaml", `timeline:
  - {at: 2025-10-22, event: meeting.cancelled, meeting: budapest-summit, by: trump}
`)
	// Recorded after the fork point in world time, and appended before the
	// branch is made: the branch must not see it.
	if code, _, errs := summit(t, "append", late, "--data", dir); code != exitOK {
		t.Fatalf("append: exit %d\n%s", code, errs)
	}
	file := writeFile(t, "prep-held.yaml", prepHeld)
	if code, _, errs := summit(t, "inject", "--branch", "prep-held", "--fork-at", "2025-10-21", file, "--data", dir); code != exitOK {
		t.Fatalf("inject: exit %d\n%s", code, errs)
	}
	_, branch, _ := summit(t, "status", "--branch", "prep-held", "--data", dir, "--json")

	data, err := os.ReadFile("../../scenarios/budapest-2025.yaml")
	if err != nil {
		t.Fatal(err)
	}
	record, _, _ := strings.Cut(string(data), "\nexpect:")
	entry := strings.Replace(prepHeld, "timeline:\n", "", 1)
	fresh := writeFile(t, "fresh.yaml", strings.Replace(record, "name: budapest-2025", "name: record-and-branch", 1)+"\n"+entry)
	code, replayed, errs := summit(t, "replay", fresh, "--json")
	if code != exitOK {
		t.Fatalf("replay of record and branch: exit %d\n%s", code, errs)
	}
	if diff := cmp.Diff(summaryOf(t, replayed), summaryOf(t, branch)); diff != "" {
		t.Errorf("branch read differs from a replay of the record up to the fork and the branch (-replay +branch):\n%s", diff)
	}
}

func TestDeleteBranch(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := summit(t, "replay", "budapest-2025", "--data", dir); code != exitOK {
		t.Fatalf("replay: exit %d\n%s", code, errs)
	}
	file := writeFile(t, "prep-held.yaml", prepHeld)
	for _, b := range []string{"a", "b"} {
		if code, _, errs := summit(t, "inject", "--branch", b, file, "--data", dir); code != exitOK {
			t.Fatalf("inject %s: exit %d\n%s", b, code, errs)
		}
	}
	_, mainBefore, _ := summit(t, "status", "--data", dir, "--json")
	_, bBefore, _ := summit(t, "status", "--branch", "b", "--data", dir, "--json")
	_, tlBefore, _ := summit(t, "timeline", "--branch", "b", "--data", dir)

	if code, _, errs := summit(t, "branch", "delete", "a", "--data", dir); code != exitOK {
		t.Fatalf("branch delete: exit %d\n%s", code, errs)
	}
	_, mainAfter, _ := summit(t, "status", "--data", dir, "--json")
	_, bAfter, _ := summit(t, "status", "--branch", "b", "--data", dir, "--json")
	_, tlAfter, _ := summit(t, "timeline", "--branch", "b", "--data", dir)
	if mainBefore != mainAfter || bBefore != bAfter || tlBefore != tlAfter {
		t.Errorf("deleting branch a changed main or branch b")
	}
	code, _, errs := summit(t, "status", "--branch", "a", "--data", dir)
	if code != exitBadInput || !strings.Contains(errs, `unknown branch "a"`) {
		t.Errorf("status of a deleted branch: exit %d\n%s", code, errs)
	}
	_, list, _ := summit(t, "branches", "--data", dir)
	if strings.Contains(list, "\na ") || !strings.Contains(list, "\nb ") {
		t.Errorf("branches after deleting a:\n%s", list)
	}
	// The same file goes into a new branch of the deleted one's name.
	if code, _, errs := summit(t, "inject", "--branch", "a", file, "--data", dir); code != exitOK || strings.Contains(errs, "nothing appended") {
		t.Errorf("inject into a new branch a: exit %d\n%s", code, errs)
	}
}

func TestExplainAndTimeline(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := summit(t, "replay", "budapest-2025", "--data", dir); code != exitOK {
		t.Fatalf("replay: exit %d\n%s", code, errs)
	}
	file := writeFile(t, "prep-held.yaml", prepHeld)
	if code, _, errs := summit(t, "inject", "--branch", "prep-held", "--fork-at", "2025-10-21", file, "--data", dir); code != exitOK {
		t.Fatalf("inject: exit %d\n%s", code, errs)
	}
	code, out, errs := summit(t, "explain", "budapest-summit", "--branch", "prep-held", "--data", dir)
	if code != exitOK {
		t.Fatalf("explain: exit %d\n%s", code, errs)
	}
	for _, want := range []string{
		"status proposed",
		"since 2025-10-16 meeting.proposed by trump (budapest-summit) · ntv.de",
		"precondition fm-prep met",
		"since 2025-10-25 meeting.held (rubio-lavrov-prep) [hypothetical, prep-held]",
		"claim of peskov unscheduled",
		`"Wir brauchen Vorbereitung, ernsthafte Vorbereitung.`,
		"=> readiness 0/1 -> 1/1; precondition fm-prep unmet -> met",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("explain lacks %q:\n%s", want, out)
		}
	}
	code, out, errs = summit(t, "explain", "budapest-summit", "--as-of", "2025-10-16", "--data", dir)
	if code != exitOK || strings.Contains(out, "peskov") {
		t.Errorf("explain as of 16 October shows what came later: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = summit(t, "timeline", "--data", dir)
	if code != exitOK {
		t.Fatalf("timeline: exit %d\n%s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if !strings.HasPrefix(lines[0], "2025-08-15") || !strings.HasPrefix(lines[len(lines)-1], "2025-10-21") {
		t.Errorf("timeline not in world-time order:\n%s", out)
	}
	if !strings.Contains(out, "call.held") || !strings.Contains(out, "· ntv.de") {
		t.Errorf("timeline lacks calls or sources:\n%s", out)
	}
	_, out, _ = summit(t, "timeline", "rubio-lavrov-prep", "--branch", "prep-held", "--data", dir)
	if !strings.Contains(out, "meeting.held") || !strings.Contains(out, "[hypothetical]") {
		t.Errorf("timeline of a branch:\n%s", out)
	}
}
