// Package scenarios reads what analysts write, scenario files, event files
// and the flags of "summit add", and turns it into the commands that record
// it, with errors that name the file and the line (or the flag). It is pure:
// no NATS, no store; the commands package appends what it plans, and the
// projections check what a scenario expects.
//
// The map:
//
//   - [Load], [LoadFile] and [Open] read a file ([ScenarioFile] or
//     [EventFile]) into a [Scenario]: its declarations, its timeline of
//     [Entry] values in the order they were recorded, and its
//     [Expectation] values (load.go, load_timeline.go). Each entry is read
//     from the kinds table of package events ([events.Keys],
//     [events.Fields]): adding a kind touches events and aggregates, not
//     this package. The loader guards against hostile input (size, UTF-8,
//     YAML's characters, anchors, depth, string length, duplicate and merge
//     keys) and reports at most [MaxErrors] problems, sorted by line.
//   - [LoadFlags] builds a one-entry event file from flags (flags.go).
//   - [Scenario.Wanted] lists the names a file uses without declaring
//     them; the caller looks them up in its store and passes them to
//     [Scenario.Plan] as a [Cast]. Plan resolves every name and returns a
//     [Plan]: [aggregates.Command] values in order, each with its line
//     (plan.go).
//   - [Builtins] lists the scenarios shipped in the binary (builtin.go);
//     [Pace] maps world time to wall time for a paced replay (pace.go).
//
// Errors are an [ErrorList] of [*Error], like go/scanner's.
package scenarios
