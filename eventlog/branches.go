package eventlog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/events"
)

// Branch is a line of hypothetical events that forks from the record. Reading
// a branch means reading the record up to the fork, then the branch's own
// events. The fork has two coordinates: ForkAt in world time (the record up
// to the end of that date) and ForkSeq in record time (the record as it
// stood when the branch was made), so that events appended to main later,
// whatever their date, never change a branch.
//
// No event is copied to make a branch: creating one writes one key, whether
// main holds ten events or a million.
type Branch struct {
	Name string `json:"name"`
	// ForkAt is the world time the branch forks at; zero means at the
	// latest event on record.
	ForkAt events.Time `json:"fork_at,omitzero"`
	// ForkSeq is the stream sequence of the newest event the branch sees on
	// main (0 for main itself).
	ForkSeq uint64    `json:"fork_seq"`
	Created time.Time `json:"created,omitzero"`
}

// Main returns the branch that is the record itself.
func Main() Branch { return Branch{Name: events.Main} }

// IsMain reports whether b is the record.
func (b Branch) IsMain() bool { return b.Name == events.Main }

// Includes reports whether b sees e, an event on main: e was on record
// when b was made, and happened by the fork.
func (b Branch) Includes(r events.Event) bool {
	if b.IsMain() {
		return true
	}
	return b.ForkAt.IsZero() || r.At.Before(b.ForkAt.End())
}

// Branch returns the branch named name; main is always there.
func (l *Log) Branch(ctx context.Context, name string) (Branch, error) {
	if name == events.Main || name == "" {
		return Main(), nil
	}
	if err := events.CheckName(name); err != nil {
		return Branch{}, fmt.Errorf("branch: %w", err)
	}
	kv, err := l.branches.Get(ctx, name)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return Branch{}, fmt.Errorf("%w %q", ErrUnknownBranch, name)
	}
	if err != nil {
		return Branch{}, fmt.Errorf("branch %s: %w", name, err)
	}
	return DecodeBranch(kv.Value())
}

// CreateBranch records a new branch forked from main at world time forkAt
// (zero: at the latest event), seeing main as it stands now.
func (l *Log) CreateBranch(ctx context.Context, name string, forkAt events.Time) (Branch, error) {
	b, err := l.NewBranch(ctx, name, forkAt)
	if err != nil {
		return Branch{}, err
	}
	return b, l.CreateBranchAt(ctx, b)
}

// Branches returns every branch but main, by name.
func (l *Log) Branches(ctx context.Context) ([]Branch, error) {
	lister, err := l.branches.ListKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("list branches: %w", err)
	}
	var out []Branch
	for name := range lister.Keys() {
		b, err := l.Branch(ctx, name)
		if errors.Is(err, ErrUnknownBranch) {
			continue // deleted while we listed
		}
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// DeleteBranch removes branch name and its events. Main and other branches
// are untouched: the purge is limited to the branch's own subjects.
func (l *Log) DeleteBranch(ctx context.Context, name string) error {
	// Checked before Branch, which reads "" as main.
	if name == events.Main || name == "" {
		return errors.New("delete branch: main is the record and cannot be deleted")
	}
	if _, err := l.Branch(ctx, name); err != nil {
		return err
	}
	if err := l.stream.Purge(ctx, jetstream.WithPurgeSubject(BranchSubjects(name))); err != nil {
		return fmt.Errorf("delete branch %s: purge: %w", name, err)
	}
	if err := l.branches.Purge(ctx, name); err != nil {
		return fmt.Errorf("delete branch %s: %w", name, err)
	}
	return nil
}

// WatchBranches returns a watcher of the branch records: every branch there
// is, then a nil entry, then each branch made or deleted.
func (l *Log) WatchBranches(ctx context.Context) (jetstream.KeyWatcher, error) {
	w, err := l.branches.WatchAll(ctx)
	if err != nil {
		return nil, fmt.Errorf("watch branches: %w", err)
	}
	return w, nil
}

// DecodeBranch reads a branch record as the branch bucket holds it.
func DecodeBranch(data []byte) (Branch, error) {
	var b Branch
	if err := json.Unmarshal(data, &b); err != nil {
		return Branch{}, fmt.Errorf("%w: branch record: %w", ErrCorrupt, err)
	}
	return b, nil
}

// Count returns how many events are on the subjects filter matches.
func (l *Log) Count(ctx context.Context, filter string) (uint64, error) {
	subjects, err := l.Subjects(ctx, filter)
	if err != nil {
		return 0, err
	}
	var n uint64
	for _, c := range subjects {
		n += c
	}
	return n, nil
}

// Subjects returns the subjects filter matches that hold events, with how
// many each holds.
func (l *Log) Subjects(ctx context.Context, filter string) (map[string]uint64, error) {
	info, err := l.stream.Info(ctx, jetstream.WithSubjectFilter(filter))
	if err != nil {
		return nil, fmt.Errorf("subjects %s: %w", filter, err)
	}
	return info.State.Subjects, nil
}

// NewBranch returns the record of a branch named name, forked from main at
// world time forkAt (zero: at the latest event) and seeing main as it stands
// now, without creating it: [Log.CreateBranchAt] does, once what goes on it
// is known to be good.
func (l *Log) NewBranch(ctx context.Context, name string, forkAt events.Time) (Branch, error) {
	if err := events.CheckName(name); err != nil {
		return Branch{}, fmt.Errorf("branch: %w", err)
	}
	if name == events.Main {
		return Branch{}, fmt.Errorf("%w: main is the record, not a branch", ErrBranchExists)
	}
	last, err := l.LastSeq(ctx)
	if err != nil {
		return Branch{}, err
	}
	return Branch{Name: name, ForkAt: forkAt, ForkSeq: last, Created: time.Now().UTC()}, nil
}

// CreateBranchAt records branch b, as [Log.NewBranch] made it.
func (l *Log) CreateBranchAt(ctx context.Context, b Branch) error {
	data, err := json.Marshal(b)
	if err != nil {
		return err
	}
	if _, err := l.branches.Create(ctx, b.Name, data); err != nil {
		if errors.Is(err, jetstream.ErrKeyExists) {
			return fmt.Errorf("%w: %s", ErrBranchExists, b.Name)
		}
		return fmt.Errorf("create branch %s: %w", b.Name, err)
	}
	return nil
}
