package projections

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
)

// Inspect checks, cheaply, that the log still holds what the projections
// have seen: [eventlog.Log.Inspect]'s checks of the stream, then each
// branch's checkpoint against the stream's last sequence, and each meeting
// the projection of main holds (its snapshot) against the events on its
// subject: a snapshot that folded more events of a meeting than its
// subject now holds, or an event at sequence S of a meeting whose subject
// now ends before S, means events were lost. It reads no event beyond each subject's last, and every request is
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
			gone := fmt.Sprintf("ends at %d: the events after %d are gone", in.LastSeq, in.LastSeq)
			if in.LastSeq == 0 {
				gone = "holds no event: the stream was emptied or made again"
			}
			in.Damage = append(in.Damage, eventlog.Damage{Kind: "lost", Subject: branch,
				Detail: fmt.Sprintf("the projection of %s reflects the log up to sequence %d, but the log %s", branch, cp.Seq, gone)})
		}
	}
	if err := inspectMeetings(rctx, log, store, cps[events.Main], &in); err != nil {
		return in, err
	}
	accepted, err := store.AcceptedDamage(rctx)
	if err != nil {
		return in, fmt.Errorf("inspect the projections: %w", err)
	}
	in.Damage = unaccepted(in.Damage, accepted)
	return in, nil
}

// unaccepted returns ds without the damage a repair accepted.
func unaccepted(ds []eventlog.Damage, accepted map[string]bool) []eventlog.Damage {
	keep := ds[:0]
	for _, d := range ds {
		if !accepted[d.Key()] {
			keep = append(keep, d)
		}
	}
	return keep
}

// inspectMeetings checks main's meetings against what the projection
// read. When main's checkpoint counts the messages it read (cp.Events),
// the stream holding as many is enough, at the cost of nothing more than
// the stream info Inspect read already; when it holds fewer, or the count
// is not known, each meeting's snapshot says which lost events (a read of
// every snapshot: 0.2 s for 2,000 meetings).
func inspectMeetings(ctx context.Context, log *eventlog.Log, store *Store, cp Checkpoint, in *eventlog.Integrity) error {
	if cp.Events != nil && in.MainMsgs >= *cp.Events {
		return nil
	}
	if cp.Events != nil {
		in.Damage = append(in.Damage, eventlog.Damage{Kind: "lost", Subject: events.Main, Missing: *cp.Events - in.MainMsgs,
			Detail: fmt.Sprintf("the projection of main read %d messages up to sequence %d, but the log holds %d on main", *cp.Events, cp.Seq, in.MainMsgs)})
	}
	if err := log.ListMain(ctx, in); err != nil {
		return err
	}
	snaps, err := store.snapshotsOf(ctx, events.Main, theirs)
	if err != nil {
		return fmt.Errorf("inspect the projections: %w", err)
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
		case s.Count < snap.Meeting.Version:
			in.Damage = append(in.Damage, eventlog.Damage{Kind: "lost", Subject: subject, Missing: snap.Meeting.Version - s.Count,
				Detail: fmt.Sprintf("the projection folded %d events of meeting %s, but the log holds %d", snap.Meeting.Version, id, s.Count)})
		case s.LastSeq != 0 && s.LastSeq < snap.LastSeq:
			in.Damage = append(in.Damage, eventlog.Damage{Kind: "lost", Subject: subject,
				Detail: fmt.Sprintf("the projection folded meeting %s up to its event at sequence %d, but the log's last event of it is at %d", id, snap.LastSeq, s.LastSeq)})
		}
	}
	return nil
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

func sortedNames[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Report is what [Verify] finds.
type Report struct {
	// Integrity is what the cheap check ([Inspect]) found of the stream.
	Integrity eventlog.Integrity `json:"log"`
	// Events is how many messages on event subjects were read, of
	// Aggregates aggregates on every branch.
	Events     uint64 `json:"events"`
	Aggregates int    `json:"aggregates"`
	// Branches are the branches on record, main first.
	Branches []string `json:"branches"`
	// Problems are what is wrong and not yet accepted by a repair.
	Problems []eventlog.Damage `json:"problems"`
	// DeadLetters are the messages the projections skipped (quarantined).
	DeadLetters []DeadLetter `json:"dead_letters"`
	// Views say, per branch, how its views compare with a fold of the log.
	Views []ViewCheck `json:"views"`
}

// ViewCheck is how one branch's views compare with a fold of the log.
type ViewCheck struct {
	Branch     string `json:"branch"`
	Meetings   int    `json:"meetings"`
	Checkpoint uint64 `json:"checkpoint"`
	// Equal reports the views equal to the fold (status, readiness,
	// title, overdue flag and deadline of every meeting); Behind that the
	// projection has not yet applied the log to its end, so that they
	// were not compared.
	Equal  bool `json:"equal"`
	Behind bool `json:"behind,omitempty"`
	// NotCompared says why the views were not compared, if they were not
	// for another reason than Behind.
	NotCompared string `json:"not_compared,omitempty"`
}

// Verify reads every event of the log and checks it: that each message
// decodes (one that does not and is not quarantined is a problem), that
// each aggregate's versions run without a gap on main, and on each
// branch's own subjects, that each meeting's first event declares it,
// that each branch's events belong to a branch on record, that the server
// delivers every event it counts; then it compares each branch's views
// with a fold of the log ([FoldView]), and lists the dead letters. What a
// repair accepted ([Store.AcceptDamage]) is not reported again.
func Verify(ctx context.Context, log *eventlog.Log, store *Store) (Report, error) {
	rep := Report{Problems: []eventlog.Damage{}, DeadLetters: []DeadLetter{}}
	in, err := Inspect(ctx, log, store)
	if err != nil {
		return rep, err
	}
	rep.Integrity = in
	problem := func(kind, subject string, missing uint64, format string, args ...any) {
		rep.Problems = append(rep.Problems, eventlog.Damage{Kind: kind, Subject: subject, Missing: missing, Detail: fmt.Sprintf(format, args...)})
	}
	rep.Problems = append(rep.Problems, in.Damage...)
	bs, err := log.Branches(ctx)
	if err != nil {
		return rep, err
	}
	branches := append([]eventlog.Branch{eventlog.Main()}, bs...)
	gens := map[string]uint64{}
	quarantined := map[uint64]bool{}
	for _, b := range branches {
		rep.Branches = append(rep.Branches, b.Name)
		gens[b.Name] = b.Gen
		dls, err := store.DeadLetters(ctx, b.Name)
		if err != nil {
			return rep, err
		}
		for _, d := range dls {
			quarantined[d.Seq] = true
		}
		rep.DeadLetters = append(rep.DeadLetters, dls...)
	}
	last := map[string]uint64{}
	orphans := map[string]uint64{}
	unreadable, err := log.ReadAll(ctx, func(r eventlog.Record) error {
		rep.Events++
		if r.Err != nil {
			if !quarantined[r.Seq] {
				problem("corrupt", r.Subject, 0, "the message at sequence %d is no event summit can read, and no projection has quarantined it: %v", r.Seq, r.Err)
			}
			return nil
		}
		e := r.Event
		if e.Branch != events.Main {
			if gen, ok := gens[e.Branch]; !ok || gen != e.Gen {
				orphans[e.Branch]++
				return nil
			}
		}
		prev, seen := last[r.Subject]
		last[r.Subject] = e.Version
		switch {
		case !seen && e.Branch == events.Main && e.Version != 1:
			problem("version", r.Subject, e.Version-1, "its first event (sequence %d) is version %d: the %d before it are gone", r.Seq, e.Version, e.Version-1)
		case seen && e.Version != prev+1:
			problem("version", r.Subject, max(e.Version, prev+1)-(prev+1), "version %d (sequence %d) follows version %d", e.Version, r.Seq, prev)
		}
		if !seen && e.Branch == events.Main && e.Aggregate.Type == events.AggregateMeeting &&
			e.Kind() != events.KindMeetingDeclared && !quarantined[r.Seq] {
			problem("undeclared", r.Subject, 0, "its first event (sequence %d, %s) does not declare the meeting, and no projection has quarantined it", r.Seq, e.Kind())
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	rep.Aggregates = len(last)
	for _, seq := range unreadable {
		problem("unreadable", fmt.Sprintf("sequence %d", seq), 0, "the server counts this event but does not deliver it")
	}
	for _, name := range sortedNames(orphans) {
		if _, ok := gens[name]; ok {
			problem("orphaned", name, 0, "%d events of a deleted generation of branch %s are still on its subjects", orphans[name], name)
		} else if !hasDamage(in.Damage, "orphaned", name) {
			problem("orphaned", name, 0, "%d events of branch %s, which no branch record names", orphans[name], name)
		}
	}
	for _, b := range branches {
		if len(unreadable) > 0 {
			// A fold would wait for the events the server does not
			// deliver, then fail: say so at once.
			rep.Views = append(rep.Views, ViewCheck{Branch: b.Name, NotCompared: "the log holds events the server does not deliver: no fold can read it whole"})
			continue
		}
		vc, err := compareViews(ctx, log, store, b)
		if err != nil {
			problem("view", b.Name, 0, "the views of %s could not be compared with a fold of the log: %v", b.Name, err)
		}
		if err == nil && !vc.Equal && !vc.Behind {
			problem("view", b.Name, 0, "the views of %s differ from a fold of the log (summit check --repair, or summit rebuild --branch %s, writes them again)", b.Name, b.Name)
		}
		rep.Views = append(rep.Views, vc)
	}
	accepted, err := store.AcceptedDamage(ctx)
	if err != nil {
		return rep, err
	}
	rep.Problems = unaccepted(rep.Problems, accepted)
	return rep, nil
}

// hasDamage reports whether ds holds damage of kind on subject.
func hasDamage(ds []eventlog.Damage, kind, subject string) bool {
	for _, d := range ds {
		if d.Kind == kind && d.Subject == subject {
			return true
		}
	}
	return false
}

// compareViews compares branch b's views with a fold of the log, if its
// projection has applied every event of the branch.
func compareViews(ctx context.Context, log *eventlog.Log, store *Store, b eventlog.Branch) (ViewCheck, error) {
	vc := ViewCheck{Branch: b.Name}
	last, err := log.LastOf(ctx, b.Name)
	if err != nil {
		return vc, err
	}
	last = max(last, b.ForkSeq)
	cp, err := store.Checkpoint(ctx, b.Name)
	if err != nil {
		return vc, err
	}
	vc.Checkpoint = cp.Seq
	views, err := store.Views(ctx, b.Name)
	if err != nil {
		return vc, err
	}
	vc.Meetings = len(views)
	if cp.Seq < last || cp.Gen != b.Gen {
		vc.Behind = true
		return vc, nil
	}
	fold, err := FoldView(ctx, log, Query{Branch: b})
	if err != nil {
		return vc, err
	}
	type brief struct {
		Title, Status, Readiness, Deadline string
		Overdue                            bool
	}
	briefOf := func(v View) brief {
		d := ""
		if v.Deadline != nil {
			d = v.Deadline.String()
		}
		return brief{v.Title, string(v.Status), v.Readiness, d, v.Overdue}
	}
	want := map[string]brief{}
	for _, v := range fold.Meetings {
		want[v.ID] = briefOf(v)
	}
	vc.Equal = len(want) == len(views)
	for _, v := range views {
		if w, ok := want[v.ID]; !ok || w != briefOf(v) {
			vc.Equal = false
		}
	}
	return vc, nil
}
