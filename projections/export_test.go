package projections

import (
	"context"

	"github.com/nats-io/nats.go/jetstream"
)

// WatchCheckpoint lets external tests follow a branch's checkpoint key.
func (s *Store) WatchCheckpoint(ctx context.Context, branch string, opts ...jetstream.WatchOpt) (jetstream.KeyWatcher, error) {
	return s.state.Watch(ctx, checkpointKey(branch), opts...)
}

// WithJetStream returns a copy of s that publishes its view writes through js.
func (s *Store) WithJetStream(js jetstream.JetStream) *Store {
	c := &Store{js: s.js, writes: js, timeout: s.timeout, meetings: s.meetings, snapshots: s.snapshots, state: s.state, dead: s.dead}
	c.replicas.Store(s.replicas.Load())
	return c
}

// Uncount makes branch's checkpoint one written before checkpoints counted
// the messages read.
func (s *Store) Uncount(ctx context.Context, branch string) error {
	cp, err := s.Checkpoint(ctx, branch)
	if err != nil {
		return err
	}
	cp.Events = nil
	return s.saveCheckpoint(ctx, branch, cp)
}
