package eventlog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/synadia-io/orbit.go/jetstreamext"

	"github.com/summit-model/summit/events"
)

// The names summit uses in JetStream. They are fixed, so that any NATS
// client can find the record: see the README.
const (
	// StreamName is the stream that holds every event.
	StreamName = "SUMMIT"
	// SubjectRoot prefixes every event's subject:
	// summit.ev.BRANCH.TYPE.ID, as in summit.ev.main.meeting.budapest-summit.
	SubjectRoot = "summit.ev"
	// RefRoot prefixes the subject of each ref name's marker,
	// summit.ref.BRANCH.NAME: one message, appended with the event the name
	// names, that makes the name unique and finds the event (see
	// [Log.Ref]).
	RefRoot = "summit.ref"
	// BranchBucket is the key-value bucket of branch records, one key per
	// branch.
	BranchBucket = "summit-branches"
)

// Options configure a [Log].
type Options struct {
	// Replicas is how many servers keep each event (and each branch
	// record): 1 on a single server, 3 on a cluster. Default 1.
	Replicas int
	// Duplicates is the window in which a re-append of a ref name's marker
	// with the same event id is recognised and not stored twice. Default
	// 2 minutes (JetStream's own): what a command's retries need
	// ([commands.Handler] asks again for 30 seconds at most). Events carry
	// no id: a retry meets its own events as a conflict ([Log.Append],
	// [Log.AppendAll]). The server keeps an entry per id in the window, and
	// a restarted server rebuilds them all, so a longer window costs memory
	// for nothing.
	Duplicates time.Duration
	// Timeout bounds each request to JetStream, however long the caller's
	// context lasts: an answer lost with a server that stopped is
	// [ErrUnavailable] after Timeout, not a wait as long as the context.
	// Default 5s.
	Timeout time.Duration
	// Logger receives notes on the log's work; nil discards them.
	Logger *slog.Logger
}

// Validate reports every problem with o.
func (o Options) Validate() error {
	var errs []error
	if o.Replicas < 0 || o.Replicas > 5 {
		errs = append(errs, fmt.Errorf("replicas %d: want 1 to 5", o.Replicas))
	}
	if o.Duplicates < 0 {
		errs = append(errs, fmt.Errorf("duplicates window %s: must not be negative", o.Duplicates))
	}
	if o.Timeout < 0 {
		errs = append(errs, fmt.Errorf("timeout %s: must not be negative", o.Timeout))
	}
	return errors.Join(errs...)
}

// Log is the event log on JetStream: one stream, one subject per aggregate
// and branch.
type Log struct {
	js jetstream.JetStream
	// acks receives the acknowledgements of commands' single messages
	// ([Log.Send]).
	acks     *acks
	stream   jetstream.Stream
	branches jetstream.KeyValue
	log      *slog.Logger
	timeout  time.Duration
}

// Open returns the log on js, creating its stream and branch bucket if they
// are new. An existing stream is updated only where it lacks a setting this
// summit relies on (an older summit made it) or keeps another duplicates
// window than o's; the replicas an operator gave it stay.
func Open(ctx context.Context, js jetstream.JetStream, o Options) (*Log, error) {
	if err := o.Validate(); err != nil {
		return nil, fmt.Errorf("event log: %w", err)
	}
	if o.Replicas == 0 {
		o.Replicas = 1
	}
	if o.Duplicates == 0 {
		o.Duplicates = 2 * time.Minute
	}
	if o.Timeout == 0 {
		o.Timeout = 5 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	// The stream and the bucket are opened at once: every verb opens them.
	var stream jetstream.Stream
	var streamErr error
	var wg sync.WaitGroup
	wg.Go(func() {
		stream, streamErr = openStream(ctx, js, jetstream.StreamConfig{
			Name:        StreamName,
			Description: "summit: the record and its branches, one subject per aggregate",
			Subjects:    []string{SubjectRoot + ".>", RefRoot + ".>"},
			Storage:     jetstream.FileStorage,
			Replicas:    o.Replicas,
			Retention:   jetstream.LimitsPolicy,
			Duplicates:  o.Duplicates,
			// Direct gets let any replica answer a read of one aggregate's
			// history, in batches, without a consumer: see [Log.Load].
			AllowDirect: true,
			// A command's events land together or not at all.
			AllowAtomicPublish: true,
			// A bulk append goes as fast-ingest batches: see [Log.AppendAll].
			AllowBatchPublish: true,
			// Events are never deleted one by one; a branch is removed whole
			// with a subject purge.
			DenyDelete: true,
		})
	})
	kv, err := OpenBucket(ctx, js, jetstream.KeyValueConfig{
		Bucket:      BranchBucket,
		Description: "summit: one record per what-if branch",
		Storage:     jetstream.FileStorage,
		Replicas:    o.Replicas,
	})
	wg.Wait()
	if streamErr != nil {
		return nil, fmt.Errorf("event log: stream %s: %w", StreamName, streamErr)
	}
	if err != nil {
		return nil, fmt.Errorf("event log: bucket %s: %w", BranchBucket, err)
	}
	return &Log{js: js, acks: &acks{nc: js.Conn(), timeout: o.Timeout}, stream: stream, branches: kv, log: o.Logger, timeout: o.Timeout}, nil
}

// openStream returns the stream cfg names, made from cfg if it is new. An
// existing one is updated to cfg only if it lacks a setting of cfg's that
// summit relies on, or keeps another duplicates window, and keeps its own
// replicas. (An update on every open, as CreateOrUpdateStream makes, costs
// the server a write of the stream's metadata to disk each time, and undid
// an operator's "nats stream edit --replicas 3".)
func openStream(ctx context.Context, js jetstream.JetStream, cfg jetstream.StreamConfig) (jetstream.Stream, error) {
	s, err := js.Stream(ctx, cfg.Name)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		s, err = js.CreateStream(ctx, cfg)
		if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			s, err = js.Stream(ctx, cfg.Name)
		}
	}
	if err != nil {
		return nil, err
	}
	have := s.CachedInfo().Config
	if have.AllowDirect == cfg.AllowDirect && have.AllowAtomicPublish == cfg.AllowAtomicPublish &&
		have.AllowBatchPublish == cfg.AllowBatchPublish && have.DenyDelete == cfg.DenyDelete &&
		have.Duplicates == cfg.Duplicates && slices.Equal(have.Subjects, cfg.Subjects) {
		return s, nil
	}
	cfg.Replicas = have.Replicas
	return js.UpdateStream(ctx, cfg)
}

// OpenBucket returns the key-value bucket cfg names, made from cfg if it
// is new; an existing one is used as it is, with the replicas an operator
// may have given it. Every verb opens summit's buckets: a lookup costs the
// server a stream info, where an update would write the bucket's metadata
// to disk.
func OpenBucket(ctx context.Context, js jetstream.JetStream, cfg jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	kv, err := js.KeyValue(ctx, cfg.Bucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		kv, err = js.CreateKeyValue(ctx, cfg)
		if errors.Is(err, jetstream.ErrBucketExists) {
			kv, err = js.KeyValue(ctx, cfg.Bucket)
		}
	}
	return kv, err
}

// BucketStream returns the name of the stream that holds key-value
// bucket's values.
func BucketStream(bucket string) string { return "KV_" + bucket }

// BucketSubject returns the subject of key in key-value bucket: a key, a
// filter of keys (with * and >), or "" for the prefix of every key.
func BucketSubject(bucket, key string) string { return "$KV." + bucket + "." + key }

// LatestValues returns the value of each key of bucket that keys matches
// (a key, or a filter with * and >), leaving out the deleted and purged,
// read with one multi-last direct get: a watch of the bucket makes a
// consumer, a round trip or two more. It reports false if more than max
// keys match, deleted ones included (max 0: no bound of its own; the
// server answers an error past 1,024).
func LatestValues(ctx context.Context, js jetstream.JetStream, bucket, keys string, max int) (map[string][]byte, bool, error) {
	prefix := BucketSubject(bucket, "")
	batch := 0
	if max > 0 {
		batch = max + 1
	}
	msgs, err := getLastMsgsFor(ctx, js, BucketStream(bucket), []string{prefix + keys}, batch)
	if err != nil {
		return nil, false, fmt.Errorf("read bucket %s: %w", bucket, unavailable(err))
	}
	values := map[string][]byte{}
	n := 0
	for m, err := range msgs {
		if errors.Is(err, jetstreamext.ErrNoMessages) {
			break
		}
		if err != nil {
			return nil, false, fmt.Errorf("read bucket %s: %w", bucket, unavailable(err))
		}
		n++
		// A deleted or purged key's last message is a marker, with the
		// operation in this header (the jetstream package's KV-Operation).
		if m.Header.Get("KV-Operation") == "" {
			values[strings.TrimPrefix(m.Subject, prefix)] = m.Data
		}
	}
	return values, max == 0 || n <= max, nil
}

// JetStream returns the JetStream context the log works on.
func (l *Log) JetStream() jetstream.JetStream { return l.js }

// LastSeq returns the stream sequence of the newest event on any branch
// (0 for an empty log).
func (l *Log) LastSeq(ctx context.Context) (uint64, error) {
	rctx, cancel := l.request(ctx)
	defer cancel()
	info, err := l.stream.Info(rctx)
	if err != nil {
		return 0, fmt.Errorf("event log: stream info: %w", unavailable(err))
	}
	return info.State.LastSeq, nil
}

// Timeout returns how long the log waits for an answer to one request
// ([Options].Timeout).
func (l *Log) Timeout() time.Duration { return l.timeout }

// request bounds one request to JetStream by the log's timeout.
func (l *Log) request(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, l.timeout)
}

// Subject returns the subject of aggregate ref's events on branch.
func Subject(branch string, ref events.Ref) string {
	return SubjectRoot + "." + branch + "." + string(ref.Type) + "." + ref.ID
}

// BranchSubjects returns the wildcard subject of every event on branch's
// own subjects (for a branch other than main: its hypothetical events only).
func BranchSubjects(branch string) string {
	return SubjectRoot + "." + branch + ".>"
}

// RefSubject returns the subject of the marker of ref name on branch.
func RefSubject(branch, name string) string {
	return RefRoot + "." + branch + "." + name
}

// parseSubject splits an event subject into its branch and aggregate.
func parseSubject(subject string) (branch string, ref events.Ref, ok bool) {
	// Cut, not Split: this runs for every event read, and Split allocates.
	rest, ok := strings.CutPrefix(subject, SubjectRoot+".")
	if !ok {
		return "", events.Ref{}, false
	}
	branch, rest, ok1 := strings.Cut(rest, ".")
	typ, id, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || strings.Contains(id, ".") {
		return "", events.Ref{}, false
	}
	return branch, events.Ref{Type: events.AggregateType(typ), ID: id}, true
}
