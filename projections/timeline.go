package projections

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
)

// TimelineOptions say what a timeline shows besides the events of the
// record.
type TimelineOptions struct {
	// Bookkeeping shows the declarations of parties, people and meetings
	// (party.declared, person.declared, meeting.declared), which summit
	// records when a scenario first names them.
	Bookkeeping bool
}

// TimelineView is the events of a branch, or of one meeting, in world
// order. JSON: {"branch", "as_of", "known_at" (omitted when not asked),
// "meeting" (omitted for the whole branch), "events": [Cited]}; Events is
// never nil.
type TimelineView struct {
	Branch  string  `json:"branch"`
	AsOf    string  `json:"as_of"`
	KnownAt string  `json:"known_at,omitempty"`
	Meeting string  `json:"meeting,omitempty"`
	Events  []Cited `json:"events"`
}

// Timeline returns the events of q's branch as q reads them (those that
// happened by q's date, and were known by q's known-at date), or, if
// meeting is not "", those of one meeting: its own (its life, its
// preconditions, the statements about it) and the holding of each meeting
// its preconditions require. Events are in world order: by world time,
// then by when each became known, then in record order; a correction
// follows the event it corrects. Each event of a meeting that stands
// carries the meeting's status and overdue flag after it, judged as of
// the event's own date; a late report is marked; an event corrected or
// withdrawn says by what, when and why. A meeting not on the board of q is
// an error wrapping [ErrUnknownMeeting].
func Timeline(ctx context.Context, log *eventlog.Log, q Query, meeting string, opts TimelineOptions) (TimelineView, error) {
	branch, read := q.branch(), q.Read()
	tv := TimelineView{Branch: branch.Name, AsOf: q.AsOfLabel(), KnownAt: q.KnownLabel(), Meeting: meeting, Events: []Cited{}}
	var (
		lines []line
		err   error
	)
	if meeting != "" {
		lines, err = meetingTimeline(ctx, log, q, meeting)
	} else {
		lines, err = branchTimeline(ctx, log, branch, read)
	}
	if err != nil {
		return TimelineView{}, err
	}
	for _, l := range lines {
		if !l.inTime || !opts.Bookkeeping && bookkeeping(l.cited.Kind) {
			continue
		}
		tv.Events = append(tv.Events, l.cited)
	}
	return tv, nil
}

// meetingTimeline returns the story of meeting id as q reads it.
func meetingTimeline(ctx context.Context, log *eventlog.Log, q Query, id string) ([]line, error) {
	b, err := Fold(ctx, log, q)
	if err != nil {
		return nil, fmt.Errorf("timeline of %s: %w", id, err)
	}
	if _, ok := b.State(id); !ok {
		return nil, unknownMeeting(id, b.Branch(), q.AsOfLabel(), b.IDs())
	}
	lines, err := meetingLines(ctx, log, q.branch(), q.Read(), b.Seq(), id, time.Time{})
	if err != nil {
		return nil, fmt.Errorf("timeline of %s: %w", id, err)
	}
	return lines, nil
}

// branchTimeline returns the stories of every aggregate of branch, as
// read, merged in world order.
func branchTimeline(ctx context.Context, log *eventlog.Log, branch eventlog.Branch, read Read) ([]line, error) {
	histories := map[events.Ref][]eventlog.Record{}
	err := log.ReadBranch(ctx, branch, func(r eventlog.Record) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if r.Err != nil {
			return nil
		}
		histories[r.Event.Aggregate] = append(histories[r.Event.Aggregate], r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("timeline: read branch %s: %w", branch.Name, err)
	}
	var lines []line
	for ref, h := range histories {
		t := telling{branch: branch.Name, read: read, fold: ref.Type == events.AggregateMeeting, late: lateReports(h, read.Known)}
		lines = append(lines, t.tell(h, nil)...)
	}
	// Across histories, a declaration takes its place by its date: it
	// comes first in its own history, not in the world's.
	slices.SortFunc(lines, func(a, b line) int {
		return cmp.Or(a.place.at.Compare(b.place.at), a.place.known.Compare(b.place.known), cmp.Compare(a.place.seq, b.place.seq), cmp.Compare(a.place.sub, b.place.sub))
	})
	return lines, nil
}

// WriteText writes t as the CLI prints it: one event a line, with its
// world time, kind, who acted on what, what it says, the status it left
// its meeting in, and its source; marked when it is a late report, when it
// was corrected or withdrawn, and when it is hypothetical.
func (t TimelineView) WriteText(w io.Writer) error {
	p := &printer{w: w}
	p.printf("Timeline · %s%s · as of %s%s\n", t.Branch, prefixed(" · ", t.Meeting), t.AsOf, prefixed(" · as known on ", t.KnownAt))
	if len(t.Events) == 0 {
		p.printf("\n(no events)\n")
		return p.err
	}
	p.printf("\n")
	// The columns are as wide as their widest value, so that none runs
	// into the next.
	who := func(c Cited) string {
		if c.By != "" && c.By != c.Aggregate.ID {
			return c.By + " -> " + c.Aggregate.ID
		}
		return c.Aggregate.ID
	}
	var wAt, wKind, wWho int
	for _, c := range t.Events {
		wAt = max(wAt, len(c.At.String()))
		wKind = max(wKind, len(c.Kind))
		wWho = max(wWho, len(who(c)))
	}
	for _, c := range t.Events {
		line := fmt.Sprintf("%s%-*s  %-*s  %-*s  %s", gutter(c), wAt, c.At, wKind, c.Kind, wWho, who(c), c.Summary)
		var marks []string
		if c.Status != "" {
			s := "=> " + string(c.Status)
			if c.Overdue != nil && *c.Overdue {
				s += ", overdue"
			}
			marks = append(marks, s)
		}
		if c.Late {
			marks = append(marks, "[late, reported "+c.Reported.String()+"]")
		} else if !c.Reported.IsZero() {
			marks = append(marks, "[reported "+c.Reported.String()+"]")
		}
		if c.Ref != "" {
			marks = append(marks, "[ref "+c.Ref+"]")
		}
		if c.Corrects != "" {
			marks = append(marks, "[corrects "+c.Corrects+"]")
		}
		if c.Hypothetical {
			marks = append(marks, "[hypothetical]")
		}
		if len(marks) > 0 {
			line = strings.TrimRight(line, " ") + "  " + strings.Join(marks, " ")
		}
		p.printf("%s%s\n", strings.TrimRight(line, " "), prefixed("  · ", c.Source))
		if note := struck(c); note != "" {
			p.printf("      %s\n", note)
		}
	}
	return p.err
}
