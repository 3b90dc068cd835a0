package aggregates

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/uuid"

	"github.com/summit-model/summit/events"
)

// The vocabulary of the tests: a Trump-Putin summit, its events on dates in
// October 2025, and commands built from them.

const summit = "budapest-summit"

var declaration = &events.MeetingDeclared{
	Title:        "Trump-Putin summit in Budapest",
	Participants: []events.Participant{{Person: "trump", Party: "USA"}, {Person: "putin", Party: "RUS"}},
}

func day(d int) events.Time { return events.Date(2025, time.October, d) }

var parties = map[string]string{"trump": "USA", "rubio": "USA", "witkoff": "USA", "putin": "RUS", "peskov": "RUS", "lavrov": "RUS", "zelensky": "UKR", "orban": "HUN", "USA": "USA", "RUS": "RUS", "UKR": "UKR"}

// act is a command on the summit by a person on day d.
func act(d int, by string, p events.Payload) Command {
	return Command{Aggregate: events.Meeting(summit), At: day(d), By: by, Party: parties[by], Payload: p}
}

// named returns c with a ref name.
func named(c Command, ref string) Command {
	c.RefName = ref
	return c
}

// correcting returns c as a correction of the event named ref.
func correcting(c Command, ref string) Command {
	c.Corrects = ref
	return c
}

// reported returns c reported on day d.
func reported(c Command, d int) Command {
	c.Reported = day(d)
	return c
}

// history decides each command in turn on the whole history so far and
// returns the events in record order, each with an id; it fails the test
// if any is refused.
func history(t *testing.T, cmds ...Command) []events.Event {
	t.Helper()
	var records []events.Event
	for i, c := range cmds {
		es, err := Decide(Whole(records), c)
		if err != nil {
			t.Fatalf("given command %d (%s): %v", i, c.Kind(), err)
		}
		for j := range es {
			es[j].ID = uuid.New()
		}
		records = append(records, es...)
	}
	return records
}

var (
	declared   = Command{Aggregate: events.Meeting(summit), At: day(16), Declare: declaration}
	floated    = act(16, "trump", &events.MeetingFloated{})
	proposed   = act(16, "trump", &events.MeetingProposed{Venue: "Budapest", Within: &events.Span{Days: 14}})
	usAccepts  = act(17, "trump", &events.MeetingAccepted{})
	ruAccepts  = act(17, "peskov", &events.MeetingAccepted{})
	ruDeclines = act(19, "lavrov", &events.MeetingDeclined{Reason: "no"})
	scheduled  = act(18, "trump", &events.MeetingScheduled{Date: events.OneDay(day(30)), Venue: "Budapest"})
	twoDays    = act(18, "trump", &events.MeetingScheduled{Date: events.Days{From: day(27), To: day(28)}, Venue: "Budapest"})
	postponed  = act(21, "putin", &events.MeetingPostponed{Reason: "serious preparation"})
	cancelled  = act(22, "trump", &events.MeetingCancelled{Reason: "it didn't feel right"})
	held       = act(30, "trump", &events.MeetingHeld{Venue: "Budapest"})
	ended      = act(31, "trump", &events.MeetingEnded{Early: true, Outcome: "no deal"})
	prepAdded  = act(16, "trump", &events.PreconditionAdded{Precondition: "fm-prep", Description: "the foreign ministers prepare", Requires: &events.Requirement{Held: "rubio-lavrov-prep"}})
	prepMet    = act(25, "trump", &events.PreconditionMet{Precondition: "fm-prep"})

	delegations  = Command{Aggregate: events.Meeting(summit), At: day(16), Declare: &events.MeetingDeclared{Title: "talks", Participants: []events.Participant{{Party: "USA"}, {Party: "RUS"}}}}
	witkoffNamed = act(18, "USA", &events.ParticipantsChanged{Add: []events.Participant{{Person: "witkoff", Party: "USA"}}})
)

func claim(d int, by, word string) Command {
	return act(d, by, &events.StatementMade{About: summit, Stance: events.StanceNoncommittal, Claim: word})
}

func TestDecide(t *testing.T) {
	tests := []struct {
		name  string
		given []Command
		when  Command
		// then is the kinds of the events decided, or err the rule broken.
		then []events.Kind
		err  error
		// conflict, for a refusal, is the kind of the other event it names.
		conflict events.Kind
		// status is the meeting's status after the events decided.
		status Status
	}{
		// The life of a meeting.
		{name: "declaring a new meeting", when: declared, then: kinds(events.KindMeetingDeclared), status: StatusNamed},
		{name: "declaring and floating in one command", when: withDeclare(floated), then: kinds(events.KindMeetingDeclared, events.KindMeetingFloated), status: StatusFloated},
		{name: "declaring again the same way is a no-op", given: []Command{declared}, when: declared, then: nil, status: StatusNamed},
		{name: "declaring again after the participants changed", given: []Command{delegations, witkoffNamed}, when: delegations, then: nil, status: StatusNamed},
		{name: "floating", given: []Command{declared}, when: floated, then: kinds(events.KindMeetingFloated), status: StatusFloated},
		{name: "proposing", given: []Command{declared, floated}, when: proposed, then: kinds(events.KindMeetingProposed), status: StatusProposed},
		{name: "the proposer's party accepts by proposing", given: []Command{declared, proposed}, when: ruAccepts, then: kinds(events.KindMeetingAccepted), status: StatusAgreed},
		{name: "an invitation accepted is agreed", given: []Command{declared, act(16, "putin", &events.MeetingProposed{Venue: "Moscow"})}, when: usAccepts, then: kinds(events.KindMeetingAccepted), status: StatusAgreed},
		{name: "every party accepting a floated idea", given: []Command{declared, floated, usAccepts}, when: ruAccepts, then: kinds(events.KindMeetingAccepted), status: StatusAgreed},
		{name: "one party accepting a floated idea", given: []Command{declared, floated}, when: usAccepts, then: kinds(events.KindMeetingAccepted), status: StatusFloated},
		{name: "a decline is a status", given: []Command{declared, proposed, ruAccepts}, when: ruDeclines, then: kinds(events.KindMeetingDeclined), status: StatusDeclined},
		{name: "a decline of a scheduled meeting", given: []Command{declared, proposed, scheduled}, when: ruDeclines, then: kinds(events.KindMeetingDeclined), status: StatusDeclined},
		{name: "accepting revives a declined meeting", given: []Command{declared, proposed, ruDeclines}, when: act(20, "putin", &events.MeetingAccepted{}), then: kinds(events.KindMeetingAccepted), status: StatusAgreed},
		{name: "a new proposal does not undo a party's decline", given: []Command{declared, proposed, ruDeclines}, when: act(20, "trump", &events.MeetingProposed{Within: &events.Span{Days: 7}}), then: kinds(events.KindMeetingProposed), status: StatusDeclined},
		{name: "a proposal by the party that declined revives it", given: []Command{declared, proposed, ruDeclines}, when: act(20, "putin", &events.MeetingProposed{Venue: "Moscow"}), then: kinds(events.KindMeetingProposed), status: StatusAgreed},
		{name: "scheduling", given: []Command{declared, proposed, ruAccepts}, when: scheduled, then: kinds(events.KindMeetingScheduled), status: StatusScheduled},
		{name: "scheduling over two days", given: []Command{declared, proposed}, when: twoDays, then: kinds(events.KindMeetingScheduled), status: StatusScheduled},
		{name: "postponing a proposal", given: []Command{declared, proposed}, when: postponed, then: kinds(events.KindMeetingPostponed), status: StatusPostponed},
		{name: "postponing a scheduled meeting", given: []Command{declared, proposed, scheduled}, when: postponed, then: kinds(events.KindMeetingPostponed), status: StatusPostponed},
		{name: "a new schedule revives a postponed meeting", given: []Command{declared, proposed, postponed}, when: act(22, "trump", &events.MeetingScheduled{Date: events.OneDay(day(30))}), then: kinds(events.KindMeetingScheduled), status: StatusScheduled},
		{name: "a new proposal revives a postponed meeting", given: []Command{declared, proposed, postponed}, when: act(22, "trump", &events.MeetingProposed{Within: &events.Span{Days: 7}}), then: kinds(events.KindMeetingProposed), status: StatusProposed},
		{name: "a new proposal keeps agreement in principle", given: []Command{declared, proposed, ruAccepts, postponed}, when: act(22, "trump", &events.MeetingProposed{Within: &events.Span{Days: 7}}), then: kinds(events.KindMeetingProposed), status: StatusAgreed},
		{name: "floating a postponed meeting does not revive it", given: []Command{declared, proposed, postponed}, when: act(22, "trump", &events.MeetingFloated{}), then: kinds(events.KindMeetingFloated), status: StatusPostponed},
		{name: "cancelling", given: []Command{declared, proposed}, when: cancelled, then: kinds(events.KindMeetingCancelled), status: StatusCancelled},
		{name: "cancelling a postponed meeting", given: []Command{declared, proposed, postponed}, when: cancelled, then: kinds(events.KindMeetingCancelled), status: StatusCancelled},
		{name: "a proposal revives a cancelled meeting", given: []Command{declared, proposed, cancelled}, when: act(23, "trump", &events.MeetingProposed{Venue: "Budapest"}), then: kinds(events.KindMeetingProposed), status: StatusProposed},
		{name: "an acceptance revives a cancelled meeting", given: []Command{declared, proposed, ruAccepts, cancelled}, when: act(23, "trump", &events.MeetingAccepted{}), then: kinds(events.KindMeetingAccepted), status: StatusAgreed},
		{name: "a schedule revives a cancelled meeting", given: []Command{declared, proposed, cancelled}, when: act(23, "trump", &events.MeetingScheduled{Date: events.OneDay(day(30))}), then: kinds(events.KindMeetingScheduled), status: StatusScheduled},
		{name: "floating does not revive a cancelled meeting", given: []Command{declared, proposed, cancelled}, when: act(23, "trump", &events.MeetingFloated{}), then: kinds(events.KindMeetingFloated), status: StatusCancelled},
		{name: "holding a scheduled meeting", given: []Command{declared, proposed, scheduled}, when: held, then: kinds(events.KindMeetingHeld), status: StatusHeld},
		{name: "holding a meeting nobody announced", given: []Command{declared}, when: held, then: kinds(events.KindMeetingHeld), status: StatusHeld},
		{name: "holding with unmet preconditions", given: []Command{declared, proposed, prepAdded}, when: held, then: kinds(events.KindMeetingHeld), status: StatusHeld},
		{name: "a held meeting ends", given: []Command{declared, twoDays, act(27, "trump", &events.MeetingHeld{})}, when: act(28, "trump", &events.MeetingEnded{Early: true}), then: kinds(events.KindMeetingEnded), status: StatusHeld},
		{name: "a statement after the meeting was held", given: []Command{declared, held}, when: claim(31, "peskov", "held"), then: kinds(events.KindStatementMade), status: StatusHeld},

		// Participants.
		{name: "naming a delegate", given: []Command{delegations}, when: witkoffNamed, then: kinds(events.KindParticipantsChanged), status: StatusNamed},
		{name: "a party named alone accepts", given: []Command{delegations, act(16, "RUS", &events.MeetingProposed{})}, when: act(17, "USA", &events.MeetingAccepted{}), then: kinds(events.KindMeetingAccepted), status: StatusAgreed},
		{name: "a delegate accepts for their party", given: []Command{delegations, act(16, "RUS", &events.MeetingProposed{}), witkoffNamed}, when: act(19, "witkoff", &events.MeetingAccepted{}), then: kinds(events.KindMeetingAccepted), status: StatusAgreed},
		{name: "a party dropped no longer has to accept", given: []Command{declared, act(16, "trump", &events.MeetingProposed{}), act(16, "trump", &events.ParticipantsChanged{Add: []events.Participant{{Party: "UKR"}}})}, when: act(18, "trump", &events.ParticipantsChanged{Remove: []events.Participant{{Party: "RUS"}}}), then: kinds(events.KindParticipantsChanged), status: StatusProposed},
		{name: "participants change after the meeting was held", given: []Command{delegations, held}, when: witkoffNamed, then: kinds(events.KindParticipantsChanged), status: StatusHeld},

		// Preconditions.
		{name: "adding a precondition", given: []Command{declared, proposed}, when: prepAdded, then: kinds(events.KindPreconditionAdded), status: StatusProposed},
		{name: "meeting a precondition", given: []Command{declared, proposed, prepAdded}, when: prepMet, then: kinds(events.KindPreconditionMet), status: StatusProposed},
		{name: "failing a precondition", given: []Command{declared, proposed, prepAdded}, when: act(25, "putin", &events.PreconditionFailed{Precondition: "fm-prep"}), then: kinds(events.KindPreconditionFailed), status: StatusProposed},
		{name: "waiving a precondition", given: []Command{declared, proposed, prepAdded}, when: act(25, "trump", &events.PreconditionWaived{Precondition: "fm-prep"}), then: kinds(events.KindPreconditionWaived), status: StatusProposed},
		{name: "meeting a failed precondition after all", given: []Command{declared, proposed, prepAdded, act(24, "putin", &events.PreconditionFailed{Precondition: "fm-prep"})}, when: prepMet, then: kinds(events.KindPreconditionMet), status: StatusProposed},
		{name: "a cancelled meeting's precondition can still be met", given: []Command{declared, proposed, prepAdded, cancelled}, when: prepMet, then: kinds(events.KindPreconditionMet), status: StatusCancelled},

		// Claims: anyone may say anything.
		{name: "a claim about an open meeting", given: []Command{declared, proposed}, when: claim(21, "peskov", "unscheduled"), then: kinds(events.KindStatementMade), status: StatusProposed},
		{name: "a claim that someone is willing", given: []Command{declared, proposed}, when: claim(21, "putin", "willing"), then: kinds(events.KindStatementMade), status: StatusProposed},
		{name: "a claim that it is ruled out", given: []Command{declared, proposed}, when: claim(21, "trump", "ruled-out"), then: kinds(events.KindStatementMade), status: StatusProposed},
		{name: "a claim about a cancelled meeting", given: []Command{declared, proposed, cancelled}, when: claim(23, "putin", "postponed"), then: kinds(events.KindStatementMade), status: StatusCancelled},

		// Late reports: decided in their place in world order.
		{name: "a late acceptance", given: []Command{declared, proposed, claim(21, "peskov", "unscheduled")}, when: reported(act(18, "putin", &events.MeetingAccepted{}), 22), then: kinds(events.KindMeetingAccepted), status: StatusAgreed},
		{name: "a late statement before the latest event", given: []Command{declared, proposed, cancelled}, when: reported(claim(19, "lavrov", "proposed"), 23), then: kinds(events.KindStatementMade), status: StatusCancelled},
		{name: "a late postponement before a cancellation", given: []Command{declared, proposed, cancelled}, when: reported(postponed, 23), then: kinds(events.KindMeetingPostponed), status: StatusCancelled},
		{name: "a late holding before a cancellation that stands", given: []Command{declared, proposed, cancelled}, when: reported(act(20, "trump", &events.MeetingHeld{}), 23), err: ErrFinal, conflict: events.KindMeetingCancelled},
		{name: "a late cancellation before the holding", given: []Command{declared, proposed, held}, when: reported(act(25, "trump", &events.MeetingCancelled{}), 31), err: ErrCancelled, conflict: events.KindMeetingHeld},
		{name: "a late end before the holding", given: []Command{declared, held}, when: act(29, "trump", &events.MeetingEnded{}), err: ErrNotHeld},
		{name: "a late precondition met after a later one failed", given: []Command{declared, prepAdded, act(24, "putin", &events.PreconditionFailed{Precondition: "fm-prep"})}, when: reported(act(20, "trump", &events.PreconditionMet{Precondition: "fm-prep"}), 25), then: kinds(events.KindPreconditionMet), status: StatusNamed},
		{name: "a late scheduling after which a postponement's until falls", given: []Command{declared, proposed, act(21, "putin", &events.MeetingPostponed{Until: ptr(day(25))})}, when: reported(act(19, "trump", &events.MeetingScheduled{Date: events.OneDay(day(28))}), 22), then: kinds(events.KindMeetingScheduled), status: StatusPostponed},

		// Corrections and retractions.
		{name: "a correction of a date", given: []Command{declared, proposed, named(scheduled, "date1")}, when: correcting(act(18, "trump", &events.MeetingScheduled{Date: events.OneDay(day(29))}), "date1"), then: kinds(events.KindMeetingScheduled), status: StatusScheduled},
		{name: "a correction of a cancellation into a postponement", given: []Command{declared, proposed, named(cancelled, "cxl")}, when: correcting(act(22, "trump", &events.MeetingPostponed{}), "cxl"), then: kinds(events.KindMeetingPostponed), status: StatusPostponed},
		{name: "a retraction of a cancellation", given: []Command{declared, proposed, named(cancelled, "cxl")}, when: act(23, "peskov", &events.EventRetracted{Retracts: "cxl", Reason: "denied"}), then: kinds(events.KindEventRetracted), status: StatusProposed},
		{name: "a retraction of a correction's original name", given: []Command{declared, proposed, named(cancelled, "cxl"), correcting(act(22, "trump", &events.MeetingPostponed{}), "cxl")}, when: act(23, "peskov", &events.EventRetracted{Retracts: "cxl"}), then: kinds(events.KindEventRetracted), status: StatusProposed},
		{name: "a retraction of the holding, whose end stands", given: []Command{declared, twoDays, named(act(27, "trump", &events.MeetingHeld{}), "h"), act(28, "trump", &events.MeetingEnded{})}, when: act(29, "trump", &events.EventRetracted{Retracts: "h"}), err: ErrNotHeld, conflict: events.KindMeetingEnded},
		{name: "a correction that holds a cancelled meeting", given: []Command{declared, proposed, named(claim(20, "trump", "held"), "c"), cancelled}, when: correcting(act(23, "trump", &events.MeetingHeld{}), "c"), err: ErrCancelled, conflict: events.KindStatementMade},
		{name: "a retraction of nothing", given: []Command{declared, proposed}, when: act(23, "peskov", &events.EventRetracted{Retracts: "nothing"}), err: ErrUnknownRef},
		{name: "a retraction of a retracted event", given: []Command{declared, proposed, named(cancelled, "cxl"), act(23, "peskov", &events.EventRetracted{Retracts: "cxl"})}, when: act(24, "peskov", &events.EventRetracted{Retracts: "cxl"}), err: ErrUnknownRef},
		{name: "a correction of nothing", given: []Command{declared, proposed}, when: correcting(cancelled, "nothing"), err: ErrUnknownRef},

		// Refusals: the life of a meeting.
		{name: "a cancelled meeting cannot be held", given: []Command{declared, proposed, cancelled}, when: held, err: ErrCancelled},
		{name: "a held meeting cannot be cancelled", given: []Command{declared, proposed, held}, when: act(31, "trump", &events.MeetingCancelled{}), err: ErrFinal},
		{name: "a held meeting cannot be postponed", given: []Command{declared, proposed, held}, when: act(31, "trump", &events.MeetingPostponed{}), err: ErrFinal},
		{name: "a held meeting cannot be held again", given: []Command{declared, held}, when: act(31, "trump", &events.MeetingHeld{}), err: ErrFinal},
		{name: "a held meeting cannot be rescheduled", given: []Command{declared, held}, when: act(31, "trump", &events.MeetingScheduled{Date: events.OneDay(events.Date(2025, 11, 5))}), err: ErrFinal},
		{name: "a held meeting cannot be proposed again", given: []Command{declared, held}, when: act(31, "trump", &events.MeetingProposed{}), err: ErrFinal},
		{name: "a held meeting cannot be declined", given: []Command{declared, proposed, held}, when: act(31, "putin", &events.MeetingDeclined{}), err: ErrFinal},
		{name: "a held meeting takes no new precondition", given: []Command{declared, held}, when: act(31, "trump", &events.PreconditionAdded{Precondition: "x"}), err: ErrFinal},
		{name: "a meeting not held cannot end", given: []Command{declared, proposed}, when: ended, err: ErrNotHeld},
		{name: "a meeting cannot end twice", given: []Command{declared, held, ended}, when: act(31, "trump", &events.MeetingEnded{}), err: ErrEnded},

		// Refusals: participants.
		{name: "adding a participant twice", given: []Command{delegations, witkoffNamed}, when: act(19, "USA", &events.ParticipantsChanged{Add: []events.Participant{{Person: "witkoff", Party: "USA"}}}), err: ErrParticipants},
		{name: "adding a party already represented", given: []Command{declared}, when: act(19, "USA", &events.ParticipantsChanged{Add: []events.Participant{{Party: "USA"}}}), err: ErrParticipants},
		{name: "removing someone absent", given: []Command{declared}, when: act(19, "USA", &events.ParticipantsChanged{Remove: []events.Participant{{Person: "rubio", Party: "USA"}}}), err: ErrParticipants},
		{name: "removing everyone", given: []Command{declared}, when: act(19, "USA", &events.ParticipantsChanged{Remove: []events.Participant{{Party: "USA"}, {Party: "RUS"}}}), err: ErrParticipants},

		// Refusals: preconditions.
		{name: "an unknown precondition cannot be met", given: []Command{declared, proposed}, when: prepMet, err: ErrUnknownPrecondition},
		{name: "an unknown precondition cannot fail", given: []Command{declared, proposed}, when: act(25, "trump", &events.PreconditionFailed{Precondition: "agenda"}), err: ErrUnknownPrecondition},
		{name: "an unknown precondition cannot be waived", given: []Command{declared, proposed}, when: act(25, "trump", &events.PreconditionWaived{Precondition: "agenda"}), err: ErrUnknownPrecondition},
		{name: "a precondition cannot be met twice", given: []Command{declared, proposed, prepAdded, prepMet}, when: act(26, "trump", &events.PreconditionMet{Precondition: "fm-prep"}), err: ErrPreconditionSettled},
		{name: "a precondition cannot be waived twice", given: []Command{declared, proposed, prepAdded, act(25, "trump", &events.PreconditionWaived{Precondition: "fm-prep"})}, when: act(26, "trump", &events.PreconditionWaived{Precondition: "fm-prep"}), err: ErrPreconditionSettled},
		{name: "a precondition cannot be added twice", given: []Command{declared, proposed, prepAdded}, when: prepAdded, err: ErrDuplicatePrecondition},
		{name: "a meeting cannot require itself", given: []Command{declared}, when: act(16, "trump", &events.PreconditionAdded{Precondition: "self", Requires: &events.Requirement{Held: summit}}), err: ErrSelfRequirement},

		// Refusals: who may accept.
		{name: "a non-participant cannot accept", given: []Command{declared, proposed}, when: act(17, "zelensky", &events.MeetingAccepted{}), err: ErrNotParticipant},
		{name: "a non-participant cannot decline", given: []Command{declared, proposed}, when: act(17, "orban", &events.MeetingDeclined{}), err: ErrNotParticipant},
		{name: "nothing to accept before a proposal", given: []Command{declared}, when: usAccepts, err: ErrNothingProposed},

		// Refusals: the record's shape.
		{name: "an undeclared meeting takes no event", when: floated, err: ErrUndeclared},
		{name: "a declaration that differs", given: []Command{declared}, when: Command{Aggregate: events.Meeting(summit), At: day(17), Declare: &events.MeetingDeclared{Title: "Another summit", Participants: declaration.Participants}}, err: ErrRedeclared},
		{name: "a date before the event that sets it", given: []Command{declared, proposed}, when: act(20, "trump", &events.MeetingScheduled{Date: events.OneDay(day(19))}), err: ErrDateBeforeEvent},
		{name: "a range that ends before the event that sets it", given: []Command{declared, proposed}, when: act(20, "trump", &events.MeetingScheduled{Date: events.Days{From: day(18), To: day(19)}}), err: ErrDateBeforeEvent},
		{name: "a postponement until the past", given: []Command{declared, proposed}, when: act(20, "trump", &events.MeetingPostponed{Until: ptr(day(19))}), err: ErrDateBeforeEvent},
		{name: "a window that ends after 2199", given: []Command{declared}, when: Command{Aggregate: events.Meeting(summit), At: events.Date(2199, 12, 31), By: "trump", Party: "USA", Payload: &events.MeetingProposed{Within: &events.Span{Days: 1}}}, err: ErrInvalid},
		{name: "an actor event on a meeting", given: []Command{declared}, when: act(16, "trump", &events.CallHeld{Participants: []string{"trump", "putin"}}), err: ErrWrongAggregate},
		{name: "a malformed payload", given: []Command{declared}, when: act(16, "trump", &events.StatementMade{About: summit, Stance: "furious"}), err: ErrInvalid},
		{name: "a meeting command on an actor", when: Command{Aggregate: events.Actor("trump"), At: day(16), Payload: &events.MeetingFloated{}}, err: ErrWrongAggregate},
		{name: "a declaration cannot be retracted", given: []Command{named(declared, "d")}, when: act(17, "trump", &events.EventRetracted{Retracts: "d"}), err: ErrUnknownRef},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			given := history(t, tt.given...)
			got, err := Decide(Whole(given), tt.when)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("Decide = %v, %v; want error %v", got, err, tt.err)
				}
				var refused *RefusedError
				if !errors.As(err, &refused) || refused.Aggregate != tt.when.Aggregate {
					t.Fatalf("error %v does not name the aggregate %s", err, tt.when.Aggregate)
				}
				switch {
				case tt.conflict == "" && refused.Conflict != nil:
					t.Errorf("error %v names a conflict; want none", err)
				case tt.conflict != "" && (refused.Conflict == nil || refused.Conflict.Kind() != tt.conflict):
					t.Errorf("error %v; want it to name the %s it conflicts with", err, tt.conflict)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decide: %v", err)
			}
			var gotKinds []events.Kind
			base := uint64(len(given))
			for i, e := range got {
				gotKinds = append(gotKinds, e.Kind())
				if want := base + uint64(i) + 1; e.Version != want {
					t.Errorf("event %d has version %d, want %d", i, e.Version, want)
				}
			}
			if diff := cmp.Diff(tt.then, gotKinds); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			if m := Fold(append(given, got...)); m.Status != tt.status {
				t.Errorf("status = %s, want %s", m.Status, tt.status)
			}
		})
	}
}

// TestDecidePartial checks that a partial history decides what comes after
// its base as the whole history does, and asks for the whole history for
// what does not.
func TestDecidePartial(t *testing.T) {
	given := history(t, declared, proposed, prepAdded, named(scheduled, "s"), claim(21, "peskov", "scheduled"))
	whole := Whole(given)
	partial := whole.Trim(1)
	if partial.IsWhole() || len(partial.Tail) != 1 {
		t.Fatalf("Trim(1) = %d in the tail, whole %v", len(partial.Tail), partial.IsWhole())
	}
	if diff := cmp.Diff(whole.State(), partial.State()); diff != "" {
		t.Fatalf("a trimmed history folds to another state (-whole +trimmed):\n%s", diff)
	}
	// A statement dated before the base is decided without the history too
	// ([Place]); anything else dated there needs it.
	for _, c := range []Command{prepMet, cancelled, reported(claim(21, "trump", "agreed"), 22), reported(claim(20, "trump", "agreed"), 22), reported(claim(17, "trump", "agreed"), 22)} {
		want, werr := Decide(whole, c)
		got, gerr := Decide(partial, c)
		if werr != nil || gerr != nil {
			t.Errorf("%s: whole %v, partial %v", c.Kind(), werr, gerr)
			continue
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s decided differently (-whole +partial):\n%s", c.Kind(), diff)
		}
	}
	for _, c := range []Command{
		reported(usAccepts, 22),
		correcting(act(18, "trump", &events.MeetingScheduled{Date: events.OneDay(day(29))}), "s"),
		correcting(claim(17, "trump", "agreed"), "s"),
		act(23, "peskov", &events.EventRetracted{Retracts: "s"}),
	} {
		if _, err := Decide(partial, c); !errors.Is(err, ErrNeedHistory) {
			t.Errorf("%s of %s on a partial history: %v, want ErrNeedHistory", c.Kind(), c.At, err)
		}
	}
}

// TestLateStatementWithoutTheHistory checks, given a history trimmed to a
// base and one event, when a statement dated before the base comes, that
// it is decided and folded as on the whole history, or that the whole
// history is asked for when only it can tell.
func TestLateStatementWithoutTheHistory(t *testing.T) {
	given := history(t, declared, proposed, claim(18, "trump", "agreed"), scheduled, claim(20, "peskov", "scheduled"), claim(21, "lavrov", "scheduled"))
	partial := Whole(given).Trim(1) // the base ends with peskov's claim of the 20th
	tests := []struct {
		name string
		when Command
		// claims is each speaker's claim after it, or nil if the whole
		// history is needed.
		claims map[string]string
	}{
		{"a claim before the speaker's own on record: theirs stands", reported(claim(17, "trump", "cancelled"), 22), map[string]string{"trump": "agreed", "peskov": "scheduled", "lavrov": "scheduled"}},
		{"a claim after the speaker's own on record: it stands", reported(claim(19, "trump", "cancelled"), 22), map[string]string{"trump": "cancelled", "peskov": "scheduled", "lavrov": "scheduled"}},
		{"the first claim of its speaker", reported(claim(16, "putin", "postponed"), 22), map[string]string{"trump": "agreed", "peskov": "scheduled", "lavrov": "scheduled", "putin": "postponed"}},
		{"a claim before the speaker's own in the tail: theirs stands", reported(claim(16, "lavrov", "postponed"), 22), map[string]string{"trump": "agreed", "peskov": "scheduled", "lavrov": "scheduled"}},
		{"a statement without a claim", reported(act(16, "putin", &events.StatementMade{About: summit, Stance: events.StanceSupportive}), 22), map[string]string{"trump": "agreed", "peskov": "scheduled", "lavrov": "scheduled"}},
		{"a claim the same day as the speaker's own: which came first is in the history", reported(claim(18, "trump", "cancelled"), 22), nil},
		{"an acceptance: the rules read it", reported(ruAccepts, 22), nil},
		{"a correction: it stands in another's place", correcting(reported(claim(17, "trump", "cancelled"), 22), "s"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decide(partial, tt.when)
			if tt.claims == nil {
				if !errors.Is(err, ErrNeedHistory) {
					t.Fatalf("decided %v (%v), want ErrNeedHistory", got, err)
				}
				return
			}
			want, werr := Decide(Whole(given), tt.when)
			if err != nil || werr != nil {
				t.Fatalf("partial %v, whole %v", err, werr)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("decided differently (-whole +partial):\n%s", diff)
			}
			folded := Fold(append(slices.Clip(given), got...))
			after := partial.With(got...).State()
			if diff := cmp.Diff(folded, after); diff != "" {
				t.Errorf("placed without the history, the state differs from the fold (-fold +placed):\n%s", diff)
			}
			claims := map[string]string{}
			for _, c := range after.Claims {
				claims[c.Speaker] = c.Status
			}
			if diff := cmp.Diff(tt.claims, claims); diff != "" {
				t.Errorf("claims (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRefusedErrorNamesMeetingStateAndEvent(t *testing.T) {
	tests := []struct {
		given []Command
		when  Command
		want  string
	}{
		{
			given: []Command{declared, proposed, cancelled},
			when:  held,
			want:  "meeting budapest-summit (cancelled) refuses meeting.held of 2025-10-30: the meeting is cancelled (a proposal, an acceptance or a scheduling would revive it) (since 2025-10-22 meeting.cancelled by trump)",
		},
		{
			given: []Command{declared, proposed, named(cancelled, "trump-letter")},
			when:  act(20, "trump", &events.MeetingHeld{}),
			want:  "meeting budapest-summit refuses meeting.held of 2025-10-20: then the meeting.cancelled of 2025-10-22 by trump (ref trump-letter), which stands, breaks a rule: the meeting is held, which is final (since 2025-10-20 meeting.held by trump)",
		},
	}
	for _, tt := range tests {
		_, err := Decide(Whole(history(t, tt.given...)), tt.when)
		if err == nil || err.Error() != tt.want {
			t.Errorf("error =\n%v\nwant\n%s", err, tt.want)
		}
	}
}

func TestDecideDoesNotChangeHistory(t *testing.T) {
	given := history(t, declared, proposed, prepAdded)
	before := Fold(given)
	h := Whole(given)
	for _, c := range []Command{prepMet, usAccepts, reported(act(15, "peskov", &events.StatementMade{About: summit, Stance: events.StanceOpposed, Claim: "cancelled"}), 20)} {
		if _, err := Decide(h, c); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(before, Fold(given)); diff != "" {
		t.Errorf("Decide changed the history it was given (-before +after):\n%s", diff)
	}
}

// TestFoldInWorldOrder checks that a history folds by world time whatever
// order it was recorded in, ties by when each became known, then in record
// order.
func TestFoldInWorldOrder(t *testing.T) {
	at := func(d, h int) events.Time { return events.At(time.Date(2025, 10, d, h, 0, 0, 0, time.UTC)) }
	peskov := func(a events.Time, word string) Command {
		c := claim(0, "peskov", word)
		c.At = a
		return c
	}
	tests := []struct {
		name  string
		given []Command
		want  []Claim
	}{
		{
			// Two files appended one after the other: the later in the
			// record is the earlier in the world.
			name:  "a claim recorded late is not the latest",
			given: []Command{declared, peskov(at(22, 1), "scheduled"), peskov(at(21, 23), "cancelled")},
			want:  []Claim{{Speaker: "peskov", Status: "scheduled", At: at(22, 1)}},
		},
		{
			name:  "of the same day, the one known later is the latest",
			given: []Command{declared, reported(claim(21, "peskov", "cancelled"), 23), reported(claim(21, "peskov", "postponed"), 22)},
			want:  []Claim{{Speaker: "peskov", Status: "cancelled", At: day(21)}},
		},
		{
			name:  "of the same day and report, the later recorded",
			given: []Command{declared, claim(21, "peskov", "cancelled"), claim(21, "peskov", "postponed")},
			want:  []Claim{{Speaker: "peskov", Status: "postponed", At: day(21)}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Fold(history(t, tt.given...)).Claims
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b events.Time) bool { return a.Equal(b.Time) })); diff != "" {
				t.Errorf("claims (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFoldKnown checks reads of what could be known on a date: late reports
// are left out before they were reported, and a correction or retraction
// counts from its own report on.
func TestFoldKnown(t *testing.T) {
	given := history(t,
		declared, proposed,
		named(scheduled, "date"),
		reported(act(19, "putin", &events.MeetingAccepted{}), 24),
		reported(correcting(act(18, "trump", &events.MeetingScheduled{Date: events.OneDay(day(29))}), "date"), 25),
		reported(named(cancelled, "cxl"), 22),
		reported(act(23, "peskov", &events.EventRetracted{Retracts: "cxl", Reason: "denied"}), 26),
	)
	tests := []struct {
		known  int
		status Status
		date   string
		ru     bool
	}{
		{known: 21, status: StatusScheduled, date: "2025-10-30"},
		{known: 23, status: StatusCancelled},
		{known: 25, status: StatusCancelled, ru: true},
		{known: 26, status: StatusCancelled, ru: true},
		{known: 27, status: StatusScheduled, date: "2025-10-29", ru: true},
		{known: 0, status: StatusScheduled, date: "2025-10-29", ru: true},
	}
	for _, tt := range tests {
		var cutoff time.Time
		if tt.known > 0 {
			cutoff = day(tt.known).Time
		}
		m := FoldKnown(given, cutoff)
		date := ""
		if m.Date != nil {
			date = m.Date.String()
		}
		if m.Status != tt.status || date != tt.date || m.IsParticipant("RUS") && contains(m.Accepted, "RUS") != tt.ru {
			t.Errorf("known before October %d: %s, date %q, RUS accepted %v; want %s, %q, %v", tt.known, m.Status, date, contains(m.Accepted, "RUS"), tt.status, tt.date, tt.ru)
		}
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// TestEvolveFields checks that the state shows what holds: no date for a
// postponed meeting, no postponement for a held one, no old window for a
// scheduled one.
func TestEvolveFields(t *testing.T) {
	until := day(30)
	window := &events.Window{From: day(16), To: day(30)}
	tests := []struct {
		name  string
		given []Command
		want  Meeting
	}{
		{
			name:  "a proposal opens its window, and its proposer's party accepts",
			given: []Command{declared, proposed},
			want:  Meeting{Status: StatusProposed, Venue: "Budapest", Window: window, Proposed: true, Accepted: []string{"USA"}},
		},
		{
			name:  "a schedule sets the date and venue, and closes the window",
			given: []Command{declared, proposed, act(18, "trump", &events.MeetingScheduled{Date: events.OneDay(day(28)), Venue: "Buda Castle"})},
			want:  Meeting{Status: StatusScheduled, Venue: "Buda Castle", Date: ptr(events.OneDay(day(28))), Proposed: true, Accepted: []string{"USA"}},
		},
		{
			name:  "a postponement drops the date and keeps its until",
			given: []Command{declared, proposed, scheduled, act(21, "putin", &events.MeetingPostponed{Until: &until})},
			want:  Meeting{Status: StatusPostponed, Venue: "Budapest", Until: &until, Proposed: true, Postponed: true, Accepted: []string{"USA"}},
		},
		{
			name:  "a held meeting has no postponement",
			given: []Command{declared, proposed, act(21, "putin", &events.MeetingPostponed{Until: &until}), act(30, "trump", &events.MeetingHeld{Outcome: "talks"})},
			want:  Meeting{Status: StatusHeld, Venue: "Budapest", HeldAt: ptr(day(30)), Outcome: "talks", Proposed: true, Accepted: []string{"USA"}},
		},
		{
			name:  "a meeting over two days, ended early",
			given: []Command{declared, twoDays, act(27, "trump", &events.MeetingHeld{}), act(28, "trump", &events.MeetingEnded{Early: true, Outcome: "no deal"})},
			want:  Meeting{Status: StatusHeld, Venue: "Budapest", Date: ptr(events.Days{From: day(27), To: day(28)}), HeldAt: ptr(day(27)), EndedAt: ptr(day(28)), Early: true, Outcome: "no deal", Proposed: true},
		},
		{
			name:  "acceptances and declines by party",
			given: []Command{declared, proposed, ruAccepts, act(19, "rubio", &events.MeetingDeclined{})},
			want:  Meeting{Status: StatusDeclined, Venue: "Budapest", Window: window, Proposed: true, Accepted: []string{"RUS"}, Declined: []string{"USA"}},
		},
		{
			name: "each speaker's latest claim, with its date",
			given: []Command{declared,
				claim(21, "peskov", "proposed"),
				act(22, "trump", &events.StatementMade{About: summit, Stance: events.StanceOpposed, Claim: "cancelled", Quote: "We cancelled"}),
				claim(23, "peskov", "unscheduled"),
				act(23, "putin", &events.StatementMade{About: summit, Stance: events.StanceNoncommittal}),
			},
			want: Meeting{Status: StatusNamed, Claims: []Claim{
				{Speaker: "peskov", Status: "unscheduled", At: day(23)},
				{Speaker: "trump", Status: "cancelled", At: day(22), Quote: "We cancelled"},
			}},
		},
		{
			name:  "preconditions keep their order and state",
			given: []Command{declared, prepAdded, act(17, "trump", &events.PreconditionAdded{Precondition: "agenda", Description: "an agenda"}), act(18, "trump", &events.PreconditionWaived{Precondition: "fm-prep"})},
			want: Meeting{Status: StatusNamed, Preconditions: []Precondition{
				{ID: "fm-prep", Description: "the foreign ministers prepare", Requires: "rubio-lavrov-prep", State: Waived, Since: day(18), Added: day(16)},
				{ID: "agenda", Description: "an agenda", State: Unmet, Since: day(17), Added: day(17)},
			}},
		},
		{
			name:  "a delegate in the place of their party",
			given: []Command{delegations, witkoffNamed},
			want:  Meeting{Status: StatusNamed, Participants: []events.Participant{{Party: "RUS"}, {Person: "witkoff", Party: "USA"}}},
		},
	}
	ignore := cmpopts.IgnoreFields(Meeting{}, "ID", "Title", "StatusCause", "Version", "Last", "LastKnown", "LastVersion")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Fold(history(t, tt.given...))
			want := tt.want
			if want.Participants == nil {
				want.Participants = got.Participants
			}
			if diff := cmp.Diff(want, got, ignore, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("state (-want +got):\n%s", diff)
			}
			// Folded in place, each state the fold went through stays
			// as it was: EvolveIn changes no slice an earlier state
			// shares (a board keeps its meeting's state at a cut).
			evs := Effective(history(t, tt.given...), time.Time{})
			var m Meeting
			states := make([]Meeting, 0, len(evs))
			for i := range evs {
				states = append(states, m)
				EvolveIn(&m, &evs[i])
			}
			if diff := cmp.Diff(got, m); diff != "" {
				t.Errorf("EvolveIn: state (-Evolve +EvolveIn):\n%s", diff)
			}
			for i, st := range states {
				if diff := cmp.Diff(Replay(Meeting{}, evs[:i]), st); diff != "" {
					t.Errorf("the state before event %d changed (-its fold +kept):\n%s", i+1, diff)
				}
			}
		})
	}
}

func TestOverdue(t *testing.T) {
	tests := []struct {
		name  string
		given []Command
		// asOf lists, for days of October (and November as 31+), whether
		// the meeting is overdue as of that day.
		asOf map[int]bool
	}{
		{name: "no deadline before a proposal", given: []Command{declared, floated}, asOf: map[int]bool{16: false, 60: false}},
		{name: "a proposal within 14 days is due by day 30", given: []Command{declared, proposed}, asOf: map[int]bool{29: false, 30: false, 31: true}},
		{name: "a scheduled date replaces the window", given: []Command{declared, proposed, act(18, "trump", &events.MeetingScheduled{Date: events.OneDay(events.Date(2025, 11, 5))})}, asOf: map[int]bool{31: false, 36: false, 37: true}},
		{name: "never overdue on a day of the scheduled range", given: []Command{declared, proposed, twoDays}, asOf: map[int]bool{27: false, 28: false, 29: true}},
		{name: "held and not yet ended", given: []Command{declared, proposed, twoDays, act(27, "trump", &events.MeetingHeld{})}, asOf: map[int]bool{28: false, 29: false}},
		{name: "a postponement without until lifts the deadline", given: []Command{declared, proposed, postponed}, asOf: map[int]bool{31: false, 90: false}},
		{name: "a postponement until a date", given: []Command{declared, proposed, act(21, "putin", &events.MeetingPostponed{Until: ptr(events.Date(2025, 11, 10))})}, asOf: map[int]bool{41: false, 42: true}},
		{name: "a cancelled meeting is never overdue", given: []Command{declared, proposed, cancelled}, asOf: map[int]bool{31: false, 365: false}},
		{name: "a declined meeting is never overdue", given: []Command{declared, proposed, ruDeclines}, asOf: map[int]bool{31: false}},
		{name: "a held meeting is never overdue", given: []Command{declared, proposed, held}, asOf: map[int]bool{31: false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Fold(history(t, tt.given...))
			for d, want := range tt.asOf {
				cutoff := events.Date(2025, time.October, d).End()
				if got := m.Overdue(cutoff); got != want {
					t.Errorf("overdue as of October %d = %v, want %v", d, got, want)
				}
			}
		})
	}
}

func TestPreconditionResolve(t *testing.T) {
	held := func(d int) *events.Time { return ptr(day(d)) }
	tests := []struct {
		name   string
		p      Precondition
		heldAt *events.Time
		want   PreconditionState
	}{
		{"no requirement", Precondition{State: Unmet}, held(20), Unmet},
		{"required meeting not held", Precondition{Requires: "prep", State: Unmet}, nil, Unmet},
		{"required meeting held", Precondition{Requires: "prep", State: Unmet, Since: day(16)}, held(25), Met},
		{"required meeting held before the precondition was added", Precondition{Requires: "prep", State: Unmet, Since: day(26)}, held(25), Met},
		{"held after the precondition failed", Precondition{Requires: "prep", State: Failed, Since: day(20)}, held(25), Met},
		{"failed after the meeting was held", Precondition{Requires: "prep", State: Failed, Since: day(27)}, held(25), Failed},
		{"waived before the meeting was held", Precondition{Requires: "prep", State: Waived, Since: day(20)}, held(25), Met},
	}
	for _, tt := range tests {
		if got := tt.p.Resolve(tt.heldAt); got != tt.want {
			t.Errorf("%s: Resolve = %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestParseStatus(t *testing.T) {
	for _, s := range Statuses {
		if got, ok := ParseStatus(string(s)); !ok || got != s {
			t.Errorf("ParseStatus(%s) = %s, %v", s, got, ok)
		}
	}
	if got, ok := ParseStatus("declared"); !ok || got != StatusNamed {
		t.Errorf("ParseStatus(declared) = %s, %v; want named, the first edition's word", got, ok)
	}
	if _, ok := ParseStatus("adjourned"); ok {
		t.Error("ParseStatus(adjourned) succeeded")
	}
	if !strings.Contains(ErrCancelled.Error(), "revive") {
		t.Error("ErrCancelled does not say how to revive the meeting")
	}
}

func withDeclare(c Command) Command {
	c.Declare = declaration
	return c
}

func kinds(ks ...events.Kind) []events.Kind { return ks }

func ptr[T any](v T) *T { return &v }

// TestSettledHistoryKeepsItsState checks that a settled history says the
// state its events make after each change With and Trim make: an event
// after every one (kept by folding it), one in the middle of the tail and
// a late statement before the base (both folded again).
func TestSettledHistoryKeepsItsState(t *testing.T) {
	given := history(t, declared, proposed, claim(18, "trump", "agreed"), scheduled, claim(20, "peskov", "scheduled"), claim(21, "lavrov", "scheduled"))
	tests := []struct {
		name string
		when []Command
	}{
		{"after every one", []Command{claim(22, "putin", "agreed"), postponed}},
		{"in the middle of the tail", []Command{reported(claim(21, "trump", "cancelled"), 23)}},
		{"a late statement before the base", []Command{reported(claim(17, "putin", "agreed"), 23)}},
		{"late, then after", []Command{reported(claim(17, "putin", "agreed"), 23), claim(24, "putin", "postponed")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			settled := Whole(given).Trim(2).Settled()
			plain := Whole(given).Trim(2)
			for i, c := range tt.when {
				evs, err := Decide(settled, c)
				if err != nil {
					t.Fatalf("command %d: %v", i, err)
				}
				settled = settled.With(evs...).Trim(2)
				plain = plain.With(evs...).Trim(2)
				if diff := cmp.Diff(Replay(plain.Base, plain.Tail), settled.State()); diff != "" {
					t.Fatalf("after command %d, a settled history says another state (-folded +kept):\n%s", i, diff)
				}
				if got, want := settled.Version(), plain.Version(); got != want || want != evs[len(evs)-1].Version {
					t.Fatalf("after command %d, a settled history says version %d, its events %d, the last decided %d", i, got, want, evs[len(evs)-1].Version)
				}
			}
		})
	}
}

// TestExtendAppendsInPlace checks that Extend adds an event after every
// one as With does, into the tail's spare room, leaving the history it
// extended as it was; and that it declines what With must do instead.
func TestExtendAppendsInPlace(t *testing.T) {
	given := history(t, declared, proposed, claim(18, "trump", "agreed"), scheduled, claim(20, "peskov", "scheduled"))
	roomy := func() History {
		h := Whole(given).Trim(2).Settled()
		h.Tail = append(make([]events.Event, 0, 8), h.Tail...)
		return h
	}
	tests := []struct {
		name string
		h    History
		when Command
		want bool
	}{
		{"after every one", roomy(), claim(22, "putin", "agreed"), true},
		{"after every one, postponed", roomy(), postponed, true},
		{"in the middle of the tail", roomy(), reported(claim(19, "trump", "cancelled"), 23), false},
		{"before the base", roomy(), reported(claim(17, "putin", "agreed"), 23), false},
		{"no room", Whole(given).Trim(2).Settled(), claim(22, "putin", "agreed"), false},
		{"not settled", func() History {
			h := Whole(given).Trim(2)
			h.Tail = append(make([]events.Event, 0, 8), h.Tail...)
			return h
		}(), claim(22, "putin", "agreed"), false},
		{"whole", Whole(given).Settled(), claim(22, "putin", "agreed"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, beforeTail := tt.h.State(), slices.Clone(tt.h.Tail)
			evs, err := Decide(tt.h, tt.when)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := tt.h.Extend(evs[0])
			if ok != tt.want {
				t.Fatalf("Extend reported %v, want %v", ok, tt.want)
			}
			if !ok {
				if len(got.Tail) != len(tt.h.Tail) {
					t.Fatal("Extend declined, and changed the history")
				}
				return
			}
			want := tt.h.With(evs...)
			if diff := cmp.Diff(want.State(), got.State()); diff != "" {
				t.Errorf("Extend says another state than With (-With +Extend):\n%s", diff)
			}
			if diff := cmp.Diff(Replay(got.Base, got.Tail), got.State()); diff != "" {
				t.Errorf("Extend's state is not its events' (-folded +kept):\n%s", diff)
			}
			if got.Version() != evs[0].Version {
				t.Errorf("Extend's history says version %d, want the event's %d", got.Version(), evs[0].Version)
			}
			if &got.Tail[0] != &tt.h.Tail[0] {
				t.Error("Extend copied the tail")
			}
			if diff := cmp.Diff(before, tt.h.State()); diff != "" {
				t.Errorf("the history extended changed (-before +after):\n%s", diff)
			}
			if !slices.EqualFunc(beforeTail, tt.h.Tail, func(a, b events.Event) bool { return a.Version == b.Version }) {
				t.Error("the tail of the history extended changed")
			}
		})
	}
}

// TestLatePreconditionWithoutTheHistory checks that a late precondition
// event dated before a partial history's base is decided and folded as on
// the whole history where Place can tell its place and its rules from
// the state, and that Decide asks for the history everywhere else,
// whatever the whole history then says of it.
func TestLatePreconditionWithoutTheHistory(t *testing.T) {
	add := func(d int, id string) Command {
		return act(d, "trump", &events.PreconditionAdded{Precondition: id, Description: "precondition " + id})
	}
	settle := func(d int, id string, p events.Payload) Command { return act(d, "lavrov", p) }
	met := func(d int, id string) Command { return settle(d, id, &events.PreconditionMet{Precondition: id}) }
	failed := func(d int, id string) Command { return settle(d, id, &events.PreconditionFailed{Precondition: id}) }
	waived := func(d int, id string) Command { return settle(d, id, &events.PreconditionWaived{Precondition: id}) }
	open := history(t, declared, proposed, add(17, "a"), add(18, "b"), met(19, "b"), add(21, "c"), claim(22, "peskov", "proposed"),
		add(24, "d"), claim(25, "lavrov", "proposed"))
	held := history(t, declared, proposed, scheduled, held, claim(31, "peskov", "held"), claim(32, "lavrov", "held"), claim(33, "putin", "held"))
	tests := []struct {
		name  string
		given []events.Event
		trim  int
		when  Command
		// placed: decided without the history; refused: the whole
		// history refuses it (else it takes it).
		placed, refused bool
	}{
		{"a new precondition, between two", open, 2, add(20, "e"), true, false},
		{"a new precondition, before them all", open, 2, add(16, "e"), true, false},
		{"a new precondition the day one was settled", open, 2, add(19, "e"), true, false},
		{"a new precondition at another's instant: which came first is in the history", open, 2, add(18, "e"), false, false},
		{"a precondition on record later", open, 2, add(20, "c"), false, true},
		{"a precondition the tail adds later", open, 2, add(20, "d"), false, true},
		{"met, after it was added", open, 2, met(20, "a"), true, false},
		{"failed, after it was met", open, 2, failed(20, "b"), true, false},
		{"met again", open, 2, met(20, "b"), false, true},
		{"met before it was added", open, 2, met(20, "c"), false, true},
		{"waived before it was added", open, 2, waived(16, "a"), false, true},
		{"settled in the tail, added later", open, 2, met(20, "d"), false, true},
		{"added before the meeting was held", held, 1, add(20, "e"), true, false},
		{"added after the meeting was held", held, 1, add(31, "e"), false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			partial := Whole(tt.given).Trim(tt.trim)
			when := reported(tt.when, 34)
			if partial.Base.after(when.Event()) {
				t.Fatalf("the command is not before the base")
			}
			want, werr := Decide(Whole(tt.given), when)
			if refused := werr != nil; refused != tt.refused {
				t.Fatalf("on the whole history: %v, want refused %v", werr, tt.refused)
			}
			got, err := Decide(partial, when)
			if !tt.placed {
				if !errors.Is(err, ErrNeedHistory) {
					t.Fatalf("decided %v (%v), want ErrNeedHistory", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("decided differently (-whole +partial):\n%s", diff)
			}
			folded := Fold(append(slices.Clip(tt.given), got...))
			if diff := cmp.Diff(folded, partial.With(got...).State()); diff != "" {
				t.Errorf("placed without the history, the state differs from the fold (-fold +placed):\n%s", diff)
			}
		})
	}
}

// TestPlaceAgreesWithTheWholeHistory decides late events of the kinds
// Place knows on random histories cut at random places, and checks each
// against the whole history: what is decided without it is decided so
// with it, and folds into the same meeting.
func TestPlaceAgreesWithTheWholeHistory(t *testing.T) {
	people := []string{"trump", "putin", "peskov", "lavrov"}
	random := func(rng *rand.Rand, d int) Command {
		by := people[rng.IntN(len(people))]
		pre := "p" + strconv.Itoa(rng.IntN(4))
		var p events.Payload
		switch rng.IntN(9) {
		case 0, 1:
			p = &events.StatementMade{About: summit, Stance: events.StanceNoncommittal, Claim: events.ClaimWords[rng.IntN(len(events.ClaimWords))]}
		case 2, 3:
			p = &events.PreconditionAdded{Precondition: pre, Description: "prep " + pre}
		case 4:
			p = &events.PreconditionMet{Precondition: pre}
		case 5:
			p = &events.PreconditionFailed{Precondition: pre}
		case 6:
			p = &events.PreconditionWaived{Precondition: pre}
		case 7:
			p = &events.MeetingAccepted{}
		default:
			p = &events.MeetingHeld{Venue: "Budapest"}
		}
		c := act(d, by, p)
		if rng.IntN(3) == 0 {
			c.At = events.At(c.At.Add(time.Duration(rng.IntN(24)) * time.Hour))
		}
		return c
	}
	placed := 0
	for seed := range uint64(400) {
		rng := rand.New(rand.NewPCG(seed, 7))
		records := history(t, declared, proposed)
		for d := 16; d < 30; d++ {
			for range rng.IntN(3) {
				c := random(rng, d)
				if es, err := Decide(Whole(records), c); err == nil {
					for j := range es {
						es[j].ID = uuid.New()
					}
					records = append(records, es...)
				}
			}
		}
		partial := Whole(records).Trim(rng.IntN(4))
		for range 10 {
			when := reported(random(rng, 16+rng.IntN(14)), 30)
			if partial.Base.after(when.Event()) || when.Kind() == events.KindMeetingAccepted || when.Kind() == events.KindMeetingHeld {
				continue
			}
			if decideAsWhole(t, seed, records, partial, when) == "decided" {
				placed++
			}
		}
	}
	t.Logf("%d late events placed without the history", placed)
	if placed < 100 {
		t.Errorf("only %d late events placed without the history: the test tries too little", placed)
	}
}

// TestOutlineAgreesWithTheWholeHistory decides commands on random
// histories twice: on the whole history, and on the meeting's state and
// the events that shape its course alone (Outlined). Where the outline
// decides, it must decide as the whole history does (the same events, the
// same refusal), and the state it then holds must be the fold of the
// whole history with the event.
func TestOutlineAgreesWithTheWholeHistory(t *testing.T) {
	people := []string{"trump", "putin", "peskov", "lavrov", "zelensky"}
	random := func(rng *rand.Rand, d int) Command {
		by := people[rng.IntN(len(people))]
		pre := "p" + strconv.Itoa(rng.IntN(3))
		until := day(d + 20)
		var p events.Payload
		switch rng.IntN(16) {
		case 0, 1, 2:
			p = &events.StatementMade{About: summit, Stance: events.StanceNoncommittal, Claim: events.ClaimWords[rng.IntN(len(events.ClaimWords))]}
		case 3:
			p = &events.PreconditionAdded{Precondition: pre, Description: "prep " + pre}
		case 4:
			p = &events.PreconditionMet{Precondition: pre}
		case 5:
			p = &events.PreconditionFailed{Precondition: pre}
		case 6:
			p = &events.MeetingAccepted{}
		case 7:
			p = &events.MeetingDeclined{Reason: "not now"}
		case 8:
			p = &events.MeetingPostponed{Reason: "later"}
		case 9:
			p = &events.MeetingPostponed{Reason: "later", Until: &until}
		case 10:
			p = &events.MeetingCancelled{Reason: "off"}
		case 11:
			p = &events.MeetingScheduled{Date: events.OneDay(day(d + 5)), Venue: "Budapest"}
		case 12:
			p = &events.MeetingProposed{Venue: "Geneva", Within: &events.Span{Days: 10}}
		case 13:
			p = &events.MeetingFloated{}
		case 14:
			p = &events.MeetingHeld{Venue: "Budapest"}
		default:
			p = &events.MeetingEnded{}
		}
		c := act(d, by, p)
		if rng.IntN(3) == 0 {
			c.At = events.At(c.At.Add(time.Duration(rng.IntN(24)) * time.Hour))
		}
		return c
	}
	decided, refused := 0, 0
	for seed := range uint64(400) {
		rng := rand.New(rand.NewPCG(seed, 11))
		records := randomHistory(t, rng, random)
		outlined := Outlined(Fold(records), course(records))
		for range 12 {
			when := reported(random(rng, 16+rng.IntN(16)), 32)
			switch decideAsWhole(t, seed, records, outlined, when) {
			case "decided":
				decided++
			case "refused":
				refused++
			}
		}
	}
	t.Logf("on the outline: %d events decided, %d refused", decided, refused)
	if decided < 300 || refused < 100 {
		t.Errorf("only %d events decided and %d refused on the outline: the test tries too little", decided, refused)
	}
}

// randomHistory returns a history of the summit declared and proposed,
// then of random commands on days 16 to 29, those the rules accept.
func randomHistory(t *testing.T, rng *rand.Rand, random func(*rand.Rand, int) Command) []events.Event {
	records := history(t, declared, proposed)
	for d := 16; d < 30; d++ {
		for range rng.IntN(4) {
			c := random(rng, d)
			if rng.IntN(4) == 0 {
				c = reported(c, 30) // late, in record order, for the later ones
			}
			if es, err := Decide(Whole(records), c); err == nil {
				for j := range es {
					es[j].ID = uuid.New()
				}
				records = append(records, es...)
			}
		}
	}
	return records
}

// course returns the events of records that shape the course.
func course(records []events.Event) []events.Event {
	var out []events.Event
	for _, e := range records {
		if ShapesCourse(e) {
			out = append(out, e)
		}
	}
	return out
}

// TestTakesAgreesWithTheFold reads random histories as a reader of a
// snapshot does: the state up to some event, then the events recorded
// after it, each taken with With where Takes says it may be. Where every
// event is taken, the state must be the fold of the whole history.
func TestTakesAgreesWithTheFold(t *testing.T) {
	people := []string{"trump", "putin", "lavrov"}
	random := func(rng *rand.Rand, d int) Command {
		by := people[rng.IntN(len(people))]
		var p events.Payload
		switch rng.IntN(8) {
		case 0, 1, 2:
			p = &events.StatementMade{About: summit, Stance: events.StanceNoncommittal, Claim: events.ClaimWords[rng.IntN(len(events.ClaimWords))]}
		case 3:
			p = &events.PreconditionAdded{Precondition: "p" + strconv.Itoa(rng.IntN(3)), Description: "prep"}
		case 4:
			p = &events.MeetingAccepted{}
		case 5:
			p = &events.MeetingPostponed{Reason: "later"}
		case 6:
			p = &events.MeetingScheduled{Date: events.OneDay(day(d + 5)), Venue: "Budapest"}
		default:
			p = &events.MeetingDeclined{Reason: "no"}
		}
		return act(d, by, p)
	}
	read := map[string]int{}
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 13))
		records := randomHistory(t, rng, random)
		cut := 2 + rng.IntN(len(records)-2)
		for name, h := range map[string]History{
			"partial":  Partial(Fold(records[:cut]), nil),
			"outlined": Outlined(Fold(records[:cut]), course(records[:cut])),
		} {
			taken := true
			for _, e := range records[cut:] {
				if !h.Takes(e) {
					taken = false
					break
				}
				h = h.With(e)
			}
			if !taken {
				continue
			}
			read[name]++
			if diff := cmp.Diff(Fold(records), h.State()); diff != "" {
				t.Fatalf("seed %d, %s: %d events taken after %d, the state differs from the fold (-fold +taken):\n%s", seed, name, len(records)-cut, cut, diff)
			}
		}
	}
	t.Logf("histories read whole from their state and the events after it: %v", read)
	if read["partial"] < 50 || read["outlined"] < 50 {
		t.Errorf("read %v: the test tries too little", read)
	}
}

// decideAsWhole decides when on h, a history of records that holds less
// than all of them, and on the whole history records, and fails the test
// where they differ: in the refusal, the events decided, or the state h
// then holds, which must be the fold of the whole history with them. It
// returns "need" where h asks for the whole history, else "refused" or
// "decided".
func decideAsWhole(t *testing.T, seed uint64, records []events.Event, h History, when Command) string {
	t.Helper()
	got, err := Decide(h, when)
	if errors.Is(err, ErrNeedHistory) {
		return "need"
	}
	want, werr := Decide(Whole(records), when)
	if fmt.Sprint(err) != fmt.Sprint(werr) {
		t.Fatalf("seed %d, %s of %s: on part of the history %v, on the whole %v", seed, when.Kind(), when.At, err, werr)
	}
	if err != nil {
		return "refused"
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("seed %d, %s of %s: decided differently (-whole +part):\n%s", seed, when.Kind(), when.At, diff)
	}
	if diff := cmp.Diff(Fold(append(slices.Clip(records), got...)), h.With(got...).State()); diff != "" {
		t.Fatalf("seed %d, %s of %s: the state differs from the fold (-fold +part):\n%s", seed, when.Kind(), when.At, diff)
	}
	return "decided"
}

// TestPassedAcrossZones judges a deadline of 7 December against reads by
// date and at instants, with the deadline and the read in different zones:
// a read by date compares calendar days, each of its own zone; a read at an
// instant compares instants.
func TestPassedAcrossZones(t *testing.T) {
	zone := func(name string) *time.Location {
		loc, err := events.Location(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	tokyo, hawaii := zone("Asia/Tokyo"), zone("Pacific/Honolulu")
	dec := func(d int, loc *time.Location) events.Time { return events.Date(2026, time.December, d).In(loc) }
	instant := func(s string) time.Time {
		t.Helper()
		at, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return at.Add(time.Nanosecond) // the cutoff of a read at that instant
	}
	tests := []struct {
		name     string
		deadline events.Time
		cutoff   time.Time
		want     bool
	}{
		{"Tokyo's 7th, read as of the 7th in UTC", dec(7, tokyo), dec(7, time.UTC).End(), false},
		{"Tokyo's 7th, read as of the 8th in UTC", dec(7, tokyo), dec(8, time.UTC).End(), true},
		{"Tokyo's 7th, read as of the 7th in Hawaii", dec(7, tokyo), dec(7, hawaii).End(), false},
		{"Hawaii's 7th, read as of the 7th in Tokyo", dec(7, hawaii), dec(7, tokyo).End(), false},
		{"Hawaii's 7th, read as of the 8th in Tokyo", dec(7, hawaii), dec(8, tokyo).End(), true},
		{"UTC's 7th, read as of the 6th in UTC", dec(7, time.UTC), dec(6, time.UTC).End(), false},
		{"a deadline at an instant, read by date", events.At(time.Date(2026, 12, 7, 18, 0, 0, 0, time.UTC)), dec(7, time.UTC).End(), true},
		{"Tokyo's 7th, read at 14:00 UTC on the 7th (23:00 in Tokyo)", dec(7, tokyo), instant("2026-12-07T14:00:00Z"), false},
		{"Tokyo's 7th, read at 16:00 UTC on the 7th (01:00 on the 8th in Tokyo)", dec(7, tokyo), instant("2026-12-07T16:00:00Z"), true},
		{"no cutoff", dec(7, tokyo), time.Time{}, false},
	}
	for _, tt := range tests {
		if got := Passed(tt.deadline, tt.cutoff); got != tt.want {
			t.Errorf("%s: Passed = %v, want %v", tt.name, got, tt.want)
		}
	}
}
