package eventlog

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/summit-model/summit/embedded"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/natstest"
)

// TestHelperProcess is not a test: it is the process the crash tests of
// this package kill, started by natstest.StartChild.
func TestHelperProcess(t *testing.T) {
	switch natstest.HelperMode() {
	case "":
		t.Skip("run as a child process only")
	case "bulk":
		bulkProcess(t)
	default:
		t.Fatalf("unknown helper mode %q", natstest.HelperMode())
	}
}

// bulkPlan returns n commands on the given number of meetings: each
// meeting's first is its declaration and floating, two events in one
// atomic batch; the rest are statements, one event each.
func bulkPlan(n, meetings int) []Pending {
	versions := make([]uint64, meetings)
	cmds := make([]Pending, n)
	for i := range cmds {
		k := i % meetings
		m := "m" + strconv.Itoa(k)
		if versions[k] == 0 {
			cmds[i].Events = []events.Event{declare(events.Main, m, 16), event(events.Main, m, 2, 16, &events.MeetingFloated{})}
		} else {
			cmds[i].Events = []events.Event{event(events.Main, m, versions[k]+1, 16, &events.StatementMade{About: m, Stance: events.StanceSupportive})}
		}
		versions[k] += uint64(len(cmds[i].Events))
	}
	return cmds
}

// bulkProcess runs an embedded server on $SUMMIT_STORE and appends a plan
// with AppendAll, in chunks. It reports the plan ("plan ID", in order),
// then "ack ID SEQ" for each event as soon as AppendAll has returned it
// acknowledged, and "done" at the end, if it lives that long.
func bulkProcess(t *testing.T) {
	ctx := context.Background()
	srv, err := embedded.Start(ctx, embedded.Options{StoreDir: os.Getenv("SUMMIT_STORE"), SyncAlways: os.Getenv("SUMMIT_SYNC") == "always"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	l, err := Open(ctx, natstest.JetStream(t, srv), Options{})
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(os.Getenv("SUMMIT_COMMANDS"))
	plan := bulkPlan(n, 8)
	for _, c := range plan {
		for _, e := range c.Events {
			natstest.Report("plan " + e.ID.String())
		}
	}
	const chunk = 40
	// Where each meeting's subject stands: what the first command of a
	// meeting in a chunk expects (AppendAll works out the rest). Every
	// event lands one after another, so the sequences follow from where
	// the log stood.
	last := map[events.Ref]uint64{}
	seq, err := l.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for start := 0; start < len(plan); start += chunk {
		cmds := plan[start:min(start+chunk, len(plan))]
		for i := range cmds {
			cmds[i].Expect = last[cmds[i].Events[0].Aggregate]
		}
		landed, err := l.AppendAll(ctx, cmds)
		for _, c := range cmds[:landed] {
			for _, e := range c.Events {
				seq++
				last[e.Aggregate] = seq
				natstest.Report(fmt.Sprintf("ack %s %d", e.ID, seq))
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	natstest.Report("done")
}

// TestCrashDuringBulkAppend kills (SIGKILL) a process that runs the
// embedded server in the middle of a bulk append, at several points,
// restarts a server on its store, and checks the record: every event that
// was acknowledged is there, at the sequence it was acknowledged at; what
// is there is a prefix of what was sent, in order, with no command's batch
// torn; each meeting's versions are gapless; and the log takes appends
// again.
func TestCrashDuringBulkAppend(t *testing.T) {
	commands := 2000
	points := []struct {
		name string
		acks int // kill once this many events are acknowledged
		sync string
	}{
		{"after the first acknowledgement", 1, ""},
		{"after 150 acknowledgements", 150, ""},
		{"after 900 acknowledgements", 900, ""},
		{"after 400 acknowledgements, syncing always", 400, "always"},
	}
	if natstest.Soak() {
		commands = 20000
		for _, n := range []int{37, 2500, 7001, 15000} {
			points = append(points, struct {
				name string
				acks int
				sync string
			}{fmt.Sprintf("soak: after %d acknowledgements", n), n, ""})
		}
	}
	var tried, acked, stored int
	for _, p := range points {
		t.Run(p.name, func(t *testing.T) {
			a, s := crashBulk(t, commands, p.acks, p.sync)
			tried++
			acked += a
			stored += s
		})
	}
	t.Logf("%d crash points tried; %d events acknowledged before the kills, %d on record after the restarts, 0 lost", tried, acked, stored)
}

func crashBulk(t *testing.T, commands, killAt int, sync string) (acked, stored int) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	child := natstest.StartChild(t, "bulk", "SUMMIT_STORE="+dir, "SUMMIT_SYNC="+sync, "SUMMIT_COMMANDS="+strconv.Itoa(commands))
	var plan []uuid.UUID
	acks := map[uuid.UUID]uint64{}
	read := func(line string) {
		word, rest, _ := strings.Cut(line, " ")
		switch word {
		case "plan":
			plan = append(plan, uuid.MustParse(rest))
		case "ack":
			id, seq, _ := strings.Cut(rest, " ")
			n, err := strconv.ParseUint(seq, 10, 64)
			if err != nil {
				t.Fatalf("child: %q", line)
			}
			acks[uuid.MustParse(id)] = n
		case "done":
			t.Fatalf("the child appended all %d commands before it was killed", commands)
		}
	}
	for len(acks) < killAt {
		select {
		case line, ok := <-child.Lines:
			if !ok {
				rest, err := child.Wait()
				t.Fatalf("the child ended before it was killed (%v): %v", err, rest)
			}
			read(line)
		case <-ctx.Done():
			t.Fatalf("%d acknowledgements before the deadline, want %d", len(acks), killAt)
		}
	}
	child.Kill()
	// What it reported before it died was acknowledged too.
	rest, _ := child.Wait()
	for _, line := range rest {
		read(line)
	}

	srv := natstest.StartIn(t, dir)
	l, err := Open(ctx, natstest.JetStream(t, srv), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var recs []Record
	if err := l.Read(ctx, BranchSubjects(events.Main), 1, 0, func(r Record) error {
		recs = append(recs, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	at := map[uuid.UUID]uint64{}
	versions := map[events.Ref]uint64{}
	for i, r := range recs {
		if i >= len(plan) || r.Event.ID != plan[i] {
			t.Fatalf("seq %d: event %s is not the %dth of the plan: the record is not a prefix of what was sent", r.Seq, r.Event.ID, i+1)
		}
		if r.Seq != uint64(i+1) {
			t.Fatalf("the %dth event is at seq %d", i+1, r.Seq)
		}
		at[r.Event.ID] = r.Seq
		ref := r.Event.Aggregate
		if r.Event.Version != versions[ref]+1 {
			t.Errorf("%s: seq %d has version %d after %d", ref, r.Seq, r.Event.Version, versions[ref])
		}
		versions[ref] = r.Event.Version
	}
	if n := len(recs); n > 0 && recs[n-1].Partial {
		t.Errorf("the record ends inside a command's batch: seq %d of %s", recs[n-1].Seq, recs[n-1].Event.Aggregate)
	}
	for id, seq := range acks {
		got, ok := at[id]
		switch {
		case !ok:
			t.Errorf("event %s was acknowledged at seq %d and is not on record", id, seq)
		case got != seq:
			t.Errorf("event %s was acknowledged at seq %d and is at %d", id, seq, got)
		}
	}
	// The log takes appends again where each meeting stands.
	for i := range 8 {
		ref := events.Meeting("m" + strconv.Itoa(i))
		h, err := l.Load(ctx, Main(), ref)
		if err != nil {
			t.Fatal(err)
		}
		if len(h.Events) == 0 {
			continue
		}
		e := event(events.Main, ref.ID, uint64(len(h.Events))+1, 17, &events.MeetingCancelled{})
		if _, err := l.Append(ctx, h.Expect, e); err != nil {
			t.Fatalf("append to %s after the restart: %v", ref, err)
		}
	}
	t.Logf("killed after %d acknowledgements: %d events acknowledged, %d on record (%d landed unacknowledged), 0 lost", killAt, len(acks), len(recs), len(recs)-len(acks))
	return len(acks), len(recs)
}
