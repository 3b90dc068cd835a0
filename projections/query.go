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

// The read side that folds the log: every read with a date ([Fold],
// [FoldView]), and the reads that tell a meeting's story ([Explain],
// [Timeline]), compare branches ([Diff]) and check a scenario's
// expectations ([Check]). Each reads the branch once, in stream order, into
// a [Board]; a late event the board cannot place is folded again from its
// meeting's history ([eventlog.Log.LoadUpTo]), so that every read folds the
// log the same way the live projection does.

// Query is what a read asks for: a branch, as of a world date, as known on
// a date.
type Query struct {
	// Branch is the branch read; the zero Branch reads main.
	Branch eventlog.Branch
	// AsOf is the world date (or date-time) read as of: the events that
	// happened by its end. Zero reads everything on record.
	AsOf events.Time
	// KnownAt is the date read as known on: the events reported, and the
	// corrections and retractions made, by its end. Zero reads everything
	// known now.
	KnownAt events.Time
	// Now is the clock, for a plain read's label and overdue flags; zero
	// is time.Now().
	Now time.Time
}

// branch returns the branch q reads.
func (q Query) branch() eventlog.Branch {
	if q.Branch.Name == "" {
		return eventlog.Main()
	}
	return q.Branch
}

// now returns q's clock.
func (q Query) now() time.Time {
	if q.Now.IsZero() {
		return time.Now()
	}
	return q.Now
}

// Read returns the board's cutoffs for q: the end of AsOf and the end of
// KnownAt (zero where q has none).
func (q Query) Read() Read {
	var r Read
	if !q.AsOf.IsZero() {
		r.AsOf = q.AsOf.End()
	}
	if !q.KnownAt.IsZero() {
		r.Known = q.KnownAt.End()
	}
	return r
}

// Cutoff returns the first instant after the period q reads, for overdue
// flags: the end of AsOf, or for a plain read the end of today (the UTC
// day of q's clock).
func (q Query) Cutoff() time.Time {
	if !q.AsOf.IsZero() {
		return q.AsOf.End()
	}
	now := q.now().UTC()
	return events.Date(now.Year(), now.Month(), now.Day()).End()
}

// AsOfLabel returns how every as_of of q's output reads: the date (or
// date-time) as asked, or today's date for a plain read.
func (q Query) AsOfLabel() string { return Label(q.AsOf, q.now()) }

// KnownLabel returns how q's known_at reads: the date as asked, or "" if q
// asks for none.
func (q Query) KnownLabel() string { return q.KnownAt.String() }

// BoardView is the board as every read verb prints it (the CLI's --json,
// the HTTP API's /api/board): JSON {"branch", "as_of", "known_at"
// (omitted when not asked), "meetings": [View...]}. Meetings is never nil,
// sorted by id, and every View's AsOf and KnownAt equal the top level's.
type BoardView struct {
	Branch   string `json:"branch"`
	AsOf     string `json:"as_of"`
	KnownAt  string `json:"known_at,omitempty"`
	Meetings []View `json:"meetings"`
}

// ErrUnknownMeeting is returned (wrapped, with the meetings there are) by
// a read of one meeting that is not on the board read.
var ErrUnknownMeeting = errors.New("no such meeting")

// unknownMeeting returns the error for meeting id, not among ids on branch
// as of label.
func unknownMeeting(id, branch, label string, ids []string) error {
	const most = 20
	there := "there are no meetings"
	switch {
	case len(ids) > most:
		there = fmt.Sprintf("the meetings there are: %s and %d more", strings.Join(ids[:most], ", "), len(ids)-most)
	case len(ids) > 0:
		there = "the meetings there are: " + strings.Join(ids, ", ")
	}
	return fmt.Errorf("meeting %q: %w on %s as of %s%s (%s)", id, ErrUnknownMeeting, branch, label, events.DidYouMean(id, ids), there)
}

// Fold folds q's branch from the log into a board as q reads it: the
// record up to the branch's fork, then its own events, each meeting in
// world order, cut at q's dates. A late event the board cannot place is
// folded again from its meeting's history (read with
// [eventlog.Log.LoadUpTo] at that event's sequence). Fold is for every read
// with an as-of or known-at date; plain reads use the live projection.
func Fold(ctx context.Context, log *eventlog.Log, q Query) (*Board, error) {
	boards, err := foldBoards(ctx, log, q.branch(), []Read{q.Read()}, nil)
	if err != nil {
		return nil, err
	}
	return boards[0], nil
}

// FoldView returns the board of [Fold], every meeting read as of q.
func FoldView(ctx context.Context, log *eventlog.Log, q Query) (BoardView, error) {
	b, err := Fold(ctx, log, q)
	if err != nil {
		return BoardView{}, err
	}
	return boardView(b, q), nil
}

// boardView returns b's views as q reads them.
func boardView(b *Board, q Query) BoardView {
	v := BoardView{Branch: b.Branch(), AsOf: q.AsOfLabel(), KnownAt: q.KnownLabel()}
	v.Meetings = b.Views(q.Cutoff(), v.AsOf)
	for i := range v.Meetings {
		v.Meetings[i].KnownAt = v.KnownAt
	}
	return v
}

// foldBoards reads branch once, in stream order, and folds it into one
// board per read, calling seen (if not nil) with each record. A meeting's
// history that several boards need to place the same event is read once.
func foldBoards(ctx context.Context, log *eventlog.Log, branch eventlog.Branch, reads []Read, seen func(eventlog.Record)) ([]*Board, error) {
	boards := make([]*Board, len(reads))
	for i, r := range reads {
		boards[i] = NewBoard(branch.Name, BoardOptions{Read: r})
	}
	// A fold of a large backlog collects as a runner's catch-up does.
	release, large := func() {}, false
	defer func() { release() }()
	err := log.ReadBranch(ctx, branch, func(r eventlog.Record) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !large && r.Pending >= catchUpBacklog {
			large, release = true, collectLess()
		}
		if r.Err != nil {
			// A message that is no event: the projection notes it as a
			// dead letter; a read leaves it out.
			return nil
		}
		if seen != nil {
			seen(r)
		}
		var history map[string][]eventlog.Record
		for _, b := range boards {
			_, err := b.Apply(r)
			var refold *RefoldError
			if !errors.As(err, &refold) {
				if err != nil && !errors.Is(err, ErrUndeclared) {
					return fmt.Errorf("seq %d: %w", r.Seq, err)
				}
				continue
			}
			h, ok := history[refold.Meeting]
			if !ok {
				loaded, err := readHistory(ctx, log, branch, b, r, nil)
				if err != nil {
					return fmt.Errorf("seq %d: meeting %s: %w", r.Seq, refold.Meeting, err)
				}
				if history == nil {
					history = map[string][]eventlog.Record{}
				}
				h = loaded
				history[refold.Meeting] = h
			}
			b.Refold(refold.Meeting, h)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read branch %s: %w", branch.Name, err)
	}
	return boards, nil
}
