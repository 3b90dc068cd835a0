package scenarios

import (
	"context"
	"strings"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
)

// CastOf returns the cast a store holds on branch: the parties, people and
// meetings declared there, which an event file appended to it may name
// without declaring them again.
func CastOf(ctx context.Context, log *eventlog.Log, branch eventlog.Branch) (*Cast, error) {
	c := &Cast{Parties: map[string]Party{}, People: map[string]Person{}, Meetings: map[string]Meeting{}}
	names := []string{events.Main}
	if !branch.IsMain() {
		names = append(names, branch.Name)
	}
	actors := map[string]bool{}
	for _, name := range names {
		for _, kind := range []events.AggregateType{events.AggregateActor, events.AggregateMeeting} {
			subjects, err := log.Subjects(ctx, eventlog.SubjectRoot+"."+name+"."+string(kind)+".*")
			if err != nil {
				return nil, err
			}
			for subject := range subjects {
				id := subject[strings.LastIndexByte(subject, '.')+1:]
				if kind == events.AggregateMeeting {
					c.Meetings[id] = Meeting{ID: id}
				} else {
					actors[id] = true
				}
			}
		}
	}
	for id := range actors {
		h, err := log.Load(ctx, branch, events.Actor(id))
		if err != nil {
			return nil, err
		}
		var a aggregates.Actor
		for _, e := range h.Events {
			a = aggregates.EvolveActor(a, e)
		}
		switch {
		case !a.Declared():
		case a.IsParty:
			c.Parties[id] = Party{ID: id, Name: a.Name}
		default:
			c.People[id] = Person{ID: id, Name: a.Name, Party: a.Party, Role: a.Role}
		}
	}
	return c, nil
}
