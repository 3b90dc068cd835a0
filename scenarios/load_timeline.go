package scenarios

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/events"
)

// mistyped returns, for an entry missing key, the hint that one of its
// keys (ps) may be it mistyped: ` ("evnt" at line 7, did you mean
// event?)`, or "".
func mistyped(ps []pair, key string) string {
	for _, p := range ps {
		if k := p.key.Value; k != key && !slices.Contains(commonKeys, k) {
			if _, ok := events.Nearest(k, []string{key}); ok {
				return fmt.Sprintf(" (%q at line %d, did you mean %s?)", k, p.key.Line, key)
			}
		}
	}
	return ""
}

// commonKeys are the keys every timeline entry may have; the others are
// its kind's, as the kinds table gives them ([events.Keys]).
var commonKeys = []string{"at", "reported", "event", "source", "quote", "cameo", "ref", "corrects"}

// timeline reads the entries in the order the file lists them. Their world
// times may go back: a file lists events as they were recorded, and a late
// report is dated before the entries above it.
func (l *loader) timeline(n *yaml.Node) {
	for _, item := range l.list(n, "timeline") {
		if e, ok := l.entry(item); ok {
			l.sc.Timeline = append(l.sc.Timeline, e)
		}
	}
}

// entry reads one timeline entry from the kinds table: the keys its kind
// takes, and its payload's fields by their field types. It reports every
// problem of the entry, and the payload's own rules (a call of two, within
// or window) only when nothing else is wrong with it, so that one mistake
// is not reported twice. It returns false for an entry of no kind the
// timeline may write.
func (l *loader) entry(n *yaml.Node) (Entry, bool) {
	e := Entry{Line: n.Line}
	if blank(n) {
		l.errorf(n.Line, "timeline: an empty entry")
		return e, false
	}
	ps := l.pairs(n, "timeline entry")
	if n.Kind != yaml.MappingNode {
		return e, false
	}
	f := fields{}
	for _, p := range ps {
		f[p.key.Value] = p
	}
	e.Lines = f.lines()
	errs := l.total

	corrects := !blank(f.val("corrects"))
	if blank(f.val("at")) {
		if !corrects {
			l.errorf(e.Line, "missing %s: when the event happened", l.name("at"))
		}
	} else {
		e.At = l.time(f.val("at"), l.name("at"))
	}
	kind := events.Kind(l.str(f.val("event"), "event"))
	switch {
	case l.flags:
		// LoadFlags checked the kind.
	case blank(f.val("event")):
		l.errorf(e.Line, "missing event%s: want one of %s", mistyped(ps, "event"), joinWords(events.TimelineKinds()))
	case kind.Known() && !kind.InTimeline():
		l.errorf(f.line("event"), "event %q: not for the timeline: declare parties, people and meetings in their own sections", kind)
	case kind != "" && !kind.InTimeline():
		l.errorf(f.line("event"), "event %q: unknown kind%s (want one of %s)", kind, events.DidYouMean(kind, events.TimelineKinds()), joinWords(events.TimelineKinds()))
	}
	e.Kind = kind
	required, optional := events.Keys(kind)
	for _, p := range ps {
		k := p.key.Value
		if slices.Contains(commonKeys, k) || slices.Contains(required, k) || slices.Contains(optional, k) {
			continue
		}
		if kind.InTimeline() {
			l.errorf(p.key.Line, "%s: unknown key %q%s (want %s; or %s)", kind, k, events.DidYouMean(k, slices.Concat(required, optional, commonKeys)), strings.Join(slices.Concat(required, optional), ", "), strings.Join(commonKeys, ", "))
		}
		delete(f, k)
	}
	l.envelope(&e, f)
	if !kind.InTimeline() {
		return e, false
	}
	for _, k := range required {
		if blank(f.val(k)) {
			l.errorf(e.Line, "%s: missing %s", kind, l.name(k))
		}
	}
	if kind == events.KindEventRetracted && corrects {
		l.errorf(f.line("corrects"), "%s: a retraction corrects nothing: it names what it withdraws with %s", l.name("corrects"), l.name("retracts"))
	}
	e.Meeting = l.id(f.val("meeting"), l.name("meeting"))
	e.By = l.id(f.val("by"), l.name("by"))
	e.Payload = l.payload(&e, f)
	if l.total == errs {
		if err := provisional(e.Payload).Validate(); err != nil {
			l.errorf(e.Line, "%s: %v", kind, err)
		} else if err := validateAt(e.Payload, e.At); err != nil {
			l.errorf(e.Line, "%s: %v", kind, err)
		}
	}
	return e, true
}

// envelope reads the keys every entry may have besides at and event:
// reported, ref, corrects, the source, the quote and the CAMEO code.
func (l *loader) envelope(e *Entry, f fields) {
	if n := f.val("reported"); !blank(n) {
		e.Reported = l.time(n, l.name("reported"))
		if !e.Reported.IsZero() && !e.At.IsZero() && e.Reported.Precedes(e.At) {
			l.errorf(n.Line, "%s %s is before at %s: an event becomes known when it happens, or later", l.name("reported"), e.Reported, e.At)
		}
	}
	if n := f.val("ref"); !blank(n) {
		e.RefName = l.id(n, l.name("ref"))
	}
	if n := f.val("corrects"); !blank(n) {
		e.Corrects = l.str(n, l.name("corrects"))
		if err := events.CheckTarget(e.Corrects); e.Corrects != "" && err != nil {
			l.errorf(n.Line, "%s: %v", l.name("corrects"), err)
		}
	}
	if sn := f.val("source"); !blank(sn) {
		if sn.Kind == yaml.ScalarNode {
			if s, ok := l.sc.Sources[sn.Value]; ok {
				e.Source = &s
			} else {
				l.errorf(sn.Line, "source: unknown source %q (declare it under sources, or give {outlet, address, published, note})", sn.Value)
			}
		} else {
			s := l.source(sn, l.name("source"))
			e.Source = &s
		}
	}
	if q := l.str(f.val("quote"), l.name("quote")); q != "" {
		if e.Source == nil {
			e.Source = &events.Source{}
		}
		e.Source.Quote = q
	}
	if c := l.str(f.val("cameo"), l.name("cameo")); c != "" {
		if !cameoCode(c) {
			l.errorf(f.line("cameo"), "%s %q: want a CAMEO code of 2 to 4 digits", l.name("cameo"), c)
		}
		e.CAMEO = c
	}
}

// kindFields returns the kinds table's fields of kind k.
func (l *loader) kindFields(k events.Kind) []events.Field {
	fs, ok := l.fields[k]
	if !ok {
		fs = events.Fields(k)
		l.fields[k] = fs
	}
	return fs
}

// payload returns the payload of e's kind, each field read from the key of
// its name as its field type says.
func (l *loader) payload(e *Entry, f fields) events.Payload {
	p := e.Kind.New()
	v := reflect.ValueOf(p).Elem()
	for _, fd := range l.kindFields(e.Kind) {
		fv := v.Field(fd.Index)
		if fd.Type == events.FieldQuote {
			if e.Source != nil {
				fv.SetString(e.Source.Quote)
			}
			continue
		}
		if n := f.val(fd.Key); !blank(n) {
			l.field(e, fd, n, fv)
		}
	}
	return p
}

// field reads the value of field fd from n into v.
func (l *loader) field(e *Entry, fd events.Field, n *yaml.Node, v reflect.Value) {
	key, name := fd.Key, l.name(fd.Key)
	switch fd.Type {
	case events.FieldText:
		v.SetString(l.str(n, name))
	case events.FieldID, events.FieldActor, events.FieldMeeting:
		v.SetString(l.id(n, name))
	case events.FieldRef:
		s := l.str(n, name)
		if err := events.CheckTarget(s); s != "" && err != nil {
			l.errorf(n.Line, "%s: %v", name, err)
		}
		v.SetString(s)
	case events.FieldStance:
		s := l.str(n, name)
		if s != "" && !events.Stance(s).Valid() {
			l.errorf(n.Line, "%s %q: not a stance%s (want supportive, noncommittal or opposed)", name, s, events.DidYouMean(events.Stance(s), events.Stances))
		}
		v.SetString(s)
	case events.FieldClaim:
		s := l.str(n, name)
		if s != "" && !events.ValidClaim(s) {
			l.errorf(n.Line, "%s %q: not a claim%s (want one of %s)", name, s, events.DidYouMean(s, events.ClaimWords), strings.Join(events.ClaimWords, ", "))
		}
		v.SetString(s)
	case events.FieldTexts:
		var ss []string
		for _, item := range l.list(n, name) {
			s := l.str(item, name)
			if s == "" {
				if item.Kind == yaml.ScalarNode {
					l.errorf(item.Line, "%s: an empty item", name)
				}
				continue
			}
			e.Lines[fmt.Sprintf("%s[%d]", key, len(ss))] = item.Line
			ss = append(ss, s)
		}
		if len(ss) > 0 {
			v.Set(reflect.ValueOf(ss))
		}
	case events.FieldActors:
		if ids := l.ids(n, key, name, e.Lines); len(ids) > 0 {
			v.Set(reflect.ValueOf(ids))
		}
	case events.FieldParticipants:
		if ids := l.ids(n, key, name, e.Lines); len(ids) > 0 {
			ps := make([]events.Participant, len(ids))
			for i, id := range ids {
				ps[i] = events.Participant{Person: id}
			}
			v.Set(reflect.ValueOf(ps))
		}
	case events.FieldTime:
		if t := l.time(n, name); !t.IsZero() {
			set(v, t)
		}
	case events.FieldSpan:
		if s := l.str(n, name); s != "" {
			if sp, err := events.ParseSpan(s); err != nil {
				l.errorf(n.Line, "%s: %v", name, err)
			} else {
				set(v, sp)
			}
		}
	case events.FieldWindow:
		if from, to, ok := l.fromTo(n, key, e.Lines); ok {
			set(v, events.Window{From: from, To: to})
		}
	case events.FieldDays:
		if n.Kind == yaml.MappingNode {
			if from, to, ok := l.fromTo(n, key, e.Lines); ok {
				set(v, events.Days{From: from, To: to})
			}
		} else if t := l.time(n, name); !t.IsZero() {
			set(v, events.OneDay(t))
		}
	case events.FieldBool:
		if b, ok := l.boolean(n, name); ok {
			v.SetBool(b)
		}
	case events.FieldRequires:
		rf := l.object(n, name, "held")
		held := rf.val("held")
		if blank(held) {
			if n.Kind == yaml.MappingNode {
				l.errorf(n.Line, "%s: missing held", name)
			}
			return
		}
		e.Lines[key+".held"] = rf.line("held")
		if id := l.id(held, name+": held"); id != "" {
			set(v, events.Requirement{Held: id})
		}
	default:
		// The kinds table is part of the program, and the tests load
		// every kind: a field type the loader does not read is a bug.
		panic(fmt.Sprintf("scenarios: field %s of %s has type %q, which the loader does not read", key, e.Kind, fd.Type))
	}
}

// set sets v to x, or to a pointer to x if v is a pointer.
func set(v reflect.Value, x any) {
	xv := reflect.ValueOf(x)
	if v.Kind() == reflect.Pointer && xv.Type() == v.Type().Elem() {
		p := reflect.New(xv.Type())
		p.Elem().Set(xv)
		xv = p
	}
	v.Set(xv)
}

// fromTo reads a mapping {from: DATE, to: DATE} under key, noting the
// lines of its keys as "key.from" and "key.to"; ok is false unless both
// are good dates.
func (l *loader) fromTo(n *yaml.Node, key string, lines map[string]int) (from, to events.Time, ok bool) {
	name := l.name(key)
	wf := l.object(n, name, "from", "to")
	for _, k := range []string{"from", "to"} {
		if blank(wf.val(k)) && n.Kind == yaml.MappingNode {
			l.errorf(n.Line, "%s: missing %s", name, k)
		}
		if p, ok := wf[k]; ok {
			lines[key+"."+k] = p.key.Line
		}
	}
	from = l.time(wf.val("from"), name+": from")
	to = l.time(wf.val("to"), name+": to")
	return from, to, !from.IsZero() && !to.IsZero()
}

// boolean reads true or false (in any case) from n.
func (l *loader) boolean(n *yaml.Node, what string) (value, ok bool) {
	v := l.str(n, what)
	switch strings.ToLower(v) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	if n.Kind == yaml.ScalarNode {
		l.errorf(n.Line, "%s %q: want true or false", what, v)
	}
	return false, false
}

// id reads an id (a person's, a party's, a meeting's) from n.
func (l *loader) id(n *yaml.Node, what string) string {
	s := l.str(n, what)
	if s == "" {
		return ""
	}
	if err := events.CheckName(s); err != nil {
		l.errorf(n.Line, "%s: %v", what, err)
	}
	return s
}

// provisional returns p, or a copy of it whose unresolved participants
// stand as their own party, so that Validate checks what it can before the
// names are resolved (an id given twice, a change that adds nobody); Plan
// checks the rest once it knows each participant's party.
func provisional(p events.Payload) events.Payload {
	v := reflect.ValueOf(p).Elem()
	var c reflect.Value
	for i := range v.NumField() {
		if !v.Type().Field(i).IsExported() {
			continue
		}
		ps, ok := v.Field(i).Interface().([]events.Participant)
		if !ok || len(ps) == 0 {
			continue
		}
		if !c.IsValid() {
			c = reflect.New(v.Type())
			c.Elem().Set(v)
		}
		q := slices.Clone(ps)
		for j := range q {
			if q[j].Party == "" {
				q[j].Party = q[j].Person
			}
		}
		c.Elem().Field(i).Set(reflect.ValueOf(q))
	}
	if !c.IsValid() {
		return p
	}
	return c.Interface().(events.Payload)
}

// validateAt applies a payload's rules that depend on when it happened (a
// proposal's window must end within the years summit reads).
func validateAt(p events.Payload, at events.Time) error {
	if v, ok := p.(interface{ ValidateAt(events.Time) error }); ok && !at.IsZero() {
		return v.ValidateAt(at)
	}
	return nil
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

func (l *loader) expectations(n *yaml.Node) {
	for _, item := range l.list(n, "expect") {
		if blank(item) {
			l.errorf(item.Line, "expect: an empty entry")
			continue
		}
		f := l.object(item, "expectation", "at", "known_at", "meeting", "status", "overdue", "readiness", "preconditions", "claims", "participants")
		if item.Kind != yaml.MappingNode {
			continue
		}
		x := Expectation{Line: item.Line, Lines: f.lines()}
		for _, k := range []string{"at", "meeting"} {
			if blank(f.val(k)) {
				l.errorf(x.Line, "expectation: missing %s", k)
			}
		}
		x.At = l.time(f.val("at"), "at")
		x.KnownAt = l.time(f.val("known_at"), "known_at")
		x.Meeting = l.id(f.val("meeting"), "meeting")
		if s := l.str(f.val("status"), "status"); s != "" {
			st, ok := aggregates.ParseStatus(s)
			if !ok {
				l.errorf(f.line("status"), "status %q: unknown status%s (want one of %s)", s, events.DidYouMean(aggregates.Status(s), aggregates.Statuses), joinWords(aggregates.Statuses))
			}
			x.Status = &st
		}
		if o := f.val("overdue"); !blank(o) {
			if b, ok := l.boolean(o, "overdue"); ok {
				x.Overdue = &b
			}
		}
		if s := l.str(f.val("readiness"), "readiness"); s != "" {
			r, ok := parseReadiness(s)
			if !ok {
				l.errorf(f.line("readiness"), "readiness %q: want met/total, such as 0/1", s)
			}
			x.Readiness = &r
		}
		for _, p := range l.pairs(f.val("preconditions"), "preconditions") {
			l.checkName(p.key.Line, "precondition", p.key.Value)
			s := aggregates.PreconditionState(l.str(p.val, "preconditions: "+p.key.Value))
			if !slices.Contains(aggregates.PreconditionStates, s) && p.val.Kind == yaml.ScalarNode {
				l.errorf(p.val.Line, "preconditions: %s: %q is not a state%s (want one of %s)", p.key.Value, s, events.DidYouMean(s, aggregates.PreconditionStates), joinWords(aggregates.PreconditionStates))
			}
			if x.Preconditions == nil {
				x.Preconditions = map[string]aggregates.PreconditionState{}
			}
			x.Preconditions[p.key.Value] = s
		}
		for _, p := range l.pairs(f.val("claims"), "claims") {
			if err := events.CheckName(p.key.Value); err != nil {
				l.errorf(p.key.Line, "claims: speaker: %v", err)
			}
			w := l.str(p.val, "claims: "+p.key.Value)
			if !events.ValidClaim(w) && p.val.Kind == yaml.ScalarNode {
				l.errorf(p.val.Line, "claims: %s: %q is not a claim%s (want one of %s)", p.key.Value, w, events.DidYouMean(w, events.ClaimWords), strings.Join(events.ClaimWords, ", "))
			}
			if x.Claims == nil {
				x.Claims = map[string]string{}
			}
			x.Claims[p.key.Value] = w
			x.Lines["claims."+p.key.Value] = p.key.Line
		}
		x.Participants = l.ids(f.val("participants"), "participants", "participants", x.Lines)
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
