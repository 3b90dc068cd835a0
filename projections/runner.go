package projections

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
)

// RunnerOptions configure a [Runner].
type RunnerOptions struct {
	// Logger receives notes on the runner's work; nil discards them.
	Logger *slog.Logger
	// Now is the runner's clock: views are written as of its day (for
	// their overdue flag), and when its day moves on, the views whose
	// deadline passed are written again. Default: time.Now.
	Now func() time.Time
	// LeaseTTL is how long the runner's lease on the branch lasts without
	// renewal: how long after a crash another process waits to take over.
	// Default 10s.
	LeaseTTL time.Duration
	// Owner names the runner in its lease. Default: host, process id and a
	// random suffix.
	Owner string
	// Idle is how long a live runner waits for an event before it saves its
	// checkpoint (advanced past other branches' events) and looks at its
	// clock; each round that finds nothing to do doubles the wait, up to a
	// quarter of a second, until the next event. Default 20ms. (A writer
	// that waits for the projection does not wait for it: the end of each
	// burst of events is saved once no event has come for a millisecond.)
	Idle time.Duration
	// CatchUpEvents and CatchUpEvery bound the work a runner catching up
	// with a backlog does between checkpoints: it writes its views and
	// snapshots and saves a checkpoint after this many events, or this
	// long, whichever comes first. Each time it writes what changed since
	// the last, so frequent checkpoints cost a rebuild dearly, while a
	// crash costs at most this much work again. Defaults: 1,000,000
	// events, 30s.
	CatchUpEvents int
	CatchUpEvery  time.Duration
	// Tail is how many of each meeting's latest events the board keeps to
	// fold a late report in its place without reading the meeting's
	// history ([BoardOptions.Tail]).
	Tail int
	// StopIdle, if set, ends a live [Runner.Run] (it saves its checkpoint,
	// releases its lease and returns nil) once it has applied no event for
	// this long: a [Keeper] runs a branch's runner while the branch is
	// busy, and an idle branch costs no consumer. Zero: never.
	StopIdle time.Duration
}

// Runner keeps one branch's meeting-status projection: it folds the log into
// a [Board] and writes each changed view to [MeetingBucket], with snapshots
// in [SnapshotBucket] and a checkpoint in [StateBucket], so that a restart
// resumes where it stopped.
//
// While it catches up with a backlog, a runner keeps its board in memory and
// writes each changed view once per checkpoint; once live, it writes the
// views an event changed after each event, with the event as their cause,
// so that a watcher of the bucket sees every change. It never writes in the
// middle of a command's events. A late event that falls before what the
// board keeps of its meeting makes the runner read that meeting's history
// and fold it again. When the runner's day moves on, it writes again the
// views whose deadline has passed, with no event: their cause is
// [KindDeadlinePassed].
type Runner struct {
	log    *eventlog.Log
	store  *Store
	branch eventlog.Branch
	o      RunnerOptions
	// torn is set when a view or snapshot write was not acknowledged (the
	// views may lag the board), or the board holds a record it could not
	// place: no checkpoint may be saved past them. The next run resumes
	// from the last checkpoint and writes again.
	torn bool

	board *Board
	cp    Checkpoint
	// read counts the messages read on the branch's own subjects, for the
	// checkpoint ([Checkpoint.Events]).
	read readCount
	// dirty maps each meeting whose view changed since it was last written
	// to the cause of the change; changed holds the meetings whose
	// snapshot changed since the last checkpoint. A meeting with a cause
	// in dirty is in changed too (a save writes the views before the
	// snapshots, and empties both), so that a rebuild, which changes each
	// meeting many times a save, looks a meeting up in one map, not two.
	dirty   map[string]*Activity
	changed map[string]bool
	futures []jetstream.PubAckFuture
	lease   *lease
	// inCommand is set while the board holds only part of a command's
	// events: nothing is written then.
	inCommand bool
	// unrestored is set while the board of a runner that resumes from its
	// checkpoint waits for its snapshots ([Runner.restore]).
	unrestored bool
	// unsaved counts the events applied since the last save, and saved
	// is when that was; day is the day views were last written as of.
	unsaved int
	saved   time.Time
	day     string
	// owed is the sequence of the last event of a live burst (nothing was
	// pending after it) whose snapshots and checkpoint wait for the
	// burst's end ([burstEnd]), 0 if none; owedSince, when a save was
	// first owed since the last.
	owed      uint64
	owedSince time.Time
	// applied is when the runner last applied an event (for StopIdle);
	// checked, when it last checked that its branch is current.
	applied, checked time.Time
}

// ErrBranchGone is returned by a runner whose branch was deleted (or made
// again, a new generation) under it: it stops, and writes nothing more.
var ErrBranchGone = errors.New("the branch was deleted")

// NewRunner returns a runner of branch's projection.
func NewRunner(log *eventlog.Log, store *Store, branch eventlog.Branch, o RunnerOptions) *Runner {
	return &Runner{log: log, store: store, branch: branch, o: o.withDefaults(), dirty: map[string]*Activity{}, changed: map[string]bool{}}
}

// withDefaults returns o with every unset option at its default.
func (o RunnerOptions) withDefaults() RunnerOptions {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.LeaseTTL == 0 {
		o.LeaseTTL = 10 * time.Second
	}
	if o.Owner == "" {
		host, _ := os.Hostname()
		o.Owner = fmt.Sprintf("%s/%d/%s", host, os.Getpid(), uuid.NewString()[:8])
	}
	if o.Idle == 0 {
		o.Idle = 20 * time.Millisecond
	}
	if o.CatchUpEvents == 0 {
		o.CatchUpEvents = 1_000_000
	}
	if o.CatchUpEvery == 0 {
		o.CatchUpEvery = 30 * time.Second
	}
	return o
}

// CatchUp applies every event on the log when it is called, writes the views
// and checkpoint, and returns. It returns [ErrBusy] if another process holds
// the branch's lease (and so keeps the views current).
func (r *Runner) CatchUp(ctx context.Context) error {
	return r.run(ctx, false, false)
}

// Rebuild drops the branch's views, snapshots and checkpoint, builds them
// again from the log, and returns.
func (r *Runner) Rebuild(ctx context.Context) error {
	return r.run(ctx, false, true)
}

// Run catches up, then follows the log and keeps the views live until ctx
// ends; it then saves its checkpoint and returns nil. If another process
// holds the lease, Run waits for it to be released or to expire.
func (r *Runner) Run(ctx context.Context) error {
	err := r.run(ctx, true, false)
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return nil
	}
	return err
}

// Board returns the board as the runner last left it: after a catch-up
// that found nothing new to fold, one that holds none of the meetings
// (their views in the bucket stand, and their snapshots were not read).
func (r *Runner) Board() *Board { return r.board }

func (r *Runner) run(ctx context.Context, follow, rebuild bool) (err error) {
	name := r.branch.Name
	r.torn = false
	r.lease, err = r.store.acquire(ctx, name, r.o.Owner, r.o.LeaseTTL)
	for follow && errors.Is(err, ErrBusy) {
		r.o.Logger.Info("waiting for the projection lease", "branch", name, "reason", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(r.o.LeaseTTL / 4):
		}
		r.lease, err = r.store.acquire(ctx, name, r.o.Owner, r.o.LeaseTTL)
	}
	if err != nil {
		return err
	}
	defer func() {
		// Save what was applied, even when ctx ended the run, unless the
		// run stopped inside a command (its views wait for the rest) or
		// the branch is gone.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if r.board != nil && !r.inCommand && !r.torn && !errors.Is(err, ErrBranchGone) {
			if serr := r.save(sctx, r.board.Seq()); serr != nil && err == nil {
				err = serr
			}
		}
		// Writes still in flight land before the lease goes: else the
		// delete of a branch, which takes the lease to drop the views,
		// could drop them first, and a view written before would land
		// after, for good (a live runner's views are sent unwaited, and
		// one that finds its branch gone saves nothing).
		if len(r.futures) > 0 {
			if serr := r.settle(sctx); serr != nil && err == nil {
				err = serr
			}
		}
		r.lease.release(sctx)
	}()
	if err := r.current(ctx); err != nil {
		return err
	}
	if err := r.load(ctx, rebuild); err != nil {
		return err
	}
	if !r.cp.Based {
		if err := r.restore(ctx); err != nil {
			return err
		}
		if err := r.base(ctx, rebuild); err != nil {
			return err
		}
	}
	return r.follow(ctx, follow)
}

// current checks that the runner's branch is still the one on record: not
// deleted, nor made again. A runner of a branch that is gone writes
// nothing.
func (r *Runner) current(ctx context.Context) error {
	if r.branch.IsMain() {
		return nil
	}
	b, err := r.log.Branch(ctx, r.branch.Name)
	if errors.Is(err, eventlog.ErrUnknownBranch) || err == nil && b.Gen != r.branch.Gen {
		return fmt.Errorf("projection of %s: %w", r.branch.Name, ErrBranchGone)
	}
	return err
}

// load restores the board from the snapshots and checkpoint written before,
// or starts it empty.
func (r *Runner) load(ctx context.Context, rebuild bool) error {
	name := r.branch.Name
	r.board = NewBoard(name, BoardOptions{Tail: r.o.Tail})
	r.saved = time.Now()
	cp, err := r.store.Checkpoint(ctx, name)
	if err != nil {
		return err
	}
	if rebuild || cp.Gen != r.branch.Gen || cp.Seq == 0 && !cp.Based {
		r.cp = Checkpoint{Based: r.branch.IsMain(), Gen: r.branch.Gen}
		r.read = readCount{counted: true}
		return r.store.dropViews(ctx, name)
	}
	r.cp = cp
	if err := r.count(ctx); err != nil {
		return err
	}
	// The views were written as of cp.Day: if that was before today,
	// the next round of deadlines writes again those the days between
	// made overdue.
	r.day = cp.Day
	r.board.seq = cp.Seq
	// The snapshots are read when the board is first needed ([Runner.restore]):
	// a catch-up that finds nothing new needs none (a status of a store of
	// 10,000 meetings reads 30 MB of them).
	r.unrestored = true
	return nil
}

// holdsAll reports whether the runner's board holds every meeting of its
// branch as its views show them: it folded or restored them, rather than
// finding its views current with nothing to read ([Runner.restore]), and
// it did not stop inside a command, whose views wait for the rest.
func (r *Runner) holdsAll() bool { return r.board != nil && !r.unrestored && !r.inCommand }

// restore puts the snapshots written before on the board of a runner that
// resumes from its checkpoint, once, before the board is first used.
func (r *Runner) restore(ctx context.Context) error {
	if !r.unrestored {
		return nil
	}
	r.unrestored = false
	snaps, err := r.store.snapshotsOf(ctx, r.branch.Name, mine)
	if err != nil {
		return err
	}
	for id, snap := range snaps {
		if err := r.board.Restore(id, snap); err != nil {
			return err
		}
	}
	for id, snap := range snaps {
		if snap.Seq > r.cp.Seq {
			// Saved by a writer that died before its checkpoint: its
			// view (and those of the meetings that require it held) may
			// not have been, and the events it holds are not applied
			// again. Write them again.
			r.dirty[id] = nil
			for _, dep := range r.board.requiredBy[id] {
				r.dirty[dep] = nil
			}
		}
	}
	// The board reflects the record up to the checkpoint: a snapshot
	// past it (a torn save) holds one meeting's later events, not the
	// other meetings' ([Board.Restore] took its sequence).
	r.board.seq = r.cp.Seq
	r.o.Logger.Info("projection resumes", "branch", r.branch.Name, "checkpoint", r.cp.Seq, "meetings", len(snaps))
	return nil
}

// base folds the record up to a branch's fork into its board: from main's
// snapshots and the events after main's checkpoint where they stand for
// the fork ([restoreFork]), else from the record's first event, as a
// rebuild always does.
func (r *Runner) base(ctx context.Context, rebuild bool) error {
	b := r.branch
	apply := func(rec eventlog.Record) error { return r.apply(ctx, rec, false) }
	var (
		fork     forkBase
		restored bool
		err      error
	)
	if !rebuild {
		if fork, restored, err = restoreFork(ctx, r.log, r.store, b, r.board); err != nil {
			return err
		}
	}
	if restored {
		// Each restored view is written for the branch, its cause the
		// meeting's own latest activity (a fold would name the last
		// event that changed the view: most often the same).
		for _, id := range fork.meetings {
			var cause *Activity
			if s := r.board.slots[id]; s.hasLast {
				cause = new(Activity)
				*cause = s.last
			}
			r.dirty[id], r.changed[id] = cause, true
		}
		r.o.Logger.Info("branch projection starts from main's snapshots", "branch", b.Name, "meetings", len(fork.meetings), "read_by_seq", len(fork.late), "from", fork.from, "fork", b.ForkSeq)
		// The meetings main moved on after the fork, from their first
		// event; then the record after main's checkpoint, whose events
		// of those meetings they hold already.
		for _, rec := range fork.late {
			if err = apply(rec); err != nil {
				return err
			}
		}
		err = r.log.Read(ctx, eventlog.BranchSubjects(events.Main), fork.from, b.ForkSeq, apply)
	} else {
		err = r.log.ReadFork(ctx, b, apply)
	}
	if err != nil {
		return err
	}
	r.cp = Checkpoint{Seq: b.ForkSeq, Based: true, Gen: b.Gen}
	r.board.SetSeq(b.ForkSeq)
	return r.save(ctx, b.ForkSeq)
}

// follow applies the branch's own events from the checkpoint on: until it
// has caught up (follow false), or until ctx ends.
func (r *Runner) follow(ctx context.Context, follow bool) error {
	end, err := r.log.LastSeq(ctx)
	if err != nil {
		return err
	}
	// Nothing new on the branch's subjects: up to date with no consumer
	// (a keeper catching up 10,000 branches, a status). A projection from
	// nothing (a rebuild) reads the log whatever the last message says,
	// so that a damaged one is found.
	upToDate := false
	if !follow && r.cp.Seq > 0 {
		if upToDate, err = r.upToDate(ctx, end); err != nil {
			return err
		}
	}
	if !upToDate || r.dayMoved() {
		// Up to date on the same day, the views stand as they are and the
		// snapshots are not read. (A save past the checkpoint that did
		// not live to write it changed no view: no event came after the
		// checkpoint.)
		if err := r.restore(ctx); err != nil {
			return err
		}
	}
	// A runner that resumes on a later day than its views were written
	// as of writes again those whose deadline passed in between.
	r.deadlines()
	if upToDate {
		return r.save(ctx, max(end, r.board.Seq()))
	}
	subjects := eventlog.BranchSubjects(r.branch.Name)
	sub, err := r.log.Subscribe(ctx, subjects, r.cp.Seq+1)
	if err != nil {
		return err
	}
	defer func() { sub.Stop() }()
	asked := 0 // times the runner subscribed again after a stall
	r.applied = time.Now()
	live := sub.Pending() == 0
	release := func() {}
	if sub.Pending() >= catchUpBacklog {
		// Until the runner is live, or returns.
		release = collectLess()
	}
	defer release()
	if live {
		if live, err = r.reflects(ctx, end); err != nil {
			return err
		}
	}
	if live {
		// Nothing to apply: every event up to end is reflected.
		if err := r.save(ctx, max(end, r.board.Seq())); err != nil {
			return err
		}
		if !follow {
			return nil
		}
	}
	// quiet is how long the runner waits for an event before an idle
	// round: Idle after an event, twice as long after each round that
	// found nothing to do, up to maxQuiet. Each round asks the server for
	// the log's end; ten thousand an hour is what an idle server should
	// hear from a runner, not fifty a second.
	quiet := r.o.Idle
	for {
		next := ctx
		var cancel context.CancelFunc = func() {}
		// A save is owed at the end of a burst; not in the middle of a
		// command's events, which no save may show in part.
		owing := r.owed > 0 && !r.inCommand
		if live {
			wait := quiet
			if owing {
				wait = min(wait, burstEnd)
			}
			next, cancel = context.WithTimeout(ctx, wait)
		}
		rec, err := sub.Next(next)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				// Stopped, whatever the read ended with: the wait for
				// an event may have timed out just as ctx ended, and
				// its deadline is no error of the run.
				return ctx.Err()
			}
			if live && errors.Is(err, context.DeadlineExceeded) {
				if owing {
					// The burst has ended.
					if err := r.save(ctx, r.owed); err != nil {
						return err
					}
					continue
				}
				saved, err := r.idle(ctx, sub)
				if err != nil {
					return err
				}
				if saved {
					quiet = r.o.Idle
				} else {
					quiet = min(2*quiet, max(maxQuiet, r.o.Idle))
				}
				if r.o.StopIdle > 0 && !r.inCommand && time.Since(r.applied) >= r.o.StopIdle {
					return nil
				}
				continue
			}
			if errors.Is(err, eventlog.ErrUnavailable) && asked < 2 && !r.inCommand {
				// The server stopped delivering (slow, or placing the
				// consumer after a leader change): read on from the last
				// event applied, on a new subscription.
				asked++
				from := max(r.read.seq, r.cp.Seq) + 1
				r.o.Logger.Warn("the log stopped delivering: reading on", "branch", r.branch.Name, "from", from, "err", err)
				sub.Stop()
				if sub, err = r.log.Subscribe(ctx, subjects, from); err != nil {
					return err
				}
				continue
			}
			return err
		}
		r.read.n, r.read.seq, quiet = r.read.n+1, rec.Seq, r.o.Idle
		if err := r.apply(ctx, rec, live); err != nil {
			return err
		}
		r.applied = time.Now()
		if !live && !rec.Partial && rec.Pending == 0 {
			// Caught up: everything up to end, at least, is reflected,
			// unless the consumer's replica lags its leader.
			if ok, err := r.reflects(ctx, end); err != nil {
				return err
			} else if !ok {
				continue
			}
			if err := r.save(ctx, max(end, rec.Seq)); err != nil {
				return err
			}
			if !follow {
				return nil
			}
			live = true
			release()
			r.o.Logger.Info("projection is live", "branch", r.branch.Name, "seq", rec.Seq, "meetings", r.board.Len())
		}
	}
}

// apply folds one record into the board and, when the record ends a
// command, writes the changed views: at once when live; with the next
// checkpoint while catching up.
func (r *Runner) apply(ctx context.Context, rec eventlog.Record, live bool) error {
	if rec.Err != nil {
		return r.skip(ctx, rec, rec.Err)
	}
	own := rec.Event.Branch == r.branch.Name
	if own && !r.branch.Owns(rec.Event) {
		// Left by a deleted branch of the same name.
		r.board.SetSeq(rec.Seq)
		return nil
	}
	changed, err := r.board.Apply(rec)
	if errors.Is(err, ErrUndeclared) {
		return r.skip(ctx, rec, err)
	} else if err != nil {
		if changed, err = r.place(ctx, rec, err); err != nil {
			return err
		}
	}
	cause := r.board.Cause(rec)
	for _, id := range changed {
		c := cause
		if id != rec.Event.Aggregate.ID {
			c.Meeting = rec.Event.Aggregate.ID
		}
		// A meeting already waiting to be written takes the later cause
		// in place: a rebuild changes each meeting many times a save.
		if p := r.dirty[id]; p != nil {
			*p = c
		} else {
			p = new(Activity) // c itself stays on the stack
			*p = c
			r.dirty[id] = p
			r.changed[id] = true
		}
	}
	r.inCommand = rec.Partial
	if rec.Partial {
		return nil
	}
	r.unsaved++
	if r.unsaved%1024 == 0 {
		if err := r.lease.renew(ctx); err != nil {
			return err
		}
		// A branch deleted while its runner catches up stops the
		// runner soon, not at its next checkpoint: the delete waits
		// for the lease.
		if time.Since(r.checked) >= time.Second {
			r.checked = time.Now()
			if err := r.current(ctx); err != nil {
				return err
			}
		}
	}
	switch {
	case live:
		// The views are written at once. The snapshots and the checkpoint
		// follow at the end of a burst, once no event has come for
		// burstEnd after one that had nothing pending when it was
		// delivered; not when the runner next idles, so that a command
		// that waits for the projection ([CatchUp]) returns as soon as
		// its events are reflected. A steady stream, which has no such
		// end, is saved every 1,000 events, and once a save has been owed
		// for burstMax.
		if rec.Pending == 0 {
			if r.owed == 0 {
				r.owedSince = time.Now()
			}
			r.owed = rec.Seq
		}
		if r.unsaved >= 1000 || r.owed > 0 && time.Since(r.owedSince) >= burstMax {
			return r.save(ctx, rec.Seq)
		}
		return r.flush(ctx)
	case r.unsaved >= r.o.CatchUpEvents || time.Since(r.saved) >= r.o.CatchUpEvery:
		return r.save(ctx, rec.Seq)
	}
	return nil
}

// place folds rec, which the board could not apply (err), by reading its
// meeting's course or whole history, and returns the meetings whose view
// changed.
func (r *Runner) place(ctx context.Context, rec eventlog.Record, err error) ([]string, error) {
	var refold *RefoldError
	if !errors.As(err, &refold) {
		r.torn = true // the board holds rec unplaced
		return nil, err
	}
	if refold.Course {
		if changed, ok := reshape(ctx, r.log, r.branch, r.board, rec); ok {
			return changed, nil
		}
	}
	h, err := readHistory(ctx, r.log, r.branch, r.board, rec, r.o.Logger)
	if err != nil {
		r.torn = true // the board holds rec unplaced
		return nil, fmt.Errorf("fold %s again: %w", refold.Meeting, err)
	}
	return r.board.Refold(refold.Meeting, h), nil
}

// skip notes rec, a message the projection cannot fold, as a dead letter,
// and goes on: a poison message stops no meeting's view.
func (r *Runner) skip(ctx context.Context, rec eventlog.Record, why error) error {
	r.o.Logger.Warn("skipping a message the projection cannot fold", "branch", r.branch.Name, "seq", rec.Seq, "subject", rec.Subject, "err", why)
	r.board.SetSeq(rec.Seq)
	if err := r.store.quarantine(ctx, r.branch.Name, rec.Seq, rec.Subject, why); err != nil {
		r.torn = true // a checkpoint past rec would pass it over unnoted
		return err
	}
	return nil
}

// idle runs when a live runner has waited for an event, and reports
// whether it saved (a round that saves nothing lets the next wait
// longer): every request
// here carries its own bound, as ctx has none in a server (the
// subscription's Delivered waits the log's Timeout, no longer: see
// [eventlog.Subscription.Delivered]); a request that fails stops the
// runner, to be started again on a new subscription. It writes
// again the views whose deadline passed if its day moved on, and saves the
// checkpoint, advanced to the log's end if nothing of the branch is
// pending.
func (r *Runner) idle(ctx context.Context, sub *eventlog.Subscription) (saved bool, err error) {
	if err := r.lease.renew(ctx); err != nil {
		return false, err
	}
	// A branch deleted under a live runner stops it within a second: a
	// delete waits for its lease (a watch of the branch holds one).
	if time.Since(r.checked) >= time.Second {
		r.checked = time.Now()
		if err := r.current(ctx); err != nil {
			return false, err
		}
	}
	r.deadlines()
	// Read the log's end first: if the server then has nothing pending for
	// the subscription, and everything it delivered is applied, every
	// event of the branch up to that end is reflected.
	end, err := r.log.LastSeq(ctx)
	if err != nil {
		return false, err
	}
	seq := r.board.Seq()
	if end > r.cp.Seq {
		pending, delivered, err := sub.Delivered(ctx)
		if err != nil {
			return false, err
		}
		if pending == 0 && delivered <= seq {
			ok, err := r.reflects(ctx, end)
			if err != nil {
				return false, err
			}
			if ok {
				seq = max(seq, end)
			}
		}
	}
	if seq <= r.cp.Seq && len(r.dirty) == 0 {
		return false, nil
	}
	return true, r.save(ctx, seq)
}

// upToDate reports whether no event of the runner's branch came after its
// checkpoint, up to end, the log's end.
func (r *Runner) upToDate(ctx context.Context, end uint64) (bool, error) {
	last, err := r.log.LastOn(ctx, eventlog.BranchSubjects(r.branch.Name))
	if err != nil || last > r.cp.Seq {
		return false, err
	}
	return r.reflects(ctx, end)
}

// reflects reports whether the runner has applied every event of its
// branch up to end, where its consumer counts none pending. On one server
// the count is the record's. In a cluster the consumer may live on a
// replica that lags the stream's leader, and count nothing pending while
// the leader holds more: the leader is asked ([eventlog.Log.NextOn]).
func (r *Runner) reflects(ctx context.Context, end uint64) (bool, error) {
	from := max(r.board.Seq(), r.cp.Seq) + 1
	lag, err := r.log.Lagging(ctx, eventlog.BranchSubjects(r.branch.Name), from, end)
	return !lag, err
}

// burstEnd is how long a live runner waits for another event before it
// takes a burst of events to have ended, and saves its snapshots and
// checkpoint. Saved at once, they kept the runner (and, on two cores, the
// server) from the next event of a steady stream of commands, which came
// while the last one's were still being written.
const burstEnd = time.Millisecond

// burstMax bounds how long a live runner owes a save in a steady stream of
// events, which has no end of a burst: how long a writer waiting for the
// projection then waits at most.
const burstMax = 250 * time.Millisecond

// maxQuiet bounds how long a live runner with nothing to do waits between
// idle rounds: how late its checkpoint follows the log's end past other
// branches' events (a status waits for it), and a deleted branch's runner
// stops.
const maxQuiet = 250 * time.Millisecond

// today returns the day (UTC) of the runner's clock.
func (r *Runner) today() string { return r.o.Now().UTC().Format(events.DateLayout) }

// dayMoved reports whether the runner's day has moved on since its views
// were written: [Runner.deadlines] then has views to write again.
func (r *Runner) dayMoved() bool { return r.day != "" && r.day != r.today() }

// deadlines marks, when the runner's day has moved on since its views were
// written, the meetings whose overdue flag the new day changes, with the
// deadline passing as their cause.
func (r *Runner) deadlines() {
	today := r.today()
	if r.day == "" || r.day == today {
		r.day = today
		return
	}
	before, _ := dayCutoff(r.day)
	after, _ := dayCutoff(today)
	r.day = today
	for _, id := range r.board.IDs() {
		m, _ := r.board.State(id)
		if m.Overdue(before) == m.Overdue(after) {
			continue
		}
		d, _ := m.Deadline()
		if r.dirty[id] == nil {
			r.dirty[id] = &Activity{Kind: KindDeadlinePassed, At: d}
			r.changed[id] = true // see dirty
		}
	}
}

// dayCutoff returns the first instant after the UTC day day (2025-10-30).
func dayCutoff(day string) (time.Time, error) {
	t, err := events.ParseTime(day)
	return t.End(), err
}

// asOf returns the cutoff and label views are written as of: the end of
// the runner's day, and that day.
func (r *Runner) asOf() (time.Time, string) {
	label := r.today()
	if r.day == "" {
		r.day = label
	}
	cutoff, _ := dayCutoff(label)
	return cutoff, label
}

// flush publishes the changed views without waiting for their
// acknowledgements; save waits for them.
func (r *Runner) flush(ctx context.Context) error {
	if len(r.dirty) == 0 {
		return nil
	}
	ids := make([]string, 0, len(r.dirty))
	for id := range r.dirty {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	cutoff, label := r.asOf()
	for _, id := range ids {
		v, ok := r.board.View(id, cutoff, label)
		if !ok {
			continue
		}
		v.Cause = r.dirty[id]
		data, err := ASCII(v)
		if err != nil {
			return fmt.Errorf("view %s: %w", id, err)
		}
		if err := r.write(ctx, eventlog.BucketSubject(MeetingBucket, Key(r.branch.Name, id)), data); err != nil {
			return fmt.Errorf("write view %s: %w", id, err)
		}
	}
	clear(r.dirty)
	return r.lease.renew(ctx)
}

// writeWindow is how many writes a runner keeps unacknowledged: past it,
// a write waits for those before it (a rebuild of 30,000 meetings writes
// 60,000 views and snapshots at its checkpoint, and the client refuses
// more than 4,000 in flight once the server falls behind).
const writeWindow = 1024

// write publishes data to subject without waiting for the server's
// acknowledgement, unless writeWindow writes are waiting for theirs.
func (r *Runner) write(ctx context.Context, subject string, data []byte) error {
	if len(r.futures) >= writeWindow {
		if err := r.settle(ctx); err != nil {
			return err
		}
	}
	// No retry when the bucket has no leader to answer: the client would
	// send the write again a quarter second later, after the writes that
	// followed it, and an older view of a meeting would land over a newer
	// one (TestClusterLeaderStops). The write fails instead; the runner
	// is torn, and stops to be started again.
	f, err := r.store.writes.PublishAsync(subject, data, jetstream.WithRetryAttempts(0))
	if err != nil {
		return err
	}
	r.futures = append(r.futures, f)
	return nil
}

// settle waits until the server has acknowledged every write, at most the
// client's default timeout, however long ctx lasts (a live runner's has
// no deadline): the client fails a write whose acknowledgement is lost
// (the bucket's stream leader stopped with it) only if its own connection
// drops, and a wait on ctx alone then never ended. A write not
// acknowledged leaves the runner torn: it saves no checkpoint past it, and
// stops, to be started again (issue 12, TestRunnerGivesUpOnALostViewAck).
func (r *Runner) settle(ctx context.Context) error {
	wait := r.store.writes.Options().DefaultTimeout
	if wait <= 0 {
		wait = 5 * time.Second
	}
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	// A future gives its outcome once: a settle that returns early keeps
	// only the futures it did not take, so that the settle after it (the
	// runner's last, as it stops) waits only for those.
	for i, f := range r.futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			r.futures = r.futures[i+1:]
			r.torn = true
			return fmt.Errorf("write view: %w", err)
		case <-wctx.Done():
			r.futures = r.futures[i:]
			r.torn = true
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("write view: no acknowledgement: %w", wctx.Err())
		}
	}
	// The futures hold the views and snapshots written: let them go, so
	// that a live runner between saves does not keep the last writes of a
	// catch-up (a thousand of them) besides its board.
	clear(r.futures)
	r.futures = r.futures[:0]
	return nil
}

// save writes the changed views and snapshots, waits until the server has
// stored them ([Runner.settle]), and then records seq as the checkpoint.
func (r *Runner) save(ctx context.Context, seq uint64) error {
	if r.board == nil {
		return nil
	}
	if err := r.current(ctx); err != nil {
		clear(r.dirty)
		return err
	}
	if err := r.flush(ctx); err != nil {
		return err
	}
	for id := range r.changed {
		snap, ok := r.board.Snapshot(id, max(seq, r.board.Seq()))
		if !ok {
			continue
		}
		snap.Gen = r.branch.Gen
		data, err := ASCII(snap)
		if err != nil {
			return fmt.Errorf("snapshot %s: %w", id, err)
		}
		if err := r.write(ctx, eventlog.BucketSubject(SnapshotBucket, Key(r.branch.Name, id)), data); err != nil {
			return fmt.Errorf("write snapshot %s: %w", id, err)
		}
	}
	clear(r.changed)
	if err := r.settle(ctx); err != nil {
		return err
	}
	r.unsaved, r.saved, r.owed = 0, time.Now(), 0
	read := r.read.upTo(seq)
	// The same checkpoint is not written again, unless the runner counted
	// what an uncounted one read ([Runner.count]): else a store that an
	// older build left would stay uncounted until a rebuild, and each
	// check on open would read every snapshot.
	if seq < r.cp.Seq || seq == r.cp.Seq && r.day == r.cp.Day && (r.cp.Events != nil || read == nil) {
		return nil
	}
	r.cp.Seq, r.cp.Gen, r.cp.Day = seq, r.branch.Gen, r.day
	r.cp.Events = read
	return r.store.saveCheckpoint(ctx, r.branch.Name, r.cp)
}

// count takes up the checkpoint's count of the messages read. A checkpoint
// that does not count them (written before checkpoints did) is counted
// now if nothing followed it on the branch's subjects: the stream's count
// of them, taken before the check that nothing followed, is then the
// count up to the checkpoint. (The check on open has just compared the
// store with every snapshot.)
func (r *Runner) count(ctx context.Context) error {
	if r.cp.Events != nil {
		r.read = readCount{n: *r.cp.Events, counted: true}
		return nil
	}
	r.read = readCount{}
	subjects := eventlog.BranchSubjects(r.branch.Name)
	n, err := r.log.Count(ctx, subjects)
	if err != nil {
		return err
	}
	last, err := r.log.LastOn(ctx, subjects)
	if err != nil {
		return err
	}
	if last <= r.cp.Seq {
		r.read = readCount{n: n, seq: last, counted: true}
	}
	return nil
}

// readCount counts the messages a runner read on its branch's own
// subjects: n of them, the last at seq. It is not counted when the runner
// resumed from a checkpoint that did not count them.
type readCount struct {
	n, seq  uint64
	counted bool
}

// upTo returns the count for a checkpoint at seq, or nil if it is not
// known: not counted, or read past seq (which a checkpoint never is).
func (c *readCount) upTo(seq uint64) *uint64 {
	if !c.counted || c.seq > seq {
		c.counted = false
		return nil
	}
	n := c.n
	return &n
}
