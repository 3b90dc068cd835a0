package aggregates

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/summit-model/summit/events"
)

func TestDecideActor(t *testing.T) {
	at := events.Date(2025, time.October, 16)
	trump := &events.PersonDeclared{Name: "Donald Trump", Party: "USA", Role: "President"}
	declare := Command{Aggregate: events.Actor("trump"), At: at, Declare: trump}
	call := Command{Aggregate: events.Actor("trump"), At: at, By: "trump", Party: "USA",
		Payload: &events.CallHeld{Participants: []string{"trump", "putin"}, InitiatedBy: "trump"}}
	tests := []struct {
		name  string
		given []Command
		when  Command
		then  []events.Kind
		err   error
	}{
		{name: "declaring a person", when: declare, then: kinds(events.KindPersonDeclared)},
		{name: "declaring a party", when: Command{Aggregate: events.Actor("USA"), At: at, Declare: &events.PartyDeclared{Name: "United States"}}, then: kinds(events.KindPartyDeclared)},
		{name: "declaring the same person again", given: []Command{declare}, when: declare, then: nil},
		{name: "a call", given: []Command{declare}, when: call, then: kinds(events.KindCallHeld)},
		{name: "a statement about no meeting", given: []Command{declare}, when: Command{Aggregate: events.Actor("trump"), At: at, By: "trump", Payload: &events.StatementMade{Stance: events.StanceSupportive}}, then: kinds(events.KindStatementMade)},
		{name: "an earlier call after a later one", given: []Command{declare, call}, when: Command{Aggregate: events.Actor("trump"), At: events.Date(2025, 8, 1), By: "trump", Payload: &events.CallHeld{Participants: []string{"trump", "putin"}}}, then: kinds(events.KindCallHeld)},
		{name: "an undeclared actor", when: call, err: ErrUndeclared},
		{name: "a person declared as another", given: []Command{declare}, when: Command{Aggregate: events.Actor("trump"), At: at, Declare: &events.PersonDeclared{Name: "Donald Trump", Party: "RUS"}}, err: ErrRedeclared},
		{name: "a person declared as a party", given: []Command{declare}, when: Command{Aggregate: events.Actor("trump"), At: at, Declare: &events.PartyDeclared{Name: "Donald Trump"}}, err: ErrRedeclared},
		{name: "a meeting event on an actor", given: []Command{declare}, when: Command{Aggregate: events.Actor("trump"), At: at, Payload: &events.MeetingHeld{}}, err: ErrWrongAggregate},
		{name: "a statement about a meeting on an actor", given: []Command{declare}, when: Command{Aggregate: events.Actor("trump"), At: at, Payload: &events.StatementMade{About: "m", Stance: events.StanceOpposed}}, err: ErrWrongAggregate},
		{name: "a meeting declaration on an actor", when: Command{Aggregate: events.Actor("trump"), At: at, Declare: declaration}, err: ErrInvalid},
		{name: "a retraction of a call", given: []Command{declare, named(call, "c1")}, when: Command{Aggregate: events.Actor("trump"), At: at, By: "trump", Payload: &events.EventRetracted{Retracts: "c1"}}, then: kinds(events.KindEventRetracted)},
		{name: "a correction of a call", given: []Command{declare, named(call, "c1")}, when: correcting(Command{Aggregate: events.Actor("trump"), At: at, By: "trump", Payload: &events.CallHeld{Participants: []string{"trump", "zelensky"}}}, "c1"), then: kinds(events.KindCallHeld)},
		{name: "a retraction of nothing", given: []Command{declare}, when: Command{Aggregate: events.Actor("trump"), At: at, By: "trump", Payload: &events.EventRetracted{Retracts: "c1"}}, err: ErrUnknownRef},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var records []events.Event
			for _, c := range tt.given {
				es, err := DecideActor(FoldActor(records), records, c)
				if err != nil {
					t.Fatalf("given: %v", err)
				}
				records = append(records, es...)
			}
			got, err := DecideActor(FoldActor(records), records, tt.when)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("DecideActor = %v, %v; want %v", got, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var ks []events.Kind
			for _, e := range got {
				ks = append(ks, e.Kind())
			}
			if diff := cmp.Diff(tt.then, ks); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRoute(t *testing.T) {
	tests := []struct {
		p    events.Payload
		want events.Ref
	}{
		{&events.MeetingProposed{}, events.Meeting("m")},
		{&events.PreconditionMet{Precondition: "p"}, events.Meeting("m")},
		{&events.StatementMade{About: "other"}, events.Meeting("other")},
		{&events.StatementMade{}, events.Actor("peskov")},
		{&events.CallHeld{Participants: []string{"rubio", "lavrov"}, InitiatedBy: "lavrov"}, events.Actor("lavrov")},
		{&events.CallHeld{Participants: []string{"rubio", "lavrov"}}, events.Actor("rubio")},
		{&events.SanctionsImposed{Target: "Rosneft"}, events.Actor("peskov")},
		{&events.MeetingEnded{}, events.Meeting("m")},
		{&events.ParticipantsChanged{}, events.Meeting("m")},
		{&events.EventRetracted{Retracts: "x"}, events.Meeting("m")},
	}
	for _, tt := range tests {
		if got := Route("m", "peskov", tt.p); got != tt.want {
			t.Errorf("Route(%s) = %s, want %s", tt.p.Kind(), got, tt.want)
		}
	}
}
