package scenarios

import (
	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/events"
)

// Scenario is a scenario file, loaded and checked: its cast (parties,
// people, meetings), its timeline and what it expects. Every element keeps
// the line it came from, so that an error found later (a command the model
// refuses, an expectation that fails) can name it.
type Scenario struct {
	// File is the path or built-in name errors are reported against.
	File  string
	Name  string
	Title string
	// Digest is the SHA-256 of the file's bytes, hex: a store recognises a
	// scenario it already holds by its name and digest.
	Digest   string
	Sources  map[string]events.Source
	Parties  []Party
	People   []Person
	Meetings []Meeting
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
}

// Meeting is a meeting the scenario names, with the people it brings
// together.
type Meeting struct {
	Line         int
	ID           string
	Title        string
	Participants []string
}

// Entry is one event of the timeline.
type Entry struct {
	Line int
	At   events.Time
	// Meeting is the meeting a meeting or precondition event is about;
	// empty for the other kinds (a statement names its meeting in its
	// payload's About).
	Meeting string
	// By is who acted (a person's or a party's id), and Party the party By
	// acts for; both empty where the kind has no actor.
	By    string
	Party string
	// Source is the source cited, with the entry's quote; nil if none.
	Source *events.Source
	// CAMEO overrides the kind's CAMEO code; empty for the default.
	CAMEO   string
	Payload events.Payload
}

// Kind returns the kind of the entry's event.
func (e Entry) Kind() events.Kind { return e.Payload.Kind() }

// Expectation is what the scenario expects of a meeting as of a date. Nil
// fields and empty maps are not checked.
type Expectation struct {
	Line    int
	At      events.Time
	Meeting string
	Status  *aggregates.Status
	Overdue *bool
	// Readiness is "met/total", as the board prints it.
	Readiness     *string
	Preconditions map[string]aggregates.PreconditionState
	Claims        map[string]string
}
