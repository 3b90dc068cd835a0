package events

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
)

// This file makes the load of the codec's benchmarks and of its
// differential tests: a realistic mix of valid events of every kind, as a
// long record holds them. Most are statements and a meeting's life; their
// sources quote 100 to 300 bytes, some of it not ASCII; a third of them are
// dated in a zone; some are reported later than they happened, named by a
// ref, or correct an earlier one; about 450 bytes each on the wire. A few
// strings need an escape (an ampersand, a quotation mark), as real quotes
// do. It is written without qualified names of this package so that a
// benchmark outside it can use it with a dot import.

var (
	mixCast = [][2]string{
		{"trump", "USA"}, {"rubio", "USA"}, {"witkoff", "USA"}, {"vance", "USA"},
		{"putin", "RUS"}, {"lavrov", "RUS"}, {"peskov", "RUS"}, {"ushakov", "RUS"},
		{"zelensky", "UKR"}, {"sybiha", "UKR"}, {"yermak", "UKR"},
		{"orban", "HUN"}, {"szijjarto", "HUN"}, {"kallas", "EU"}, {"costa", "EU"},
		{"xi", "CHN"}, {"wang-yi", "CHN"}, {"erdogan", "TUR"}, {"fidan", "TUR"},
		{"macron", "FRA"}, {"merz", "DEU"}, {"starmer", "GBR"}, {"modi", "IND"},
	}
	mixVenues  = []string{"Budapest", "Geneva", "Istanbul", "Riyadh", "Anchorage", "Vienna", "Helsinki", "Doha", "Abu Dhabi", "Brussels"}
	mixOutlets = []string{"ntv.de", "reuters.com", "apnews.com", "tass.ru", "kyivindependent.com", "lemonde.fr", "ft.com", "aljazeera.com"}
	mixZones   = []string{"Europe/Budapest", "Asia/Ho_Chi_Minh", "Europe/Moscow", "America/Anchorage"}
	mixReasons = []string{
		"the preparations are not complete",
		"no agreement on the agenda",
		"the foreign ministers could not agree on a date",
		"a change of circumstances on the ground",
		"the other side hardened its position",
		"scheduling conflicts",
	}
	mixOutcomes = []string{
		"a joint statement on a ceasefire framework",
		"agreement to continue talks at the level of ministers",
		"no agreement; both sides restated their positions",
		"an exchange of prisoners was agreed",
	}
	mixQuotes = []string{
		"Wir brauchen Vorbereitung, ernsthafte Vorbereitung, bevor ein solches Treffen stattfinden kann. Ein Gipfel ohne Ergebnis nützt niemandem, auch nicht den Ukrainern.",
		"I don't want to have a wasted meeting. I don't want to have a waste of time, so we'll see what happens over the next two days.",
		"The meeting was never scheduled; there were no firm dates, and there can be none without preparation by the foreign ministers and the experts of both sides. We said so from the first day.",
		"Мы готовы к встрече на любом уровне, если другая сторона покажет, что настроена серьёзно.",
		"Nothing has been agreed until everything has been agreed, and we are still far from that point, although the talks in Geneva were useful.",
		"Nous restons prêts à accueillir une rencontre, mais pas à n'importe quel prix : la sécurité de l'Europe est en jeu.",
		"The summit has been postponed, not cancelled; the dates will be set through diplomatic channels once the ministers have met again and agreed on an agenda that both capitals can accept.",
		"Our position is unchanged: any meeting must be prepared by the ministers and experts first.",
		"Ми не погодимося на жодні домовленості про Україну без України. Це наша принципова позиція, і партнери її знають.",
		"The foreign ministers had a productive conversation and will continue their contacts in the coming days, by phone and in person.",
		"Budapest steht bereit. Wir haben die Infrastruktur, die Erfahrung und – das ist entscheidend – das Vertrauen beider Seiten. Ungarn wird alles tun, damit das Treffen stattfindet.",
	}
	// mixEscaped are quotes that encoding/json writes with escapes; they
	// are rarer.
	mixEscaped = []string{
		"Asked whether the Q&A would follow, he said \"not today\" and left the room before the ministers' joint statement was read out.",
	}
	mixPositions = []string{"a ceasefire along the current line of contact", "no territorial concessions", "security guarantees before any agreement", "sanctions relief first"}
	mixIssues    = []string{"ceasefire", "territory", "security-guarantees", "sanctions", "prisoners"}
	mixTopics    = []string{"ukraine", "energy", "trade", "prisoners", "nuclear arms control"}
)

// mixWeights are the kinds of the mix and how often each comes.
var mixWeights = []struct {
	kind Kind
	n    int
}{
	{KindPartyDeclared, 1}, {KindPersonDeclared, 1}, {KindMeetingDeclared, 3},
	{KindMeetingFloated, 4}, {KindMeetingProposed, 6}, {KindMeetingAccepted, 5},
	{KindMeetingDeclined, 2}, {KindMeetingScheduled, 5}, {KindMeetingPostponed, 3},
	{KindMeetingCancelled, 2}, {KindMeetingHeld, 3}, {KindMeetingEnded, 1},
	{KindParticipantsChanged, 2}, {KindPreconditionAdded, 5}, {KindPreconditionMet, 3},
	{KindPreconditionFailed, 1}, {KindPreconditionWaived, 1}, {KindCallHeld, 4},
	{KindVisitMade, 3}, {KindStatementMade, 30}, {KindPositionStated, 4},
	{KindSanctionsImposed, 2}, {KindEventRetracted, 1},
}

// mixEvents returns n valid events of the mix, the same for the same seed.
func mixEvents(n int, seed uint64) []Event {
	rng := rand.New(rand.NewPCG(seed, 0xc0dec))
	total := 0
	for _, w := range mixWeights {
		total += w.n
	}
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	quote := func() string {
		if rng.IntN(40) == 0 {
			return pick(mixEscaped)
		}
		return pick(mixQuotes)
	}
	id := func() uuid.UUID {
		var u uuid.UUID
		binary.BigEndian.PutUint64(u[:8], rng.Uint64())
		binary.BigEndian.PutUint64(u[8:], rng.Uint64())
		u[6] = u[6]&0x0f | 0x70 // version 7
		u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
		return u
	}
	versions := map[Ref]uint64{}
	correlation := id()
	recorded := time.Date(2026, 11, 25, 16, 0, 0, 123456789, time.UTC)
	start := time.Date(2025, 1, 6, 8, 0, 0, 0, time.UTC)
	out := make([]Event, 0, n)
	for i := range n {
		r := rng.IntN(total)
		var kind Kind
		for _, w := range mixWeights {
			if r -= w.n; r < 0 {
				kind = w.kind
				break
			}
		}
		who := mixCast[rng.IntN(len(mixCast))]
		other := mixCast[rng.IntN(len(mixCast))]
		for other[0] == who[0] {
			other = mixCast[rng.IntN(len(mixCast))]
		}
		meeting := fmt.Sprintf("m%05d", rng.IntN(2000))
		e := Event{
			ID:            id(),
			Aggregate:     Meeting(meeting),
			By:            who[0],
			Party:         who[1],
			Branch:        Main,
			Recorded:      recorded.Add(time.Duration(i) * time.Millisecond),
			CorrelationID: correlation,
		}
		if rng.IntN(3) == 0 {
			e.Zone = pick(mixZones)
		}
		loc, _ := Location(e.Zone)
		now := start.Add(time.Duration(i) * 7 * time.Minute)
		day := func(after int) Time {
			t := now.AddDate(0, 0, after)
			return Time{Time: time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc), DateOnly: true}
		}
		if rng.IntN(4) == 0 {
			e.At = At(now.In(loc).Truncate(time.Minute))
		} else {
			e.At = day(0)
		}
		if rng.IntN(5) == 0 {
			e.Reported = day(1 + rng.IntN(3))
		}
		var p Payload
		switch kind {
		case KindPartyDeclared:
			e.Aggregate, e.By, e.Party = Actor(who[1]), "", ""
			p = &PartyDeclared{Name: "The party of " + who[1]}
		case KindPersonDeclared:
			e.Aggregate, e.By, e.Party = Actor(who[0]), "", ""
			p = &PersonDeclared{Name: "Person " + who[0], Party: who[1], Role: "foreign minister"}
		case KindMeetingDeclared:
			e.By, e.Party = "", ""
			ps := []Participant{{Person: who[0], Party: who[1]}}
			if other[1] != who[1] {
				ps = append(ps, Participant{Person: other[0], Party: other[1]})
			}
			if rng.IntN(3) == 0 && who[1] != "UKR" && other[1] != "UKR" {
				ps = append(ps, Participant{Party: "UKR"})
			}
			p = &MeetingDeclared{Title: who[1] + "-" + other[1] + " talks in " + pick(mixVenues), Participants: ps}
		case KindMeetingFloated:
			p = &MeetingFloated{}
		case KindMeetingProposed:
			mp := &MeetingProposed{Venue: pick(mixVenues)}
			if rng.IntN(2) == 0 {
				mp.Within = &Span{Days: 7 * (1 + rng.IntN(4))}
			} else {
				mp.Window = &Window{From: day(7), To: day(30)}
			}
			p = mp
		case KindMeetingAccepted:
			p = &MeetingAccepted{}
		case KindMeetingDeclined:
			p = &MeetingDeclined{Reason: pick(mixReasons)}
		case KindMeetingScheduled:
			ms := &MeetingScheduled{Date: OneDay(day(21)), Venue: pick(mixVenues)}
			if rng.IntN(3) == 0 {
				ms.Date.To = day(22)
			}
			if rng.IntN(5) == 0 {
				e.By, e.Party = "", ""
			}
			p = ms
		case KindMeetingPostponed:
			until := day(60)
			mp := &MeetingPostponed{Reason: pick(mixReasons)}
			if rng.IntN(2) == 0 {
				mp.Until = &until
			}
			p = mp
		case KindMeetingCancelled:
			p = &MeetingCancelled{Reason: pick(mixReasons)}
		case KindMeetingHeld:
			p = &MeetingHeld{Venue: pick(mixVenues), Outcome: pick(mixOutcomes)}
		case KindMeetingEnded:
			p = &MeetingEnded{Early: rng.IntN(3) == 0, Outcome: pick(mixOutcomes)}
		case KindParticipantsChanged:
			pc := &ParticipantsChanged{Add: []Participant{{Person: other[0], Party: other[1]}}, Reason: pick(mixReasons)}
			if other[1] != who[1] && rng.IntN(2) == 0 {
				pc.Remove = []Participant{{Party: who[1]}}
			}
			p = pc
		case KindPreconditionAdded:
			pa := &PreconditionAdded{Precondition: fmt.Sprintf("prep-%d", rng.IntN(5)), Description: "an agenda agreed by the delegations: " + pick(mixReasons)}
			if rng.IntN(3) == 0 {
				pa.Requires = &Requirement{Held: fmt.Sprintf("m%05d", rng.IntN(2000))}
			}
			p = pa
		case KindPreconditionMet:
			p = &PreconditionMet{Precondition: fmt.Sprintf("prep-%d", rng.IntN(5))}
		case KindPreconditionFailed:
			p = &PreconditionFailed{Precondition: fmt.Sprintf("prep-%d", rng.IntN(5)), Reason: pick(mixReasons)}
		case KindPreconditionWaived:
			p = &PreconditionWaived{Precondition: fmt.Sprintf("prep-%d", rng.IntN(5)), Reason: pick(mixReasons)}
		case KindCallHeld:
			e.Aggregate = Actor(who[0])
			ch := &CallHeld{Participants: []string{who[0], other[0]}, InitiatedBy: who[0], Tone: "productive"}
			if rng.IntN(2) == 0 {
				ch.Topics = []string{pick(mixTopics), pick(mixTopics)}
			}
			p = ch
		case KindVisitMade:
			e.Aggregate = Actor(who[0])
			p = &VisitMade{Host: other[0], Place: pick(mixVenues)}
		case KindStatementMade:
			sm := &StatementMade{Stance: []Stance{StanceSupportive, StanceNoncommittal, StanceOpposed}[rng.IntN(3)]}
			if rng.IntN(4) > 0 {
				sm.About = meeting
				if rng.IntN(5) < 2 {
					sm.Claim = pick(ClaimWords)
				}
			} else {
				e.Aggregate = Actor(who[0])
			}
			if rng.IntN(2) == 0 {
				sm.Quote = quote()
			}
			p = sm
		case KindPositionStated:
			e.Aggregate = Actor(who[1])
			e.By = who[1]
			p = &PositionStated{Issue: pick(mixIssues), Position: pick(mixPositions)}
		case KindSanctionsImposed:
			e.Aggregate = Actor(who[1])
			e.By = who[1]
			p = &SanctionsImposed{Target: other[1], Description: "export controls on " + pick(mixTopics)}
		case KindEventRetracted:
			p = &EventRetracted{Retracts: fmt.Sprintf("r%d", rng.IntN(max(i, 1))), Reason: "the ministry denied the report"}
		}
		if p.Kind() != kind {
			panic("mix: " + string(kind))
		}
		e.Payload = p
		e.CAMEO = CAMEO(kind, p)
		if rng.IntN(10) < 6 {
			o := pick(mixOutlets)
			e.Source = &Source{ID: fmt.Sprintf("s%d", i), Outlet: o, Published: e.Known().Format(DateLayout)}
			if rng.IntN(4) == 0 {
				e.Source.Address = fmt.Sprintf("https://www.%s/politik/%s-%d.html", o, meeting, i)
			}
			if rng.IntN(4) == 0 {
				e.Source.Quote = quote()
			}
			if rng.IntN(20) == 0 {
				e.Source.Note = "paywalled; quoted from the agency wire"
			}
		}
		if rng.IntN(7) == 0 {
			e.RefName = fmt.Sprintf("r%d", i)
		}
		if rng.IntN(30) == 0 && kind != KindEventRetracted {
			e.Corrects = fmt.Sprintf("r%d", rng.IntN(max(i, 1)))
		}
		if rng.IntN(20) == 0 {
			e.Hypothetical, e.Branch, e.Gen = true, "what-if", uint64(1+rng.IntN(3))
		}
		if rng.IntN(4) == 0 {
			e.CausationID = id()
		}
		versions[e.Aggregate]++
		e.Version = versions[e.Aggregate]
		e.Key = Identity(e)
		if err := e.Validate(); err != nil {
			panic(fmt.Sprintf("mix: event %d: %v", i, err))
		}
		out = append(out, e)
	}
	return out
}
