package scenarios

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/commands"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
)

// Step is one command of a scenario's replay, with the line it comes from.
type Step struct {
	Line    int
	Command aggregates.Command
}

// Steps returns the commands that replay s, in order: the declarations of
// its parties and people, then its timeline. A meeting is declared just
// before the first event that names it (as its meeting, the meeting a
// statement is about, or the meeting a precondition requires), so that it
// appears on the board from that date; a meeting no event names is declared
// with the parties. known supplies the parties of people the file names but
// does not declare (nil if none).
func (s *Scenario) Steps(known *Cast) []Step {
	start := s.start()
	partyOf := map[string]string{}
	if known != nil {
		for id, p := range known.People {
			partyOf[id] = p.Party
		}
	}
	var steps []Step
	for _, p := range s.Parties {
		steps = append(steps, Step{Line: p.Line, Command: aggregates.Command{
			Aggregate: events.Actor(p.ID), At: start, Declare: &events.PartyDeclared{Name: p.Name},
		}})
	}
	for _, p := range s.People {
		partyOf[p.ID] = p.Party
		steps = append(steps, Step{Line: p.Line, Command: aggregates.Command{
			Aggregate: events.Actor(p.ID), At: start, Declare: &events.PersonDeclared{Name: p.Name, Party: p.Party, Role: p.Role},
		}})
	}
	meetings := map[string]Meeting{}
	named := map[string]bool{}
	for _, m := range s.Meetings {
		meetings[m.ID] = m
	}
	for _, e := range s.Timeline {
		for _, id := range mentions(e) {
			named[id] = true
		}
	}
	declare := func(id string, at events.Time) {
		m, ok := meetings[id]
		if !ok {
			return // declared in the store before: the file only names it
		}
		d := &events.MeetingDeclared{Title: m.Title}
		for _, p := range m.Participants {
			d.Participants = append(d.Participants, events.Participant{Person: p, Party: partyOf[p]})
		}
		steps = append(steps, Step{Line: m.Line, Command: aggregates.Command{Aggregate: events.Meeting(id), At: at, Declare: d}})
		delete(meetings, id)
	}
	for _, m := range s.Meetings {
		if !named[m.ID] {
			declare(m.ID, start)
		}
	}
	for _, e := range s.Timeline {
		for _, id := range mentions(e) {
			declare(id, e.At)
		}
		steps = append(steps, Step{Line: e.Line, Command: aggregates.Command{
			Aggregate: aggregates.Route(e.Meeting, e.By, e.Payload),
			At:        e.At, By: e.By, Party: e.Party, Source: e.Source, CAMEO: e.CAMEO, Payload: e.Payload,
		}})
	}
	return steps
}

// start is when the scenario's declarations happen: its first event, or
// its first expectation if it has no events.
func (s *Scenario) start() events.Time {
	switch {
	case len(s.Timeline) > 0:
		return s.Timeline[0].At
	case len(s.Expect) > 0:
		return s.Expect[0].At
	}
	now := time.Now().UTC()
	return events.Date(now.Year(), now.Month(), now.Day())
}

// mentions returns the meetings entry e names, its own first.
func mentions(e Entry) []string {
	var ids []string
	if e.Meeting != "" {
		ids = append(ids, e.Meeting)
	}
	switch p := e.Payload.(type) {
	case *events.StatementMade:
		if p.About != "" {
			ids = append(ids, p.About)
		}
	case *events.PreconditionAdded:
		if p.Requires != nil {
			ids = append(ids, p.Requires.Held)
		}
	}
	return ids
}

// Plan is a scenario's steps decided against the log, ready to append.
type Plan struct {
	// Pending holds each step's events (none for a step that changes
	// nothing, such as declaring again a meeting the store holds).
	Pending []eventlog.Pending
	// Events counts the events in Pending.
	Events int
}

// Decide checks every step against the branch's current state without
// appending anything: each aggregate's history is loaded once, and the
// events each step causes are folded in memory for the steps after it. A
// step the model refuses is an error naming the file and the step's line;
// the error returned is then an [ErrorList] of every refusal.
func Decide(ctx context.Context, log *eventlog.Log, branch eventlog.Branch, file string, steps []Step, meta commands.Meta) (*Plan, error) {
	type state struct {
		history []events.Event
		expect  uint64
	}
	states := map[events.Ref]*state{}
	var errs ErrorList
	plan := &Plan{Pending: make([]eventlog.Pending, len(steps))}
	for i, st := range steps {
		ref := st.Command.Aggregate
		s := states[ref]
		if s == nil {
			h, err := log.Load(ctx, branch, ref)
			if err != nil {
				return nil, fmt.Errorf("%s: load %s: %w", file, ref, err)
			}
			s = &state{history: h.Events, expect: h.Expect}
			states[ref] = s
		}
		if !branch.IsMain() && !branch.ForkAt.IsZero() && st.Command.Payload != nil && st.Command.At.Precedes(branch.ForkAt) {
			errs.Add(file, st.Line, "%s on %s: at %s is before the branch's fork (%s): a branch adds to the record after its fork", st.Command.Payload.Kind(), ref.ID, st.Command.At, branch.ForkAt)
			continue
		}
		evs, err := commands.Decide(s.history, st.Command)
		if err != nil {
			errs.Add(file, st.Line, "%v", err)
			continue
		}
		commands.Stamp(evs, branch.Name, meta)
		s.history = append(s.history, evs...)
		plan.Pending[i] = eventlog.Pending{Events: evs, Expect: s.expect}
		plan.Events += len(evs)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return plan, nil
}

// ErrIncomplete reports an append that stopped part way: the events before
// the failure are on record, the rest are not.
var ErrIncomplete = errors.New("append stopped part way")
