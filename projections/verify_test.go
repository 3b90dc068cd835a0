package projections_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/embedded"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
)

// openIn opens the log and projection store of an embedded server on the
// store in dir, with a short log timeout; stop shuts the server down.
func openIn(t *testing.T, dir string) (r *liveRig, stop func()) {
	t.Helper()
	ctx := context.Background()
	srv, err := embedded.Start(ctx, embedded.Options{StoreDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	nc, err := srv.Connect()
	if err != nil {
		t.Fatal(err)
	}
	stop = func() { nc.Close(); srv.Shutdown() }
	t.Cleanup(stop)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	l, err := eventlog.Open(ctx, js, eventlog.Options{Timeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	st, err := projections.OpenStore(ctx, js, projections.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return &liveRig{t: t, js: js, log: l, store: st}, stop
}

// streamFile returns the path of a file of stream name's store in dir.
func streamFile(dir, name string, path ...string) string {
	return filepath.Join(append([]string{dir, "jetstream", "$G", "streams", name}, path...)...)
}

// damagedStore appends a story (and, if branch, events on a what-if
// branch), projects it, stops the server, damages its files with damage,
// and opens the store again.
func damagedStore(t *testing.T, branch bool, damage func(dir string)) *liveRig {
	t.Helper()
	dir := t.TempDir()
	r, stop := openIn(t, dir)
	r.story(3)
	if branch {
		b, err := r.log.Fork(context.Background(), "what-if", events.Time{})
		if err != nil {
			t.Fatal(err)
		}
		r.do(b, "summit", 22, "putin", &events.MeetingAccepted{})
	}
	if err := projections.CatchUp(context.Background(), r.log, r.store, eventlog.Main(), projections.RunnerOptions{}); err != nil {
		t.Fatal(err)
	}
	stop()
	damage(dir)
	r, _ = openIn(t, dir)
	return r
}

// overwrite writes 40 bytes over the block at offset (from the end, if
// negative).
func overwrite(t *testing.T, path string, offset int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if offset < 0 {
		fi, err := f.Stat()
		if err != nil {
			t.Fatal(err)
		}
		offset += fi.Size()
	}
	if _, err := f.WriteAt([]byte(strings.Repeat("X", 40)), offset); err != nil {
		t.Fatal(err)
	}
}

// TestInspectFindsDamage damages the files of a stopped server's store,
// as a disk or a careless hand would, and checks that the cheap check a
// read runs on open names what is gone.
func TestInspectFindsDamage(t *testing.T) {
	block := func(dir string) string { return streamFile(dir, eventlog.StreamName, "msgs", "1.blk") }
	truncate := func(t *testing.T, dir string) {
		fi, err := os.Stat(block(dir))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(block(dir), fi.Size()/2); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name   string
		branch bool
		// uncounted makes main's checkpoint one that does not count the
		// messages read (written before it did): each snapshot is read.
		uncounted bool
		damage    func(t *testing.T, dir string)
		// want is the kind of damage found, and a word of its subject;
		// detail, if set, a phrase of what it says.
		want, on, detail string
	}{
		{name: "intact", damage: func(t *testing.T, dir string) {}},
		{name: "a message block deleted", want: "lost", on: "summit", damage: func(t *testing.T, dir string) {
			if err := os.Remove(block(dir)); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "intact, an uncounted checkpoint", uncounted: true, damage: func(t *testing.T, dir string) {}},
		{name: "a block truncated", want: "lost", on: "main", damage: truncate},
		{name: "a block truncated, an uncounted checkpoint", uncounted: true, want: "lost", on: "meeting", damage: truncate},
		{name: "40 bytes overwritten in the last event", want: "", on: "meeting", damage: func(t *testing.T, dir string) {
			overwrite(t, block(dir), -60)
		}},
		{name: "the event stream removed", want: "lost", on: "main", detail: "holds no event: the stream was emptied or made again", damage: func(t *testing.T, dir string) {
			if err := os.RemoveAll(streamFile(dir, eventlog.StreamName)); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "the branch bucket removed", branch: true, want: "orphaned", on: "what-if", damage: func(t *testing.T, dir string) {
			if err := os.RemoveAll(streamFile(dir, "KV_"+eventlog.BranchBucket)); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := damagedStore(t, tc.branch, func(dir string) { tc.damage(t, dir) })
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if tc.uncounted {
				if err := r.store.Uncount(ctx, events.Main); err != nil {
					t.Fatal(err)
				}
			}
			in, err := projections.Inspect(ctx, r.log, r.store)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("first %d, last %d, %d messages, %d deleted; damage: %v", in.FirstSeq, in.LastSeq, in.Msgs, in.Deleted, in.Damage)
			if tc.want == "" && tc.on == "" {
				if err := in.Err(); err != nil {
					t.Fatalf("an intact store reads as damaged: %v", err)
				}
				return
			}
			if !errors.Is(in.Err(), eventlog.ErrDamaged) {
				t.Fatalf("the damage went unnoticed: %+v", in)
			}
			found := false
			for _, d := range in.Damage {
				found = found || (tc.want == "" || d.Kind == tc.want) && strings.Contains(d.Subject, tc.on) && strings.Contains(d.Detail, tc.detail)
			}
			if !found {
				t.Errorf("want %s damage on a subject of %s (%q), got %v", tc.want, tc.on, tc.detail, in.Damage)
			}
		})
	}
}

// TestReadsOfADamagedStoreEnd overwrites 40 bytes inside the first event,
// which the cheap check does not see (the aggregate's later events are
// whole), and checks that a fold and a rebuild end with ErrDamaged within
// a few of the log's timeouts: they used to skip the event in silence
// (a fold) or wait for it for ever (a rebuild).
func TestReadsOfADamagedStoreEnd(t *testing.T) {
	for _, offset := range []int64{100, -60} {
		r := damagedStore(t, false, func(dir string) {
			overwrite(t, streamFile(dir, eventlog.StreamName, "msgs", "1.blk"), offset)
		})
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		started := time.Now()
		_, err := projections.Fold(ctx, r.log, projections.Query{Branch: eventlog.Main()})
		if !errors.Is(err, eventlog.ErrDamaged) {
			t.Errorf("offset %d: a fold of a damaged store: want ErrDamaged, got %v", offset, err)
		}
		err = projections.NewRunner(r.log, r.store, eventlog.Main(), projections.RunnerOptions{}).Rebuild(ctx)
		if !errors.Is(err, eventlog.ErrDamaged) {
			t.Errorf("offset %d: a rebuild of a damaged store: want ErrDamaged, got %v", offset, err)
		}
		t.Logf("offset %d: %v, in %s", offset, err, time.Since(started).Round(time.Millisecond))
		cancel()
	}
}

// TestVerifyFindsAWrongView writes a view by hand that the log does not
// bear out (a meeting shown held), and checks that Verify finds the
// branch's views unequal to a fold, and that a rebuild mends them.
func TestVerifyFindsAWrongView(t *testing.T) {
	r := newLiveRig(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r.story(2)
	if err := projections.CatchUp(ctx, r.log, r.store, eventlog.Main(), projections.RunnerOptions{}); err != nil {
		t.Fatal(err)
	}
	rep, err := projections.Verify(ctx, r.log, r.store)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) != 0 || len(rep.Views) != 1 || !rep.Views[0].Equal {
		t.Fatalf("an intact store: want no problem and equal views, got %v, %+v", rep.Problems, rep.Views)
	}
	v := r.stored(events.Main)["summit"]
	v.Status = "held"
	data, err := projections.ASCII(v)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.Meetings().Put(ctx, projections.Key(events.Main, "summit"), data); err != nil {
		t.Fatal(err)
	}
	rep, err = projections.Verify(ctx, r.log, r.store)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) != 1 || rep.Problems[0].Kind != "view" || rep.Views[0].Equal {
		t.Fatalf("a wrong view: want one view problem, got %v, %+v", rep.Problems, rep.Views)
	}
	if err := projections.NewRunner(r.log, r.store, eventlog.Main(), projections.RunnerOptions{}).Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	if rep, err = projections.Verify(ctx, r.log, r.store); err != nil || len(rep.Problems) != 0 {
		t.Fatalf("after a rebuild: want no problem, got %v, %v", rep.Problems, err)
	}
}

// TestInspectReadsEveryCheckpoint gives the state bucket more checkpoints
// than one multi-last direct get answers (1,024): the check on open then
// reads them with a watch, and still finds the one branch whose projection
// reflects more of the log than the log holds.
func TestInspectReadsEveryCheckpoint(t *testing.T) {
	ctx := context.Background()
	r := newLiveRig(t)
	r.story(1)
	if err := projections.CatchUp(ctx, r.log, r.store, eventlog.Main(), projections.RunnerOptions{}); err != nil {
		t.Fatal(err)
	}
	last, err := r.log.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	state, err := r.js.KeyValue(ctx, projections.StateBucket)
	if err != nil {
		t.Fatal(err)
	}
	const branches, ahead = 1_100, "b-1099"
	for i := range branches {
		name := fmt.Sprintf("b-%04d", i)
		cp := projections.Checkpoint{Seq: last, Based: true}
		if name == ahead {
			cp.Seq = last + 5
		}
		data, err := json.Marshal(cp)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := state.Put(ctx, name+".checkpoint", data); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := eventlog.LatestValues(ctx, r.js, projections.StateBucket, "*.checkpoint", 0); err == nil {
		t.Fatalf("a multi-last direct get answered for %d keys: this test no longer reads the checkpoints with a watch", branches+1)
	}
	in, err := projections.Inspect(ctx, r.log, r.store)
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Damage) != 1 || in.Damage[0].Kind != "lost" || in.Damage[0].Subject != ahead {
		t.Fatalf("damage %+v, want the one branch ahead of the log, %s, lost", in.Damage, ahead)
	}
}
