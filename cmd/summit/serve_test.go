package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/summit-model/summit/projections"
)

// TestWatchFollowsServeAcrossRestarts: a watch goes on through a restart
// of the server, says so in one line, and shows each change once.
func TestWatchFollowsServeAcrossRestarts(t *testing.T) {
	serve, dir, url := serveOn(t)
	must(t, "replay", "budapest-2025", "--server", url)
	watch := start(t, "watch", "--server", url)
	watch.waitFor(t, "following changes")
	if !strings.Contains(watch.stdout.String(), "main budapest-summit: proposed") {
		t.Errorf("watch did not start with the current state:\n%s", watch.stdout.String())
	}
	must(t, "append", statement(t, "putin", "postponed", 23), "--server", url)
	watch.waitFor(t, "claim of putin: postponed")

	// The server stops and starts again on the same store; the watch goes
	// on, and sees what happens next, once.
	addr := strings.TrimPrefix(url, "nats://")
	if code := serve.stop(t); code != exitOK {
		t.Fatalf("serve stopped with %d:\n%s", code, serve.stderr.String())
	}
	waitUntil(t, "notice of the server gone", func() bool {
		return strings.Contains(watch.stderr.String(), "server gone, reconnecting")
	}, watch.stderr.String)
	serve = start(t, "serve", "--data", dir, "--listen", addr)
	serve.waitFor(t, "listening on")
	must(t, "append", statement(t, "trump", "cancelled", 24), "--server", url)
	watch.waitFor(t, "claim of trump: cancelled")
	out := watch.stdout.String()
	for _, line := range []string{"claim of putin: postponed", "claim of trump: cancelled"} {
		if n := strings.Count(out, line); n != 1 {
			t.Errorf("%q shown %d times, want once:\n%s", line, n, out)
		}
	}
	if code := watch.stop(t); code != exitOK {
		t.Errorf("watch ended with %d on Ctrl-C:\n%s", code, watch.stderr.String())
	}
	// The lost server is one line each way, not a library's error.
	if errs := watch.stderr.String(); strings.Count(errs, "\n") > 4 || strings.Contains(errs, "nats:") {
		t.Errorf("watch's standard error through a restart:\n%s", errs)
	}
}

// TestWatchSeesEveryChange: a watch running while a scenario is replayed
// and statements appended shows each change once, in the order of the
// log, and what it shows adds up to the board.
func TestWatchSeesEveryChange(t *testing.T) {
	_, _, url := serveOn(t)
	watch := start(t, "watch", "--server", url, "--json")
	watch.waitFor(t, `"type":"live"`)
	must(t, "replay", "budapest-2025", "--server", url)
	for i, who := range []string{"putin", "trump"} {
		must(t, "append", statement(t, who, "postponed", 23+i), "--server", url)
	}
	watch.waitFor(t, `"claims":{"peskov":"unscheduled","putin":"postponed","trump":"postponed","us-official":"unscheduled"}`)

	last := map[string]projections.WatchLine{}
	seqs := map[string]uint64{}
	for _, line := range strings.Split(strings.TrimSpace(watch.stdout.String()), "\n") {
		var l projections.WatchLine
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		if l.Type != "change" {
			continue
		}
		if l.Seq <= seqs[l.Meeting] {
			t.Errorf("%s: a change of seq %d after one of %d: shown twice or out of order", l.Meeting, l.Seq, seqs[l.Meeting])
		}
		seqs[l.Meeting] = l.Seq
		last[l.Meeting] = l
	}
	board := readBoard(t, must(t, "status", "--server", url, "--json"))
	if len(last) != len(board.Meetings) {
		t.Errorf("the watch showed changes of %d meetings, the board has %d", len(last), len(board.Meetings))
	}
	for _, m := range board.Meetings {
		l := last[m.ID]
		if l.Status != m.Status || l.Readiness != m.Readiness || !cmp.Equal(l.Claims, m.Claims, cmpopts.EquateEmpty()) {
			t.Errorf("%s: the watch ends at %s %s %v; the board says %s %s %v", m.ID, l.Status, l.Readiness, l.Claims, m.Status, m.Readiness, m.Claims)
		}
	}
}

// TestWatchEndsWithItsBranch: deleting the branch a watch follows ends
// the watch with a message (issue 12, item 10).
func TestWatchEndsWithItsBranch(t *testing.T) {
	_, _, url := serveOn(t)
	must(t, "replay", "budapest-2025", "--server", url)
	must(t, "inject", "--branch", "tmp1", "--fork-at", "2025-10-21", prepHeld, "--server", url)
	watch := start(t, "watch", "--branch", "tmp1", "--server", url)
	watch.waitFor(t, "following changes")
	must(t, "branch", "delete", "tmp1", "--server", url)
	var code int
	select {
	case code = <-watch.done:
		watch.done <- code
	case <-time.After(30 * time.Second):
		t.Fatalf("the watch did not end with its branch:\n%s", watch.stderr.String())
	}
	if code != exitFailed || !strings.Contains(watch.stderr.String(), "tmp1") {
		t.Errorf("exit %d, want %d and a message naming the branch:\n%s", code, exitFailed, watch.stderr.String())
	}
}

// TestServeRestartResumesFromCheckpoints: serve stopped saves each
// projection's checkpoint, started again resumes from it, and the boards
// are as they were.
func TestServeRestartResumesFromCheckpoints(t *testing.T) {
	serve, dir, url := serveOn(t)
	must(t, "replay", "budapest-2025", "--server", url)
	must(t, "inject", "--branch", "prep-held", "--fork-at", "2025-10-21", prepHeld, "--server", url)
	mainBefore := must(t, "status", "--server", url, "--json")
	branchBefore := must(t, "status", "--branch", "prep-held", "--server", url, "--json")
	code := serve.stop(t)
	if code != exitOK {
		t.Fatalf("serve: exit %d\n%s", code, serve.stderr.String())
	}
	// Its standard error is a log, with times: the golden file holds its
	// standard output only.
	golden(t, "serve.txt", code, serve.stdout.String(), "", map[string]string{dir: "$DATA", url: "$URL"})
	if !strings.Contains(serve.stderr.String(), "projections saved their checkpoints") {
		t.Errorf("serve did not say it saved its checkpoints:\n%s", serve.stderr.String())
	}
	serve = start(t, "serve", "--data", dir, "--listen", strings.TrimPrefix(url, "nats://"))
	serve.waitFor(t, "listening on")
	// Main's projection resumes; an idle branch's costs nothing until it
	// has new events (its views and checkpoint stay), so only main is
	// waited for, and the branch's board is compared below.
	for _, branch := range []string{"main"} {
		waitUntil(t, "projection of "+branch+" resuming", func() bool {
			for _, l := range strings.Split(serve.stderr.String(), "\n") {
				if strings.Contains(l, "projection resumes") && strings.Contains(l, "branch="+branch) {
					return true
				}
			}
			return false
		}, serve.stderr.String)
	}
	if strings.Contains(serve.stderr.String(), "checkpoint=0 ") {
		t.Errorf("a projection started over instead of resuming:\n%s", serve.stderr.String())
	}
	if must(t, "status", "--server", url, "--json") != mainBefore || must(t, "status", "--branch", "prep-held", "--server", url, "--json") != branchBefore {
		t.Errorf("the boards changed across a restart")
	}
}

// TestInterruptedReplaySaysWhatLanded: a paced replay stopped part way
// (Ctrl-C) exits 130, says how much landed and how to resume; run again,
// it appends the rest, and the counts add up (issue 12, item 9).
func TestInterruptedReplaySaysWhatLanded(t *testing.T) {
	data := filepath.Join(t.TempDir(), "store")
	// The story's first day lands at once, the next two months later: a
	// day a 20 ms, it waits 1.2 s for it.
	replay := start(t, "replay", "budapest-2025", "--pace", "1d=20ms", "--data", data)
	waitUntil(t, "the first day landed", func() bool {
		return strings.Contains(replay.stderr.String(), "2025-08-15 meeting.held alaska-summit")
	}, replay.stderr.String)
	code := replay.stop(t)
	errs := replay.stderr.String()
	m := regexp.MustCompile(`interrupted: (\d+) of (\d+) steps of \S+ landed \((\d+) events appended\): run the same command again`).FindStringSubmatch(errs)
	if code != exitInterrupted || m == nil {
		t.Fatalf("exit %d, want %d and what landed:\n%s", code, exitInterrupted, errs)
	}
	if replay.stdout.String() != "" {
		t.Errorf("an interrupted replay printed a board:\n%s", replay.stdout.String())
	}
	landed, _ := strconv.Atoi(m[3])
	code, _, errs = summit(t, "replay", "budapest-2025", "--data", data)
	r := regexp.MustCompile(`: (\d+) events appended to the store in \S+ \((\d+) entr(?:y|ies) already on record\)`).FindStringSubmatch(errs)
	if code != exitOK || r == nil {
		t.Fatalf("the resumed replay: exit %d\n%s", code, errs)
	}
	if rest, _ := strconv.Atoi(r[1]); landed+rest != 24 || landed == 0 || rest == 0 {
		t.Errorf("%d events landed, then %d: want 24 in all", landed, rest)
	}
}

// TestDeleteABranchJustMade deletes a branch a moment after it was made,
// while serve starts its projection: the delete succeeds whatever state
// the projection is in (issue 15, item 2), again and again.
func TestDeleteABranchJustMade(t *testing.T) {
	_, _, url := serveOn(t)
	must(t, "replay", "budapest-2025", "--server", url)
	for i := range 3 {
		must(t, "inject", "--branch", "tmp1", "--fork-at", "2025-10-21", prepHeld, "--server", url)
		if code, _, errs := summit(t, "branch", "delete", "tmp1", "--server", url); code != exitOK {
			t.Fatalf("delete %d: exit %d\n%s", i+1, code, errs)
		}
	}
	if list := must(t, "branches", "--server", url); !strings.HasPrefix(list, "(no branches") {
		t.Errorf("branches after the deletes:\n%s", list)
	}
}

// TestStoreFromTheEnvironment reaches a server through $NATS_URL and
// through a NATS CLI context, as the NATS tools do.
func TestStoreFromTheEnvironment(t *testing.T) {
	_, _, url := serveOn(t)
	must(t, "replay", "budapest-2025", "--server", url)
	want := must(t, "status", "--server", url)

	var out, errs bytes.Buffer
	e := testEnv(&out, &errs)
	e.getenv = func(k string) string { return map[string]string{"NATS_URL": url}[k] }
	if code := run(context.Background(), []string{"status"}, e); code != exitOK || out.String() != want {
		t.Errorf("status with $NATS_URL: exit %d\n%s%s", code, out.String(), errs.String())
	}

	config := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config)
	if err := os.MkdirAll(filepath.Join(config, "nats", "context"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(config, "nats", "context", "summit.json"), []byte(`{"url": "`+url+`"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := must(t, "status", "--context", "summit"); got != want {
		t.Errorf("status with --context:\n%s", got)
	}
	code, _, stderr := summit(t, "status", "--context", "nope")
	if code != exitBadInput || !strings.Contains(stderr, "--context nope") {
		t.Errorf("an unknown context: exit %d\n%s", code, stderr)
	}
}
