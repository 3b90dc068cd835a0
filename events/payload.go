package events

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Payload is the data particular to one kind of event. Each kind has its own
// type; the envelope ([Event]) carries what all events share, including the
// meeting an event belongs to and who acted.
type Payload interface {
	// Kind returns the kind of event the payload belongs to.
	Kind() Kind
	// Validate reports a payload that lacks a field its kind needs, or
	// holds a value out of its kind's range.
	Validate() error
	// Summary says in a few words what the payload holds, for a timeline.
	Summary() string
}

// ErrMissingField is wrapped by [Payload.Validate] when a payload lacks a
// field its kind needs.
var ErrMissingField = errors.New("missing field")

func missing(field string) error { return fmt.Errorf("%w %q", ErrMissingField, field) }

// Stance is how a statement leans.
type Stance string

// The stances a statement may take.
const (
	StanceSupportive   Stance = "supportive"
	StanceNoncommittal Stance = "noncommittal"
	StanceOpposed      Stance = "opposed"
)

// Stances lists the three stances.
var Stances = []Stance{StanceSupportive, StanceNoncommittal, StanceOpposed}

// Valid reports whether s is one of the three stances.
func (s Stance) Valid() bool {
	return s == StanceSupportive || s == StanceNoncommittal || s == StanceOpposed
}

// ClaimWords are the words a claim may use: the meeting statuses,
// "unscheduled" for a meeting a speaker says was never set, "willing" for
// ready to meet with no date, and "ruled-out" for a meeting that will not
// happen.
var ClaimWords = []string{"floated", "proposed", "agreed", "scheduled", "postponed", "declined", "cancelled", "held", "unscheduled", "willing", "ruled-out"}

// ValidClaim reports whether w is one of [ClaimWords].
func ValidClaim(w string) bool { return slices.Contains(ClaimWords, w) }

// Participant is one party to a meeting: a person, with the party the
// person acts for, or a party alone (a delegation not yet named), whose
// Person is empty.
type Participant struct {
	Person string `json:"person,omitempty"`
	Party  string `json:"party"`
}

// String reads as "trump (USA)", or "UKR" for a party alone.
func (p Participant) String() string {
	if p.Person == "" {
		return p.Party
	}
	return p.Person + " (" + p.Party + ")"
}

// ID returns the id that names the participant: the person's, or the
// party's for a party alone.
func (p Participant) ID() string {
	if p.Person == "" {
		return p.Party
	}
	return p.Person
}

// CheckParticipants reports a list of participants with a bad name, one
// named twice, or a party named alone beside a person of it.
func CheckParticipants(ps []Participant) error {
	seen := make(map[string]bool, len(ps))
	persons := map[string]string{}
	for _, p := range ps {
		if p.Person != "" {
			if err := CheckName(p.Person); err != nil {
				return fmt.Errorf("participant: %w", err)
			}
			persons[p.Party] = p.Person
		}
		if err := CheckName(p.Party); err != nil {
			return fmt.Errorf("participant %s: party: %w", p.ID(), err)
		}
		if seen[p.ID()] {
			return fmt.Errorf("participant %s named twice", p.ID())
		}
		seen[p.ID()] = true
	}
	for _, p := range ps {
		if who, ok := persons[p.Party]; p.Person == "" && ok {
			return fmt.Errorf("party %s is a participant through %s already", p.Party, who)
		}
	}
	return nil
}

// summary joins the parts of a summary that are not empty.
func summary(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(p)
	}
	return b.String()
}

// labelled returns label+value, or "" if value is empty.
func labelled(label, value string) string {
	if value == "" {
		return ""
	}
	return label + value
}

func ids(ps []Participant) string {
	var out []string
	for _, p := range ps {
		out = append(out, p.ID())
	}
	return strings.Join(out, ", ")
}
