package scenarios

import (
	"time"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/events"
)

// Mode says what a file is: a scenario of its own, or events to add to a
// store.
type Mode int

// The modes of a file.
const (
	// ScenarioFile is a scenario: it needs a name, and may say what it
	// expects.
	ScenarioFile Mode = iota
	// EventFile is events to append to a store or inject on a branch: its
	// name is optional, and it has no expectations.
	EventFile
)

// String reads as "scenario file" or "event file".
func (m Mode) String() string {
	if m == EventFile {
		return "event file"
	}
	return "scenario file"
}

// Scenario is a file loaded and checked as far as the file alone allows:
// its declarations (parties, people, meetings), its timeline and what it
// expects. Names are not resolved yet: a file may name what a store holds
// ([Scenario.Wanted]), and [Scenario.Plan] resolves them. Every element
// keeps the line it came from, so that an error found later (a name
// unknown, a command the model refuses, an expectation that fails) can name
// it.
type Scenario struct {
	// File is the path or built-in name errors are reported against; ""
	// for a scenario built from flags ([LoadFlags]).
	File  string
	Name  string
	Title string
	// Zone is the timezone key as the file gives it, "" for UTC, and
	// Location that zone: date-only values are days in it.
	Zone     string
	Location *time.Location
	Sources  map[string]events.Source
	Parties  []Party
	People   []Person
	Meetings []Meeting
	// Timeline is the entries in the order the file lists them, which is
	// the order they were recorded: their world times may go back (a late
	// report).
	Timeline []Entry
	Expect   []Expectation
}

// Party is a state or organisation, under its actor code.
type Party struct {
	Line int
	ID   string
	Name string
}

// Person is someone who acts for a party.
type Person struct {
	Line  int
	ID    string
	Name  string
	Party string
	Role  string
	// Lines holds the line of each key ("party"); nil for a person of a
	// [Cast].
	Lines map[string]int
}

// Meeting is a meeting a file declares, with the people, or the parties
// (a delegation not yet named), it brings together.
type Meeting struct {
	Line  int
	ID    string
	Title string
	// Participants are ids of people or parties, unresolved.
	Participants []string
	// Lines holds the line of each key, and of each participant as
	// "participants[i]"; nil for a meeting of a [Cast].
	Lines map[string]int
}

// Entry is one event of the timeline, read from the kinds table
// ([events.Fields]): its payload is filled, but the names it holds are not
// resolved.
type Entry struct {
	// Line is the entry's first line; 0 for an entry built from flags
	// ([LoadFlags]), whose errors name the flag instead.
	Line int
	Kind events.Kind
	// At is when it happened; zero only on a correction without an at of
	// its own, which takes the at of what it corrects. Reported is when it
	// became known; zero means when it happened (or, for a correction or
	// retraction, when it is appended: the caller knows that day).
	At       events.Time
	Reported events.Time
	// Meeting is the entry's meeting key, and By its by key (a person's or
	// a party's id); "" where the entry has none.
	Meeting string
	By      string
	// Source is the source cited, with the entry's quote; nil if none.
	Source *events.Source
	// CAMEO overrides the kind's CAMEO code; "" for the default.
	CAMEO string
	// RefName is the entry's ref (a name later entries correct or retract
	// it by), and Corrects the ref name or event id it stands in the place
	// of.
	RefName  string
	Corrects string
	// Payload is the kind's payload, filled from the entry's keys. Its
	// participants (the fields of type [events.FieldParticipants]) hold
	// Person = the id as written and Party = "" until [Scenario.Plan]
	// resolves them.
	Payload events.Payload
	// Lines holds the line of each key the entry gives ("by", "add"), of
	// each list item as "key[i]" and of each key of a mapping as
	// "key.sub" ("window.to"), so that an error found later points at it.
	Lines map[string]int
}

// Expectation is what a scenario expects of a meeting as of the end of a
// day (in the scenario's timezone). Nil fields and empty maps are not
// checked.
type Expectation struct {
	Line int
	At   events.Time
	// KnownAt reads the board as could be known that day (events reported
	// by then); zero for everything known now.
	KnownAt events.Time
	Meeting string
	Status  *aggregates.Status
	Overdue *bool
	// Readiness is "met/total", as the board prints it.
	Readiness     *string
	Preconditions map[string]aggregates.PreconditionState
	// Claims maps a speaker's id to the claim word expected.
	Claims map[string]string
	// Participants are the ids of the people or parties expected, in any
	// order; nil is not checked.
	Participants []string
	// Lines holds the line of each key, of each speaker as "claims.ID" and
	// of each participant as "participants[i]".
	Lines map[string]int
}
