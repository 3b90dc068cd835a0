package projections

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
)

// The buckets of the meeting-status projection. Any NATS client can read
// and watch them: see the README.
const (
	// MeetingBucket holds one key per meeting and branch,
	// BRANCH.MEETING (main.budapest-summit), whose value is the JSON of a
	// [View], ASCII-escaped so that every NATS tool shows it as text. When
	// a branch is deleted, each of its keys is purged: a watcher sees a
	// PURGE for each.
	MeetingBucket = "summit-meetings"
	// SnapshotBucket holds one key per meeting and branch, as
	// MeetingBucket does, whose value is the JSON of a [Snapshot]: what a
	// projection resumes from and a command decides on.
	SnapshotBucket = "summit-snapshots"
	// StateBucket holds each branch projection's checkpoint
	// (BRANCH.checkpoint) and its writer's lease (BRANCH.lease).
	StateBucket = "summit-projections"
	// DeadLetterBucket holds, one key per BRANCH.SEQ, each message a
	// projection skipped: no event summit can read, or an event of a
	// meeting never declared. The value is the JSON of a [DeadLetter].
	DeadLetterBucket = "summit-dead-letters"
)

// DeadLetter is a message a projection skipped, and why.
type DeadLetter struct {
	Branch  string    `json:"branch"`
	Seq     uint64    `json:"seq"`
	Subject string    `json:"subject"`
	Error   string    `json:"error"`
	Noted   time.Time `json:"noted"`
}

// Key returns the key of meeting id's view on branch in [MeetingBucket].
func Key(branch, id string) string { return branch + "." + id }

// Store is the projection's key-value buckets.
type Store struct {
	js jetstream.JetStream
	// writes is where a runner publishes its views and snapshots: js
	// (a test gives it a server that never acknowledges them).
	writes jetstream.JetStream
	// replicas is how many servers keep the buckets, as the server says
	// (0 until asked: see [Store.replicated]).
	replicas  atomic.Int64
	timeout   time.Duration
	meetings  jetstream.KeyValue
	snapshots jetstream.KeyValue
	state     jetstream.KeyValue
	dead      jetstream.KeyValue
}

// StoreOptions configure a [Store].
type StoreOptions struct {
	// Replicas is how many servers keep each key: 1 on a single server, 3
	// on a cluster. Default 1.
	Replicas int
	// History is how many revisions of each meeting's view the bucket
	// keeps, so that a watcher that falls behind still sees each change.
	// Default 16.
	History int
	// Timeout bounds the request that makes a watch of a bucket, however
	// long the caller's context lasts: a request sent as the server stops
	// gets no answer, and a runner that waits for it stands still that
	// long ([eventlog.Options].Timeout is the log's). Default 5s.
	Timeout time.Duration
}

// OpenStore returns the projection's buckets on js, creating them if they are
// new.
func OpenStore(ctx context.Context, js jetstream.JetStream, o StoreOptions) (*Store, error) {
	if o.Replicas == 0 {
		o.Replicas = 1
	}
	if o.History == 0 {
		o.History = 16
	}
	if o.Timeout < 0 {
		return nil, fmt.Errorf("projection store: timeout %s: must not be negative", o.Timeout)
	}
	if o.Timeout == 0 {
		o.Timeout = 5 * time.Second
	}
	if o.History < 1 || o.History > 64 {
		return nil, fmt.Errorf("projection store: history %d: want 1 to 64", o.History)
	}
	configs := []jetstream.KeyValueConfig{{
		Bucket:      MeetingBucket,
		Description: "summit: meeting status by branch, one key per BRANCH.MEETING",
		History:     uint8(o.History),
		Storage:     jetstream.FileStorage,
		Replicas:    o.Replicas,
	}, {
		Bucket:      SnapshotBucket,
		Description: "summit: each meeting's folded state by branch, saved with the projection's checkpoint",
		Storage:     jetstream.FileStorage,
		Replicas:    o.Replicas,
	}, {
		Bucket:      StateBucket,
		Description: "summit: projection checkpoints and writer leases",
		Storage:     jetstream.FileStorage,
		Replicas:    o.Replicas,
	}, {
		Bucket:      DeadLetterBucket,
		Description: "summit: the messages a projection skipped, and why",
		Storage:     jetstream.FileStorage,
		Replicas:    o.Replicas,
	}}
	// The buckets are opened at once: each is a round trip to the server,
	// and every verb opens them.
	buckets := make([]jetstream.KeyValue, len(configs))
	errs := make([]error, len(configs))
	var wg sync.WaitGroup
	for i, cfg := range configs {
		wg.Go(func() {
			buckets[i], errs[i] = eventlog.OpenBucket(ctx, js, cfg)
			if errs[i] != nil {
				errs[i] = fmt.Errorf("projection store: bucket %s: %w", cfg.Bucket, errs[i])
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	meetings, snapshots, state, dead := buckets[0], buckets[1], buckets[2], buckets[3]
	return &Store{js: js, writes: js, timeout: o.Timeout, meetings: meetings, snapshots: snapshots, state: state, dead: dead}, nil
}

// Meetings returns the bucket of views, to watch.
func (s *Store) Meetings() jetstream.KeyValue { return s.meetings }

// Checkpoint is how far a branch's projection has applied the log.
type Checkpoint struct {
	// Seq is the stream sequence up to which every event of the branch is
	// reflected in its views.
	Seq uint64 `json:"seq"`
	// Gen is the generation of the branch the checkpoint is of: a
	// checkpoint of a deleted branch's generation is none for a new one.
	Gen uint64 `json:"gen,omitempty"`
	// Based reports that a branch's views hold the record up to its fork
	// (always true of main).
	Based   bool      `json:"based"`
	Updated time.Time `json:"updated"`
	// Day is the day (UTC) the views were last written as of: a runner
	// that resumes on a later day writes again those whose deadline
	// passed meanwhile.
	Day string `json:"day,omitempty"`
	// Events counts the messages on the branch's own subjects, up to Seq,
	// that the projection read (events, and messages that are none): a
	// stream that holds fewer lost some ([Inspect]). Nil when the count
	// is not known (a checkpoint written before it was kept, until a
	// rebuild).
	Events *uint64 `json:"events,omitempty"`
}

func checkpointKey(branch string) string { return branch + ".checkpoint" }

// Checkpoint returns branch's checkpoint; the zero Checkpoint if it has none.
func (s *Store) Checkpoint(ctx context.Context, branch string) (Checkpoint, error) {
	if err := checkBranch(branch); err != nil {
		return Checkpoint{}, err
	}
	e, err := s.state.Get(ctx, checkpointKey(branch))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return Checkpoint{}, nil
	}
	if err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint %s: %w", branch, err)
	}
	var c Checkpoint
	if err := json.Unmarshal(e.Value(), &c); err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint %s: %w", branch, err)
	}
	return c, nil
}

func (s *Store) saveCheckpoint(ctx context.Context, branch string, c Checkpoint) error {
	c.Updated = time.Now().UTC()
	data, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if _, err := s.state.Put(ctx, checkpointKey(branch), data); err != nil {
		return fmt.Errorf("checkpoint %s: %w", branch, err)
	}
	return nil
}

// Views returns every meeting's view on branch, sorted by id, as the bucket
// holds them.
func (s *Store) Views(ctx context.Context, branch string) ([]View, error) {
	if err := checkBranch(branch); err != nil {
		return nil, err
	}
	var out []View
	err := s.each(ctx, s.meetings, branch, theirs, func(key string, value []byte) error {
		var v View
		if err := decode(value, &v); err != nil {
			return fmt.Errorf("view %s: %w", key, err)
		}
		out = append(out, v)
		return nil
	})
	sortViews(out)
	return out, err
}

// Drop removes branch's views, snapshots, checkpoint and lease, when the
// branch is deleted. Each view is purged by key, so that a watcher of the
// bucket sees a PURGE for it: the branch's views are gone, not merely
// silent.
func (s *Store) Drop(ctx context.Context, branch string) error {
	if err := checkBranch(branch); err != nil {
		return err
	}
	lister, err := s.meetings.ListKeysFiltered(ctx, branch+".*")
	if err != nil {
		return fmt.Errorf("drop the views of %s: %w", branch, err)
	}
	for key := range lister.Keys() {
		if err := s.meetings.Purge(ctx, key); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
			return fmt.Errorf("drop view %s: %w", key, err)
		}
	}
	if err := s.purgeSubject(ctx, SnapshotBucket, branch); err != nil {
		return err
	}
	for _, k := range []string{checkpointKey(branch), leaseKey(branch)} {
		if err := s.state.Purge(ctx, k); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
			return fmt.Errorf("drop %s: %w", k, err)
		}
	}
	return nil
}

// purgeSubject removes every key of branch from bucket at once.
func (s *Store) purgeSubject(ctx context.Context, bucket, branch string) error {
	stream, err := s.js.Stream(ctx, eventlog.BucketStream(bucket))
	if err != nil {
		return fmt.Errorf("drop %s of %s: %w", bucket, branch, err)
	}
	if err := stream.Purge(ctx, jetstream.WithPurgeSubject(eventlog.BucketSubject(bucket, branch+".>"))); err != nil {
		return fmt.Errorf("drop %s of %s: %w", bucket, branch, err)
	}
	return nil
}

// checkBranch refuses a branch name that is not one key token: the keys
// and subjects made from it would reach other branches' (a Drop of "*"
// would purge every branch's views).
func checkBranch(branch string) error {
	if err := events.CheckName(branch); err != nil {
		return fmt.Errorf("projection of branch: %w", err)
	}
	return nil
}

func sortViews(vs []View) {
	slices.SortFunc(vs, func(a, b View) int { return strings.Compare(a.ID, b.ID) })
}

// dropViews removes branch's views, snapshots and checkpoint, for a
// rebuild from nothing. Watchers see no delete markers for the views: they
// are purged from the bucket's stream, and written again at once.
func (s *Store) dropViews(ctx context.Context, branch string) error {
	for _, bucket := range []string{MeetingBucket, SnapshotBucket} {
		if err := s.purgeSubject(ctx, bucket, branch); err != nil {
			return err
		}
	}
	if err := s.state.Purge(ctx, checkpointKey(branch)); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("drop checkpoint of %s: %w", branch, err)
	}
	return nil
}

// WaitFor waits until branch's checkpoint reaches seq: until the process
// that holds the branch's lease (summit serve, say) has projected every
// event up to seq. It gives up when ctx ends.
func (s *Store) WaitFor(ctx context.Context, branch string, seq uint64) (Checkpoint, error) {
	if err := checkBranch(branch); err != nil {
		return Checkpoint{}, err
	}
	// Most often the projection is there already (a live runner saves at
	// the end of each burst): a get costs less than a watch, which makes
	// a consumer.
	if c, err := s.Checkpoint(ctx, branch); err == nil && c.Seq >= seq {
		return c, nil
	}
	w, stop, err := s.watch(ctx, s.state, checkpointKey(branch))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("watch checkpoint %s: %w", branch, err)
	}
	defer stop()
	var c Checkpoint
	stopped := func() error {
		return fmt.Errorf("the projection of %s is at %d, not yet at %d: %w", branch, c.Seq, seq, ctx.Err())
	}
	for {
		select {
		case e, ok := <-w.Updates():
			if !ok {
				// The watch ends with ctx: which of the two comes first
				// is the select's to choose.
				if ctx.Err() != nil {
					return c, stopped()
				}
				return c, fmt.Errorf("watch checkpoint %s: watcher closed", branch)
			}
			if e == nil || e.Operation() != jetstream.KeyValuePut {
				continue
			}
			if err := json.Unmarshal(e.Value(), &c); err != nil {
				return c, fmt.Errorf("checkpoint %s: %w", branch, err)
			}
			if c.Seq >= seq {
				return c, nil
			}
		case <-ctx.Done():
			return c, stopped()
		}
	}
}

// Snapshot returns meeting id's snapshot on branch as the projection last
// saved it, and false if there is none (or none of this generation of the
// branch). [commands.Handler] reads it, then only the meeting's events
// after its sequence, instead of the meeting's whole history.
func (s *Store) Snapshot(ctx context.Context, branch eventlog.Branch, id string) (Snapshot, bool, error) {
	e, err := s.snapshots.Get(ctx, Key(branch.Name, id))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return Snapshot{}, false, nil
	}
	if err != nil {
		return Snapshot{}, false, fmt.Errorf("snapshot of %s on %s: %w", id, branch.Name, err)
	}
	var snap Snapshot
	if err := decode(e.Value(), &snap); err != nil {
		return Snapshot{}, false, fmt.Errorf("snapshot of %s on %s: %w", id, branch.Name, err)
	}
	if snap.Meeting.ID != id || snap.Gen != branch.Gen {
		return Snapshot{}, false, nil
	}
	return snap, true, nil
}

// snapshotsOf returns every snapshot of branch, by meeting; w says who
// else may write them meanwhile.
func (s *Store) snapshotsOf(ctx context.Context, branch string, w writes) (map[string]Snapshot, error) {
	out := map[string]Snapshot{}
	err := s.each(ctx, s.snapshots, branch, w, func(key string, value []byte) error {
		var snap Snapshot
		if err := decode(value, &snap); err != nil {
			return fmt.Errorf("snapshot %s: %w", key, err)
		}
		out[snap.Meeting.ID] = snap
		return nil
	})
	return out, err
}

// each calls fn with every key of branch in kv and its value, once each,
// in the order the keys were last written.
//
// A watch reads them, and it can miss a key that another writer writes
// over while it reads (a live runner saving the snapshots that a new
// branch reads): in a bucket that keeps one value a key, the value the
// watch was to deliver is gone, and the client counts the current values
// delivered before the new one comes. And in a replicated store the watch's
// consumer may live on a replica that lags the bucket's leader: what it
// delivers as the current values can miss the latest writes (a runner that
// resumes on snapshots older than its checkpoint would fold without the
// events between). So each asks the leader whether it holds a later write
// of branch's keys than the watch delivered ([eventlog.NextOnLeader]). In
// a replicated store it reads on until the watch has delivered that write.
// On one server it asks only if writers says that others may write the
// keys over, only for writes since the read began, and reads the keys the
// watch missed by themselves ([Store.missed]): reading on until no later
// write exists would not end while a writer outpaces the reads.
func (s *Store) each(ctx context.Context, kv jetstream.KeyValue, branch string, writers writes, fn func(key string, value []byte) error) error {
	replicated, err := s.replicated(ctx)
	if err != nil {
		return fmt.Errorf("read %s of %s: %w", kv.Bucket(), branch, err)
	}
	// On one server, where the bucket ended before the watch began: a
	// key written over while the watch reads is written after it, and the
	// leader is asked for no write before it (a walk of every branch's
	// writes since). A replica may lag behind writes before it too.
	var before uint64
	if !replicated && writers == theirs {
		info, err := bucketInfo(ctx, kv)
		if err != nil {
			return fmt.Errorf("read %s of %s: %w", kv.Bucket(), branch, err)
		}
		if info != nil {
			before = info.State.LastSeq
		}
	}
	w, stop, err := s.watch(ctx, kv, branch+".*")
	if err != nil {
		return fmt.Errorf("read %s of %s: %w", kv.Bucket(), branch, err)
	}
	defer stop()
	filter := eventlog.BucketSubject(kv.Bucket(), branch+".*")
	var (
		entries []jetstream.KeyValueEntry
		at      = map[string]int{} // each key's place in entries
		last    uint64             // the latest revision delivered
		want    uint64             // a revision the leader holds, not yet delivered
		initial bool               // the watch has delivered the current values
	)
	for {
		var e jetstream.KeyValueEntry
		select {
		case u, ok := <-w.Updates():
			if !ok {
				if ctx.Err() != nil {
					return ctx.Err() // the watch ends with ctx
				}
				return fmt.Errorf("read %s of %s: watcher closed", kv.Bucket(), branch)
			}
			e = u
		case <-ctx.Done():
			return ctx.Err()
		}
		if e != nil {
			last = max(last, e.Revision())
			if i, ok := at[e.Key()]; ok {
				entries[i] = nil
			}
			at[e.Key()] = len(entries)
			entries = append(entries, e)
			if !initial || last < want {
				continue
			}
		}
		initial = true
		if !replicated && writers == mine {
			break // nobody else writes them over
		}
		next, err := eventlog.NextOnLeader(ctx, s.js, eventlog.BucketStream(kv.Bucket()), filter, max(last, before)+1)
		if err != nil {
			return fmt.Errorf("read %s of %s: %w", kv.Bucket(), branch, err)
		}
		if next == 0 {
			break
		}
		if replicated {
			want = next
			continue
		}
		// Written to since the watch began: a key written over before the
		// watch delivered it may be missing.
		missed, err := s.missed(ctx, kv, filter, at)
		if err != nil {
			return fmt.Errorf("read %s of %s: %w", kv.Bucket(), branch, err)
		}
		entries = append(entries, missed...)
		break
	}
	for _, e := range entries {
		if e == nil || e.Operation() != jetstream.KeyValuePut {
			continue
		}
		if err := fn(e.Key(), e.Value()); err != nil {
			return err
		}
	}
	return nil
}

// bucketInfo returns the info of kv's stream, as its leader answers it
// (nil from a bucket that is not a stream's).
func bucketInfo(ctx context.Context, kv jetstream.KeyValue) (*jetstream.StreamInfo, error) {
	st, err := kv.Status(ctx)
	if err != nil {
		return nil, err
	}
	if b, ok := st.(*jetstream.KeyValueBucketStatus); ok {
		return b.StreamInfo(), nil
	}
	return nil, nil
}

// writes says whether another process may write a branch's keys over
// while [Store.each] reads them.
type writes bool

const (
	// mine: nobody else does. The reader is the branch's runner, which
	// writes them under its lease; or no key is written twice (a dead
	// letter's is its message's sequence).
	mine writes = false
	// theirs: another process may (main's runner, while a new branch
	// reads main's snapshots, or a status, a watch or a check the views).
	theirs writes = true
)

// missed returns the current entries of the keys of kv whose subjects
// filter matches that are not in read: the keys a watch did not deliver,
// read by themselves. The bucket's stream lists its keys; a key deleted
// since the list was made is left out.
func (s *Store) missed(ctx context.Context, kv jetstream.KeyValue, filter string, read map[string]int) ([]jetstream.KeyValueEntry, error) {
	stream, err := s.js.Stream(ctx, eventlog.BucketStream(kv.Bucket()))
	if err != nil {
		return nil, err
	}
	prefix := eventlog.BucketSubject(kv.Bucket(), "")
	info, err := stream.Info(ctx, jetstream.WithSubjectFilter(filter))
	if err != nil {
		return nil, err
	}
	var out []jetstream.KeyValueEntry
	for subject := range info.State.Subjects {
		key := strings.TrimPrefix(subject, prefix)
		if _, ok := read[key]; ok {
			continue
		}
		e, err := kv.Get(ctx, key)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// watch makes a watch of keys in kv, waiting at most the store's timeout
// for the server to make it: the client waits its own default (5s) for a
// request sent as the server stopped, which nothing answers. The watch
// lives until stop, or until ctx ends.
func (s *Store) watch(ctx context.Context, kv jetstream.KeyValue, keys string, opts ...jetstream.WatchOpt) (jetstream.KeyWatcher, func(), error) {
	// The watch's subscription ends with the context it was made with.
	wctx, cancel := context.WithCancel(ctx)
	type made struct {
		w   jetstream.KeyWatcher
		err error
	}
	ch := make(chan made, 1)
	go func() {
		w, err := kv.Watch(wctx, keys, opts...)
		ch <- made{w, err}
	}()
	timer := time.NewTimer(s.timeout)
	defer timer.Stop()
	select {
	case m := <-ch:
		if m.err != nil {
			cancel()
			return nil, nil, m.err
		}
		return m.w, func() { _ = m.w.Stop(); cancel() }, nil
	case <-timer.C:
		cancel()
		go func() {
			if m := <-ch; m.w != nil {
				_ = m.w.Stop()
			}
		}()
		return nil, nil, fmt.Errorf("watch %s: no answer in %s: %w", kv.Bucket(), s.timeout, context.DeadlineExceeded)
	}
}

// replicated reports whether more than one server keeps the buckets: a
// watch may then be answered by a replica that lags (see [Store.each]).
// The bucket's own setting counts, not the replicas a verb was given: an
// operator may have made a bucket of one server R3 since. It is asked
// once per store.
func (s *Store) replicated(ctx context.Context) (bool, error) {
	if n := s.replicas.Load(); n > 0 {
		return n > 1, nil
	}
	info, err := bucketInfo(ctx, s.meetings)
	if err != nil {
		return false, fmt.Errorf("bucket %s: %w", s.meetings.Bucket(), err)
	}
	n := 1
	if info != nil {
		n = max(n, info.Config.Replicas)
	}
	s.replicas.Store(int64(n))
	return n > 1, nil
}

// ASCII returns the JSON of v with every character beyond ASCII escaped
// (\u00e4), so that every NATS tool shows a view as text rather than as
// bytes.
func ASCII(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	// Most views are ASCII already: find the first byte that is not
	// before decoding any rune.
	i := 0
	for i < len(b) && b[i] < utf8.RuneSelf {
		i++
	}
	if i == len(b) {
		return b, nil
	}
	out := append(make([]byte, 0, len(b)+32), b[:i]...)
	for _, r := range string(b[i:]) {
		if r < utf8.RuneSelf {
			out = append(out, byte(r))
			continue
		}
		for _, u := range utf16.Encode([]rune{r}) {
			out = fmt.Appendf(out, "\\u%04x", u)
		}
	}
	return out, nil
}

// quarantine notes that branch's projection skipped the message at seq,
// and why.
func (s *Store) quarantine(ctx context.Context, branch string, seq uint64, subject string, why error) error {
	data, err := json.Marshal(DeadLetter{Branch: branch, Seq: seq, Subject: subject, Error: why.Error(), Noted: time.Now().UTC()})
	if err != nil {
		return err
	}
	if _, err := s.dead.Put(ctx, branch+"."+strconv.FormatUint(seq, 10), data); err != nil {
		return fmt.Errorf("note the dead letter at %d: %w", seq, err)
	}
	return nil
}

// DeadLetters returns the messages branch's projection skipped, by
// sequence.
func (s *Store) DeadLetters(ctx context.Context, branch string) ([]DeadLetter, error) {
	var out []DeadLetter
	err := s.each(ctx, s.dead, branch, mine, func(key string, value []byte) error {
		var d DeadLetter
		if err := json.Unmarshal(value, &d); err != nil {
			return fmt.Errorf("dead letter %s: %w", key, err)
		}
		out = append(out, d)
		return nil
	})
	slices.SortFunc(out, func(a, b DeadLetter) int { return cmpUint(a.Seq, b.Seq) })
	return out, err
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
