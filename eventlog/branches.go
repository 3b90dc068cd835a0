package eventlog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
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
	// Gen is the branch's generation: the revision of its record in the
	// branch bucket. A branch deleted and made again under the same name is
	// a new generation, and reads only its own generation's events: an
	// append that was under way when the old one was deleted leaves nothing
	// the new one sees. Main's generation is 0.
	Gen uint64 `json:"-"`
	// ForkAt is the world time the branch forks at. Latest reports that
	// it was not given: the branch sees the whole record as it stood when
	// it was made, and ForkAt is the world time of the last event then
	// appended.
	ForkAt events.Time `json:"fork_at,omitzero"`
	Latest bool        `json:"latest,omitempty"`
	// ForkSeq is the stream sequence of the newest event the branch sees on
	// main (0 for main itself).
	ForkSeq uint64    `json:"fork_seq"`
	Created time.Time `json:"created,omitzero"`
}

// Main returns the branch that is the record itself.
func Main() Branch { return Branch{Name: events.Main} }

// IsMain reports whether b is the record.
func (b Branch) IsMain() bool { return b.Name == events.Main }

// Includes reports whether b sees e, an event on main that was on record
// when b was made: whether it happened by the fork.
func (b Branch) Includes(e events.Event) bool {
	if b.IsMain() || b.Latest || b.ForkAt.IsZero() {
		return true
	}
	return e.At.Before(b.ForkAt.End())
}

// Owns reports whether e, an event on b's own subjects, is b's: of its
// generation. An event of a deleted branch of the same name is not.
func (b Branch) Owns(e events.Event) bool { return e.Gen == b.Gen }

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
		return Branch{}, fmt.Errorf("branch %s: %w", name, unavailable(err))
	}
	b, err := DecodeBranch(kv.Value())
	b.Gen = kv.Revision()
	return b, err
}

// Fork records a new branch forked from main at world time forkAt (zero:
// at the latest event), seeing main as it stands now.
func (l *Log) Fork(ctx context.Context, name string, forkAt events.Time) (Branch, error) {
	b, err := l.ForkPoint(ctx, name, forkAt)
	if err != nil {
		return Branch{}, err
	}
	return l.CreateBranch(ctx, b)
}

// Branches returns every branch but main, by name.
func (l *Log) Branches(ctx context.Context) ([]Branch, error) {
	// One watcher of the whole bucket reads every record, where a get per
	// key would cost a round trip each: 10,000 branches list in one pass.
	w, err := l.branches.WatchAll(ctx, jetstream.IgnoreDeletes())
	if err != nil {
		return nil, fmt.Errorf("list branches: %w", err)
	}
	defer w.Stop()
	var out []Branch
	whole := false
	for e := range w.Updates() {
		if e == nil {
			// Every record there was when the watch began is delivered.
			whole = true
			break
		}
		b, err := DecodeBranch(e.Value())
		if err != nil {
			return nil, err
		}
		b.Gen = e.Revision()
		out = append(out, b)
	}
	if !whole {
		// The watch ends with ctx, or with the connection: what it
		// delivered is only a part of the list.
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("list branches: %w", unavailable(err))
		}
		return nil, fmt.Errorf("list branches: %w: the watch ended after %d branches", ErrUnavailable, len(out))
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
	b, err := l.Branch(ctx, name)
	if err != nil {
		return err
	}
	// The record goes first, revision-checked: from then on the name is
	// free, and whatever this generation's writers still append carries a
	// generation no branch reads.
	if err := l.branches.Purge(ctx, name, jetstream.LastRevision(b.Gen)); err != nil {
		return fmt.Errorf("delete branch %s: %w", name, err)
	}
	for _, subject := range []string{BranchSubjects(name), RefRoot + "." + name + ".>"} {
		if err := l.stream.Purge(ctx, jetstream.WithPurgeSubject(subject)); err != nil {
			return fmt.Errorf("delete branch %s: purge %s: %w", name, subject, err)
		}
	}
	return nil
}

// BranchChange is a branch made (Deleted false) or deleted, as
// [Log.WatchBranches] reports it.
type BranchChange struct {
	Branch  Branch
	Deleted bool
	// Current is set on the nil-like marker that ends the branches that
	// were there when the watch began: what follows is new.
	Current bool
}

// WatchBranches calls fn with every branch there is, then with a change
// whose Current is set, then with each branch made or deleted, until ctx
// ends (it returns nil) or fn returns an error (it returns it).
func (l *Log) WatchBranches(ctx context.Context, fn func(BranchChange) error) error {
	w, err := l.branches.WatchAll(ctx)
	if err != nil {
		return fmt.Errorf("watch branches: %w", err)
	}
	defer w.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-w.Updates():
			if !ok {
				if ctx.Err() != nil {
					return nil // the watch ends with ctx
				}
				return errors.New("watch branches: the watcher closed")
			}
			var c BranchChange
			switch {
			case e == nil:
				c.Current = true
			case e.Operation() == jetstream.KeyValuePut:
				b, err := DecodeBranch(e.Value())
				if err != nil {
					return err
				}
				b.Gen = e.Revision()
				c.Branch = b
			default:
				c.Branch, c.Deleted = Branch{Name: e.Key()}, true
			}
			if err := fn(c); err != nil {
				return err
			}
		}
	}
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

// BranchNames returns the names a read may take for a branch: main, then
// each what-if branch's ([Log.Branches]). A list the store cannot give is
// main alone, with the error.
func (l *Log) BranchNames(ctx context.Context) ([]string, error) {
	names := []string{events.Main}
	bs, err := l.Branches(ctx)
	for _, b := range bs {
		names = append(names, b.Name)
	}
	return names, err
}

// WithBranches returns err, the log's answer that it holds no branch
// name ([ErrUnknownBranch]), with the branches there are and the one a
// mistyped name most likely meant: what the command line and the web
// board say. A list the store cannot give leaves main alone.
func (l *Log) WithBranches(ctx context.Context, name string, err error) error {
	names, _ := l.BranchNames(ctx)
	there := strings.Join(names, ", ")
	if len(names) == 1 {
		there = "main only"
	}
	return fmt.Errorf("%w%s (branches: %s)", err, events.DidYouMean(name, names), there)
}

// IDs returns the ids of the aggregates of type t with events on branch's
// subjects or on main's, sorted: the names a store knows, for an error's
// "did you mean". Main's are all of main's, those after the fork too.
func (l *Log) IDs(ctx context.Context, branch Branch, t events.AggregateType) ([]string, error) {
	var ids []string
	for _, b := range slices.Compact([]string{events.Main, branch.Name}) {
		subjects, err := l.Subjects(ctx, Subject(b, events.Ref{Type: t, ID: "*"}))
		if err != nil {
			return nil, err
		}
		for s := range subjects {
			if _, ref, ok := parseSubject(s); ok {
				ids = append(ids, ref.ID)
			}
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// ForkPoint returns the branch named name that would fork from main now at
// world time forkAt (zero: at the latest event), seeing main as it stands
// now. It creates nothing: [Log.CreateBranch] does, once what goes on the
// branch is known to be good.
func (l *Log) ForkPoint(ctx context.Context, name string, forkAt events.Time) (Branch, error) {
	if err := events.CheckName(name); err != nil {
		return Branch{}, fmt.Errorf("branch: %w", err)
	}
	if name == events.Main {
		return Branch{}, fmt.Errorf("%w: main is the record, not a branch", ErrBranchExists)
	}
	b := Branch{Name: name, ForkAt: forkAt, Created: time.Now().UTC()}
	m, err := l.lastOn(ctx, BranchSubjects(events.Main))
	switch {
	case errors.Is(err, jetstream.ErrMsgNotFound):
	case err != nil:
		return Branch{}, fmt.Errorf("fork %s: %w", name, unavailable(err))
	default:
		b.ForkSeq = m.Sequence
		if forkAt.IsZero() {
			b.Latest = true
			if r, err := decode(m.Subject, m.Sequence, m.Header, m.Data); err == nil {
				b.ForkAt = r.Event.At
			}
		}
	}
	return b, nil
}

// CreateBranch records branch b, as [Log.ForkPoint] made it, and returns it
// with its generation.
func (l *Log) CreateBranch(ctx context.Context, b Branch) (Branch, error) {
	data, err := json.Marshal(b)
	if err != nil {
		return Branch{}, err
	}
	rev, err := l.branches.Create(ctx, b.Name, data)
	if err != nil {
		if errors.Is(err, jetstream.ErrKeyExists) {
			return Branch{}, fmt.Errorf("%w: %s", ErrBranchExists, b.Name)
		}
		return Branch{}, fmt.Errorf("create branch %s: %w", b.Name, unavailable(err))
	}
	b.Gen = rev
	return b, nil
}
