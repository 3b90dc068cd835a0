package main

import (
	"strings"
	"testing"

	"github.com/summit-model/summit/natstest"
)

// TestStoreInUse opens a store another server runs on: refused as bad
// input, with a message that says what to do.
func TestStoreInUse(t *testing.T) {
	dir := t.TempDir()
	natstest.StartIn(t, dir)
	for _, args := range [][]string{
		{"status", "--data", dir},
		{"replay", "budapest-2025", "--data", dir},
	} {
		code, _, errs := summit(t, args...)
		if code != exitBadInput || !strings.Contains(errs, "the store is in use by another process") || !strings.Contains(errs, "--server") {
			t.Errorf("%v: exit %d\n%s", args, code, errs)
		}
	}
}
