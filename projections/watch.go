package projections

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
)

// WatchLine is one line of a watch: a meeting's current state ("state"),
// the end of the current state ("live", with the number of meetings), or
// a change ("change": what changed and its cause). It is the JSON of
// "summit watch --json" and of the web board's /api/events.
type WatchLine struct {
	Type     string `json:"type"`
	Branch   string `json:"branch"`
	Meeting  string `json:"meeting,omitempty"`
	Meetings int    `json:"meetings,omitempty"`
	// AsOf is the date the line is judged as of: today's for the current
	// state, the cause's for a change (its event's date, or the day after
	// a deadline passed).
	AsOf      string            `json:"as_of,omitempty"`
	Seq       uint64            `json:"seq,omitempty"`
	Changes   []Change          `json:"changes,omitempty"`
	Cause     *Activity         `json:"cause,omitempty"`
	Status    string            `json:"status,omitempty"`
	Overdue   bool              `json:"overdue"`
	Readiness string            `json:"readiness,omitempty"`
	Claims    map[string]string `json:"claims,omitempty"`
	// View is the meeting's view after the change.
	View *View `json:"view,omitempty"`
}

// WatchOptions configure [Watch].
type WatchOptions struct {
	// Meetings, if not empty, are the meetings watched; otherwise every
	// meeting of the branch.
	Meetings []string
	// Initial, if set, is the current state to start from (a board read
	// as known on a date, say); otherwise the live projection's views.
	Initial []View
	// KeepLive runs the branch's projection while watching, when no other
	// process (summit serve) keeps it live.
	KeepLive bool
	// Runner configures the projection KeepLive runs.
	Runner RunnerOptions
	// Notice, if not nil, receives one line when the connection to the
	// server is lost ("server gone, reconnecting") and when it is back.
	Notice func(string)
	// Now is the clock of "today"; default time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Watch calls fn with the current state of every meeting watched (each a
// "state" line, sorted by id), then a "live" line, then a "change" line for
// each change of a watched meeting's view, until ctx ends (nil) or fn
// returns an error. A change is judged as of its cause's date, so that a
// proposal is not overdue the moment it is made, and when the story moves
// past a meeting's deadline the watch says so, once, with the deadline
// passing as the cause. Each change is shown once: a view written again
// with nothing new (a projection resuming after a restart) prints nothing.
// Watch rides out a restart of the server: it watches again from the last
// revision it saw. A deleted branch ends the watch with [ErrBranchGone].
func Watch(ctx context.Context, log *eventlog.Log, store *Store, branch eventlog.Branch, o WatchOptions, fn func(WatchLine) error) error {
	err := watch(ctx, log, store, branch, o, fn)
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		// Ended while it read the current state: what it read is cut
		// short by ctx, and no error of the watch.
		return nil
	}
	return err
}

func watch(ctx context.Context, log *eventlog.Log, store *Store, branch eventlog.Branch, o WatchOptions, fn func(WatchLine) error) error {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	runnerDone := make(chan error, 1)
	if o.KeepLive {
		if err := CatchUp(ctx, log, store, branch, o.Runner); err != nil {
			return err
		}
		// The loop below may take the runner's outcome from runnerDone:
		// the deferred wait is on stopped (a wait on runnerDone then hung
		// for ever when the branch was deleted).
		stopped := make(chan struct{})
		go func() {
			defer close(stopped)
			runnerDone <- keepLive(wctx, log, store, branch, o.Runner, o.Logger)
		}()
		defer func() { cancel(); <-stopped }()
	}
	// revision is the bucket's revision the watch has seen up to, from
	// the bucket's last before the current state is read: the watch
	// follows from there (a view written meanwhile is shown once), and a
	// watch made again after the server's restart resumes there.
	bucket, err := store.js.Stream(ctx, eventlog.BucketStream(MeetingBucket))
	if err != nil {
		return fmt.Errorf("watch %s: %w", MeetingBucket, err)
	}
	revision := bucket.CachedInfo().State.LastSeq
	initial := o.Initial
	if initial == nil {
		views, err := store.Views(ctx, branch.Name)
		if err != nil {
			return err
		}
		initial = views
	}
	if err := knownMeetings(initial, o.Meetings, branch.Name); err != nil {
		return err
	}
	keys := []string{branch.Name + ".*"}
	if len(o.Meetings) > 0 {
		keys = keys[:0]
		for _, m := range o.Meetings {
			keys = append(keys, Key(branch.Name, m))
		}
	}
	// The connection's status, for this watch alone: a watch does not
	// take the connection's handlers, which another watch on it (the web
	// board watches a branch each) would take from it.
	nc := store.js.Conn()
	status := nc.StatusChanged(nats.CONNECTED, nats.RECONNECTING, nats.DISCONNECTED)
	defer nc.RemoveStatusListener(status)
	gone := false
	// WatchFiltered prefixes the keys it is given in place: it gets a copy.
	w, err := store.meetings.WatchFiltered(wctx, slices.Clone(keys), jetstream.IncludeHistory(), jetstream.ResumeFromRevision(revision+1))
	if err != nil {
		return fmt.Errorf("watch %s: %w", MeetingBucket, err)
	}
	defer func() { w.Stop() }()

	wp := newWatcher(branch.Name, o.Meetings, o.Now)
	if err := wp.start(initial, fn); err != nil {
		return err
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-runnerDone:
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, ErrBranchGone) {
				return fmt.Errorf("branch %s: %w", branch.Name, ErrBranchGone)
			}
			return fmt.Errorf("keeping the projection live: %w", err)
		case st := <-status:
			if st != nats.CONNECTED {
				// A connection closed as the watch ends (Ctrl-C) is not
				// a server gone.
				if !gone && o.Notice != nil && wctx.Err() == nil && !nc.IsClosed() {
					o.Notice("server gone, reconnecting")
				}
				gone = true
				continue
			}
			if !gone {
				continue
			}
			gone = false
			if o.Notice != nil {
				o.Notice("server back: watching again")
			}
			nw, err := store.meetings.WatchFiltered(wctx, slices.Clone(keys), jetstream.IncludeHistory(), jetstream.ResumeFromRevision(revision+1))
			if err != nil {
				o.Logger.Warn("watch again after reconnecting", "err", err)
				continue // the old watcher recovers by itself
			}
			w.Stop()
			w = nw
		case e, ok := <-w.Updates():
			if !ok {
				if ctx.Err() != nil {
					return nil
				}
				return errors.New("the watch ended: the connection closed")
			}
			if e == nil {
				continue // the end of what a new watcher caught up on
			}
			revision = max(revision, e.Revision())
			if e.Operation() != jetstream.KeyValuePut {
				if !branch.IsMain() {
					if _, err := log.Branch(ctx, branch.Name); errors.Is(err, eventlog.ErrUnknownBranch) {
						return fmt.Errorf("branch %s: %w", branch.Name, ErrBranchGone)
					}
				}
				continue
			}
			var v View
			if err := decode(e.Value(), &v); err != nil {
				return fmt.Errorf("view %s: %w", e.Key(), err)
			}
			if err := wp.change(&v, fn); err != nil {
				return err
			}
		}
	}
}

// keepLive runs branch's projection until ctx ends, starting it again
// after a passing failure (a cluster electing a leader, say), as summit
// serve does; while another process holds the lease, the runner waits.
func keepLive(ctx context.Context, log *eventlog.Log, store *Store, branch eventlog.Branch, o RunnerOptions, logger *slog.Logger) error {
	// One owner for every runner it starts: a runner started again after
	// the server restarted takes up its predecessor's lease at once,
	// rather than waiting for it to expire.
	o = o.withDefaults()
	for {
		err := NewRunner(log, store, branch, o).Run(ctx)
		if err == nil || ctx.Err() != nil || errors.Is(err, ErrBranchGone) {
			return err
		}
		logger.Warn("the projection stopped; starting it again", "branch", branch.Name, "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Second):
		}
	}
}

// knownMeetings reports a watched meeting not among views, naming those
// there are.
func knownMeetings(views []View, meetings []string, branch string) error {
	var ids []string
	for _, v := range views {
		ids = append(ids, v.ID)
	}
	for _, m := range meetings {
		if !slices.Contains(ids, m) {
			return UnknownMeeting(m, branch, "now", ids)
		}
	}
	return nil
}

// UnknownMeeting returns the error for meeting id, not on the board of
// branch read as of asOf, whose meetings are ids: it wraps
// [ErrUnknownMeeting] and names them.
func UnknownMeeting(id, branch, asOf string, ids []string) error {
	return unknownMeeting(id, branch, asOf, ids)
}

// watcher is what a watch keeps: the last view of each meeting, judged at
// the story's date, and the story's date (the latest cause seen).
type watcher struct {
	branch   string
	meetings []string
	now      func() time.Time
	seen     map[string]*View
	clock    time.Time
}

func newWatcher(branch string, meetings []string, now func() time.Time) *watcher {
	return &watcher{branch: branch, meetings: meetings, now: now, seen: map[string]*View{}}
}

func (p *watcher) watched(id string) bool {
	return len(p.meetings) == 0 || slices.Contains(p.meetings, id)
}

// start sends the current state: each view as of today, then "live". The
// story's date starts at the latest activity among them.
func (p *watcher) start(views []View, fn func(WatchLine) error) error {
	now := p.now().UTC()
	today := events.Date(now.Year(), now.Month(), now.Day())
	var shown []View
	for _, v := range views {
		if !p.watched(v.ID) {
			continue
		}
		if v.LastActivity != nil && v.LastActivity.At.End().After(p.clock) {
			p.clock = v.LastActivity.At.End()
		}
		shown = append(shown, v)
	}
	slices.SortFunc(shown, func(a, b View) int { return strings.Compare(a.ID, b.ID) })
	for i := range shown {
		v := shown[i]
		v.SetAsOf(today.End(), today.String())
		if err := fn(p.line("state", &v, Changes(nil, &v))); err != nil {
			return err
		}
		base := shown[i]
		if !p.clock.IsZero() {
			base.SetAsOf(p.clock, "")
		}
		p.seen[v.ID] = &base
	}
	return fn(WatchLine{Type: "live", Branch: p.branch, Meetings: len(shown), AsOf: today.String()})
}

// change sends what changed in v since the last view of its meeting,
// judged at its cause's date; first, the deadlines the story passed on its
// way there.
func (p *watcher) change(v *View, fn func(WatchLine) error) error {
	if !p.watched(v.ID) {
		return nil
	}
	old := p.seen[v.ID]
	if old != nil && v.Seq < old.Seq && (v.Cause == nil || v.Cause.Kind != KindDeadlinePassed) {
		return nil
	}
	at, label := p.judge(v)
	if at.After(p.clock) {
		if err := p.advance(at, v.ID, fn); err != nil {
			return err
		}
	}
	v.SetAsOf(at, label)
	p.seen[v.ID] = v
	changes := Changes(old, v)
	if len(changes) == 0 {
		return nil
	}
	return fn(p.line("change", v, changes))
}

// judge returns the cutoff a change is judged at and its label: the day of
// its cause's event, or the day after a deadline passed (today's, for a
// deadline passing live).
func (p *watcher) judge(v *View) (time.Time, string) {
	c := v.Cause
	switch {
	case c == nil:
		now := p.now().UTC()
		d := events.Date(now.Year(), now.Month(), now.Day())
		return d.End(), d.String()
	case c.Kind == KindDeadlinePassed:
		day := c.At.Day()
		next := day.AddDays(1)
		return next.End(), next.String()
	}
	return c.At.End(), c.At.Day().String()
}

// advance moves the story's date to at, sending, for each meeting seen
// whose deadline passed on the way (but skip, which is about to change),
// its overdue flag turning.
func (p *watcher) advance(at time.Time, skip string, fn func(WatchLine) error) error {
	p.clock = at
	ids := make([]string, 0, len(p.seen))
	for id := range p.seen {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		old := p.seen[id]
		if id == skip || old.Deadline == nil {
			continue
		}
		v := *old
		v.SetAsOf(at, "")
		if v.Overdue == old.Overdue {
			continue
		}
		next := old.Deadline.Day().AddDays(1)
		v.AsOf = next.String()
		v.Cause = &Activity{Kind: KindDeadlinePassed, At: *old.Deadline}
		p.seen[id] = &v
		if err := fn(p.line("change", &v, Changes(old, &v))); err != nil {
			return err
		}
	}
	return nil
}

func (p *watcher) line(typ string, v *View, changes []Change) WatchLine {
	return WatchLine{
		Type: typ, Branch: p.branch, Meeting: v.ID, AsOf: v.AsOf, Seq: v.Seq, Changes: changes, Cause: v.Cause,
		Status: string(v.Status), Overdue: v.Overdue, Readiness: v.Readiness, Claims: v.Claims, View: v,
	}
}

// CatchUp brings branch's projection up to the end of the log: it projects
// what is missing itself or, if another process (summit serve) holds the
// projection's lease, waits for that process to get there, for up to 30s.
func CatchUp(ctx context.Context, log *eventlog.Log, store *Store, branch eventlog.Branch, o RunnerOptions) error {
	_, err := catchUp(ctx, log, store, branch, o)
	return err
}

// catchUp is [CatchUp], and returns the runner that caught up, or nil if
// another process did.
func catchUp(ctx context.Context, log *eventlog.Log, store *Store, branch eventlog.Branch, o RunnerOptions) (*Runner, error) {
	r := NewRunner(log, store, branch, o)
	err := r.CatchUp(ctx)
	if !errors.Is(err, ErrBusy) {
		if err != nil {
			return nil, err
		}
		return r, nil
	}
	last, err := log.LastSeq(ctx)
	if err != nil {
		return nil, err
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, err = store.WaitFor(wctx, branch.Name, last)
	return nil, err
}
