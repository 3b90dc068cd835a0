package main

import (
	"io"
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

func TestSyncFlag(t *testing.T) {
	tests := []struct {
		args   []string
		always bool
		err    string
	}{
		{nil, false, ""},
		{[]string{"--sync", "interval"}, false, ""},
		{[]string{"--sync", "always"}, true, ""},
		{[]string{"--sync", "sometimes"}, false, `--sync "sometimes": want interval or always`},
		{[]string{"--sync", "always", "--server", "nats://127.0.0.1:4222"}, false, "--sync is for the embedded server"},
	}
	for _, tt := range tests {
		var sf storeFlags
		fs := newFlags("test", "", io.Discard)
		sf.register(fs, true)
		if err := fs.Parse(tt.args); err != nil {
			t.Fatal(err)
		}
		err := sf.validate()
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("%v: %v", tt.args, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%v: %v, want %q", tt.args, err, tt.err)
		case tt.err == "" && sf.embedded("d", nil).SyncAlways != tt.always:
			t.Errorf("%v: SyncAlways %v, want %v", tt.args, !tt.always, tt.always)
		}
	}
	// A replay that syncs always.
	if code, _, errs := summit(t, "replay", "budapest-2025", "--data", t.TempDir(), "--sync", "always"); code != exitOK {
		t.Fatalf("replay --sync always: exit %d\n%s", code, errs)
	}
}
