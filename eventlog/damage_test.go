package eventlog

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/summit-model/summit/natstest"
)

// TestInspectFindsABlockLostFromTheMiddle removes a message block from the
// middle of a stopped server's store, so that the meetings keep their last
// events (in a later block) and lose some before them, and checks that the
// cheap check every verb runs on open names those meetings, with how many
// events each lost.
func TestInspectFindsABlockLostFromTheMiddle(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := t.TempDir()
	srv := natstest.StartIn(t, dir)
	l, err := Open(ctx, natstest.JetStream(t, srv), Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Enough events for several blocks, spread over meetings so that each
	// has events in every block.
	const meetings = 200
	cmds := plan(60_000, meetings)
	if n, err := l.AppendAll(ctx, cmds); err != nil || n != len(cmds) {
		t.Fatalf("AppendAll = %d, %v", n, err)
	}
	if in, err := l.Inspect(ctx); err != nil || in.Err() != nil {
		t.Fatalf("the intact store: %v, %v", err, in.Err())
	}
	srv.Shutdown()

	msgs := filepath.Join(dir, "jetstream", "$G", "streams", StreamName, "msgs")
	blocks, err := filepath.Glob(filepath.Join(msgs, "*.blk"))
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) < 3 {
		t.Fatalf("the store has %d blocks, want 3 or more to lose one in the middle", len(blocks))
	}
	middle := filepath.Join(msgs, "2.blk")
	if err := os.Remove(middle); err != nil {
		t.Fatal(err)
	}

	srv = natstest.StartIn(t, dir)
	l, err = Open(ctx, natstest.JetStream(t, srv), Options{})
	if err != nil {
		t.Fatal(err)
	}
	in, err := l.Inspect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	gone := uint64(len(cmds)) - in.Msgs
	t.Logf("%d blocks, %s removed: %d of %d events gone; first %d, last %d, %d deleted; %d damages", len(blocks), filepath.Base(middle), gone, len(cmds), in.FirstSeq, in.LastSeq, in.Deleted, len(in.Damage))
	if gone == 0 {
		t.Fatal("the server still counts every event")
	}
	if !errors.Is(in.Err(), ErrDamaged) {
		t.Fatalf("the lost block went unnoticed: %+v", in)
	}
	var lost uint64
	named := 0
	for _, d := range in.Damage {
		if d.Kind == "lost" && d.Missing > 0 {
			lost += d.Missing
			named++
		}
	}
	// Every meeting had events in the lost block and keeps its last: each
	// is named, and the events they lost add up to what the server no
	// longer counts.
	if named != meetings || lost != gone {
		t.Errorf("%d meetings named lost, %d events missing; want %d meetings, %d events (%v)", named, lost, meetings, gone, in.Damage[:min(3, len(in.Damage))])
	}
	if !errors.Is(DamageError(in.Damage), ErrDamaged) {
		t.Error("DamageError does not wrap ErrDamaged")
	}
}
