package projections

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
)

// BranchInfo is one branch as "summit branches" lists it: its fork (the
// world date, and how it was chosen), the record's sequence when it was
// made, the number of its own events, and when it was made.
type BranchInfo struct {
	Name string `json:"name"`
	// ForkAt is the world date the branch forks at: the date given, or,
	// when none was (Fork "latest"), the world time of the last event on
	// record when it was made.
	ForkAt  events.Time `json:"fork_at"`
	Fork    string      `json:"fork"`
	ForkSeq uint64      `json:"fork_seq"`
	Events  uint64      `json:"events"`
	Created time.Time   `json:"created"`
}

// Fork rules, as [BranchInfo.Fork] names them.
const (
	ForkAtDate   = "date"
	ForkAtLatest = "latest"
)

// Branches returns every branch but main, by name, with its own events
// counted in one request to the stream, however many branches there are.
func Branches(ctx context.Context, log *eventlog.Log) ([]BranchInfo, error) {
	bs, err := log.Branches(ctx)
	if err != nil {
		return nil, err
	}
	counts := map[string]uint64{}
	if len(bs) > 0 {
		subjects, err := log.Subjects(ctx, eventlog.SubjectRoot+".>")
		if err != nil {
			return nil, err
		}
		for subject, n := range subjects {
			rest := strings.TrimPrefix(subject, eventlog.SubjectRoot+".")
			name, _, _ := strings.Cut(rest, ".")
			counts[name] += n
		}
	}
	out := make([]BranchInfo, 0, len(bs))
	for _, b := range bs {
		fork := ForkAtDate
		if b.Latest {
			fork = ForkAtLatest
		}
		out = append(out, BranchInfo{Name: b.Name, ForkAt: b.ForkAt, Fork: fork, ForkSeq: b.ForkSeq, Events: counts[b.Name], Created: b.Created})
	}
	return out, nil
}

// DeleteBranch deletes branch name: its record first (from then on the
// name is free, and whatever an append still under way leaves carries a
// generation no branch reads), then its events and ref names, then its
// views, snapshots, checkpoint and lease, once no runner projects it
// (summit serve stops its own; a runner of another process stops when it
// finds its branch gone). It is the one owner of a branch's end.
func DeleteBranch(ctx context.Context, log *eventlog.Log, store *Store, name string) error {
	if err := log.DeleteBranch(ctx, name); err != nil {
		return err
	}
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := store.DropWhenFree(dctx, log, name); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("branch %s deleted, but its views are still held by a projection: %w", name, err)
		}
		return err
	}
	return nil
}
