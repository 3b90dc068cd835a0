// Package events holds the language of the record: the kinds of things that
// happen in summit diplomacy, the envelope every event carries, and the JSON
// codec the event log stores them in.
//
// The map:
//
//   - [Kind] names what happened; [Spec] is everything summit knows of a
//     kind, declared once beside its [Payload] type (declarations.go,
//     meetings.go, preconditions.go, actors.go, corrections.go). The
//     payload's struct tags are the kind's scenario keys ([Fields], [Keys]),
//     so the loader, the codec, "summit add" and the timeline all read the
//     same table.
//   - [Event] is the envelope: id (UUID v7), aggregate and version, three
//     times (world [Time], reported, recorded) and the zone of its days, who
//     acted, the source, the branch and its generation, the CAMEO code, a
//     ref name and what it corrects, its identity ([Identity]), causation and
//     correlation ids.
//   - [Time], [Days], [Window] and [Span] are world time as sources give it:
//     a day or a moment, a range of days, a window, a number of days.
//   - [Marshal] and [Unmarshal] are the versioned codec ([CodecVersion]):
//     encoding/json, strict, and a fast path for the form Marshal writes
//     that internal/codecgen generates from the kinds table into
//     codec_fast.go. After a change to a payload type or to the wire form,
//     run "go generate ./events"; a test fails until it is run.
//   - [CheckName] guards every id that becomes a NATS subject token or a key.
//
// The package imports nothing of NATS, YAML or the command line: it is the
// domain, tested without a server.
package events
