// Package events holds the language of the record: the kinds of things that
// happen in summit diplomacy, the envelope every event carries, and the JSON
// codec the event log stores them in.
//
// The map:
//
//   - [Kind] names what happened; [Payload] is the data of one kind, one Go
//     type per kind ([MeetingProposed], [StatementMade], ...).
//   - [Event] is the envelope: id (UUID v7), aggregate and version, world time
//     ([Time]) and record time, who acted, the source, the branch, the CAMEO
//     code, causation and correlation ids.
//   - [Marshal] and [Unmarshal] are the versioned codec ([CodecVersion]).
//   - [CheckName] guards every id that becomes a NATS subject token or a key.
//
// The package imports nothing of NATS, YAML or the command line: it is the
// domain, tested without a server.
package events
