package projections

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/natstest"
)

func TestWhole(t *testing.T) {
	rec := func(versions ...uint64) []eventlog.Record {
		var out []eventlog.Record
		for i, v := range versions {
			out = append(out, eventlog.Record{Seq: uint64(10 + i), Event: events.Event{Version: v}})
		}
		return out
	}
	for _, c := range []struct {
		name    string
		records []eventlog.Record
		version uint64
		want    bool
	}{
		{"every version", rec(1, 2, 3), 3, true},
		{"the first alone", rec(1), 1, true},
		{"the last missing (a replica behind)", rec(1, 2), 3, false},
		{"one in the middle missing", rec(1, 3), 3, false},
		{"the first missing", rec(2, 3), 3, false},
		{"one twice", rec(1, 2, 2), 3, false},
		{"none", nil, 1, false},
	} {
		if got := whole(c.records, c.version); got != c.want {
			t.Errorf("%s: whole = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestEachReadsEachKeyOnce writes keys of two branches, one of them twice
// and one then deleted: each reads a branch's keys once each, with their
// latest values, leaving out the deleted, whether or not the store asks
// its leader for later writes (as a replicated one does). A store asks
// its bucket how many servers keep it.
func TestEachReadsEachKeyOnce(t *testing.T) {
	ctx := context.Background()
	store := storeOnOneServer(t)
	if replicated, err := store.replicated(ctx); err != nil || replicated {
		t.Fatalf("a store on one server: replicated %v (%v)", replicated, err)
	}
	kv := store.meetings
	for _, w := range []struct{ key, value string }{
		{"main.a", "a1"}, {"main.b", "b1"}, {"other.a", "x"}, {"main.b", "b2"}, {"main.c", "c1"},
	} {
		if _, err := kv.PutString(ctx, w.key, w.value); err != nil {
			t.Fatal(err)
		}
	}
	if err := kv.Delete(ctx, "main.c"); err != nil {
		t.Fatal(err)
	}
	for _, replicas := range []int64{1, 3} {
		for _, r := range []writes{mine, theirs} {
			store.replicas.Store(replicas)
			var got []string
			err := store.each(ctx, kv, "main", r, func(key string, value []byte) error {
				got = append(got, key+"="+string(value))
				return nil
			})
			if want := []string{"main.a=a1", "main.b=b2"}; err != nil || !slices.Equal(got, want) {
				t.Errorf("%d replicas, written by others %v: read %q (%v), want %q", replicas, r, got, err, want)
			}
		}
	}
}

// TestEachMissesNoKeyWrittenAgain reads a branch's keys while another
// writer puts them again, one after another, as summit serve's live runner
// writes views and snapshots while a status or a new branch reads them. A
// watch alone can miss a key: its value is gone (a bucket keeps one) before
// the watch delivers it, and the new one comes after the watch has counted
// the current values. Every read of keys that others write must hold every
// key.
func TestEachMissesNoKeyWrittenAgain(t *testing.T) {
	ctx := context.Background()
	store := storeOnOneServer(t)
	const keys = 3000
	kv := store.snapshots       // one value a key: what was written over is gone
	value := make([]byte, 2048) // about a snapshot's size
	key := func(i int) string { return fmt.Sprintf("main.m%04d", i) }
	for i := range keys {
		if _, err := kv.Put(ctx, key(i), value); err != nil {
			t.Fatal(err)
		}
	}
	wctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		// Keys in no order: some the watch delivered already, some not.
		for n := 1; ; n++ {
			if _, err := kv.Put(wctx, key(n*7919%keys), value); err != nil {
				if wctx.Err() != nil {
					err = nil // stopped
				}
				done <- err
				return
			}
		}
	}()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("writer: %v", err)
		}
	}()
	for read := range 20 {
		seen := map[string]bool{}
		err := store.each(ctx, kv, "main", theirs, func(key string, value []byte) error {
			if seen[key] {
				return fmt.Errorf("%s read twice", key)
			}
			seen[key] = true
			return nil
		})
		if err != nil {
			t.Fatalf("read %d: %v", read, err)
		}
		if len(seen) != keys {
			var missing []string
			for i := range keys {
				if !seen[key(i)] {
					missing = append(missing, key(i))
				}
			}
			t.Fatalf("read %d: %d keys of %d; missing %q", read, len(seen), keys, missing)
		}
	}
}

// storeOnOneServer returns a store on a server of its own.
func storeOnOneServer(t *testing.T) *Store {
	t.Helper()
	store, err := OpenStore(context.Background(), natstest.JetStream(t, natstest.Start(t)), StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return store
}
