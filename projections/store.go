package projections

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/events"
)

// The buckets of the meeting-status projection. Any NATS client can read
// and watch them: see the README.
const (
	// MeetingBucket holds one key per meeting and branch,
	// BRANCH.MEETING (main.budapest-summit), whose value is the JSON of a
	// [View].
	MeetingBucket = "summit-meetings"
	// StateBucket holds each branch projection's checkpoint
	// (BRANCH.checkpoint) and its writer's lease (BRANCH.lease).
	StateBucket = "summit-projections"
)

// Key returns the key of meeting id's view on branch in [MeetingBucket].
func Key(branch, id string) string { return branch + "." + id }

// Store is the projection's key-value buckets.
type Store struct {
	js       jetstream.JetStream
	meetings jetstream.KeyValue
	state    jetstream.KeyValue
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
	if o.History < 1 || o.History > 64 {
		return nil, fmt.Errorf("projection store: history %d: want 1 to 64", o.History)
	}
	meetings, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      MeetingBucket,
		Description: "summit: meeting status by branch, one key per BRANCH.MEETING",
		History:     uint8(o.History),
		Storage:     jetstream.FileStorage,
		Replicas:    o.Replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("projection store: bucket %s: %w", MeetingBucket, err)
	}
	state, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      StateBucket,
		Description: "summit: projection checkpoints and writer leases",
		Storage:     jetstream.FileStorage,
		Replicas:    o.Replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("projection store: bucket %s: %w", StateBucket, err)
	}
	return &Store{js: js, meetings: meetings, state: state}, nil
}

// Meetings returns the bucket of views, to watch.
func (s *Store) Meetings() jetstream.KeyValue { return s.meetings }

// Checkpoint is how far a branch's projection has applied the log.
type Checkpoint struct {
	// Seq is the stream sequence up to which every event of the branch is
	// reflected in its views.
	Seq uint64 `json:"seq"`
	// Based reports that a branch's views hold the record up to its fork
	// (always true of main).
	Based   bool      `json:"based"`
	Updated time.Time `json:"updated"`
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
	w, err := s.meetings.Watch(ctx, branch+".*", jetstream.IgnoreDeletes())
	if err != nil {
		return nil, fmt.Errorf("read views of %s: %w", branch, err)
	}
	defer w.Stop()
	var out []View
	for {
		select {
		case e, ok := <-w.Updates():
			if !ok {
				return nil, fmt.Errorf("read views of %s: watcher closed", branch)
			}
			if e == nil {
				sortViews(out)
				return out, nil
			}
			var v View
			if err := json.Unmarshal(e.Value(), &v); err != nil {
				return nil, fmt.Errorf("view %s: %w", e.Key(), err)
			}
			out = append(out, v)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Drop removes branch's views, checkpoint and lease, when the branch is
// deleted.
func (s *Store) Drop(ctx context.Context, branch string) error {
	if err := checkBranch(branch); err != nil {
		return err
	}
	if err := s.dropViews(ctx, branch); err != nil {
		return err
	}
	for _, k := range []string{checkpointKey(branch), leaseKey(branch)} {
		if err := s.state.Purge(ctx, k); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
			return fmt.Errorf("drop %s: %w", k, err)
		}
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

// dropViews removes branch's views and checkpoint, for a rebuild from
// nothing. Watchers see no delete markers for the views: they are purged
// from the bucket's stream.
func (s *Store) dropViews(ctx context.Context, branch string) error {
	stream, err := s.js.Stream(ctx, "KV_"+MeetingBucket)
	if err != nil {
		return fmt.Errorf("drop views of %s: %w", branch, err)
	}
	if err := stream.Purge(ctx, jetstream.WithPurgeSubject("$KV."+MeetingBucket+"."+branch+".>")); err != nil {
		return fmt.Errorf("drop views of %s: %w", branch, err)
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
	w, err := s.state.Watch(ctx, checkpointKey(branch))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("watch checkpoint %s: %w", branch, err)
	}
	defer w.Stop()
	var c Checkpoint
	for {
		select {
		case e, ok := <-w.Updates():
			if !ok {
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
			return c, fmt.Errorf("the projection of %s is at %d, not yet at %d: %w", branch, c.Seq, seq, ctx.Err())
		}
	}
}

// Snapshot returns meeting id's state on branch as the projection last
// wrote it, with the stream sequence up to which that state reflects every
// event of the branch, and false if the projection holds no view of the
// meeting. A view holds the meeting's whole folded state, so it serves as
// a snapshot: [commands.Handler] reads it, then only the meeting's events
// after that sequence, instead of the meeting's whole history.
func (s *Store) Snapshot(ctx context.Context, branch, id string) (aggregates.Meeting, uint64, bool, error) {
	e, err := s.meetings.Get(ctx, Key(branch, id))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return aggregates.Meeting{}, 0, false, nil
	}
	if err != nil {
		return aggregates.Meeting{}, 0, false, fmt.Errorf("snapshot of %s on %s: %w", id, branch, err)
	}
	var v View
	if err := json.Unmarshal(e.Value(), &v); err != nil {
		return aggregates.Meeting{}, 0, false, fmt.Errorf("snapshot of %s on %s: %w", id, branch, err)
	}
	if v.ID != id || v.Version == 0 {
		return aggregates.Meeting{}, 0, false, nil
	}
	return v.meeting(), v.Seq, true, nil
}
