package aggregates

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

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

// act is a command on the summit by a person on day d.
func act(d int, by string, p events.Payload) Command {
	party := map[string]string{"trump": "USA", "rubio": "USA", "putin": "RUS", "peskov": "RUS", "lavrov": "RUS", "zelensky": "UKR", "orban": "HUN"}[by]
	return Command{Aggregate: events.Meeting(summit), At: day(d), By: by, Party: party, Payload: p}
}

// history decides each command in turn from the undeclared meeting and
// returns the events; it fails the test if any is refused.
func history(t *testing.T, cmds ...Command) []events.Event {
	t.Helper()
	var m Meeting
	var out []events.Event
	for i, c := range cmds {
		es, err := Decide(m, c)
		if err != nil {
			t.Fatalf("given command %d: %v", i, err)
		}
		for _, e := range es {
			m = Evolve(m, e)
		}
		out = append(out, es...)
	}
	return out
}

var (
	declared  = Command{Aggregate: events.Meeting(summit), At: day(16), Declare: declaration}
	floated   = act(16, "trump", &events.MeetingFloated{})
	proposed  = act(16, "trump", &events.MeetingProposed{Venue: "Budapest", Within: &events.Span{Days: 14}})
	usAccepts = act(17, "trump", &events.MeetingAccepted{})
	ruAccepts = act(17, "peskov", &events.MeetingAccepted{})
	scheduled = act(18, "trump", &events.MeetingScheduled{Date: day(30), Venue: "Budapest"})
	postponed = act(21, "putin", &events.MeetingPostponed{Reason: "serious preparation"})
	cancelled = act(22, "trump", &events.MeetingCancelled{Reason: "it didn't feel right"})
	held      = act(30, "trump", &events.MeetingHeld{Venue: "Budapest"})
	prepAdded = act(16, "trump", &events.PreconditionAdded{Precondition: "fm-prep", Description: "the foreign ministers prepare", Requires: &events.Requirement{Held: "rubio-lavrov-prep"}})
	prepMet   = act(25, "trump", &events.PreconditionMet{Precondition: "fm-prep"})
)

func TestDecide(t *testing.T) {
	tests := []struct {
		name  string
		given []Command
		when  Command
		// then is the kinds of the events decided, or err the rule broken.
		then []events.Kind
		err  error
		// status is the meeting's status after the events decided.
		status Status
	}{
		// The life of a meeting.
		{name: "declaring a new meeting", when: declared, then: []events.Kind{events.KindMeetingDeclared}, status: StatusDeclared},
		{name: "declaring and floating in one command", when: withDeclare(floated), then: []events.Kind{events.KindMeetingDeclared, events.KindMeetingFloated}, status: StatusFloated},
		{name: "declaring again the same way is a no-op", given: []Command{declared}, when: declared, then: nil, status: StatusDeclared},
		{name: "floating", given: []Command{declared}, when: floated, then: kinds(events.KindMeetingFloated), status: StatusFloated},
		{name: "proposing", given: []Command{declared, floated}, when: proposed, then: kinds(events.KindMeetingProposed), status: StatusProposed},
		{name: "proposing without floating first", given: []Command{declared}, when: proposed, then: kinds(events.KindMeetingProposed), status: StatusProposed},
		{name: "one party accepting", given: []Command{declared, proposed}, when: usAccepts, then: kinds(events.KindMeetingAccepted), status: StatusProposed},
		{name: "every party accepting agrees the meeting", given: []Command{declared, proposed, usAccepts}, when: ruAccepts, then: kinds(events.KindMeetingAccepted), status: StatusAgreed},
		{name: "a party accepting a floated idea", given: []Command{declared, floated, usAccepts}, when: ruAccepts, then: kinds(events.KindMeetingAccepted), status: StatusAgreed},
		{name: "a decline undoes agreement", given: []Command{declared, proposed, usAccepts, ruAccepts}, when: act(19, "lavrov", &events.MeetingDeclined{Reason: "no"}), then: kinds(events.KindMeetingDeclined), status: StatusProposed},
		{name: "scheduling", given: []Command{declared, proposed, usAccepts, ruAccepts}, when: scheduled, then: kinds(events.KindMeetingScheduled), status: StatusScheduled},
		{name: "postponing a proposal", given: []Command{declared, proposed}, when: postponed, then: kinds(events.KindMeetingPostponed), status: StatusPostponed},
		{name: "postponing a scheduled meeting", given: []Command{declared, proposed, scheduled}, when: postponed, then: kinds(events.KindMeetingPostponed), status: StatusPostponed},
		{name: "a new schedule revives a postponed meeting", given: []Command{declared, proposed, postponed}, when: act(22, "trump", &events.MeetingScheduled{Date: day(30)}), then: kinds(events.KindMeetingScheduled), status: StatusScheduled},
		{name: "a new proposal revives a postponed meeting", given: []Command{declared, proposed, postponed}, when: act(22, "trump", &events.MeetingProposed{Within: &events.Span{Days: 7}}), then: kinds(events.KindMeetingProposed), status: StatusProposed},
		{name: "a new proposal keeps agreement in principle", given: []Command{declared, proposed, usAccepts, ruAccepts, postponed}, when: act(22, "trump", &events.MeetingProposed{Within: &events.Span{Days: 7}}), then: kinds(events.KindMeetingProposed), status: StatusAgreed},
		{name: "floating a postponed meeting does not revive it", given: []Command{declared, proposed, postponed}, when: act(22, "trump", &events.MeetingFloated{}), then: kinds(events.KindMeetingFloated), status: StatusPostponed},
		{name: "cancelling", given: []Command{declared, proposed}, when: cancelled, then: kinds(events.KindMeetingCancelled), status: StatusCancelled},
		{name: "cancelling a postponed meeting", given: []Command{declared, proposed, postponed}, when: cancelled, then: kinds(events.KindMeetingCancelled), status: StatusCancelled},
		{name: "holding a scheduled meeting", given: []Command{declared, proposed, scheduled}, when: held, then: kinds(events.KindMeetingHeld), status: StatusHeld},
		{name: "holding a meeting nobody announced", given: []Command{declared}, when: held, then: kinds(events.KindMeetingHeld), status: StatusHeld},
		{name: "holding with unmet preconditions", given: []Command{declared, proposed, prepAdded}, when: held, then: kinds(events.KindMeetingHeld), status: StatusHeld},

		// Preconditions.
		{name: "adding a precondition", given: []Command{declared, proposed}, when: prepAdded, then: kinds(events.KindPreconditionAdded), status: StatusProposed},
		{name: "meeting a precondition", given: []Command{declared, proposed, prepAdded}, when: prepMet, then: kinds(events.KindPreconditionMet), status: StatusProposed},
		{name: "failing a precondition", given: []Command{declared, proposed, prepAdded}, when: act(25, "putin", &events.PreconditionFailed{Precondition: "fm-prep"}), then: kinds(events.KindPreconditionFailed), status: StatusProposed},
		{name: "waiving a precondition", given: []Command{declared, proposed, prepAdded}, when: act(25, "trump", &events.PreconditionWaived{Precondition: "fm-prep"}), then: kinds(events.KindPreconditionWaived), status: StatusProposed},
		{name: "meeting a failed precondition after all", given: []Command{declared, proposed, prepAdded, act(24, "putin", &events.PreconditionFailed{Precondition: "fm-prep"})}, when: prepMet, then: kinds(events.KindPreconditionMet), status: StatusProposed},

		// Statements and claims.
		{name: "a claim about an open meeting", given: []Command{declared, proposed}, when: act(21, "peskov", &events.StatementMade{About: summit, Stance: events.StanceNoncommittal, Claim: "unscheduled"}), then: kinds(events.KindStatementMade), status: StatusProposed},
		{name: "a claim about a cancelled meeting", given: []Command{declared, proposed, cancelled}, when: act(23, "putin", &events.StatementMade{About: summit, Stance: events.StanceNoncommittal, Claim: "postponed"}), then: kinds(events.KindStatementMade), status: StatusCancelled},

		// Refusals: a final state contradicted.
		{name: "a cancelled meeting cannot be held", given: []Command{declared, proposed, cancelled}, when: held, err: ErrFinal},
		{name: "a held meeting cannot be cancelled", given: []Command{declared, proposed, held}, when: act(31, "trump", &events.MeetingCancelled{}), err: ErrFinal},
		{name: "a held meeting cannot be postponed", given: []Command{declared, proposed, held}, when: act(31, "trump", &events.MeetingPostponed{}), err: ErrFinal},
		{name: "a held meeting cannot be held again", given: []Command{declared, held}, when: act(31, "trump", &events.MeetingHeld{}), err: ErrFinal},
		{name: "a cancelled meeting cannot be rescheduled", given: []Command{declared, proposed, cancelled}, when: act(23, "trump", &events.MeetingScheduled{Date: day(30)}), err: ErrFinal},
		{name: "a cancelled meeting cannot be proposed again", given: []Command{declared, proposed, cancelled}, when: act(23, "trump", &events.MeetingProposed{}), err: ErrFinal},
		{name: "a cancelled meeting cannot be accepted", given: []Command{declared, proposed, cancelled}, when: act(23, "putin", &events.MeetingAccepted{}), err: ErrFinal},
		{name: "a cancelled meeting cannot be floated", given: []Command{declared, proposed, cancelled}, when: act(23, "trump", &events.MeetingFloated{}), err: ErrFinal},
		{name: "a held meeting takes no new precondition", given: []Command{declared, held}, when: act(31, "trump", &events.PreconditionAdded{Precondition: "x"}), err: ErrFinal},
		{name: "a cancelled meeting's precondition cannot be met", given: []Command{declared, proposed, prepAdded, cancelled}, when: act(25, "trump", &events.PreconditionMet{Precondition: "fm-prep"}), err: ErrFinal},

		// Refusals: preconditions.
		{name: "an unknown precondition cannot be met", given: []Command{declared, proposed}, when: prepMet, err: ErrUnknownPrecondition},
		{name: "an unknown precondition cannot fail", given: []Command{declared, proposed}, when: act(25, "trump", &events.PreconditionFailed{Precondition: "agenda"}), err: ErrUnknownPrecondition},
		{name: "an unknown precondition cannot be waived", given: []Command{declared, proposed}, when: act(25, "trump", &events.PreconditionWaived{Precondition: "agenda"}), err: ErrUnknownPrecondition},
		{name: "a precondition cannot be met twice", given: []Command{declared, proposed, prepAdded, prepMet}, when: act(26, "trump", &events.PreconditionMet{Precondition: "fm-prep"}), err: ErrPreconditionSettled},
		{name: "a precondition cannot be waived twice", given: []Command{declared, proposed, prepAdded, act(25, "trump", &events.PreconditionWaived{Precondition: "fm-prep"})}, when: act(26, "trump", &events.PreconditionWaived{Precondition: "fm-prep"}), err: ErrPreconditionSettled},
		{name: "a precondition cannot be added twice", given: []Command{declared, proposed, prepAdded}, when: prepAdded, err: ErrDuplicatePrecondition},
		{name: "a meeting cannot require itself", given: []Command{declared}, when: act(16, "trump", &events.PreconditionAdded{Precondition: "self", Requires: &events.Requirement{Held: summit}}), err: ErrSelfRequirement},

		// Refusals: participants.
		{name: "a non-participant cannot accept", given: []Command{declared, proposed}, when: act(17, "zelensky", &events.MeetingAccepted{}), err: ErrNotParticipant},
		{name: "a non-participant cannot decline", given: []Command{declared, proposed}, when: act(17, "orban", &events.MeetingDeclined{}), err: ErrNotParticipant},
		{name: "nothing to accept before a proposal", given: []Command{declared}, when: usAccepts, err: ErrNothingProposed},

		// Refusals: the record's shape.
		{name: "an undeclared meeting takes no event", when: floated, err: ErrUndeclared},
		{name: "a declaration that differs", given: []Command{declared}, when: Command{Aggregate: events.Meeting(summit), At: day(17), Declare: &events.MeetingDeclared{Title: "Another summit", Participants: declaration.Participants}}, err: ErrRedeclared},
		{name: "an event dated before the latest", given: []Command{declared, proposed, postponed}, when: act(20, "trump", &events.MeetingFloated{}), err: ErrOutOfOrder},
		{name: "a date before the event that sets it", given: []Command{declared, proposed}, when: act(20, "trump", &events.MeetingScheduled{Date: day(19)}), err: ErrDateBeforeEvent},
		{name: "a postponement until the past", given: []Command{declared, proposed}, when: act(20, "trump", &events.MeetingPostponed{Until: ptr(day(19))}), err: ErrDateBeforeEvent},
		{name: "an actor event on a meeting", given: []Command{declared}, when: act(16, "trump", &events.CallHeld{Participants: []string{"trump", "putin"}}), err: ErrWrongAggregate},
		{name: "a malformed payload", given: []Command{declared}, when: act(16, "trump", &events.StatementMade{About: summit, Stance: "furious"}), err: ErrInvalid},
		{name: "a meeting command on an actor", when: Command{Aggregate: events.Actor("trump"), At: day(16), Payload: &events.MeetingFloated{}}, err: ErrWrongAggregate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			given := history(t, tt.given...)
			m := Fold(given)
			got, err := Decide(m, tt.when)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("Decide = %v, %v; want error %v", got, err, tt.err)
				}
				var refused *RefusedError
				if !errors.As(err, &refused) || refused.Aggregate != tt.when.Aggregate {
					t.Fatalf("error %v does not name the aggregate %s", err, tt.when.Aggregate)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decide: %v", err)
			}
			var gotKinds []events.Kind
			base := m.Version
			for i, e := range got {
				gotKinds = append(gotKinds, e.Kind())
				if want := base + uint64(i) + 1; e.Version != want {
					t.Errorf("event %d has version %d, want %d", i, e.Version, want)
				}
				m = Evolve(m, e)
			}
			if diff := cmp.Diff(tt.then, gotKinds); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			if m.Status != tt.status {
				t.Errorf("status = %s, want %s", m.Status, tt.status)
			}
		})
	}
}

func TestRefusedErrorNamesMeetingStateAndEvent(t *testing.T) {
	m := Fold(history(t, declared, proposed, cancelled))
	_, err := Decide(m, held)
	want := "meeting budapest-summit (cancelled) refuses meeting.held: the meeting is final"
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v, want %q", err, want)
	}
}

func TestDecideDoesNotChangeState(t *testing.T) {
	given := history(t, declared, proposed, prepAdded)
	m := Fold(given)
	before := Fold(given)
	for _, c := range []Command{prepMet, usAccepts, act(21, "peskov", &events.StatementMade{About: summit, Stance: events.StanceOpposed, Claim: "cancelled"})} {
		es, err := Decide(m, c)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			_ = Evolve(m, e)
		}
	}
	if diff := cmp.Diff(before, m); diff != "" {
		t.Errorf("Decide or Evolve changed the state it was given (-before +after):\n%s", diff)
	}
}

func TestEvolveFields(t *testing.T) {
	until := day(30)
	tests := []struct {
		name  string
		given []Command
		want  Meeting
	}{
		{
			name:  "a proposal opens its window",
			given: []Command{declared, proposed},
			want: Meeting{Status: StatusProposed, Venue: "Budapest",
				Window: &events.Window{From: day(16), To: day(30)}},
		},
		{
			name:  "a schedule sets the date and venue",
			given: []Command{declared, proposed, act(18, "trump", &events.MeetingScheduled{Date: day(28), Venue: "Buda Castle"})},
			want: Meeting{Status: StatusScheduled, Venue: "Buda Castle", Date: ptr(day(28)),
				Window: &events.Window{From: day(16), To: day(30)}},
		},
		{
			name:  "a postponement keeps its until",
			given: []Command{declared, proposed, act(21, "putin", &events.MeetingPostponed{Until: &until})},
			want: Meeting{Status: StatusPostponed, Venue: "Budapest", Until: &until,
				Window: &events.Window{From: day(16), To: day(30)}},
		},
		{
			name:  "acceptances and declines by party",
			given: []Command{declared, proposed, ruAccepts, usAccepts, act(19, "rubio", &events.MeetingDeclined{})},
			want: Meeting{Status: StatusProposed, Venue: "Budapest", Accepted: []string{"RUS"}, Declined: []string{"USA"},
				Window: &events.Window{From: day(16), To: day(30)}},
		},
		{
			name: "each speaker's latest claim",
			given: []Command{declared,
				act(21, "peskov", &events.StatementMade{About: summit, Stance: events.StanceNoncommittal, Claim: "proposed"}),
				act(22, "trump", &events.StatementMade{About: summit, Stance: events.StanceOpposed, Claim: "cancelled", Quote: "We cancelled"}),
				act(23, "peskov", &events.StatementMade{About: summit, Stance: events.StanceNoncommittal, Claim: "unscheduled"}),
				act(23, "putin", &events.StatementMade{About: summit, Stance: events.StanceNoncommittal}),
			},
			want: Meeting{Status: StatusDeclared, Claims: []Claim{
				{Speaker: "peskov", Status: "unscheduled", At: day(23)},
				{Speaker: "trump", Status: "cancelled", At: day(22), Quote: "We cancelled"},
			}},
		},
		{
			name:  "preconditions keep their order and state",
			given: []Command{declared, prepAdded, act(17, "trump", &events.PreconditionAdded{Precondition: "agenda", Description: "an agenda"}), act(18, "trump", &events.PreconditionWaived{Precondition: "fm-prep"})},
			want: Meeting{Status: StatusDeclared, Preconditions: []Precondition{
				{ID: "fm-prep", Description: "the foreign ministers prepare", Requires: "rubio-lavrov-prep", State: Waived, Since: day(18)},
				{ID: "agenda", Description: "an agenda", State: Unmet, Since: day(17)},
			}},
		},
	}
	ignore := cmpopts.IgnoreFields(Meeting{}, "ID", "Title", "Participants", "Version", "Last")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Fold(history(t, tt.given...))
			if diff := cmp.Diff(tt.want, got, ignore, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("state (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOverdue(t *testing.T) {
	tests := []struct {
		name  string
		given []Command
		// overdue lists, for days of October (and November as 31+), whether
		// the meeting is overdue as of that day.
		asOf map[int]bool
	}{
		{name: "no deadline before a proposal", given: []Command{declared, floated}, asOf: map[int]bool{16: false, 60: false}},
		{name: "a proposal within 14 days is due by day 30", given: []Command{declared, proposed}, asOf: map[int]bool{29: false, 30: false, 31: true}},
		{name: "a scheduled date replaces the window", given: []Command{declared, proposed, act(18, "trump", &events.MeetingScheduled{Date: events.Date(2025, 11, 5)})}, asOf: map[int]bool{31: false, 36: false, 37: true}},
		{name: "a postponement without until lifts the deadline", given: []Command{declared, proposed, postponed}, asOf: map[int]bool{31: false, 90: false}},
		{name: "a postponement until a date", given: []Command{declared, proposed, act(21, "putin", &events.MeetingPostponed{Until: ptr(events.Date(2025, 11, 10))})}, asOf: map[int]bool{41: false, 42: true}},
		{name: "a final meeting is never overdue", given: []Command{declared, proposed, cancelled}, asOf: map[int]bool{31: false, 365: false}},
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

func withDeclare(c Command) Command {
	c.Declare = declaration
	return c
}

func kinds(ks ...events.Kind) []events.Kind { return ks }

func ptr[T any](v T) *T { return &v }
