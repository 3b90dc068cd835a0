package scenarios

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/events"
)

// commonKeys are the keys every timeline entry may have, as an error
// message lists them.
const commonKeys = "at, event, source, quote, cameo"

func isCommonKey(k string) bool {
	switch k {
	case "at", "event", "source", "quote", "cameo":
		return true
	}
	return false
}

// fieldsOf returns the keys an entry of kind k needs and may have besides
// [commonKeys]: the domain page's key fields.
func fieldsOf(k events.Kind) (required, optional []string) {
	switch k {
	case events.KindMeetingFloated, events.KindMeetingAccepted:
		return []string{"meeting", "by"}, nil
	case events.KindMeetingProposed:
		return []string{"meeting", "by"}, []string{"venue", "within", "window"}
	case events.KindMeetingDeclined, events.KindMeetingCancelled:
		return []string{"meeting", "by"}, []string{"reason"}
	case events.KindMeetingScheduled:
		return []string{"meeting", "date"}, []string{"venue", "by"}
	case events.KindMeetingPostponed:
		return []string{"meeting", "by"}, []string{"reason", "until"}
	case events.KindMeetingHeld:
		return []string{"meeting"}, []string{"venue", "outcome", "by"}
	case events.KindPreconditionAdded:
		return []string{"meeting", "precondition"}, []string{"description", "requires", "by"}
	case events.KindPreconditionMet:
		return []string{"meeting", "precondition"}, []string{"by"}
	case events.KindPreconditionFailed, events.KindPreconditionWaived:
		return []string{"meeting", "precondition"}, []string{"reason", "by"}
	case events.KindCallHeld:
		return []string{"participants"}, []string{"initiated_by", "tone", "topics"}
	case events.KindVisitMade:
		return []string{"by", "host"}, []string{"place"}
	case events.KindStatementMade:
		return []string{"by", "stance"}, []string{"about", "claim"}
	case events.KindPositionStated:
		return []string{"by", "issue", "position"}, nil
	case events.KindSanctionsImposed:
		return []string{"by", "target"}, []string{"description"}
	}
	return nil, nil
}

// timeline reads the entries, and reports each one dated before an entry
// above it. It compares with the latest entry so far, not only the one
// just above, so that one entry out of place cannot hide another.
func (l *loader) timeline(n *yaml.Node) {
	var latest, previous Entry // by world time, and in the file
	for _, item := range l.list(n, "timeline") {
		e := l.entry(item)
		if e.At.IsZero() {
			continue
		}
		switch {
		case latest.Line == 0 || latest.At.Before(e.At.Time):
			latest = e
		case e.At.Precedes(latest.At):
			which := "the previous event"
			if latest.Line != previous.Line {
				which = "an earlier event"
			}
			l.errorf(e.Line, "at %s is before %s (%s, line %d): the timeline must be in date order", e.At, which, latest.At, latest.Line)
		}
		previous = e
	}
}

// entry reads one timeline entry, and adds it to the scenario if its kind
// is one the timeline may write.
func (l *loader) entry(n *yaml.Node) Entry {
	e := Entry{Line: n.Line}
	if blank(n) {
		l.errorf(n.Line, "timeline: an empty entry")
		return e
	}
	ps := l.pairs(n, "timeline entry")
	if n.Kind != yaml.MappingNode {
		return e
	}
	f := map[string]*yaml.Node{}
	for _, p := range ps {
		f[p.key.Value] = p.val
	}
	errs := l.total
	if blank(f["at"]) {
		l.errorf(e.Line, "missing at: when the event happened")
	} else {
		e.At = l.time(f["at"], "at")
	}
	kind := events.Kind(l.str(f["event"], "event"))
	switch {
	case blank(f["event"]):
		l.errorf(e.Line, "missing event: want one of %s", joinWords(events.TimelineKinds()))
	case kind.Known() && !kind.InTimeline():
		l.errorf(f["event"].Line, "event %q: not for the timeline: declare parties, people and meetings in their own sections", kind)
	case kind != "" && !kind.InTimeline():
		l.errorf(f["event"].Line, "event %q: unknown kind (want one of %s)", kind, joinWords(events.TimelineKinds()))
	}
	required, optional := fieldsOf(kind)
	for _, p := range ps {
		k := p.key.Value
		if isCommonKey(k) || slices.Contains(required, k) || slices.Contains(optional, k) {
			continue
		}
		if kind.InTimeline() {
			l.errorf(p.key.Line, "%s: unknown key %q (want %s; or %s)", kind, k, strings.Join(slices.Concat(required, optional), ", "), commonKeys)
		}
		delete(f, k)
	}
	l.cite(&e, f)
	if !kind.InTimeline() {
		return e
	}
	for _, k := range required {
		if blank(f[k]) {
			l.errorf(e.Line, "%s: missing %s", kind, k)
		}
	}
	e.Meeting = l.meeting(f["meeting"], "meeting")
	e.By, e.Party = l.actor(f["by"], "by")
	str := func(key string) string { return l.str(f[key], key) }
	switch kind {
	case events.KindMeetingFloated:
		e.Payload = &events.MeetingFloated{}
	case events.KindMeetingProposed:
		p := &events.MeetingProposed{Venue: str("venue")}
		if s := str("within"); s != "" {
			if span, err := events.ParseSpan(s); err != nil {
				l.errorf(f["within"].Line, "within: %v", err)
			} else {
				p.Within = &span
			}
		}
		if w := f["window"]; !blank(w) {
			wf := l.object(w, "window", "from", "to")
			p.Window = &events.Window{From: l.time(wf["from"], "window: from"), To: l.time(wf["to"], "window: to")}
			for _, k := range []string{"from", "to"} {
				if blank(wf[k]) && w.Kind == yaml.MappingNode {
					l.errorf(w.Line, "window: missing %s", k)
				}
			}
		}
		e.Payload = p
	case events.KindMeetingAccepted:
		e.Payload = &events.MeetingAccepted{}
	case events.KindMeetingDeclined:
		e.Payload = &events.MeetingDeclined{Reason: str("reason")}
	case events.KindMeetingScheduled:
		e.Payload = &events.MeetingScheduled{Date: l.time(f["date"], "date"), Venue: str("venue")}
	case events.KindMeetingPostponed:
		p := &events.MeetingPostponed{Reason: str("reason")}
		if t := l.time(f["until"], "until"); !t.IsZero() {
			p.Until = &t
		}
		e.Payload = p
	case events.KindMeetingCancelled:
		e.Payload = &events.MeetingCancelled{Reason: str("reason")}
	case events.KindMeetingHeld:
		e.Payload = &events.MeetingHeld{Venue: str("venue"), Outcome: str("outcome")}
	case events.KindPreconditionAdded:
		p := &events.PreconditionAdded{Precondition: str("precondition"), Description: str("description")}
		if r := f["requires"]; !blank(r) {
			rf := l.object(r, "requires", "held")
			if blank(rf["held"]) && r.Kind == yaml.MappingNode {
				l.errorf(r.Line, "requires: missing held")
			}
			p.Requires = &events.Requirement{Held: l.meeting(rf["held"], "requires: held")}
		}
		e.Payload = p
	case events.KindPreconditionMet:
		e.Payload = &events.PreconditionMet{Precondition: str("precondition")}
	case events.KindPreconditionFailed:
		e.Payload = &events.PreconditionFailed{Precondition: str("precondition"), Reason: str("reason")}
	case events.KindPreconditionWaived:
		e.Payload = &events.PreconditionWaived{Precondition: str("precondition"), Reason: str("reason")}
	case events.KindCallHeld:
		p := &events.CallHeld{Tone: str("tone")}
		for _, pn := range l.list(f["participants"], "participants") {
			id, _ := l.actor(pn, "participants")
			p.Participants = append(p.Participants, id)
		}
		p.InitiatedBy, e.Party = l.actor(f["initiated_by"], "initiated_by")
		e.By = p.InitiatedBy
		for _, tn := range l.list(f["topics"], "topics") {
			p.Topics = append(p.Topics, l.str(tn, "topics"))
		}
		e.Payload = p
	case events.KindVisitMade:
		host, _ := l.actor(f["host"], "host")
		e.Payload = &events.VisitMade{Host: host, Place: str("place")}
	case events.KindStatementMade:
		e.Payload = &events.StatementMade{
			About:  l.meeting(f["about"], "about"),
			Stance: events.Stance(str("stance")),
			Claim:  str("claim"),
			Quote:  sourceQuote(e.Source),
		}
	case events.KindPositionStated:
		e.Payload = &events.PositionStated{Issue: str("issue"), Position: str("position")}
	case events.KindSanctionsImposed:
		e.Payload = &events.SanctionsImposed{Target: str("target"), Description: str("description")}
	}
	// The payload's own rules (a call of two, a claim in the words of the
	// domain, within or window) only when nothing else is wrong with the
	// entry, so that one mistake is not reported twice.
	if l.total == errs {
		if err := e.Payload.Validate(); err != nil {
			l.errorf(e.Line, "%s: %v", kind, err)
		}
	}
	l.sc.Timeline = append(l.sc.Timeline, e)
	return e
}

// cite reads the entry's source, quote and CAMEO code.
func (l *loader) cite(e *Entry, f map[string]*yaml.Node) {
	if sn := f["source"]; !blank(sn) {
		if sn.Kind == yaml.ScalarNode {
			if s, ok := l.sc.Sources[sn.Value]; ok {
				e.Source = &s
			} else {
				l.errorf(sn.Line, "source: unknown source %q (declare it under sources, or give {outlet, address, published, note})", sn.Value)
			}
		} else {
			s := l.source(sn, "source")
			e.Source = &s
		}
	}
	if q := l.str(f["quote"], "quote"); q != "" {
		if e.Source == nil {
			e.Source = &events.Source{}
		}
		e.Source.Quote = q
	}
	if c := l.str(f["cameo"], "cameo"); c != "" {
		if !cameoCode(c) {
			l.errorf(f["cameo"].Line, "cameo %q: want a CAMEO code of 2 to 4 digits", c)
		}
		e.CAMEO = c
	}
}

func cameoCode(s string) bool {
	if len(s) < 2 || len(s) > 4 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func sourceQuote(s *events.Source) string {
	if s == nil {
		return ""
	}
	return s.Quote
}

func (l *loader) expectations(n *yaml.Node) {
	for _, item := range l.list(n, "expect") {
		if blank(item) {
			l.errorf(item.Line, "expect: an empty entry")
			continue
		}
		f := l.object(item, "expectation", "at", "meeting", "status", "overdue", "readiness", "preconditions", "claims")
		if item.Kind != yaml.MappingNode {
			continue
		}
		x := Expectation{Line: item.Line}
		for _, k := range []string{"at", "meeting"} {
			if blank(f[k]) {
				l.errorf(x.Line, "expectation: missing %s", k)
			}
		}
		x.At = l.time(f["at"], "at")
		x.Meeting = l.meeting(f["meeting"], "meeting")
		if s := aggregates.Status(l.str(f["status"], "status")); s != "" {
			if !slices.Contains(aggregates.Statuses, s) {
				l.errorf(f["status"].Line, "status %q: unknown status (want one of %s)", s, joinWords(aggregates.Statuses))
			}
			x.Status = &s
		}
		if o := f["overdue"]; !blank(o) {
			switch v := l.str(o, "overdue"); strings.ToLower(v) {
			case "true", "false":
				b := strings.ToLower(v) == "true"
				x.Overdue = &b
			default:
				if o.Kind == yaml.ScalarNode {
					l.errorf(o.Line, "overdue %q: want true or false", v)
				}
			}
		}
		if s := l.str(f["readiness"], "readiness"); s != "" {
			r, ok := parseReadiness(s)
			if !ok {
				l.errorf(f["readiness"].Line, "readiness %q: want met/total, such as 0/1", s)
			}
			x.Readiness = &r
		}
		for _, p := range l.pairs(f["preconditions"], "preconditions") {
			l.checkName(p.key.Line, "precondition", p.key.Value)
			s := aggregates.PreconditionState(l.str(p.val, "preconditions: "+p.key.Value))
			if !slices.Contains(aggregates.PreconditionStates, s) && p.val.Kind == yaml.ScalarNode {
				l.errorf(p.val.Line, "preconditions: %s: %q is not a state (want one of %s)", p.key.Value, s, joinWords(aggregates.PreconditionStates))
			}
			if x.Preconditions == nil {
				x.Preconditions = map[string]aggregates.PreconditionState{}
			}
			x.Preconditions[p.key.Value] = s
		}
		for _, p := range l.pairs(f["claims"], "claims") {
			l.actor(p.key, "claims")
			w := l.str(p.val, "claims: "+p.key.Value)
			if !events.ValidClaim(w) && p.val.Kind == yaml.ScalarNode {
				l.errorf(p.val.Line, "claims: %s: %q is not a claim (want one of %s)", p.key.Value, w, strings.Join(events.ClaimWords, ", "))
			}
			if x.Claims == nil {
				x.Claims = map[string]string{}
			}
			x.Claims[p.key.Value] = w
		}
		l.sc.Expect = append(l.sc.Expect, x)
	}
}

// parseReadiness reads "met/total" and writes it as the board does (no leading
// zeros), so that an expectation of "01/2" compares equal to "1/2".
func parseReadiness(s string) (string, bool) {
	m, t, _ := strings.Cut(s, "/")
	met, ok1 := digits(m)
	total, ok2 := digits(t)
	if !ok1 || !ok2 || met > total {
		return s, false
	}
	return fmt.Sprintf("%d/%d", met, total), true
}

// digits reads a small whole number written in digits alone.
func digits(s string) (int, bool) {
	if s == "" || len(s) > 6 || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

func joinWords[S ~string](ws []S) string {
	var b strings.Builder
	for i, w := range ws {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(w))
	}
	return b.String()
}
