package workload

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/events"
)

// person is one of the cast the load's meetings bring together.
type person struct{ id, party string }

var (
	cast = []person{
		{"trump", "USA"}, {"rubio", "USA"}, {"witkoff", "USA"}, {"vance", "USA"},
		{"putin", "RUS"}, {"lavrov", "RUS"}, {"peskov", "RUS"}, {"ushakov", "RUS"},
		{"zelensky", "UKR"}, {"sybiha", "UKR"}, {"yermak", "UKR"},
		{"orban", "HUN"}, {"szijjarto", "HUN"},
		{"von-der-leyen", "EU"}, {"kallas", "EU"}, {"costa", "EU"},
		{"xi", "CHN"}, {"wang-yi", "CHN"}, {"erdogan", "TUR"}, {"fidan", "TUR"},
		{"macron", "FRA"}, {"merz", "DEU"}, {"starmer", "GBR"}, {"modi", "IND"},
	}
	venues   = []string{"Budapest", "Geneva", "Istanbul", "Riyadh", "Anchorage", "Vienna", "Helsinki", "Doha", "Abu Dhabi", "Brussels"}
	outlets  = []string{"ntv.de", "reuters.com", "apnews.com", "tass.ru", "kyivindependent.com", "lemonde.fr", "ft.com", "aljazeera.com"}
	stances  = []events.Stance{events.StanceSupportive, events.StanceNoncommittal, events.StanceOpposed}
	reasons  = []string{"the preparations are not complete", "no agreement on the agenda", "the foreign ministers could not agree on a date", "a change of circumstances on the ground", "the other side hardened its position", "scheduling conflicts"}
	outcomes = []string{"a joint statement on a ceasefire framework", "agreement to continue talks at the level of ministers", "no agreement; both sides restated their positions", "an exchange of prisoners was agreed", "a roadmap for further meetings"}
	quotes   = []string{
		"Wir brauchen Vorbereitung, ernsthafte Vorbereitung, bevor ein solches Treffen stattfinden kann.",
		"I don't want to have a wasted meeting. I don't want to have a waste of time, so we'll see what happens.",
		"The meeting was never scheduled; there were no firm dates, and there can be none without preparation.",
		"We remain ready to meet at any level, provided the other side shows it is serious about a settlement.",
		"Nothing has been agreed until everything has been agreed, and we are still far from that point.",
		"The foreign ministers had a productive conversation and will continue their contacts in the coming days.",
		"The summit has been postponed, not cancelled; the dates will be set through diplomatic channels.",
		"Our position is unchanged: any meeting must be prepared by the ministers and experts first.",
	}
	claims = []string{"floated", "proposed", "agreed", "scheduled", "postponed", "cancelled", "held", "unscheduled"}
)

// life is one meeting's history as the generator writes it: how many events
// it will have, whom it brings together, and the state folded so far.
type life struct {
	id    string
	n     int
	m     aggregates.Meeting
	cast  []person
	title string
	// requires is an earlier meeting whose holding the first precondition
	// waits for ("" for none).
	requires string
	// end is the meeting's last event: held, cancelled, or neither.
	end events.Kind
	// sources counts the events written, to number their addresses.
	sources int
}

func newLife(i, n int, rng *rand.Rand) life {
	lf := life{id: MeetingID(i), n: n}
	k := 2 + rng.IntN(2)
	for _, j := range rng.Perm(len(cast))[:k] {
		lf.cast = append(lf.cast, cast[j])
	}
	lf.title = fmt.Sprintf("%s talks in %s, round %d", participantsTitle(lf.cast), venues[rng.IntN(len(venues))], 1+i%7)
	if i > 0 && rng.IntN(3) == 0 {
		lf.requires = MeetingID(rng.IntN(i))
	}
	switch r := rng.IntN(10); {
	case r < 6:
		lf.end = events.KindMeetingHeld
	case r < 8:
		lf.end = events.KindMeetingCancelled
	}
	return lf
}

func participantsTitle(ps []person) string {
	s := ""
	for i, p := range ps {
		if i > 0 {
			s += "-"
		}
		s += p.party
	}
	return s
}

// next returns the command for the meeting's next event, at world time at.
func (lf *life) next(at events.Time, rng *rand.Rand) aggregates.Command {
	k := int(lf.m.Version)
	lf.sources++
	who := lf.cast[rng.IntN(len(lf.cast))]
	cmd := aggregates.Command{Aggregate: events.Meeting(lf.id), At: at, By: who.id, Party: who.party, Source: lf.source(at, rng)}
	day := func(days int) events.Time {
		t := at.AddDate(0, 0, days)
		return events.Date(t.Year(), t.Month(), t.Day())
	}
	switch {
	case k == 0:
		d := &events.MeetingDeclared{Title: lf.title}
		for _, p := range lf.cast {
			d.Participants = append(d.Participants, events.Participant{Person: p.id, Party: p.party})
		}
		cmd.Declare, cmd.By, cmd.Party, cmd.Source = d, "", "", nil
		return cmd
	case k == lf.n-1 && lf.end == events.KindMeetingHeld:
		cmd.Payload = &events.MeetingHeld{Venue: venues[rng.IntN(len(venues))], Outcome: outcomes[rng.IntN(len(outcomes))]}
		return cmd
	case k == lf.n-1 && lf.end == events.KindMeetingCancelled:
		cmd.Payload = &events.MeetingCancelled{Reason: reasons[rng.IntN(len(reasons))]}
		return cmd
	case k == 1:
		cmd.Payload = &events.MeetingFloated{}
		return cmd
	case k == 2:
		cmd.Payload = &events.MeetingProposed{Venue: venues[rng.IntN(len(venues))], Within: &events.Span{Days: 14}}
		return cmd
	case k == 3:
		p := &events.PreconditionAdded{Precondition: "prep-1", Description: "the foreign ministers prepare the meeting"}
		if lf.requires != "" {
			p.Requires = &events.Requirement{Held: lf.requires}
		}
		cmd.Payload = p
		return cmd
	}
	switch r := rng.IntN(100); {
	case r < 10:
		cmd.Payload = &events.MeetingAccepted{}
	case r < 13:
		cmd.Payload = &events.MeetingDeclined{Reason: reasons[rng.IntN(len(reasons))]}
	case r < 18 && len(lf.m.Preconditions) < 8:
		cmd.Payload = &events.PreconditionAdded{
			Precondition: fmt.Sprintf("prep-%d", len(lf.m.Preconditions)+1),
			Description:  "an agenda agreed by the delegations: " + reasons[rng.IntN(len(reasons))],
		}
	case r < 26:
		if p := lf.unsettled(rng); p != "" {
			if rng.IntN(4) == 0 {
				cmd.Payload = &events.PreconditionWaived{Precondition: p, Reason: reasons[rng.IntN(len(reasons))]}
			} else {
				cmd.Payload = &events.PreconditionMet{Precondition: p}
			}
		}
	case r < 33:
		cmd.Payload = &events.MeetingScheduled{Date: events.OneDay(day(21)), Venue: venues[rng.IntN(len(venues))]}
	case r < 38:
		until := day(60)
		cmd.Payload = &events.MeetingPostponed{Reason: reasons[rng.IntN(len(reasons))], Until: &until}
	case r < 43:
		cmd.Payload = &events.MeetingProposed{Venue: venues[rng.IntN(len(venues))], Window: &events.Window{From: day(7), To: day(30)}}
	}
	if cmd.Payload == nil {
		s := &events.StatementMade{About: lf.id, Stance: stances[rng.IntN(len(stances))], Quote: quotes[rng.IntN(len(quotes))]}
		if rng.IntN(5) < 2 {
			s.Claim = claims[rng.IntN(len(claims))]
		}
		cmd.Payload = s
	}
	return cmd
}

// unsettled returns a precondition an event can still meet or waive, or "".
func (lf *life) unsettled(rng *rand.Rand) string {
	var open []string
	for _, p := range lf.m.Preconditions {
		if p.State == aggregates.Unmet {
			open = append(open, p.ID)
		}
	}
	if len(open) == 0 {
		return ""
	}
	return open[rng.IntN(len(open))]
}

func (lf *life) source(at events.Time, rng *rand.Rand) *events.Source {
	o := outlets[rng.IntN(len(outlets))]
	return &events.Source{
		Outlet:    o,
		Address:   fmt.Sprintf("https://www.%s/politik/%s-article%d.html", o, lf.id, lf.sources),
		Published: at.Format(time.DateOnly),
	}
}
