package scenarios

import (
	"time"

	"github.com/summit-model/summit/aggregates"
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
