package commands

import (
	"context"
	"testing"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/scenarios"
)

// TestCastLooksUpEveryName checks that a name the branch does not hold
// leaves only itself out of the cast: the names after it are looked up.
func TestCastLooksUpEveryName(t *testing.T) {
	ctx := context.Background()
	l := openLog(t)
	h := NewHandler(l, eventlog.Main())
	handle(t, h, declare("m"))
	handle(t, h, aggregates.Command{Aggregate: events.Actor("putin"), At: events.Date(2025, 10, 16), Declare: &events.PersonDeclared{Name: "Vladimir Putin", Party: "RUS"}})
	c, err := h.Cast(ctx, scenarios.Wanted{Actors: []string{"a-ghost", "putin"}, Meetings: []string{"a-ghost-meeting", "m"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.People["putin"]; !ok {
		t.Errorf("putin, declared on the branch, is not in the cast: %+v", c.People)
	}
	if _, ok := c.Meetings["m"]; !ok {
		t.Errorf("meeting m, declared on the branch, is not in the cast: %+v", c.Meetings)
	}
	if _, ok := c.People["a-ghost"]; ok {
		t.Errorf("a-ghost, never declared, is in the cast")
	}
}
