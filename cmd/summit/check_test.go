package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/embedded"
	"github.com/summit-model/summit/events"
)

// checkRun runs summit with args and returns its exit status, standard
// output and standard error.
func checkRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	e := env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
	code := run(context.Background(), args, e)
	return code, out.String(), errOut.String()
}

// TestDamagedStoreIsRefused replays a scenario into a store, damages the
// files of the stopped server as a disk or a careless hand would (deletes
// the stream's message block, truncates it, overwrites 40 bytes of its
// last event, removes the branch bucket), and checks that status refuses the store (exit 3, naming what is
// gone and how to recover) where it used to print the board as if nothing
// were wrong; that check lists the loss (exit 1); and that check --repair
// rebuilds the views and accepts the loss, after which status reads what
// is left. An append is refused the same way.
func TestDamagedStoreIsRefused(t *testing.T) {
	for _, tc := range []struct {
		damage string
		// want is a word of the refusal; repair, whether check --repair
		// mends the store (an overwritten event takes a rebuild 10 s to
		// give up on, and is left out).
		want   string
		repair bool
	}{
		{"delete", "lost", true},
		{"truncate", "lost", true},
		{"overwrite", "unreadable", false},
		{"branches", "orphaned", true},
	} {
		t.Run(tc.damage, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "store")
			if code, _, stderr := checkRun(t, "replay", "--data", dir, "../../scenarios/budapest-2025.yaml"); code != 0 {
				t.Fatalf("replay: exit %d: %s", code, stderr)
			}
			if tc.damage == "branches" {
				if code, _, stderr := checkRun(t, "inject", "--data", dir, "--branch", "prep-held", "../../scenarios/what-if/prep-held.yaml"); code != 0 {
					t.Fatalf("inject: exit %d: %s", code, stderr)
				}
			}
			if code, out, stderr := checkRun(t, "check", "--data", dir); code != 0 {
				t.Fatalf("check of an intact store: exit %d: %s%s", code, out, stderr)
			}
			streams := filepath.Join(dir, "jetstream", "$G", "streams")
			block := filepath.Join(streams, "SUMMIT", "msgs", "1.blk")
			fi, err := os.Stat(block)
			if err != nil {
				t.Fatal(err)
			}
			switch tc.damage {
			case "delete":
				err = os.Remove(block)
			case "truncate":
				err = os.Truncate(block, fi.Size()/2)
			case "overwrite":
				var f *os.File
				if f, err = os.OpenFile(block, os.O_RDWR, 0); err == nil {
					_, err = f.WriteAt([]byte(strings.Repeat("X", 40)), fi.Size()-60)
					f.Close()
				}
			case "branches":
				err = os.RemoveAll(filepath.Join(streams, "KV_summit-branches"))
			}
			if err != nil {
				t.Fatal(err)
			}
			code, _, stderr := checkRun(t, "status", "--data", dir)
			if code != exitFailed || !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, "summit check --repair") || !strings.Contains(stderr, "copy") {
				t.Fatalf("status of a damaged store: exit %d, want 3 naming the damage (%s) and the way back: %s", code, tc.want, stderr)
			}
			// An append checks the store while it decides, and writes
			// nothing to one that lost events.
			code, _, stderr = checkRun(t, "append", "--data", dir, statement(t, "putin", "postponed", 23))
			if code != exitFailed || !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, "summit check --repair") {
				t.Fatalf("append to a damaged store: exit %d, want 3 naming the damage (%s) and the way back: %s", code, tc.want, stderr)
			}
			code, out, _ := checkRun(t, "check", "--data", dir)
			if code != exitExpect || !strings.Contains(out, tc.want+": ") {
				t.Fatalf("check of a damaged store: exit %d, want 1 listing the damage (%s): %s", code, tc.want, out)
			}
			if !tc.repair {
				return
			}
			code, out, stderr = checkRun(t, "check", "--repair", "--data", dir)
			if code != exitOK || !strings.Contains(out, "rebuilt the views of main") {
				t.Fatalf("check --repair: exit %d, want 0 having rebuilt: %s%s", code, out, stderr)
			}
			if code, _, stderr := checkRun(t, "status", "--data", dir); code != exitOK {
				t.Fatalf("status after the repair: exit %d: %s", code, stderr)
			}
		})
	}
}

// TestStatusReadsPastABadEvent puts in a store what an older summit let
// through: a proposal whose window the codec refuses ("within": "100002d",
// as "within: 14286w" was stored) and one whose window ends after
// 2199-12-31. Every later status used to exit 3. Now status names each
// event, skipped as a dead letter, and prints the rest of the board; its
// --json counts them; check lists them (exit 0: they are quarantined).
func TestStatusReadsPastABadEvent(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	if code, _, stderr := checkRun(t, "replay", "--data", dir, "../../scenarios/budapest-2025.yaml"); code != 0 {
		t.Fatalf("replay: exit %d: %s", code, stderr)
	}
	srv, err := embedded.Start(context.Background(), embedded.Options{StoreDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	nc, err := srv.Connect()
	if err != nil {
		t.Fatal(err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	const event = `{"v":2,"id":"%s","kind":"meeting.proposed","aggregate":{"type":"meeting","id":"budapest-summit"},"version":%d,"at":"%s","recorded":"2025-10-22T00:00:00Z","by":"trump","party":"USA","branch":"main","data":{"within":"%s"}}`
	subject := "summit.ev.main.meeting.budapest-summit"
	for i, bad := range [][2]string{{"2025-10-22", "100002d"}, {"2199-12-31", "14d"}} {
		data := fmt.Sprintf(event, events.NewID(), 100+i, bad[0], bad[1])
		if _, err := js.Publish(context.Background(), subject, []byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	nc.Close()
	srv.Shutdown()

	code, out, stderr := checkRun(t, "status", "--data", dir)
	if code != exitOK {
		t.Fatalf("status: exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "budapest-summit ·") || !strings.Contains(out, "2 messages on main skipped") || !strings.Contains(out, "summit check") {
		t.Fatalf("status: want the board, and the 2 events skipped named with a hint: %s", out)
	}
	t.Logf("status says:\n%s", out[strings.Index(out, "2 messages"):])
	code, out, _ = checkRun(t, "status", "--data", dir, "--json")
	if code != exitOK || !strings.Contains(out, `"dead_letters": 2`) {
		t.Fatalf("status --json: exit %d, want dead_letters 2: %s", code, out)
	}
	code, out, _ = checkRun(t, "check", "--data", dir)
	if code != exitOK || !strings.Contains(out, "dead letters: 2") {
		t.Fatalf("check: exit %d, want 0 listing 2 dead letters: %s", code, out)
	}
}
