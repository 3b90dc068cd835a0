package projections

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// ErrBusy is returned when another process holds the lease to write a
// branch's projection: it is keeping the views current, so the caller need
// not.
var ErrBusy = errors.New("another process is projecting this branch")

// A lease makes one process at a time the writer of a branch's views. It is a
// key in [StateBucket] holding its owner and its expiry, taken and renewed
// with compare-and-set on the key's revision; a writer that dies without
// releasing it (a killed server) loses it when it expires.
type lease struct {
	state   jetstream.KeyValue
	key     string
	owner   string
	ttl     time.Duration
	rev     uint64
	renewed time.Time
}

type leaseValue struct {
	Owner   string    `json:"owner"`
	Expires time.Time `json:"expires"`
}

func leaseKey(branch string) string { return branch + ".lease" }

// acquire takes branch's lease for owner, or returns [ErrBusy] if another
// owner holds it and it has not expired.
func (s *Store) acquire(ctx context.Context, branch, owner string, ttl time.Duration) (*lease, error) {
	l := &lease{state: s.state, key: leaseKey(branch), owner: owner, ttl: ttl}
	data := l.value()
	var e jetstream.KeyValueEntry
	for attempt := 0; ; attempt++ {
		rev, err := s.state.Create(ctx, l.key, data)
		if err == nil {
			l.rev, l.renewed = rev, time.Now()
			return l, nil
		}
		if !errors.Is(err, jetstream.ErrKeyExists) {
			return nil, fmt.Errorf("lease %s: %w", l.key, err)
		}
		e, err = s.state.Get(ctx, l.key)
		// The holder released the lease between the two: take it again.
		if errors.Is(err, jetstream.ErrKeyNotFound) && attempt < 3 {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("lease %s: %w", l.key, err)
		}
		break
	}
	var held leaseValue
	if err := json.Unmarshal(e.Value(), &held); err != nil {
		return nil, fmt.Errorf("lease %s: %w", l.key, err)
	}
	if held.Owner != owner && time.Now().Before(held.Expires) {
		return nil, fmt.Errorf("%w: %s holds %s until %s", ErrBusy, held.Owner, l.key, held.Expires.Format(time.RFC3339))
	}
	rev, err := s.state.Update(ctx, l.key, data, e.Revision())
	if err != nil {
		return nil, fmt.Errorf("%w: %s was taken while it expired", ErrBusy, l.key)
	}
	l.rev, l.renewed = rev, time.Now()
	return l, nil
}

func (l *lease) value() []byte {
	b, _ := json.Marshal(leaseValue{Owner: l.owner, Expires: time.Now().Add(l.ttl).UTC()})
	return b
}

// renew extends the lease if a third of its time has passed. It fails if
// someone took the lease: the writer must stop.
func (l *lease) renew(ctx context.Context) error {
	if time.Since(l.renewed) < l.ttl/3 {
		return nil
	}
	rev, err := l.state.Update(ctx, l.key, l.value(), l.rev)
	if err != nil {
		return fmt.Errorf("lease %s lost: %w", l.key, err)
	}
	l.rev, l.renewed = rev, time.Now()
	return nil
}

// release gives the lease up, if it is still ours.
func (l *lease) release(ctx context.Context) {
	_ = l.state.Delete(ctx, l.key, jetstream.LastRevision(l.rev))
}
