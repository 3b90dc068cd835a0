package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
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

// TestDamagedStoreIsRefused replays a scenario into a store, deletes or
// truncates the stream's message block as a disk or a careless hand
// would, and checks that status refuses the store (exit 3, naming what is
// gone and how to recover) where it used to print the board as if nothing
// were wrong; that check lists the loss (exit 1); and that check --repair
// rebuilds the views and accepts the loss, after which status reads what
// is left.
func TestDamagedStoreIsRefused(t *testing.T) {
	for _, damage := range []string{"delete", "truncate"} {
		t.Run(damage, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "store")
			if code, _, stderr := checkRun(t, "replay", "--data", dir, "../../scenarios/budapest-2025.yaml"); code != 0 {
				t.Fatalf("replay: exit %d: %s", code, stderr)
			}
			if code, out, stderr := checkRun(t, "check", "--data", dir); code != 0 {
				t.Fatalf("check of an intact store: exit %d: %s%s", code, out, stderr)
			}
			block := filepath.Join(dir, "jetstream", "$G", "streams", "SUMMIT", "msgs", "1.blk")
			switch damage {
			case "delete":
				if err := os.Remove(block); err != nil {
					t.Fatal(err)
				}
			case "truncate":
				fi, err := os.Stat(block)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.Truncate(block, fi.Size()/2); err != nil {
					t.Fatal(err)
				}
			}
			code, _, stderr := checkRun(t, "status", "--data", dir)
			if code != exitFailed || !strings.Contains(stderr, "lost") || !strings.Contains(stderr, "summit check --repair") || !strings.Contains(stderr, "copy") {
				t.Fatalf("status of a damaged store: exit %d, want 3 naming the loss and the way back: %s", code, stderr)
			}
			code, out, _ := checkRun(t, "check", "--data", dir)
			if code != exitExpect || !strings.Contains(out, "lost: summit.ev.main.meeting.") {
				t.Fatalf("check of a damaged store: exit %d, want 1 listing the loss: %s", code, out)
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
