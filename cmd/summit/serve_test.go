package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
)

// syncBuffer is a buffer that a verb running in a goroutine writes while
// the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// background runs a verb until the test ends or stop is called.
type background struct {
	stdout, stderr syncBuffer
	cancel         context.CancelFunc
	done           chan int
}

func start(t *testing.T, args ...string) *background {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	b := &background{cancel: cancel, done: make(chan int, 1)}
	go func() { b.done <- run(ctx, args, strings.NewReader(""), &b.stdout, &b.stderr) }()
	t.Cleanup(func() { b.stop(t) })
	return b
}

// stop ends the verb as Ctrl-C would and returns its exit status.
func (b *background) stop(t *testing.T) int {
	t.Helper()
	b.cancel()
	select {
	case code := <-b.done:
		b.done <- code
		return code
	case <-time.After(30 * time.Second):
		t.Fatalf("the verb did not stop; stderr:\n%s", b.stderr.String())
	}
	return -1
}

// waitFor waits until the verb's standard output holds want.
func (b *background) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(b.stdout.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in the output before the deadline:\n%s\nstderr:\n%s", want, b.stdout.String(), b.stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// freeAddr returns a loopback address no one listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// statement is an event file in which who claims status for the Budapest
// summit on day d of October.
func statement(t *testing.T, who, claim string, d int) string {
	return writeFile(t, fmt.Sprintf("%s-%d.yaml", who, d), fmt.Sprintf(`timeline:
  - at: 2025-10-%02d
    event: statement.made
    by: %s
    about: budapest-summit
    stance: noncommittal
    claim: %s
`, d, who, claim))
}

func TestWatchFollowsServeAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	url := "nats://" + addr
	serve := start(t, "serve", "--data", dir, "--listen", addr)
	serve.waitFor(t, "listening on")
	if code, _, errs := summit(t, "replay", "budapest-2025", "--server", url); code != exitOK {
		t.Fatalf("replay: exit %d\n%s", code, errs)
	}
	watch := start(t, "watch", "--server", url)
	watch.waitFor(t, "following changes")
	if !strings.Contains(watch.stdout.String(), "main budapest-summit: proposed") {
		t.Errorf("watch did not start with the current state:\n%s", watch.stdout.String())
	}

	if code, _, errs := summit(t, "append", statement(t, "putin", "postponed", 23), "--server", url); code != exitOK {
		t.Fatalf("append: exit %d\n%s", code, errs)
	}
	watch.waitFor(t, "claim of putin: postponed")

	// The server stops and starts again on the same store; the watch goes
	// on, and sees what happens next, once.
	if code := serve.stop(t); code != exitOK {
		t.Fatalf("serve stopped with %d:\n%s", code, serve.stderr.String())
	}
	serve = start(t, "serve", "--data", dir, "--listen", addr)
	serve.waitFor(t, "listening on")
	if code, _, errs := summit(t, "append", statement(t, "trump", "cancelled", 24), "--server", url); code != exitOK {
		t.Fatalf("append after restart: exit %d\n%s", code, errs)
	}
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
}

func TestWatchSeesEveryChangeOnceInOrder(t *testing.T) {
	// A watch that runs while a scenario is replayed prints, for each
	// meeting, exactly the changes a fold of the log makes, event by event,
	// in order.
	ctx := context.Background()
	dir := t.TempDir()
	addr := freeAddr(t)
	url := "nats://" + addr
	serve := start(t, "serve", "--data", dir, "--listen", addr)
	serve.waitFor(t, "listening on")
	watch := start(t, "watch", "--server", url, "--json")
	watch.waitFor(t, `"type":"live"`)
	if code, _, errs := summit(t, "replay", "budapest-2025", "--server", url); code != exitOK {
		t.Fatalf("replay: exit %d\n%s", code, errs)
	}
	for _, who := range []string{"putin", "trump"} {
		if code, _, errs := summit(t, "append", statement(t, who, "postponed", 23), "--server", url); code != exitOK {
			t.Fatalf("append: exit %d\n%s", code, errs)
		}
	}

	// What a fold of the log says changed, event by event.
	sf := storeFlags{servers: url, replicas: 1}
	s, err := sf.open(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	board := projections.NewBoard(events.Main, time.Time{})
	last := map[string]*projections.View{}
	var want []string
	err = s.log.ReadBranch(ctx, eventlog.Main(), func(r eventlog.Record) error {
		for _, id := range board.Apply(r.Seq, r.Event) {
			v, _ := board.View(id, time.Now())
			if changes := projections.Changes(last[id], &v); len(changes) > 0 {
				b, _ := json.Marshal(changes)
				want = append(want, id+" "+string(b))
			}
			last[id] = &v
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// What the watch printed, once it has printed as many changes.
	var got []string
	deadline := time.Now().Add(30 * time.Second)
	for {
		got = got[:0]
		for _, line := range strings.Split(watch.stdout.String(), "\n") {
			var w watchLine
			if json.Unmarshal([]byte(line), &w) != nil || w.Type != "change" {
				continue
			}
			b, _ := json.Marshal(w.Changes)
			got = append(got, w.Meeting+" "+string(b))
		}
		if len(got) >= len(want) || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the changes watch printed differ from the fold's (-fold +watch):\n%s", diff)
	}
}

func TestServeRestartResumesFromCheckpoints(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	url := "nats://" + addr
	serve := start(t, "serve", "--data", dir, "--listen", addr)
	serve.waitFor(t, "listening on")
	if code, _, errs := summit(t, "replay", "budapest-2025", "--server", url); code != exitOK {
		t.Fatalf("replay: exit %d\n%s", code, errs)
	}
	file := writeFile(t, "prep-held.yaml", prepHeld)
	if code, _, errs := summit(t, "inject", "--branch", "prep-held", "--fork-at", "2025-10-21", file, "--server", url); code != exitOK {
		t.Fatalf("inject: exit %d\n%s", code, errs)
	}
	_, mainBefore, _ := summit(t, "status", "--server", url, "--json")
	_, branchBefore, _ := summit(t, "status", "--branch", "prep-held", "--server", url, "--json")
	if code := serve.stop(t); code != exitOK {
		t.Fatalf("serve: exit %d\n%s", code, serve.stderr.String())
	}
	if !strings.Contains(serve.stderr.String(), "projections saved their checkpoints") {
		t.Errorf("serve did not say it saved its checkpoints:\n%s", serve.stderr.String())
	}

	serve = start(t, "serve", "--data", dir, "--listen", addr)
	serve.waitFor(t, "listening on")
	for _, branch := range []string{"main", "prep-held"} {
		waitForLog(t, serve, "projection resumes", "branch="+branch)
	}
	if strings.Contains(serve.stderr.String(), "checkpoint=0 ") {
		t.Errorf("a projection started over instead of resuming:\n%s", serve.stderr.String())
	}
	_, mainAfter, _ := summit(t, "status", "--server", url, "--json")
	_, branchAfter, _ := summit(t, "status", "--branch", "prep-held", "--server", url, "--json")
	if mainBefore != mainAfter || branchBefore != branchAfter {
		t.Errorf("the boards changed across a restart")
	}
}

// waitForLog waits until the verb's standard error has a line with every
// one of parts.
func waitForLog(t *testing.T, b *background, parts ...string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		for _, line := range strings.Split(b.stderr.String(), "\n") {
			all := true
			for _, p := range parts {
				all = all && strings.Contains(line, p)
			}
			if all {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log line with %q:\n%s", parts, b.stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
