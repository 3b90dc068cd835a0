package events

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// Kind names what happened, as scenario files and the log write it.
type Kind string

// Need says whether an entry of a kind needs one of the envelope's keys
// (meeting, by).
type Need int

// The needs of a key.
const (
	// Never: the kind does not take the key.
	Never Need = iota
	// Optional: the kind takes the key.
	Optional
	// Required: an entry of the kind must give the key.
	Required
)

// Spec is everything summit knows of a kind, declared once, beside the
// kind's payload type: the loader, the codec, the command line's "summit
// add", the timeline and the help pages all read it. Adding a kind is one
// payload type with its methods and one Spec in this package, and the rule
// in package aggregates.
//
// A kind's own keys (venue, within, reason, ...) are its payload's fields:
// their JSON names are the scenario keys, and their `summit` struct tags say
// what the loader makes of them (see [Field]).
type Spec struct {
	Kind Kind
	// CAMEO is the kind's default CAMEO event code, "" where none fits.
	CAMEO string
	// Timeline reports whether a scenario's timeline may write the kind;
	// the declarations are summit's own.
	Timeline bool
	// Meeting and By say whether an entry names a meeting and who acted.
	Meeting Need
	By      Need
	// Help says in one line what the kind records; Example is an entry of
	// it as "summit add" takes it.
	Help    string
	Example string
	// New returns an empty payload of the kind.
	New func() Payload
}

// The specs of every kind, in the order of the domain page; each group is
// declared beside its payload types.
var specs = slices.Concat(declarationSpecs, meetingSpecs, preconditionSpecs, actorSpecs, correctionSpecs)

var byKind = func() map[Kind]*Spec {
	m := make(map[Kind]*Spec, len(specs))
	for i := range specs {
		m[specs[i].Kind] = &specs[i]
	}
	return m
}()

// Specs returns the spec of every kind, in the order of the domain page.
func Specs() []Spec { return slices.Clone(specs) }

// SpecOf returns the spec of kind k, and false if summit does not know k.
func SpecOf(k Kind) (Spec, bool) {
	s, ok := byKind[k]
	if !ok {
		return Spec{}, false
	}
	return *s, true
}

// Known reports whether k is a kind summit knows.
func (k Kind) Known() bool {
	_, ok := byKind[k]
	return ok
}

// InTimeline reports whether a scenario's timeline may write k.
func (k Kind) InTimeline() bool {
	s, ok := byKind[k]
	return ok && s.Timeline
}

// New returns an empty payload of kind k, or nil if k is unknown.
func (k Kind) New() Payload {
	s, ok := byKind[k]
	if !ok {
		return nil
	}
	return s.New()
}

// TimelineKinds returns the kinds a scenario timeline may write, in the order
// of the domain page.
func TimelineKinds() []Kind {
	var ks []Kind
	for _, s := range specs {
		if s.Timeline {
			ks = append(ks, s.Kind)
		}
	}
	return ks
}

// CAMEO returns the CAMEO event code that fits an event of kind k carrying p,
// or "" where none fits. A payload that knows better (a statement, by its
// stance) says so with a method CAMEO() string.
func CAMEO(k Kind, p Payload) string {
	if c, ok := p.(interface{ CAMEO() string }); ok {
		if code := c.CAMEO(); code != "" {
			return code
		}
	}
	if s, ok := byKind[k]; ok {
		return s.CAMEO
	}
	return ""
}

// FieldType is what the loader reads a payload field as.
type FieldType string

// The field types, as the summit struct tag names them.
const (
	FieldText         FieldType = "text"
	FieldTexts        FieldType = "texts"
	FieldID           FieldType = "id"
	FieldActor        FieldType = "actor"
	FieldActors       FieldType = "actors"
	FieldParticipants FieldType = "participants"
	FieldMeeting      FieldType = "meeting"
	FieldTime         FieldType = "time"
	FieldSpan         FieldType = "span"
	FieldWindow       FieldType = "window"
	FieldDays         FieldType = "days"
	FieldBool         FieldType = "bool"
	FieldStance       FieldType = "stance"
	FieldClaim        FieldType = "claim"
	FieldRequires     FieldType = "requires"
	FieldRef          FieldType = "ref"
	// FieldQuote is filled from the entry's quote, not from a key of its
	// own.
	FieldQuote FieldType = "quote"
)

// Describe says what a value of the type looks like, for a help page.
func (t FieldType) Describe() string {
	switch t {
	case FieldText:
		return "text"
	case FieldTexts:
		return "a list of text"
	case FieldID:
		return "an id (letters, digits, '-', '_')"
	case FieldActor:
		return "a person or party"
	case FieldActors, FieldParticipants:
		return "a list of people or parties"
	case FieldMeeting:
		return "a meeting"
	case FieldTime:
		return "a date (2025-10-16) or date-time with a zone"
	case FieldSpan:
		return "days or weeks (14d, 2w)"
	case FieldWindow:
		return "{from: DATE, to: DATE}"
	case FieldDays:
		return "a date, or {from: DATE, to: DATE}"
	case FieldBool:
		return "true or false"
	case FieldStance:
		return "supportive, noncommittal or opposed"
	case FieldClaim:
		return "a status word, unscheduled, willing or ruled-out"
	case FieldRequires:
		return "{held: MEETING}"
	case FieldRef:
		return "a ref name or an event id"
	case FieldQuote:
		return "the entry's quote"
	}
	return string(t)
}

// Field is one key of a kind's payload, as its struct tags declare it:
//
//	Venue string `json:"venue,omitempty" summit:"text" help:"where it is to be held"`
//
// The JSON name is the scenario key; the summit tag gives the [FieldType]
// and, after a comma, "required"; the help tag is the flag's line in
// "summit add KIND -h".
type Field struct {
	Key      string
	Type     FieldType
	Required bool
	Help     string
	// Index is the field's index in the payload struct.
	Index int
}

// Fields returns the keys of kind k's payload, in the order of the struct.
// It panics if a field of a payload type lacks its tags: the table is part
// of the program, and a test reads every kind.
func Fields(k Kind) []Field {
	p := k.New()
	if p == nil {
		return nil
	}
	t := reflect.TypeOf(p).Elem()
	var out []Field
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		typ, opts, _ := strings.Cut(f.Tag.Get("summit"), ",")
		if name == "" || typ == "" {
			panic(fmt.Sprintf("events: %s field %s lacks its json or summit tag", k, f.Name))
		}
		out = append(out, Field{Key: name, Type: FieldType(typ), Required: opts == "required", Help: f.Tag.Get("help"), Index: i})
	}
	return out
}

// Keys returns every key an entry of kind k may have besides the ones all
// entries share: meeting and by where the kind takes them, then its
// payload's.
func Keys(k Kind) (required, optional []string) {
	s, ok := byKind[k]
	if !ok {
		return nil, nil
	}
	add := func(key string, n Need) {
		switch n {
		case Required:
			required = append(required, key)
		case Optional:
			optional = append(optional, key)
		}
	}
	add("meeting", s.Meeting)
	add("by", s.By)
	for _, f := range Fields(k) {
		if f.Type == FieldQuote {
			continue
		}
		if f.Required {
			required = append(required, f.Key)
		} else {
			optional = append(optional, f.Key)
		}
	}
	return required, optional
}
