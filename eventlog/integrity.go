package eventlog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/synadia-io/orbit.go/jetstreamext"

	"github.com/summit-model/summit/events"
)

// ErrDamaged: the store lost events, or holds events it cannot deliver: a
// board read from it would be wrong without saying so.
var ErrDamaged = errors.New("the store is damaged")

// Damage is one thing wrong with a store, as [Log.Inspect] or a check finds
// it.
type Damage struct {
	// Kind is what is wrong: "lost" (events that were there are gone),
	// "unreadable" (the server counts an event it does not deliver),
	// "orphaned" (a branch's events that no branch record names), "server"
	// (the server itself reports lost data), "version" (an aggregate's
	// versions skip or repeat), "corrupt" (a message that is no event),
	// "view" (a view that differs from the fold of the log).
	Kind string `json:"kind"`
	// Subject is the subject, or the branch, the damage is on.
	Subject string `json:"subject,omitempty"`
	// Detail says what is missing or wrong, in words.
	Detail string `json:"detail"`
	// Missing is how many events are gone, where that is known.
	Missing uint64 `json:"missing,omitempty"`
}

// Key identifies the damage across appends that come after it: its kind,
// subject and the number of events missing, not its wording.
func (d Damage) Key() string { return fmt.Sprintf("%s %s %d", d.Kind, d.Subject, d.Missing) }

// String returns the damage in one line.
func (d Damage) String() string {
	if d.Subject == "" {
		return d.Kind + ": " + d.Detail
	}
	return d.Kind + ": " + d.Subject + ": " + d.Detail
}

// SubjectState is what the stream holds on one subject: how many messages,
// and its last one.
type SubjectState struct {
	Count uint64 `json:"count"`
	// LastSeq is the stream sequence of the last message the server
	// delivers on the subject (0: none it can deliver); LastVersion that
	// message's event's version (0 if it is no event).
	LastSeq     uint64 `json:"last_seq"`
	LastVersion uint64 `json:"last_version"`
}

// Integrity is what [Log.Inspect] finds of the stream.
type Integrity struct {
	FirstSeq uint64 `json:"first_seq"`
	LastSeq  uint64 `json:"last_seq"`
	Msgs     uint64 `json:"messages"`
	// Deleted is how many sequences between FirstSeq and LastSeq hold no
	// message: a deleted branch's events, purged, or events lost.
	Deleted uint64 `json:"deleted"`
	// Main is the state of each aggregate subject on main, by subject, or
	// nil where Inspect counted a store of many subjects without listing
	// them ([Log.ListMain] lists them); MainMsgs counts every message on
	// main's subjects, events or not.
	Main     map[string]SubjectState `json:"-"`
	MainMsgs uint64                  `json:"-"`
	// Branches counts the events on each branch's own subjects, by branch
	// name (main not among them).
	Branches map[string]uint64 `json:"-"`
	// Damage is what is wrong (a report lists it apart).
	Damage []Damage `json:"-"`
}

// Err returns nil if Inspect found nothing wrong, else an [ErrDamaged]
// naming each damage.
func (i Integrity) Err() error {
	if len(i.Damage) == 0 {
		return nil
	}
	return DamageError(i.Damage)
}

// DamageError returns an [ErrDamaged] that lists ds, at most 20 of them.
func DamageError(ds []Damage) error {
	var b strings.Builder
	for n, d := range ds {
		if n == 20 {
			fmt.Fprintf(&b, "\n  and %d more", len(ds)-n)
			break
		}
		b.WriteString("\n  " + d.String())
	}
	return fmt.Errorf("%w:%s", ErrDamaged, b.String())
}

// add notes a damage.
func (i *Integrity) add(kind, subject, format string, args ...any) {
	i.Damage = append(i.Damage, Damage{Kind: kind, Subject: subject, Detail: fmt.Sprintf(format, args...)})
}

// addMissing notes a damage of n events gone.
func (i *Integrity) addMissing(n uint64, kind, subject, format string, args ...any) {
	i.add(kind, subject, format, args...)
	i.Damage[len(i.Damage)-1].Missing = n
}

// multiLastChunk is how many subjects one multi-last direct get names.
const multiLastChunk = 500

// Inspect checks, cheaply, what the stream holds against itself and against
// the branch records: what the server reports lost; for each aggregate on
// main, that it holds as many events as its last event's version says
// (main is never purged, and each aggregate's versions run 1, 2, 3...), and
// that the server delivers its last one; and that every branch with events
// on its own subjects has a record. No consumer, and every request bounded
// by the log's timeout.
//
// A stream of at most [multiLastChunk] subjects costs one stream info
// listing them, one listing of the branch records and one direct get of
// the last event of each aggregate. A larger one is counted instead: a
// listing of 10,000 subjects costs 25 ms, and the last of each 0.1 ms
// (leave those to the projection's snapshots, [projections.Inspect], and
// to a full check). One direct get counts the messages on main's subjects,
// one those on each branch's, one the ref markers: if they account for
// every message in the stream, nothing is orphaned, and Main is left nil.
// Otherwise the subjects are listed, to name what is not accounted for.
//
// It does not read every event: a message damaged in the middle of an
// aggregate's history is for a full check (summit check) to find.
func (l *Log) Inspect(ctx context.Context) (Integrity, error) {
	var in Integrity
	rctx, cancel := l.request(ctx)
	info, err := l.stream.Info(rctx)
	cancel()
	if err != nil {
		return in, fmt.Errorf("inspect the event log: stream info: %w", unavailable(err))
	}
	st := info.State
	in.FirstSeq, in.LastSeq, in.Msgs = st.FirstSeq, st.LastSeq, st.Msgs
	in.Deleted = uint64(st.NumDeleted)
	if st.Lost != nil && (len(st.Lost.Msgs) > 0 || st.Lost.Bytes > 0) {
		in.add("server", StreamName, "the server reports %d messages (%d bytes) lost: %s", len(st.Lost.Msgs), st.Lost.Bytes, seqList(st.Lost.Msgs))
	}
	in.Branches = map[string]uint64{}
	if st.NumSubjects > multiLastChunk {
		counted, err := l.count(ctx, &in)
		if err != nil || counted {
			return in, err
		}
	}
	if err := l.ListMain(ctx, &in); err != nil {
		return in, err
	}
	if len(in.Main) > multiLastChunk {
		return in, l.orphans(ctx, &in)
	}
	if err := l.lasts(ctx, &in); err != nil {
		return in, err
	}
	for _, subject := range sortedKeys(in.Main) {
		s := in.Main[subject]
		// A message that is no event (a poison message, which the
		// projections quarantine) only adds to a subject's count: a last
		// version beyond the count still means events lost, while a count
		// beyond the last version, or a last message that is no event, is
		// for a full check to judge.
		switch {
		case s.LastSeq == 0:
			in.add("unreadable", subject, "the server counts %d events but does not deliver the last of them", s.Count)
		case s.LastVersion > s.Count:
			in.addMissing(s.LastVersion-s.Count, "lost", subject, "%d of its %d events are gone (its last, seq %d, is version %d; the stream holds %d)", s.LastVersion-s.Count, s.LastVersion, s.LastSeq, s.LastVersion, s.Count)
		}
	}
	return in, l.orphans(ctx, &in)
}

// ListMain fills in in.Main, in.MainMsgs and in.Branches from a listing of
// every event subject with its count, where [Log.Inspect] counted a large
// store without one.
func (l *Log) ListMain(ctx context.Context, in *Integrity) error {
	if in.Main != nil {
		return nil
	}
	rctx, cancel := l.request(ctx)
	info, err := l.stream.Info(rctx, jetstream.WithSubjectFilter(SubjectRoot+".>"))
	cancel()
	if err != nil {
		return fmt.Errorf("inspect the event log: stream info: %w", unavailable(err))
	}
	in.Main, in.MainMsgs = map[string]SubjectState{}, 0
	in.Branches = map[string]uint64{}
	mainPrefix := strings.TrimSuffix(BranchSubjects(events.Main), ">")
	for subject, n := range info.State.Subjects {
		if strings.HasPrefix(subject, mainPrefix) {
			in.MainMsgs += n
		}
		// A subject that names no aggregate holds forged messages, which
		// no projection reads: a full check lists them; they lose nothing.
		if branch, _, ok := parseSubject(subject); ok && branch == events.Main {
			in.Main[subject] = SubjectState{Count: n}
		} else if ok {
			in.Branches[branch] += n
		}
	}
	return nil
}

// maxCounted is how many branches on record [Log.Inspect] counts one by
// one; past it, a listing of the subjects costs less.
const maxCounted = 64

// count counts main's events, each branch's and the ref markers, and
// reports whether they account for every message in the stream, in.Msgs.
// (Messages appended after the stream info that counted them make it
// report false: the listing that follows is exact.)
func (l *Log) count(ctx context.Context, in *Integrity) (bool, error) {
	// Main's count costs the server the most (10 ms at 10,000 subjects):
	// it runs beside the rest.
	var main uint64
	mainErr := make(chan error, 1)
	go func() {
		var err error
		main, err = l.countOn(ctx, BranchSubjects(events.Main))
		mainErr <- err
	}()
	others, err := l.countOthers(ctx, in)
	if err := errors.Join(<-mainErr, err); err != nil || others < 0 {
		return false, err
	}
	if in.Msgs != main+uint64(others) {
		return false, nil
	}
	in.MainMsgs = main
	return true, nil
}

// countOthers counts the messages of each branch on record, into
// in.Branches, and the ref markers, and returns their sum, or -1 if there
// are too many branches to count one by one. The counts are asked for at
// once.
func (l *Log) countOthers(ctx context.Context, in *Integrity) (int64, error) {
	// The branch records, read without the consumer that the watch of
	// [Log.Branches] makes (10 ms on every verb).
	rctx, cancel := l.request(ctx)
	names, few, err := LatestValues(rctx, l.js, BranchBucket, ">", maxCounted)
	cancel()
	if err != nil || !few {
		// Too many to count one by one (past 1,024 keys the server
		// refuses the get): the listing that follows counts them, and
		// meets a server that does not answer too.
		return -1, nil
	}
	branches := sortedKeys(names)
	filters := []string{RefRoot + ".>"}
	for _, name := range branches {
		filters = append(filters, BranchSubjects(name))
	}
	counts := make([]uint64, len(filters))
	errs := make([]error, len(filters))
	var wg sync.WaitGroup
	for i, filter := range filters {
		wg.Go(func() { counts[i], errs[i] = l.countOn(ctx, filter) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return -1, err
	}
	var sum uint64
	for i, n := range counts {
		sum += n
		if i > 0 && n > 0 {
			in.Branches[branches[i-1]] = n
		}
	}
	return int64(sum), nil
}

// countOn returns how many messages the subjects filter matches hold: a
// direct get of the first of them answers with the count of those after it.
func (l *Log) countOn(ctx context.Context, filter string) (uint64, error) {
	rctx, cancel := l.request(ctx)
	defer cancel()
	msgs, err := getBatch(rctx, l.js, StreamName, 1, jetstreamext.GetBatchSubject(filter), jetstreamext.GetBatchSeq(1))
	if err != nil {
		return 0, fmt.Errorf("count %s: %w", filter, unavailable(err))
	}
	for m, err := range msgs {
		if errors.Is(err, jetstreamext.ErrNoMessages) {
			return 0, nil
		}
		if err != nil {
			return 0, fmt.Errorf("count %s: %w", filter, unavailable(err))
		}
		after, err := strconv.ParseUint(m.Header.Get("Nats-Num-Pending"), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("count %s: the server's count %q: %w", filter, m.Header.Get("Nats-Num-Pending"), err)
		}
		return 1 + after, nil
	}
	return 0, fmt.Errorf("count %s: %w", filter, errNoAnswer)
}

// orphans notes the branches with events on their subjects and no record.
func (l *Log) orphans(ctx context.Context, in *Integrity) error {
	if len(in.Branches) > 0 {
		known, err := l.branchNames(ctx)
		if err != nil {
			return err
		}
		for _, name := range sortedKeys(in.Branches) {
			if known[name] {
				continue
			}
			// A branch being deleted loses its record a moment before
			// its events: look again before calling them orphans.
			cctx, cancel := l.request(ctx)
			n, err := l.Count(cctx, BranchSubjects(name))
			cancel()
			if err != nil || n == 0 {
				continue
			}
			if again, err := l.branchNames(ctx); err == nil && !again[name] {
				in.add("orphaned", name, "%d events of branch %s, which no branch record names (was the bucket %s removed?)", in.Branches[name], name, BranchBucket)
			}
		}
	}
	return nil
}

// lasts fills in the last message of each subject of in.Main, with
// multi-last direct gets of up to [multiLastChunk] subjects each, and,
// where one fails, a direct get of each subject.
func (l *Log) lasts(ctx context.Context, in *Integrity) error {
	subjects := sortedKeys(in.Main)
	for len(subjects) > 0 {
		chunk := subjects[:min(len(subjects), multiLastChunk)]
		subjects = subjects[len(chunk):]
		if err := l.multiLast(ctx, chunk, in); err == nil {
			continue
		}
		for _, subject := range chunk {
			rctx, cancel := l.request(ctx)
			m, err := l.stream.GetLastMsgForSubject(rctx, subject)
			cancel()
			switch {
			case errors.Is(err, jetstream.ErrMsgNotFound):
				continue
			case err != nil:
				return fmt.Errorf("inspect the event log: last of %s: %w", subject, unavailable(err))
			}
			in.note(m.Subject, m.Sequence, m)
		}
	}
	return nil
}

// multiLast asks for the last message of each of subjects at once.
func (l *Log) multiLast(ctx context.Context, subjects []string, in *Integrity) error {
	rctx, cancel := l.request(ctx)
	defer cancel()
	msgs, err := getLastMsgsFor(rctx, l.js, StreamName, subjects, 0)
	if err != nil {
		return err
	}
	for m, err := range msgs {
		if errors.Is(err, jetstreamext.ErrNoMessages) {
			return nil
		}
		if err != nil {
			return err
		}
		in.note(m.Subject, m.Sequence, m)
	}
	return nil
}

// note records m as the last message on subject.
func (in *Integrity) note(subject string, seq uint64, m *jetstream.RawStreamMsg) {
	s, ok := in.Main[subject]
	if !ok {
		return
	}
	s.LastSeq = seq
	if r, err := decode(m.Subject, m.Sequence, m.Header, m.Data); err == nil {
		s.LastVersion = r.Event.Version
	}
	in.Main[subject] = s
}

// branchNames returns the names of the branches on record.
func (l *Log) branchNames(ctx context.Context) (map[string]bool, error) {
	rctx, cancel := context.WithTimeout(ctx, 4*l.timeout)
	defer cancel()
	bs, err := l.Branches(rctx)
	if err != nil {
		return nil, fmt.Errorf("inspect the event log: %w", unavailable(err))
	}
	out := make(map[string]bool, len(bs))
	for _, b := range bs {
		out[b.Name] = true
	}
	return out, nil
}

// seqList returns up to 10 sequences, comma-separated.
func seqList(seqs []uint64) string {
	var parts []string
	for i, s := range seqs {
		if i == 10 {
			parts = append(parts, fmt.Sprintf("and %d more", len(seqs)-i))
			break
		}
		parts = append(parts, fmt.Sprint(s))
	}
	return strings.Join(parts, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// ReadAll calls fn with every message on an event subject, in stream order,
// read with batched direct gets (no consumer, each request bounded by the
// log's timeout), from the stream's first sequence to the last it had when
// ReadAll began. A message that is no event comes with Err set. It returns
// the sequences in that range that the server neither delivers nor reports
// deleted: events it counts and cannot read.
func (l *Log) ReadAll(ctx context.Context, fn func(Record) error) (unreadable []uint64, err error) {
	rctx, cancel := context.WithTimeout(ctx, 4*l.timeout)
	info, err := l.stream.Info(rctx, jetstream.WithDeletedDetails(true))
	cancel()
	if err != nil {
		return nil, fmt.Errorf("read the event log: stream info: %w", unavailable(err))
	}
	st := info.State
	deleted := make(map[uint64]bool, len(st.Deleted))
	for _, s := range st.Deleted {
		deleted[s] = true
	}
	next := max(st.FirstSeq, 1)
	missing := func(upTo uint64) {
		for ; next < upTo; next++ {
			if !deleted[next] {
				unreadable = append(unreadable, next)
			}
		}
	}
	for next <= st.LastSeq {
		if err := ctx.Err(); err != nil {
			return unreadable, err
		}
		from := next
		rctx, cancel := l.request(ctx)
		msgs, err := getBatch(rctx, l.js, StreamName, directBatch, jetstreamext.GetBatchSeq(next))
		if err != nil {
			cancel()
			return unreadable, fmt.Errorf("read the event log at %d: %w", next, unavailable(err))
		}
		for m, err := range msgs {
			if errors.Is(err, jetstreamext.ErrNoMessages) {
				break
			}
			if err != nil {
				cancel()
				return unreadable, fmt.Errorf("read the event log at %d: %w", next, unavailable(err))
			}
			if m.Sequence > st.LastSeq {
				break
			}
			missing(m.Sequence)
			next = m.Sequence + 1
			if !strings.HasPrefix(m.Subject, SubjectRoot+".") {
				continue
			}
			r, derr := decode(m.Subject, m.Sequence, m.Header, m.Data)
			if derr != nil {
				r = Record{Seq: m.Sequence, Err: derr}
			}
			r.Subject = m.Subject
			if err := fn(r); err != nil {
				cancel()
				return unreadable, err
			}
		}
		cancel()
		if next == from {
			// Nothing more delivered: the rest of the range is missing.
			break
		}
	}
	next = max(next, st.FirstSeq)
	missing(st.LastSeq + 1)
	return unreadable, nil
}

// LastOf returns the stream sequence of the newest event on branch's own
// subjects (0 if it has none).
func (l *Log) LastOf(ctx context.Context, branch string) (uint64, error) {
	rctx, cancel := l.request(ctx)
	defer cancel()
	m, err := l.stream.GetLastMsgForSubject(rctx, BranchSubjects(branch))
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("last event of %s: %w", branch, unavailable(err))
	}
	return m.Sequence, nil
}
