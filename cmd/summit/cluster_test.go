package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/natstest"
	"github.com/summit-model/summit/projections"
	"github.com/summit-model/summit/scenarios"
)

// TestCluster runs replay and status against a three-node cluster given as
// several --server URLs: the stream and buckets are made with three
// replicas, and status still reads the board once the stream's leader
// has stopped.
func TestCluster(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := natstest.StartCluster(t, 3)
	servers := c.URLs()
	code, first, errs := summit(t, "replay", "budapest-2025", "--server", servers, "--replicas", "3", "--json")
	if code != exitOK {
		t.Fatalf("replay: exit %d\n%s", code, errs)
	}
	js, err := jetstream.New(c.Connect(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{eventlog.StreamName, "KV_" + eventlog.BranchBucket, "KV_" + projections.MeetingBucket, "KV_" + projections.StateBucket, "KV_" + scenarios.RecordBucket} {
		s, err := js.Stream(ctx, name)
		if err != nil {
			t.Fatalf("stream %s: %v", name, err)
		}
		if r := s.CachedInfo().Config.Replicas; r != 3 {
			t.Errorf("stream %s has %d replicas, want 3", name, r)
		}
	}

	leader, err := c.WaitForStreamLeader(ctx, eventlog.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	c.Stop(leader)
	// A status while the stream elects a new leader may find no answer;
	// it says so (exit 3), and the next one reads the board.
	var out string
	for {
		code, out, errs = summit(t, "status", "--server", servers, "--json")
		if code == exitOK {
			break
		}
		if code != exitFailed || ctx.Err() != nil {
			t.Fatalf("status with the leader %s stopped: exit %d\n%s", c.Name(leader), code, errs)
		}
		t.Logf("status while a new leader is elected: %s", strings.TrimSpace(errs))
	}
	var before, after board
	if err := json.Unmarshal([]byte(first), &before); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(out), &after); err != nil {
		t.Fatal(err)
	}
	if len(after.Meetings) != len(before.Meetings) || len(after.Meetings) == 0 {
		t.Fatalf("status after the stop: %d meetings, replay showed %d", len(after.Meetings), len(before.Meetings))
	}
	for i := range after.Meetings {
		a, b := after.Meetings[i], before.Meetings[i]
		if a.ID != b.ID || a.Status != b.Status || a.Readiness != b.Readiness {
			t.Errorf("status after the stop: %s %s %s, replay showed %s %s %s", a.ID, a.Status, a.Readiness, b.ID, b.Status, b.Readiness)
		}
	}
	// The replay is recognised through the two that are left.
	code, _, errs = summit(t, "replay", "budapest-2025", "--server", servers, "--replicas", "3")
	if code != exitOK || !strings.Contains(errs, "nothing appended") {
		t.Errorf("second replay: exit %d\n%s", code, errs)
	}
}

func TestServeAndWatchOnACluster(t *testing.T) {
	// summit serve keeps the projections of an existing cluster live, and
	// a watch on the cluster sees a replay unfold, through a stop of the
	// stream's leader.
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	c := natstest.StartCluster(t, 3)
	servers := c.URLs()
	serve := start(t, "serve", "--server", servers, "--replicas", "3")
	serve.waitFor(t, "keeping the projections of")
	watch := start(t, "watch", "--server", servers, "--replicas", "3")
	watch.waitFor(t, "following changes")
	if code, _, errs := summit(t, "replay", "budapest-2025", "--server", servers, "--replicas", "3"); code != exitOK {
		t.Fatalf("replay: exit %d\n%s", code, errs)
	}
	watch.waitFor(t, "main rubio-lavrov-prep: claim of us-official: unscheduled")

	leader, err := c.WaitForStreamLeader(ctx, eventlog.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	c.Stop(leader)
	file := statement(t, "putin", "postponed", 23)
	for {
		code, _, errs := summit(t, "append", file, "--server", servers)
		if code == exitOK {
			break
		}
		if code != exitFailed || ctx.Err() != nil {
			t.Fatalf("append with the leader stopped: exit %d\n%s", code, errs)
		}
	}
	watch.waitFor(t, "claim of putin: postponed")
	if n := strings.Count(watch.stdout.String(), "claim of putin: postponed"); n != 1 {
		t.Errorf("the change shown %d times:\n%s", n, watch.stdout.String())
	}
}
