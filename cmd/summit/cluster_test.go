package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/natstest"
	"github.com/summit-model/summit/projections"
)

// retry runs the command line until it exits 0: while a stopped leader's
// streams elect new ones, a verb may find no answer, and then it says so
// with exit 3 (never another status) and the next run gets through.
func retry(ctx context.Context, t *testing.T, args ...string) (string, string) {
	t.Helper()
	for {
		code, out, errs := summit(t, args...)
		if code == exitOK {
			return out, errs
		}
		if code != exitFailed || ctx.Err() != nil {
			t.Fatalf("summit %s: exit %d\n%s", strings.Join(args, " "), code, errs)
		}
		t.Logf("while a new leader is elected: %s", strings.TrimSpace(errs))
		time.Sleep(100 * time.Millisecond)
	}
}

// TestClusterLeaderStops runs the command line's own write and read path
// against a three-node cluster given as several --server URLs: the stream
// and buckets are made with three replicas, and with the stream's leader
// stopped, replay recognises what it appended, append appends, status
// reads the board, and nothing is lost or written twice.
func TestClusterLeaderStops(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := natstest.StartCluster(t, 3)
	servers := c.URLs()
	first := readBoard(t, must(t, "replay", "budapest-2025", "--server", servers, "--replicas", "3", "--json"))
	js, err := jetstream.New(c.Connect(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{eventlog.StreamName, "KV_" + eventlog.BranchBucket, "KV_" + projections.MeetingBucket, "KV_" + projections.StateBucket} {
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
	_, errs := retry(ctx, t, "replay", "budapest-2025", "--server", servers, "--replicas", "3")
	if !strings.Contains(errs, "nothing appended") {
		t.Errorf("a second replay through the two left:\n%s", errs)
	}
	_, errs = retry(ctx, t, "append", statement(t, "putin", "postponed", 23), "--server", servers)
	if !strings.Contains(errs, "1 event appended") {
		t.Errorf("append through the two left:\n%s", errs)
	}
	out, _ := retry(ctx, t, "status", "--server", servers, "--json")
	after := readBoard(t, out)
	if len(after.Meetings) != len(first.Meetings) || len(after.Meetings) == 0 {
		t.Fatalf("status after the stop: %d meetings, replay showed %d", len(after.Meetings), len(first.Meetings))
	}
	for i, a := range after.Meetings {
		b := first.Meetings[i]
		if a.ID != b.ID || a.Status != b.Status || a.Readiness != b.Readiness {
			t.Errorf("status after the stop: %s %s %s, replay showed %s %s %s", a.ID, a.Status, a.Readiness, b.ID, b.Status, b.Readiness)
		}
		if a.ID == "budapest-summit" && a.Claims["putin"] != "postponed" {
			t.Errorf("the appended claim is not on the board: %v", a.Claims)
		}
	}
	// The log holds each event once: the replay's 24 and the statement.
	s, err := js.Stream(ctx, eventlog.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	if n := s.CachedInfo().State.Msgs; n != 25 {
		t.Errorf("the log holds %d events, want 25", n)
	}
}

// TestServeAndWatchOnACluster: serve keeps the projections of an existing
// cluster live, and a watch on the cluster sees a replay unfold, and a
// statement appended once the stream's leader has stopped, once.
func TestServeAndWatchOnACluster(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := natstest.StartCluster(t, 3)
	servers := c.URLs()
	serve := start(t, "serve", "--server", servers, "--replicas", "3")
	serve.waitFor(t, "keeping the projections of")
	watch := start(t, "watch", "--server", servers, "--replicas", "3")
	watch.waitFor(t, "following changes")
	must(t, "replay", "budapest-2025", "--server", servers, "--replicas", "3")
	watch.waitFor(t, "main rubio-lavrov-prep: claim of us-official: unscheduled")

	leader, err := c.WaitForStreamLeader(ctx, eventlog.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	c.Stop(leader)
	t0 := time.Now()
	retry(ctx, t, "append", statement(t, "putin", "postponed", 23), "--server", servers)
	t.Logf("append after the stop: %s", time.Since(t0))
	watch.waitFor(t, "claim of putin: postponed")
	t.Logf("watch saw it: %s", time.Since(t0))
	if n := strings.Count(watch.stdout.String(), "claim of putin: postponed"); n != 1 {
		t.Errorf("the change shown %d times:\n%s", n, watch.stdout.String())
	}
}
