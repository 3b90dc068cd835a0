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

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
)

// Inspect checks, cheaply, that the log still holds what the projections
// have seen: [eventlog.Log.Inspect]'s checks of the stream, then each
// branch's checkpoint against the stream's last sequence, and each meeting
// the projection of main holds (its snapshot) against the events on its
// subject: a snapshot that folded an event at sequence S of a meeting
// whose subject now ends before S, or holds nothing, means events were
// lost. It reads no event beyond each subject's last, and every request is
// bounded by the log's timeout or by ctx.
func Inspect(ctx context.Context, log *eventlog.Log, store *Store) (eventlog.Integrity, error) {
	in, err := log.Inspect(ctx)
	if err != nil {
		return in, err
	}
	rctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	cps, err := store.checkpoints(rctx)
	if err != nil {
		return in, fmt.Errorf("inspect the projections: %w", err)
	}
	for _, branch := range sortedNames(cps) {
		if cp := cps[branch]; cp.Seq > in.LastSeq {
			in.Damage = append(in.Damage, eventlog.Damage{Kind: "lost", Subject: branch,
				Detail: fmt.Sprintf("the projection of %s reflects the log up to sequence %d, but the log ends at %d: the events after %d are gone", branch, cp.Seq, in.LastSeq, in.LastSeq)})
		}
	}
	snaps, err := store.snapshotsOf(rctx, events.Main)
	if err != nil {
		return in, fmt.Errorf("inspect the projections: %w", err)
	}
	for _, id := range sortedNames(snaps) {
		snap := snaps[id]
		subject := eventlog.Subject(events.Main, events.Meeting(id))
		s, ok := in.Main[subject]
		switch {
		case snap.LastSeq == 0:
		case !ok || s.Count == 0:
			in.Damage = append(in.Damage, eventlog.Damage{Kind: "lost", Subject: subject,
				Detail: fmt.Sprintf("the projection folded meeting %s up to its event at sequence %d, but the log holds none of its events", id, snap.LastSeq)})
		case s.LastSeq != 0 && s.LastSeq < snap.LastSeq:
			in.Damage = append(in.Damage, eventlog.Damage{Kind: "lost", Subject: subject,
				Detail: fmt.Sprintf("the projection folded meeting %s up to its event at sequence %d, but the log's last event of it is at %d", id, snap.LastSeq, s.LastSeq)})
		}
	}
	accepted, err := store.AcceptedDamage(rctx)
	if err != nil {
		return in, fmt.Errorf("inspect the projections: %w", err)
	}
	keep := in.Damage[:0]
	for _, d := range in.Damage {
		if !accepted[d.Key()] {
			keep = append(keep, d)
		}
	}
	in.Damage = keep
	return in, nil
}

// acceptedKey is the key, in [StateBucket], of the damage a repair
// accepted: no branch's checkpoint or lease key ends so.
const acceptedKey = "damage.accepted"

// AcceptDamage records ds as known and accepted (by summit check --repair):
// [Inspect] no longer reports them, so that a store that lost events for
// good, once its views are rebuilt from what is left, reads again. Damage
// found later, or more events lost on the same subject, is reported anew.
func (s *Store) AcceptDamage(ctx context.Context, ds []eventlog.Damage) error {
	accepted, err := s.AcceptedDamage(ctx)
	if err != nil {
		return err
	}
	for _, d := range ds {
		accepted[d.Key()] = true
	}
	data, err := json.Marshal(sortedNames(accepted))
	if err != nil {
		return err
	}
	if _, err := s.state.Put(ctx, acceptedKey, data); err != nil {
		return fmt.Errorf("record the accepted damage: %w", err)
	}
	return nil
}

// AcceptedDamage returns the keys ([eventlog.Damage.Key]) of the damage a
// repair accepted.
func (s *Store) AcceptedDamage(ctx context.Context) (map[string]bool, error) {
	out := map[string]bool{}
	e, err := s.state.Get(ctx, acceptedKey)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the accepted damage: %w", err)
	}
	var keys []string
	if err := json.Unmarshal(e.Value(), &keys); err != nil {
		return nil, fmt.Errorf("read the accepted damage: %w", err)
	}
	for _, k := range keys {
		out[k] = true
	}
	return out, nil
}

// Recovery says how to recover from damage Inspect found.
const Recovery = "restore the store from a copy (a stopped server's store directory, or a stream backup), " +
	"or, to accept the loss and read what is left, run \"summit check --repair\" " +
	"(it rebuilds the views from the log as it now stands, and quarantines what it cannot read)"

// checkpoints returns every branch's checkpoint, by branch.
func (s *Store) checkpoints(ctx context.Context) (map[string]Checkpoint, error) {
	w, err := s.state.Watch(ctx, "*.checkpoint", jetstream.IgnoreDeletes())
	if err != nil {
		return nil, fmt.Errorf("read checkpoints: %w", err)
	}
	defer w.Stop()
	out := map[string]Checkpoint{}
	for {
		select {
		case e, ok := <-w.Updates():
			if !ok {
				return out, fmt.Errorf("read checkpoints: watcher closed")
			}
			if e == nil {
				return out, nil
			}
			var c Checkpoint
			if err := json.Unmarshal(e.Value(), &c); err != nil {
				return out, fmt.Errorf("checkpoint %s: %w", e.Key(), err)
			}
			out[strings.TrimSuffix(e.Key(), ".checkpoint")] = c
		case <-ctx.Done():
			return out, fmt.Errorf("read checkpoints: %w", ctx.Err())
		}
	}
}

func sortedNames[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
