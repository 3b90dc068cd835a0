package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// summaryOf reads a --json board into what it says of each meeting:
// status, overdue, readiness, each precondition, each claim.
func summaryOf(t *testing.T, out string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, v := range readBoard(t, out).Meetings {
		s := v.Status + " overdue=" + map[bool]string{true: "yes", false: "no"}[v.Overdue != nil && *v.Overdue] + " readiness=" + v.Readiness
		for _, p := range v.Preconditions {
			s += " " + p.ID + "=" + p.State
		}
		claims, _ := json.Marshal(v.Claims)
		m[v.ID] = s + " claims=" + string(claims)
	}
	return m
}

func TestInjectLeavesTheRecordAlone(t *testing.T) {
	data := filepath.Join(t.TempDir(), "store")
	must(t, "replay", "budapest-2025", "--data", data)
	before := must(t, "status", "--data", data)
	beforeJSON := must(t, "status", "--data", data, "--json")

	out := must(t, "inject", "--branch", "prep-held", "--fork-at", "2025-10-21", prepHeld, "--data", data)
	if !strings.HasPrefix(out, "Meeting board · prep-held") {
		t.Errorf("inject prints the branch's board:\n%s", out)
	}
	after := must(t, "status", "--data", data)
	afterJSON := must(t, "status", "--data", data, "--json")
	if before != after || beforeJSON != afterJSON {
		t.Errorf("status of main changed after an injection:\n%s\n---\n%s", before, after)
	}
	onBranch := must(t, "status", "budapest-summit", "--branch", "prep-held", "--data", data, "--json")
	if got := summaryOf(t, onBranch)["budapest-summit"]; !strings.Contains(got, "fm-prep=met") || !strings.Contains(got, "readiness=1/1") {
		t.Errorf("on the branch: %s; want fm-prep met", got)
	}
	if got := summaryOf(t, afterJSON)["budapest-summit"]; !strings.Contains(got, "fm-prep=unmet") {
		t.Errorf("on main: %s; want fm-prep unmet", got)
	}

	// The model's rules hold on a branch: a meeting the record cancelled
	// before the fork cannot be held on it, and the refused injection
	// leaves no branch.
	cancel := writeFile(t, "cancel.yaml", "timeline:\n  - {at: 2025-10-22, event: meeting.cancelled, meeting: budapest-summit, by: trump}\n")
	must(t, "append", cancel, "--data", data)
	hold := writeFile(t, "hold.yaml", "timeline:\n  - {at: 2025-10-30, event: meeting.held, meeting: budapest-summit}\n")
	code, _, errs := summit(t, "inject", "--branch", "held-anyway", hold, "--data", data)
	if code != exitBadInput || !strings.Contains(errs, hold+":2: meeting budapest-summit (cancelled) refuses meeting.held") {
		t.Errorf("holding a cancelled meeting on a branch: exit %d\n%s", code, errs)
	}
	if list := must(t, "branches", "--data", data, "--json"); strings.Contains(list, "held-anyway") {
		t.Errorf("a refused injection left its branch:\n%s", list)
	}
	// An event before the fork is refused.
	early := writeFile(t, "early.yaml", "timeline:\n  - {at: 2025-10-20, event: meeting.held, meeting: rubio-lavrov-prep}\n")
	code, _, errs = summit(t, "inject", "--branch", "early", "--fork-at", "2025-10-21", early, "--data", data)
	if code != exitBadInput || !strings.Contains(errs, "before the branch's fork") {
		t.Errorf("an event before the fork: exit %d\n%s", code, errs)
	}
	if list := must(t, "branches", "--data", data, "--json"); strings.Contains(list, `"early"`) {
		t.Errorf("a refused injection left its branch:\n%s", list)
	}
}

// TestBranchEqualsAReplayOfRecordAndBranch: a branch reads as a fresh
// store that holds the record up to the fork, then the branch's events as
// plain events.
func TestBranchEqualsAReplayOfRecordAndBranch(t *testing.T) {
	data := filepath.Join(t.TempDir(), "store")
	must(t, "replay", "budapest-2025", "--data", data)
	// After the fork point in world time, and appended before the branch is
	// made: the branch must not see it.
	late := writeFile(t, "late.yaml", "timeline:\n  - {at: 2025-10-22, event: meeting.cancelled, meeting: budapest-summit, by: trump}\n")
	must(t, "append", late, "--data", data)
	must(t, "inject", "--branch", "prep-held", "--fork-at", "2025-10-21", prepHeld, "--data", data)
	branch := must(t, "status", "--branch", "prep-held", "--data", data, "--json")

	src, err := os.ReadFile("../../scenarios/budapest-2025.yaml")
	if err != nil {
		t.Fatal(err)
	}
	what, err := os.ReadFile(prepHeld)
	if err != nil {
		t.Fatal(err)
	}
	record, _, _ := strings.Cut(string(src), "\nexpect:")
	_, entry, _ := strings.Cut(string(what), "timeline:\n")
	fresh := writeFile(t, "fresh.yaml", strings.Replace(record, "name: budapest-2025", "name: record-and-branch", 1)+"\n"+entry)
	replayed := must(t, "replay", fresh, "--json")
	if diff := cmp.Diff(summaryOf(t, replayed), summaryOf(t, branch)); diff != "" {
		t.Errorf("branch read differs from a replay of the record up to the fork and the branch (-replay +branch):\n%s", diff)
	}
}

func TestDeleteBranch(t *testing.T) {
	data := filepath.Join(t.TempDir(), "store")
	must(t, "replay", "budapest-2025", "--data", data)
	for _, b := range []string{"a", "b"} {
		must(t, "inject", "--branch", b, prepHeld, "--data", data)
	}
	mainBefore := must(t, "status", "--data", data, "--json")
	bBefore := must(t, "status", "--branch", "b", "--data", data, "--json")
	tlBefore := must(t, "timeline", "--branch", "b", "--data", data)

	code, _, errs := summit(t, "branch", "delete", "a", "--data", data)
	if code != exitOK || errs != "branch a deleted\n" {
		t.Fatalf("branch delete: exit %d\n%s", code, errs)
	}
	if must(t, "status", "--data", data, "--json") != mainBefore || must(t, "status", "--branch", "b", "--data", data, "--json") != bBefore ||
		must(t, "timeline", "--branch", "b", "--data", data) != tlBefore {
		t.Errorf("deleting branch a changed main or branch b")
	}
	code, _, errs = summit(t, "status", "--branch", "a", "--data", data)
	if code != exitBadInput || !strings.Contains(errs, `unknown branch "a"`) {
		t.Errorf("status of a deleted branch: exit %d\n%s", code, errs)
	}
	if list := must(t, "branches", "--data", data); strings.Contains(list, "\na ") || !strings.Contains(list, "\nb ") {
		t.Errorf("branches after deleting a:\n%s", list)
	}
	// The same file goes into a new branch of the deleted one's name, and
	// is appended there afresh.
	code, _, errs = summit(t, "inject", "--branch", "a", prepHeld, "--data", data)
	if code != exitOK || !strings.Contains(errs, "1 event appended") {
		t.Errorf("inject into a new branch a: exit %d\n%s", code, errs)
	}
}

// TestInjectNamesWhatTheBranchDeclared: a second file injected on a branch
// names a meeting the first declared there, without declaring it again; the
// record knows no such meeting, and a file appended to it that names the
// meeting is refused at its line.
func TestInjectNamesWhatTheBranchDeclared(t *testing.T) {
	data := filepath.Join(t.TempDir(), "store")
	must(t, "replay", "budapest-2025", "--data", data)
	floated := writeFile(t, "floated.yaml", `meetings:
  geneva: {title: A Geneva meeting, participants: [trump, putin]}
timeline:
  - {at: 2025-10-25, event: meeting.floated, meeting: geneva, by: trump}
`)
	proposed := writeFile(t, "proposed.yaml", "timeline:\n  - {at: 2025-10-26, event: meeting.proposed, meeting: geneva, by: trump, venue: Geneva}\n")
	must(t, "inject", "--branch", "geneva-idea", floated, "--data", data)
	must(t, "inject", "--branch", "geneva-idea", proposed, "--data", data)
	if got := summaryOf(t, must(t, "status", "geneva", "--branch", "geneva-idea", "--data", data, "--json"))["geneva"]; !strings.HasPrefix(got, "proposed ") {
		t.Errorf("geneva on the branch: %s; want proposed", got)
	}
	if got := summaryOf(t, must(t, "status", "--data", data, "--json")); got["geneva"] != "" {
		t.Errorf("the record shows the branch's meeting: %s", got["geneva"])
	}
	code, _, errs := summit(t, "append", proposed, "--data", data)
	if code != exitBadInput || !strings.Contains(errs, proposed+":2:") || !strings.Contains(errs, "geneva") {
		t.Errorf("the branch's meeting appended to the record: exit %d\n%s", code, errs)
	}
}
