package scenarios

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/commands"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
)

// RecordBucket is the key-value bucket where a store notes each scenario it
// holds, one key per scenario name.
const RecordBucket = "summit-scenarios"

// Record is what a store notes of a scenario replayed into it.
type Record struct {
	Name   string `json:"name"`
	Title  string `json:"title,omitempty"`
	Digest string `json:"digest"`
	// Complete is false while the replay appends, and stays false if it
	// was interrupted.
	Complete    bool      `json:"complete"`
	Events      int       `json:"events"`
	Correlation uuid.UUID `json:"correlation"`
	Started     time.Time `json:"started"`
	Finished    time.Time `json:"finished,omitzero"`
}

// Errors of [Replay] that callers branch on.
var (
	// ErrHeldDifferently: the store holds another version of the scenario.
	ErrHeldDifferently = errors.New("the store holds a different version of this scenario")
	// ErrInProgress: another append of the scenario is under way.
	ErrInProgress = errors.New("the scenario is being appended")
)

// Records is the bucket of scenario records.
type Records struct {
	kv jetstream.KeyValue
}

// OpenRecords returns the scenario records of the store js works on,
// creating the bucket if it is new.
func OpenRecords(ctx context.Context, js jetstream.JetStream, replicas int) (*Records, error) {
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      RecordBucket,
		Description: "summit: the scenarios replayed into this store",
		Storage:     jetstream.FileStorage,
		Replicas:    max(replicas, 1),
	})
	if err != nil {
		return nil, fmt.Errorf("bucket %s: %w", RecordBucket, err)
	}
	return &Records{kv: kv}, nil
}

// Get returns the record under key ([RecordKey]), and false if the store
// holds no such scenario.
func (r *Records) Get(ctx context.Context, key string) (Record, bool, error) {
	rec, _, ok, err := r.get(ctx, key)
	return rec, ok, err
}

func (r *Records) get(ctx context.Context, key string) (Record, uint64, bool, error) {
	e, err := r.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return Record{}, 0, false, nil
	}
	if err != nil {
		return Record{}, 0, false, fmt.Errorf("scenario record %s: %w", key, err)
	}
	var rec Record
	if err := json.Unmarshal(e.Value(), &rec); err != nil {
		return Record{}, 0, false, fmt.Errorf("scenario record %s: %w", key, err)
	}
	return rec, e.Revision(), true, nil
}

// Replayed is the outcome of [Replay] and [Append].
type Replayed struct {
	Record Record
	// Skipped is true when the store already held the scenario, so that
	// nothing was appended.
	Skipped bool
	// Conflicts counts the times another writer moved the store on during
	// the append, so that the rest was decided again.
	Conflicts int
}

// AppendOptions say where [Append] puts a scenario or event file, and how.
type AppendOptions struct {
	// Branch is where the events go: the record (main) by default, or a
	// what-if branch, where they are hypothetical.
	Branch eventlog.Branch
	// Known is the store's cast, which an event file may name without
	// declaring ([CastOf]); nil for a scenario of its own.
	Known *Cast
	// Pace, if not zero, spaces the appends out in world time, so that a
	// watcher sees the story unfold: see [Pace].
	Pace Pace
	// Landed, if not nil, is called after each step's events land.
	Landed func(Step, []events.Event)
	// Prepare, if not nil, runs once every step is decided and before
	// anything is written: to create the branch the events go to, say,
	// only once they are known to be good.
	Prepare func(context.Context) error
}

// Replay appends scenario s to the record (main), once. A store that holds
// s already is recognised by its name and digest, and s is skipped; a store
// that holds another version of s refuses it; a replay of s that was
// interrupted is taken up where it stopped. Every step is decided before
// anything is appended, so a scenario the model refuses appends nothing: the
// error is then an [ErrorList] naming each refused line.
func Replay(ctx context.Context, log *eventlog.Log, records *Records, s *Scenario) (Replayed, error) {
	return Append(ctx, log, records, s, AppendOptions{})
}

// RecordKey returns the key under which a store notes s on branch: its
// name (or, for an event file without one, its digest), prefixed by the
// branch off main.
func RecordKey(s *Scenario, branch string) string {
	key := s.Name
	if key == "" {
		key = "file-" + s.Digest[:16]
	}
	if branch != "" && branch != events.Main {
		key = branch + "." + key
	}
	return key
}

// Append appends s to the branch opts name, once, as [Replay] does.
func Append(ctx context.Context, log *eventlog.Log, records *Records, s *Scenario, opts AppendOptions) (Replayed, error) {
	branch := opts.Branch
	if branch.Name == "" {
		branch = eventlog.Main()
	}
	key := RecordKey(s, branch.Name)
	steps := s.Steps(opts.Known)
	rec := Record{Name: key, Title: s.Title, Digest: s.Digest, Correlation: events.NewID(), Started: time.Now().UTC()}
	done, revision := 0, uint64(0)
	if old, rev, ok, err := records.get(ctx, key); err != nil {
		return Replayed{}, err
	} else if ok {
		if old.Complete || old.Digest != s.Digest {
			return Replayed{Record: old, Skipped: old.Complete && old.Digest == s.Digest}, held(s, old)
		}
		// An earlier append of this very file was interrupted: find
		// where it stopped, from its events in the log, and go on.
		rec, revision = old, rev
		if done, err = resumeAt(ctx, log, branch, steps, rec.Correlation); err != nil {
			return Replayed{}, err
		}
	}
	meta := commands.Meta{CorrelationID: rec.Correlation}
	plan, err := Decide(ctx, log, branch, s.File, steps[done:], meta)
	if err != nil {
		return Replayed{}, err
	}
	if opts.Prepare != nil {
		if err := opts.Prepare(ctx); err != nil {
			return Replayed{}, err
		}
	}
	// The record is written before the first event is appended, created or
	// updated against its revision: two appends of one file cannot both
	// write.
	data, _ := json.Marshal(rec)
	if revision == 0 {
		_, err = records.kv.Create(ctx, key, data)
	} else {
		_, err = records.kv.Update(ctx, key, data, revision)
	}
	if err != nil {
		if errors.Is(err, jetstream.ErrKeyExists) || revision != 0 {
			return Replayed{}, fmt.Errorf("%s: %w: another append of it is under way", s.File, ErrInProgress)
		}
		return Replayed{}, fmt.Errorf("scenario record %s: %w", key, err)
	}
	out := Replayed{Record: rec}
	note := func() {
		data, _ := json.Marshal(rec)
		_, _ = records.kv.Put(context.WithoutCancel(ctx), key, data)
		out.Record = rec
	}
	for {
		n, err := appendSteps(ctx, log, steps[done:], plan, opts)
		for _, p := range plan.Pending[:n] {
			rec.Events += len(p.Events)
		}
		done += n
		if err == nil {
			break
		}
		if !errors.Is(err, eventlog.ErrConflict) || out.Conflicts >= 5 {
			// Note how far it got, for the message of the next attempt.
			note()
			return out, fmt.Errorf("%s: %w after %d of %d steps (%d events on record): %w", s.File, ErrIncomplete, done, len(steps), rec.Events, err)
		}
		// Another writer moved the store on: decide the rest again on
		// the state it left.
		out.Conflicts++
		if plan, err = Decide(ctx, log, branch, s.File, steps[done:], meta); err != nil {
			note()
			return out, fmt.Errorf("%w after %d of %d steps: the store changed under the append: %w", ErrIncomplete, done, len(steps), err)
		}
	}
	rec.Complete, rec.Finished = true, time.Now().UTC()
	note()
	return out, nil
}

// appendSteps appends a plan for steps, all at once or, with a pace, one
// step at a time, and returns how many steps landed.
func appendSteps(ctx context.Context, log *eventlog.Log, steps []Step, plan *Plan, opts AppendOptions) (int, error) {
	if opts.Pace.IsZero() {
		n, err := log.AppendAll(ctx, plan.Pending)
		if opts.Landed != nil {
			for i := range n {
				opts.Landed(steps[i], plan.Pending[i].Events)
			}
		}
		return n, err
	}
	// One step at a time, each expecting where the step before it on the
	// same aggregate landed.
	landed := map[events.Ref]uint64{}
	for i, p := range plan.Pending {
		if i > 0 {
			if err := opts.Pace.Wait(ctx, steps[i-1].Command.At, steps[i].Command.At); err != nil {
				return i, err
			}
		}
		if len(p.Events) == 0 {
			continue
		}
		ref := p.Events[0].Aggregate
		expect, ok := landed[ref]
		if !ok {
			expect = p.Expect
		}
		seq, err := log.Append(ctx, expect, p.Events...)
		if err != nil {
			return i, err
		}
		landed[ref] = seq
		if opts.Landed != nil {
			opts.Landed(steps[i], p.Events)
		}
	}
	return len(plan.Pending), nil
}

// held explains why a store that holds rec takes s no more: nil when it
// holds s whole (and so skips it).
func held(s *Scenario, rec Record) error {
	switch {
	case rec.Digest != s.Digest:
		return fmt.Errorf("%s: %w: scenario %s was replayed into it on %s from a file that differs from this one (digest %.12s, this file %.12s); replay into a fresh store instead",
			s.File, ErrHeldDifferently, s.Name, rec.Started.Format(time.DateTime), rec.Digest, s.Digest)
	}
	return nil
}

// resumeAt returns the index of the first of steps that an interrupted
// append (its events marked with correlation) did not land. Steps land in
// order, so the append stopped after the last step whose event is in the
// log; a declaration after it is decided again, and changes nothing if it
// landed.
func resumeAt(ctx context.Context, log *eventlog.Log, branch eventlog.Branch, steps []Step, correlation uuid.UUID) (int, error) {
	landed := map[events.Ref][]events.Event{}
	loaded := map[events.Ref]bool{}
	resume := 0
	for i, st := range steps {
		ref := st.Command.Aggregate
		if !loaded[ref] {
			h, err := log.Load(ctx, branch, ref)
			if err != nil {
				return 0, err
			}
			for _, e := range h.Events {
				if e.CorrelationID == correlation {
					landed[ref] = append(landed[ref], e)
				}
			}
			loaded[ref] = true
		}
		next := landed[ref]
		if len(next) > 0 && st.Command.Payload == nil && next[0].Version == 1 {
			landed[ref] = next[1:] // a declaration that landed
			continue
		}
		if st.Command.Payload == nil {
			continue
		}
		if len(next) == 0 || next[0].Kind() != st.Command.Payload.Kind() {
			continue
		}
		landed[ref] = next[1:]
		resume = i + 1
	}
	return resume, nil
}

// DeleteBranch forgets what was appended to a deleted branch, so that the
// same files can be injected into a new branch of the same name.
func (r *Records) DeleteBranch(ctx context.Context, branch string) error {
	lister, err := r.kv.ListKeysFiltered(ctx, branch+".*")
	if err != nil {
		return fmt.Errorf("scenario records of %s: %w", branch, err)
	}
	for key := range lister.Keys() {
		if err := r.kv.Purge(ctx, key); err != nil {
			return fmt.Errorf("scenario record %s: %w", key, err)
		}
	}
	return nil
}
