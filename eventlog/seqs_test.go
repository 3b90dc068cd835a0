package eventlog

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/summit-model/summit/events"
)

func TestLoadSeqs(t *testing.T) {
	ctx := context.Background()
	l := openLog(t)
	m := events.Meeting("budapest")
	// budapest's events interleaved with another meeting's; a branch forked
	// on the 21st, with one event of its own.
	var mseq, oseq uint64
	var err error
	for v := uint64(1); v <= 6; v++ {
		e := event(events.Main, "budapest", v, 15+int(v), &events.MeetingFloated{})
		o := event(events.Main, "other", v, 15+int(v), &events.MeetingFloated{})
		if v == 1 {
			e, o = declare(events.Main, "budapest", 16), declare(events.Main, "other", 16)
		}
		if mseq, err = l.Append(ctx, mseq, e); err != nil {
			t.Fatal(err)
		}
		if oseq, err = l.Append(ctx, oseq, o); err != nil {
			t.Fatal(err)
		}
	}
	b, err := l.Fork(ctx, "what-if", events.Date(2025, 10, 19))
	if err != nil {
		t.Fatal(err)
	}
	own := event("what-if", "budapest", 4, 25, &events.MeetingCancelled{})
	own.Gen = b.Gen
	if _, err := l.Append(ctx, 0, own); err != nil {
		t.Fatal(err)
	}
	seqsOf := func(h History) []uint64 {
		var seqs []uint64
		for _, r := range h.Records {
			seqs = append(seqs, r.Seq)
		}
		return seqs
	}
	for _, c := range []struct {
		name   string
		branch Branch
		// seqs gives the list to read from the history Load reads, and
		// other's.
		seqs    func(h, other History) []uint64
		want    func(h History) History
		wantErr error
	}{
		{name: "main, every event", branch: Main(), seqs: func(h, _ History) []uint64 { return seqsOf(h) }, want: func(h History) History { return h }},
		{name: "a branch: the record's part and its own", branch: b, seqs: func(h, _ History) []uint64 { return seqsOf(h) }, want: func(h History) History { return h }},
		{name: "the first three, as a snapshot lists them", branch: Main(), seqs: func(h, _ History) []uint64 { return seqsOf(h)[:3] },
			want: func(h History) History {
				return History{Events: h.Events[:3], Records: h.Records[:3], Expect: h.Records[2].Seq, Version: 3}
			}},
		{name: "nothing", branch: Main(), seqs: func(History, History) []uint64 { return nil }, want: func(History) History { return History{} }},
		{name: "another meeting's event", branch: Main(), seqs: func(h, other History) []uint64 { return append(seqsOf(h)[:2], other.Records[2].Seq) }, wantErr: ErrNotThere},
		{name: "past the end", branch: Main(), seqs: func(h, _ History) []uint64 { return append(seqsOf(h), 1000) }, wantErr: ErrNotThere},
	} {
		t.Run(c.name, func(t *testing.T) {
			h, err := l.Load(ctx, c.branch, m)
			if err != nil {
				t.Fatal(err)
			}
			other, err := l.Load(ctx, Main(), events.Meeting("other"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := l.LoadSeqs(ctx, c.branch, m, c.seqs(h, other))
			if !errors.Is(err, c.wantErr) {
				t.Fatalf("LoadSeqs: %v, want %v", err, c.wantErr)
			}
			if c.wantErr != nil {
				return
			}
			if diff := cmp.Diff(summary(c.want(h)), summary(got), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("LoadSeqs differs from Load (-load +seqs):\n%s", diff)
			}
		})
	}
}

// summary is what a comparison of two histories looks at.
func summary(h History) any {
	type record struct {
		Seq uint64
		ID  string
	}
	var rs []record
	for _, r := range h.Records {
		rs = append(rs, record{r.Seq, r.Event.ID.String()})
	}
	return struct {
		Events          []string
		Records         []record
		Expect, Version uint64
		Malformed       int
	}{Events: idStrings(h.Events), Records: rs, Expect: h.Expect, Version: h.Version, Malformed: len(h.Malformed)}
}

func idStrings(es []events.Event) []string {
	var out []string
	for _, id := range ids(es) {
		out = append(out, id.String())
	}
	return out
}

func TestLastOn(t *testing.T) {
	ctx := context.Background()
	l := openLog(t)
	mainLast := func() uint64 {
		t.Helper()
		n, err := l.LastOn(ctx, BranchSubjects(events.Main))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if got := mainLast(); got != 0 {
		t.Errorf("an empty log: main's last at %d, want 0", got)
	}
	seq, err := l.Append(ctx, 0, declare(events.Main, "m", 16))
	if err != nil {
		t.Fatal(err)
	}
	// The stream's last message is main's.
	if got := mainLast(); got != seq {
		t.Errorf("main's last at %d, want %d", got, seq)
	}
	b, err := l.Fork(ctx, "what-if", events.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if b.ForkSeq != seq {
		t.Errorf("forked at %d, want main's last, %d", b.ForkSeq, seq)
	}
	own := event("what-if", "m", 2, 17, &events.MeetingFloated{})
	own.Gen = b.Gen
	bseq, err := l.Append(ctx, 0, own)
	if err != nil {
		t.Fatal(err)
	}
	// The stream's last message is the branch's: main's last is found
	// all the same, and the branch's.
	if got := mainLast(); got != seq {
		t.Errorf("after a branch event: main's last at %d, want %d", got, seq)
	}
	if got, err := l.LastOn(ctx, BranchSubjects("what-if")); err != nil || got != bseq {
		t.Errorf("the branch's last at %d (%v), want %d", got, err, bseq)
	}
	if got, err := l.LastOn(ctx, BranchSubjects("nobody")); err != nil || got != 0 {
		t.Errorf("a branch with no events: last at %d (%v), want 0", got, err)
	}
}

func TestLoadReadsOnAfterAShortBatch(t *testing.T) {
	// The server ends a batch short when it holds more bytes than it puts
	// in one answer (or, on a large store, looks too long): a load reads
	// on while the server says more are pending. It used to stop at the
	// first short batch (169 of 200 events, at 3M).
	ctx := context.Background()
	l := openLog(t)
	seq, err := l.Append(ctx, 0, declare(events.Main, "m", 1))
	if err != nil {
		t.Fatal(err)
	}
	for v := uint64(2); v <= 30; v++ {
		if seq, err = l.Append(ctx, seq, event(events.Main, "m", v, 1, &events.MeetingFloated{})); err != nil {
			t.Fatal(err)
		}
	}
	directMaxBytes = 2048 // a few events an answer
	defer func() { directMaxBytes = 0 }()
	h, err := l.Load(ctx, Main(), events.Meeting("m"))
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Events) != 30 || h.Expect != seq {
		t.Fatalf("loaded %d events expecting %d, want 30 expecting %d", len(h.Events), h.Expect, seq)
	}
}

func TestNextOn(t *testing.T) {
	ctx := context.Background()
	l := openLog(t)
	first, err := l.Append(ctx, 0, declare(events.Main, "m", 16))
	if err != nil {
		t.Fatal(err)
	}
	b, err := l.Fork(ctx, "what-if", events.Time{})
	if err != nil {
		t.Fatal(err)
	}
	own := event("what-if", "m", 2, 17, &events.MeetingFloated{})
	own.Gen = b.Gen
	bseq, err := l.Append(ctx, 0, own)
	if err != nil {
		t.Fatal(err)
	}
	second, err := l.Append(ctx, 0, declare(events.Main, "n", 18))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		filter string
		from   uint64
		want   uint64
	}{
		{BranchSubjects(events.Main), 0, first},
		{BranchSubjects(events.Main), first, first},
		{BranchSubjects(events.Main), first + 1, second},
		{BranchSubjects(events.Main), second + 1, 0},
		{BranchSubjects("what-if"), 1, bseq},
		{BranchSubjects("what-if"), bseq + 1, 0},
		{BranchSubjects("nobody"), 1, 0},
	} {
		if got, err := l.NextOn(ctx, c.filter, c.from); err != nil || got != c.want {
			t.Errorf("NextOn(%s, %d) = %d (%v), want %d", c.filter, c.from, got, err, c.want)
		}
	}
	if l.Replicated() {
		t.Error("a log on one server says it is replicated")
	}
}
