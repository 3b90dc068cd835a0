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
	// ErrInterrupted: an earlier replay of the scenario stopped part way,
	// so the store holds part of it.
	ErrInterrupted = errors.New("an earlier replay of this scenario was interrupted")
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

// Get returns the record of scenario name, and false if the store holds no
// such scenario.
func (r *Records) Get(ctx context.Context, name string) (Record, bool, error) {
	e, err := r.kv.Get(ctx, name)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return Record{}, false, nil
	}
	if err != nil {
		return Record{}, false, fmt.Errorf("scenario record %s: %w", name, err)
	}
	var rec Record
	if err := json.Unmarshal(e.Value(), &rec); err != nil {
		return Record{}, false, fmt.Errorf("scenario record %s: %w", name, err)
	}
	return rec, true, nil
}

// Replayed is the outcome of [Replay].
type Replayed struct {
	Record Record
	// Skipped is true when the store already held the scenario, so that
	// nothing was appended.
	Skipped bool
	// Conflicts counts the times another writer moved the store on during
	// the append, so that the rest was decided again.
	Conflicts int
}

// Replay appends scenario s to the record (main), once. A store that holds
// s already is recognised by its name and digest, and s is skipped; a store
// that holds another version of s, or part of s from a replay that was
// interrupted, refuses it. Every step is decided before anything is
// appended, so a scenario the model refuses appends nothing: the error is
// then an [ErrorList] naming each refused line.
func Replay(ctx context.Context, log *eventlog.Log, records *Records, s *Scenario) (Replayed, error) {
	if rec, ok, err := records.Get(ctx, s.Name); err != nil {
		return Replayed{}, err
	} else if ok {
		return Replayed{Record: rec, Skipped: rec.Complete && rec.Digest == s.Digest}, held(s, rec)
	}
	rec := Record{Name: s.Name, Title: s.Title, Digest: s.Digest, Correlation: events.NewID(), Started: time.Now().UTC()}
	steps := s.Steps(nil)
	meta := commands.Meta{CorrelationID: rec.Correlation}
	plan, err := Decide(ctx, log, eventlog.Main(), s.File, steps, meta)
	if err != nil {
		return Replayed{}, err
	}
	// The record is created before the first event is appended: the key's
	// creation is atomic, so two replays of one scenario cannot both append.
	data, _ := json.Marshal(rec)
	if _, err := records.kv.Create(ctx, s.Name, data); err != nil {
		if errors.Is(err, jetstream.ErrKeyExists) {
			return Replay(ctx, log, records, s)
		}
		return Replayed{}, fmt.Errorf("scenario record %s: %w", s.Name, err)
	}
	out := Replayed{Record: rec}
	done := 0
	for {
		n, err := log.AppendAll(ctx, plan.Pending)
		for _, p := range plan.Pending[:n] {
			rec.Events += len(p.Events)
		}
		done += n
		if err == nil {
			break
		}
		if !errors.Is(err, eventlog.ErrConflict) || out.Conflicts >= 5 {
			// Note how far it got, for the message of the next attempt.
			data, _ := json.Marshal(rec)
			_, _ = records.kv.Put(context.WithoutCancel(ctx), s.Name, data)
			out.Record = rec
			return out, fmt.Errorf("%s: %w after %d of %d steps (%d events on record): %w", s.File, ErrIncomplete, done, len(steps), rec.Events, err)
		}
		// Another writer moved the store on: decide the rest again on
		// the state it left.
		out.Conflicts++
		if plan, err = Decide(ctx, log, eventlog.Main(), s.File, steps[done:], meta); err != nil {
			return out, fmt.Errorf("%w after %d of %d steps: the store changed under the replay: %w", ErrIncomplete, done, len(steps), err)
		}
	}
	rec.Complete, rec.Finished = true, time.Now().UTC()
	data, _ = json.Marshal(rec)
	if _, err := records.kv.Put(ctx, s.Name, data); err != nil {
		return out, fmt.Errorf("scenario record %s: %w", s.Name, err)
	}
	out.Record = rec
	return out, nil
}

// held explains why a store that holds rec takes s no more: nil when it
// holds s whole (and so skips it).
func held(s *Scenario, rec Record) error {
	switch {
	case rec.Digest != s.Digest:
		return fmt.Errorf("%s: %w: scenario %s was replayed into it on %s from a file that differs from this one (digest %.12s, this file %.12s); replay into a fresh store instead",
			s.File, ErrHeldDifferently, s.Name, rec.Started.Format(time.DateTime), rec.Digest, s.Digest)
	case !rec.Complete:
		return fmt.Errorf("%s: %w: the replay that began on %s stopped after %d events; the store holds part of scenario %s, so replay into a fresh store instead",
			s.File, ErrInterrupted, rec.Started.Format(time.DateTime), rec.Events, s.Name)
	}
	return nil
}
