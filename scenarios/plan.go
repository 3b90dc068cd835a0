package scenarios

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/events"
)

// Cast is what a store holds that a file may name without declaring it:
// the parties, people and meetings declared there, by id, and where the
// events a file corrects or retracts are. The caller fills it from the
// store for what [Scenario.Wanted] lists; a scenario replayed on a fresh
// store plans with an empty Cast.
type Cast struct {
	Parties  map[string]Party
	People   map[string]Person
	Meetings map[string]Meeting
	// Refs maps a ref name, or an event id, to where that event is.
	Refs map[string]Target
	// Others, if the store lacks a name the file wants, are the ids of the
	// store's actors (people and parties) and meetings: a plan's error
	// guesses from them what a mistyped name meant.
	Others Others
}

// Others are the ids of a store's actors and meetings ([Cast.Others]).
type Others struct {
	Actors, Meetings []string
}

// Target is where an event that a correction or retraction names is: its
// aggregate, and its world time (a correction without an at takes it).
type Target struct {
	Aggregate events.Ref
	At        events.Time
}

// Wanted is what a file names but does not declare: the store must supply
// it, in a [Cast], for the file to plan. Each list is sorted.
type Wanted struct {
	// Actors are people or parties.
	Actors   []string
	Meetings []string
	// Refs are the names that corrections and retractions use and no
	// entry of the file defines with a ref: ref names, or event ids.
	Refs []string
}

// Wanted returns what s names but does not declare.
func (s *Scenario) Wanted() Wanted {
	actors, meetings, refs := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, p := range s.People {
		actors[p.Party] = true
	}
	for _, m := range s.Meetings {
		for _, id := range m.Participants {
			actors[id] = true
		}
	}
	for _, e := range s.Timeline {
		actors[e.By] = true
		meetings[e.Meeting] = true
		refs[e.Corrects] = true
		eachName(e, events.Fields(e.Kind), func(_ string, t events.FieldType, id string) {
			switch t {
			case events.FieldMeeting, events.FieldRequires:
				meetings[id] = true
			case events.FieldRef:
				refs[id] = true
			default:
				actors[id] = true
			}
		})
	}
	for _, x := range s.Expect {
		meetings[x.Meeting] = true
		for id := range x.Claims {
			actors[id] = true
		}
		for _, id := range x.Participants {
			actors[id] = true
		}
	}
	for _, p := range s.Parties {
		delete(actors, p.ID)
	}
	for _, p := range s.People {
		delete(actors, p.ID)
	}
	for _, m := range s.Meetings {
		delete(meetings, m.ID)
	}
	for _, e := range s.Timeline {
		delete(refs, e.RefName)
	}
	return Wanted{Actors: sortedNames(actors), Meetings: sortedNames(meetings), Refs: sortedNames(refs)}
}

func sortedNames(m map[string]bool) []string {
	var out []string
	for id := range m {
		if id != "" {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// eachName calls fn with every name e's payload holds, with the key it
// is under (as [Entry.Lines] notes it: "participants[1]", "requires.held")
// and the field's type: actors, participants, meetings, requirements and
// refs.
func eachName(e Entry, fields []events.Field, fn func(key string, t events.FieldType, id string)) {
	if e.Payload == nil {
		return
	}
	v := reflect.ValueOf(e.Payload).Elem()
	for _, fd := range fields {
		f := v.Field(fd.Index)
		switch fd.Type {
		case events.FieldActor, events.FieldMeeting, events.FieldRef:
			if id := f.String(); id != "" {
				fn(fd.Key, fd.Type, id)
			}
		case events.FieldActors:
			for i, id := range f.Interface().([]string) {
				fn(fmt.Sprintf("%s[%d]", fd.Key, i), fd.Type, id)
			}
		case events.FieldParticipants:
			for i, p := range f.Interface().([]events.Participant) {
				fn(fmt.Sprintf("%s[%d]", fd.Key, i), fd.Type, p.ID())
			}
		case events.FieldRequires:
			if r, ok := f.Interface().(*events.Requirement); ok && r != nil && r.Held != "" {
				fn(fd.Key+".held", fd.Type, r.Held)
			}
		}
	}
}

// Step is one command that records a file, with the line it comes from.
type Step struct {
	Line    int
	Command aggregates.Command
}

// Plan is a file resolved into the commands that record it, in order, and
// the expectations to check once they are recorded.
type Plan struct {
	File string
	// Zone is the file's timezone, "" for UTC.
	Zone   string
	Steps  []Step
	Expect []Expectation
}

// Plan resolves every name s uses against its own declarations and cast,
// and returns the commands that record s, in order, or an [ErrorList]
// (file:line, the line of the very key) of every problem: people, parties,
// meetings and refs unknown; a person and their party both among a
// meeting's participants; a ref defined twice; a correction whose target is
// another aggregate's event, or comes later in the file; a retraction by an
// event id that names no meeting and whose id cast does not know; two
// entries that say the same thing. It does not decide the commands: the
// model's rules are the aggregates', applied where the commands are
// appended.
//
// The steps: the declarations of the file's parties and people first, at
// the earliest at of the file; each meeting the file declares just before
// the first entry that names it (as its meeting, the meeting a statement is
// about, the meeting a precondition requires, or a retraction's target), at
// the earliest at of the entries that name it, so that it is on the board
// from its first event; or with the parties, if no entry names it; then the
// timeline in file order. A correction without an at takes its target's;
// a retraction that names no meeting goes to its target's aggregate.
//
// Plan is linear in the size of s, and returns ctx's error if ctx ends
// first.
func (s *Scenario) Plan(ctx context.Context, cast Cast) (*Plan, error) {
	p := &planner{
		report:  report{file: s.File},
		s:       s,
		cast:    cast,
		parties: make(map[string]Party, len(s.Parties)),
		people:  make(map[string]Person, len(s.People)),
		meets:   make(map[string]*Meeting, len(s.Meetings)),
		refs:    map[string]int{},
		placed:  make([]placed, len(s.Timeline)),
		seen:    map[string]int{},
		fields:  map[events.Kind][]events.Field{},
	}
	steps, err := p.plan(ctx)
	if err != nil {
		return nil, err
	}
	if err := p.finish(); err != nil {
		return nil, err
	}
	return &Plan{File: s.File, Zone: s.Zone, Steps: steps, Expect: slices.Clone(s.Expect)}, nil
}

// planner is the state of one Plan.
type planner struct {
	report
	s    *Scenario
	cast Cast
	// The file's own declarations by id.
	parties map[string]Party
	people  map[string]Person
	meets   map[string]*Meeting
	// refs maps each ref the file defines to its entry's index.
	refs map[string]int
	// placed is where each entry's event goes, once planned.
	placed []placed
	// seen maps the identity of each entry planned to its line.
	seen   map[string]int
	fields map[events.Kind][]events.Field
}

// placed is where an entry's event goes: its aggregate and world time;
// zero for an entry with an error.
type placed struct {
	aggregate events.Ref
	at        events.Time
}

func (p *planner) plan(ctx context.Context) ([]Step, error) {
	s := p.s
	start := s.start()
	steps := make([]Step, 0, len(s.Parties)+len(s.People)+len(s.Meetings)+len(s.Timeline))
	for _, d := range s.Parties {
		p.parties[d.ID] = d
		if _, ok := p.cast.People[d.ID]; ok {
			p.errorf(d.Line, "party %q: already a person's id in the store (parties and people share one namespace)", d.ID)
		}
		steps = append(steps, Step{Line: d.Line, Command: aggregates.Command{
			Aggregate: events.Actor(d.ID), At: start, Zone: s.Zone, Declare: &events.PartyDeclared{Name: d.Name},
		}})
	}
	for _, d := range s.People {
		p.people[d.ID] = d
	}
	for _, d := range s.People {
		_, clash := p.cast.Parties[d.ID]
		switch _, isParty, ok := p.actor(d.Party); {
		case clash:
			p.errorf(d.Line, "person %q: already a party's id in the store (parties and people share one namespace)", d.ID)
		case !ok:
			p.errorf(lineOr(d.Lines, "party", d.Line), "person %q: party: unknown party %q", d.ID, d.Party)
		case !isParty:
			p.errorf(lineOr(d.Lines, "party", d.Line), "person %q: party: %q is a person, not a party", d.ID, d.Party)
		}
		steps = append(steps, Step{Line: d.Line, Command: aggregates.Command{
			Aggregate: events.Actor(d.ID), At: start, Zone: s.Zone, Declare: &events.PersonDeclared{Name: d.Name, Party: d.Party, Role: d.Role},
		}})
	}
	for i := range s.Meetings {
		p.meets[s.Meetings[i].ID] = &s.Meetings[i]
	}

	// Where each meeting the file declares is first named, and the
	// earliest at of the entries that name it.
	first := map[string]int{}
	earliest := map[string]events.Time{}
	var order []string
	for i, e := range s.Timeline {
		for _, id := range p.mentions(e) {
			if _, ok := first[id]; !ok {
				first[id] = i
				order = append(order, id)
			}
			if t := earliest[id]; !e.At.IsZero() && (t.IsZero() || e.At.Before(t.Time)) {
				earliest[id] = e.At
			}
		}
	}
	declared := map[string]bool{}
	declare := func(id string, at events.Time) {
		m, ok := p.meets[id]
		if !ok || declared[id] {
			return // the store declared it: the file only names it
		}
		declared[id] = true
		if at.IsZero() {
			at = start
		}
		steps = append(steps, Step{Line: m.Line, Command: aggregates.Command{
			Aggregate: events.Meeting(id), At: at, Zone: s.Zone, Declare: p.declaration(m),
		}})
	}
	for _, m := range s.Meetings {
		if _, named := first[m.ID]; !named {
			declare(m.ID, start)
		}
	}
	byEntry := map[int][]string{}
	for _, id := range order {
		byEntry[first[id]] = append(byEntry[first[id]], id)
	}

	// The refs the file defines, each once.
	for i, e := range s.Timeline {
		if e.RefName == "" {
			continue
		}
		if j, ok := p.refs[e.RefName]; ok {
			p.errorf(lineOr(e.Lines, "ref", e.Line), "%s %q given twice (first at line %d): a ref names one event", name(e, "ref"), e.RefName, s.Timeline[j].Line)
			continue
		}
		p.refs[e.RefName] = i
	}

	for i, e := range s.Timeline {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for _, id := range byEntry[i] {
			declare(id, earliest[id])
		}
		if cmd, ok := p.entry(i, e); ok {
			steps = append(steps, Step{Line: e.Line, Command: cmd})
		}
	}
	for _, x := range s.Expect {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p.expectation(x)
	}
	return steps, nil
}

// start is when the file's declarations happen: its earliest event, or its
// earliest expectation if it has no events, or today (in its timezone).
func (s *Scenario) start() events.Time {
	var t events.Time
	for _, e := range s.Timeline {
		if !e.At.IsZero() && (t.IsZero() || e.At.Before(t.Time)) {
			t = e.At
		}
	}
	if !t.IsZero() {
		return t
	}
	for _, x := range s.Expect {
		if !x.At.IsZero() && (t.IsZero() || x.At.Before(t.Time)) {
			t = x.At
		}
	}
	if !t.IsZero() {
		return t
	}
	loc := s.Location
	if loc == nil {
		loc = time.UTC
	}
	now := time.Now().In(loc)
	return events.Time{Time: events.DayStart(now.Year(), now.Month(), now.Day(), loc), DateOnly: true}
}

// mentions returns the meetings the file declares that entry e names: its
// meeting, the meetings of its payload (a statement's about, a
// precondition's requirement), and the meeting a retraction's target in the
// store belongs to.
func (p *planner) mentions(e Entry) []string {
	var ids []string
	add := func(id string) {
		if _, ok := p.meets[id]; ok && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	add(e.Meeting)
	eachName(e, p.kindFields(e.Kind), func(_ string, t events.FieldType, id string) {
		switch t {
		case events.FieldMeeting, events.FieldRequires:
			add(id)
		case events.FieldRef:
			if target, ok := p.cast.Refs[id]; ok && target.Aggregate.Type == events.AggregateMeeting {
				add(target.Aggregate.ID)
			}
		}
	})
	return ids
}

// declaration returns the declaration of meeting m, its participants
// resolved.
func (p *planner) declaration(m *Meeting) *events.MeetingDeclared {
	d := &events.MeetingDeclared{Title: m.Title}
	ok := true
	for i, id := range m.Participants {
		pt, known := p.participant(id)
		if !known {
			p.errorf(lineOr(m.Lines, fmt.Sprintf("participants[%d]", i), m.Line), "meeting %q: participants: unknown person or party %q%s", m.ID, id, p.nearActor(id))
			ok = false
			continue
		}
		d.Participants = append(d.Participants, pt)
	}
	if ok {
		if err := events.CheckParticipants(d.Participants); err != nil {
			p.errorf(lineOr(m.Lines, "participants", m.Line), "meeting %q: participants: %v", m.ID, err)
		}
	}
	return d
}

// actor resolves id: the party it acts for, and whether it is a party
// itself; ok is false if neither the file nor the store knows id.
func (p *planner) actor(id string) (party string, isParty, ok bool) {
	if _, ok := p.parties[id]; ok {
		return id, true, true
	}
	if d, ok := p.people[id]; ok {
		return d.Party, false, true
	}
	if _, ok := p.cast.Parties[id]; ok {
		return id, true, true
	}
	if d, ok := p.cast.People[id]; ok {
		return d.Party, false, true
	}
	return "", false, false
}

// nearMeeting returns the hint that an unknown meeting id is a known one
// mistyped ([events.DidYouMean]): one the file declares, or one of the
// store's that it names.
func (p *planner) nearMeeting(id string) string {
	return events.DidYouMean(id, slices.Concat(sortedKeys(p.meets), sortedKeys(p.cast.Meetings), p.cast.Others.Meetings))
}

// nearActor returns the hint that an unknown person or party is a known
// one mistyped.
func (p *planner) nearActor(id string) string {
	return events.DidYouMean(id, slices.Concat(sortedKeys(p.parties), sortedKeys(p.people), sortedKeys(p.cast.Parties), sortedKeys(p.cast.People), p.cast.Others.Actors))
}

// participant resolves id as a meeting's participant: a person with their
// party, or a party alone.
func (p *planner) participant(id string) (events.Participant, bool) {
	party, isParty, ok := p.actor(id)
	switch {
	case !ok:
		return events.Participant{}, false
	case isParty:
		return events.Participant{Party: id}, true
	}
	return events.Participant{Person: id, Party: party}, true
}

func (p *planner) isMeeting(id string) bool {
	if _, ok := p.meets[id]; ok {
		return true
	}
	_, ok := p.cast.Meetings[id]
	return ok
}

// entry returns the command that records entry i, e, and false if it has
// an error.
func (p *planner) entry(i int, e Entry) (aggregates.Command, bool) {
	if e.Payload == nil || e.Payload.Kind() != e.Kind {
		// Only a Scenario built by hand gets here: Load fills every
		// entry's payload.
		p.errorf(e.Line, "%s: the entry has no payload of its kind", e.Kind)
		return aggregates.Command{}, false
	}
	errs := p.total
	at := func(key string) int { return lineOr(e.Lines, key, e.Line) }
	var party string
	if e.By != "" {
		var ok bool
		if party, _, ok = p.actor(e.By); !ok {
			p.errorf(at("by"), "%s: unknown person or party %q%s", name(e, "by"), e.By, p.nearActor(e.By))
		}
	}
	if e.Meeting != "" && !p.isMeeting(e.Meeting) {
		p.errorf(at("meeting"), "%s: unknown meeting %q%s", name(e, "meeting"), e.Meeting, p.nearMeeting(e.Meeting))
	}
	payload := p.resolve(e)
	by := e.By
	if c, ok := payload.(*events.CallHeld); ok && c.InitiatedBy != "" {
		// A call's actor is whoever initiated it, as its aggregate is.
		by = c.InitiatedBy
		party, _, _ = p.actor(by)
	}
	cmd := aggregates.Command{
		Aggregate: aggregates.Route(e.Meeting, by, payload),
		At:        e.At,
		Reported:  e.Reported,
		Zone:      p.s.Zone,
		By:        by,
		Party:     party,
		Source:    e.Source,
		CAMEO:     e.CAMEO,
		RefName:   e.RefName,
		Corrects:  e.Corrects,
		Payload:   payload,
	}
	target, key := e.Corrects, "corrects"
	if r, ok := payload.(*events.EventRetracted); ok {
		target, key = r.Retracts, "retracts"
	}
	if target != "" {
		p.target(i, e, key, target, &cmd)
	}
	if p.total != errs {
		return cmd, false
	}
	if e.At.IsZero() {
		// A correction that took its target's at: the checks that
		// need it.
		if err := validateAt(payload, cmd.At); err != nil {
			p.errorf(e.Line, "%s: %v", e.Kind, err)
		}
		if !e.Reported.IsZero() && e.Reported.Precedes(cmd.At) {
			p.errorf(at("reported"), "%s %s is before at %s (the at of what it corrects): an event becomes known when it happens, or later", name(e, "reported"), e.Reported, cmd.At)
		}
	}
	if err := payload.Validate(); err != nil {
		p.errorf(e.Line, "%s: %v", e.Kind, err)
	}
	if p.total != errs {
		return cmd, false
	}
	ev := events.Event{
		Aggregate: cmd.Aggregate, At: cmd.At, Zone: cmd.Zone, By: cmd.By, Party: cmd.Party, Source: cmd.Source,
		CAMEO: cmd.CAMEO, RefName: cmd.RefName, Corrects: cmd.Corrects, Payload: cmd.Payload,
	}
	if ev.CAMEO == "" {
		ev.CAMEO = events.CAMEO(e.Kind, payload)
	}
	id := events.Identity(ev)
	if line, ok := p.seen[id]; ok {
		p.errorf(e.Line, "the same event as line %d: two entries say the same thing (kind, time, actors and fields), and a file records each event once", line)
		return cmd, false
	}
	p.seen[id] = e.Line
	p.placed[i] = placed{aggregate: cmd.Aggregate, at: cmd.At}
	return cmd, true
}

// resolve returns a copy of e's payload with every name checked against
// the file and the store, and its participants resolved to people with
// their parties, or parties alone.
func (p *planner) resolve(e Entry) events.Payload {
	v := reflect.New(reflect.TypeOf(e.Payload).Elem())
	v.Elem().Set(reflect.ValueOf(e.Payload).Elem())
	out := v.Interface().(events.Payload)
	eachName(e, p.kindFields(e.Kind), func(key string, t events.FieldType, id string) {
		line := lineOr(e.Lines, key, e.Line)
		switch t {
		case events.FieldMeeting, events.FieldRequires:
			if !p.isMeeting(id) {
				p.errorf(line, "%s: unknown meeting %q%s", name(e, key), id, p.nearMeeting(id))
			}
		case events.FieldActor, events.FieldActors, events.FieldParticipants:
			if _, _, ok := p.actor(id); !ok {
				p.errorf(line, "%s: unknown person or party %q%s", name(e, key), id, p.nearActor(id))
			}
		}
	})
	for _, fd := range p.kindFields(e.Kind) {
		if fd.Type != events.FieldParticipants {
			continue
		}
		f := v.Elem().Field(fd.Index)
		ps := f.Interface().([]events.Participant)
		if len(ps) == 0 {
			continue
		}
		resolved := make([]events.Participant, len(ps))
		for j, pt := range ps {
			if r, ok := p.participant(pt.ID()); ok {
				resolved[j] = r
			} else {
				resolved[j] = pt
			}
		}
		f.Set(reflect.ValueOf(resolved))
	}
	return out
}

func (p *planner) kindFields(k events.Kind) []events.Field {
	fs, ok := p.fields[k]
	if !ok {
		fs = events.Fields(k)
		p.fields[k] = fs
	}
	return fs
}

// target finds the event that entry i (e) corrects or retracts, named
// under key: an entry of the file above it, or an event cast knows. It
// gives cmd the target's at if e has none, and the target's aggregate if
// e's own is not known (a retraction that names no meeting), and reports
// a target of another aggregate.
func (p *planner) target(i int, e Entry, key, ref string, cmd *aggregates.Command) {
	line := lineOr(e.Lines, key, e.Line)
	var t Target
	known := false
	if j, ok := p.refs[ref]; ok {
		switch {
		case j == i:
			p.errorf(line, "%s %q: the entry names itself", name(e, key), ref)
			return
		case j > i:
			p.errorf(line, "%s %q: its entry comes later in the file (line %d): a file lists events in the order they were recorded, what is corrected first", name(e, key), ref, p.s.Timeline[j].Line)
			return
		}
		if p.placed[j].aggregate.Type == "" {
			return // the entry has an error of its own
		}
		t, known = Target{Aggregate: p.placed[j].aggregate, At: p.placed[j].at}, true
	} else if c, ok := p.cast.Refs[ref]; ok {
		t, known = c, true
	}
	if !known {
		switch {
		case !isEventID(ref):
			p.errorf(line, "%s: unknown ref %q: no entry above names it with ref, and the store holds none of that name", name(e, key), ref)
		case cmd.Aggregate.Type == "":
			p.errorf(line, "%s: event %s is not known, and the entry names no meeting: give the meeting it belongs to", name(e, key), ref)
		case cmd.At.IsZero():
			p.errorf(e.Line, "missing %s: event %s is not known, so its at is not either: give the correction's", name(e, "at"), ref)
		}
		// An event id on the entry's own aggregate: the aggregate
		// decides whether it stands there.
		return
	}
	switch {
	case cmd.Aggregate.Type == "":
		cmd.Aggregate = t.Aggregate
	case cmd.Aggregate != t.Aggregate:
		p.errorf(line, "%s %q: that is an event of %s, and this entry's is %s: a correction or retraction stays with its own meeting (or actor)", name(e, key), ref, t.Aggregate, cmd.Aggregate)
		return
	}
	if cmd.At.IsZero() {
		// A day is a day of the file's timezone, which the store's
		// event may not share: the correction keeps the calendar day
		// (a date-time is an instant, and stays as it is).
		cmd.At = t.At.In(p.s.Location)
	}
}

func isEventID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}

// expectation reports the names x uses that neither the file nor the
// store knows.
func (p *planner) expectation(x Expectation) {
	if x.Meeting != "" && !p.isMeeting(x.Meeting) {
		p.errorf(lineOr(x.Lines, "meeting", x.Line), "meeting: unknown meeting %q%s", x.Meeting, p.nearMeeting(x.Meeting))
	}
	for _, id := range sortedKeys(x.Claims) {
		if _, _, ok := p.actor(id); !ok {
			p.errorf(lineOr(x.Lines, "claims."+id, x.Line), "claims: unknown person or party %q%s", id, p.nearActor(id))
		}
	}
	for i, id := range x.Participants {
		if _, _, ok := p.actor(id); !ok {
			p.errorf(lineOr(x.Lines, fmt.Sprintf("participants[%d]", i), x.Line), "participants: unknown person or party %q%s", id, p.nearActor(id))
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// lineOr returns the line lines holds for key, or line.
func lineOr(lines map[string]int, key string, line int) int {
	if l, ok := lines[key]; ok && l > 0 {
		return l
	}
	return line
}

// name is how a message calls e's key, as [Entry.Lines] names it: the key
// ("add" for "add[1]", "requires: held" for "requires.held"), or its flag
// for an entry built from flags (which has no line).
func name(e Entry, key string) string {
	if e.Line == 0 {
		return flagName(key)
	}
	if i := strings.IndexByte(key, '['); i >= 0 {
		key = key[:i]
	}
	return strings.ReplaceAll(key, ".", ": ")
}
