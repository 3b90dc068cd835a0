package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/summit-model/summit/natstest"
)

// today is the tests' fixed clock: after the Budapest summit's deadline
// (2025-10-30), so that "today" on a board is a date of the story and
// never the day the tests run.
var today = time.Date(2025, 11, 1, 12, 0, 0, 0, time.UTC)

// testEnv is the env of a verb run by a test: no standard input, no
// $NATS_URL from the machine's environment, and the fixed clock.
func testEnv(stdout, stderr interface{ Write([]byte) (int, error) }) env {
	return env{
		stdin:  strings.NewReader(""),
		stdout: stdout, stderr: stderr,
		getenv: func(string) string { return "" },
		now:    func() time.Time { return today },
	}
}

// summit runs the command line in-process with args and returns its exit
// status, standard output and standard error.
func summit(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, testEnv(&stdout, &stderr))
	return code, stdout.String(), stderr.String()
}

// must runs the command line and fails the test unless it exits 0; it
// returns standard output.
func must(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errs := summit(t, args...)
	if code != exitOK {
		t.Fatalf("summit %s: exit %d\n%s", strings.Join(args, " "), code, errs)
	}
	return out
}

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

// background is a verb run in a goroutine until the test stops it (as
// Ctrl-C would) or ends.
type background struct {
	stdout, stderr syncBuffer
	cancel         context.CancelFunc
	done           chan int
}

// start runs the verb args in the background.
func start(t *testing.T, args ...string) *background {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	b := &background{cancel: cancel, done: make(chan int, 1)}
	go func() { b.done <- run(ctx, args, testEnv(&b.stdout, &b.stderr)) }()
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

// waitFor waits until the verb's standard output holds want n times (once
// if n is not given).
func (b *background) waitFor(t *testing.T, want string, n ...int) {
	t.Helper()
	times := 1
	if len(n) > 0 {
		times = n[0]
	}
	waitUntil(t, fmt.Sprintf("%d× %q in the output", times, want), func() bool {
		return strings.Count(b.stdout.String(), want) >= times
	}, func() string { return b.stdout.String() + "\nstderr:\n" + b.stderr.String() })
}

// waitUntil waits until ok holds, for at most 30 seconds, and then fails
// the test with what and detail.
func waitUntil(t *testing.T, what string, ok func() bool, detail func() string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s before the deadline:\n%s", what, detail())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// serveOn runs "summit serve" on a new store in a temporary directory and
// returns it, its store directory and its URL.
func serveOn(t *testing.T) (*background, string, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "store")
	addr := natstest.FreeAddr(t)
	b := start(t, "serve", "--data", dir, "--listen", addr)
	b.waitFor(t, "listening on")
	return b, dir, "nats://" + addr
}

// writeFile writes content to a file name in a new temporary directory
// and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// statement is an event file in which who makes a claim about the
// Budapest summit on day d of October 2025.
func statement(t *testing.T, who, claim string, d int) string {
	t.Helper()
	return writeFile(t, fmt.Sprintf("%s-%d.yaml", who, d), fmt.Sprintf(`timeline:
  - at: 2025-10-%02d
    event: statement.made
    by: %s
    about: budapest-summit
    stance: noncommittal
    claim: %s
`, d, who, claim))
}

// prepHeld is the built-in what-if: the preparatory meeting held on 25
// October.
const prepHeld = "../../scenarios/what-if/prep-held.yaml"
