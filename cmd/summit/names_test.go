package main

import (
	"strings"
	"testing"
)

// TestNamesAreRefusedBeforeTheStore shows that a meeting or branch name
// that could not be one subject token or key ('.', '*', '>', a space, a
// leading '-') is bad input (exit 2), refused before the store is asked.
func TestNamesAreRefusedBeforeTheStore(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := summit(t, "replay", "budapest-2025", "--data", dir); code != exitOK {
		t.Fatalf("replay: exit %d\n%s", code, errs)
	}
	for _, name := range []string{"budapest-summit.x", "*", ">", "budapest.>", "budapest summit", "-x", "a/b"} {
		for _, args := range [][]string{
			{"status", "--data", dir, "--", name},
			{"status", "--data", dir, "--branch", name},
		} {
			code, out, errs := summit(t, args...)
			if code != exitBadInput || !strings.Contains(errs, "bad name") {
				t.Errorf("%q: exit %d, stderr %q; want %d and a bad name", args, code, errs, exitBadInput)
			}
			if out != "" {
				t.Errorf("%q printed a board", args)
			}
		}
	}
}
