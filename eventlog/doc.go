// Package eventlog is the record on NATS JetStream: appending events,
// reading an aggregate's history back, following the log, and branches.
//
// The layout, which any NATS client can read:
//
//   - One stream, [StreamName], holds every event, one message each, as the
//     JSON of [events.Marshal].
//   - Each aggregate has its own subject on each branch:
//     summit.ev.BRANCH.TYPE.ID ([Subject]), so one meeting's history on the
//     record is the subject summit.ev.main.meeting.budapest-summit.
//   - Each branch other than main has a record in the key-value bucket
//     [BranchBucket]: its fork point, in world time and in stream sequence.
//
// An aggregate's history is read whole with [Log.Load], or, by a reader
// that holds a snapshot of it, from the snapshot on with [Log.LoadAfter]
// (or [Log.LoadSince], when the snapshot says where its subject stood);
// the log is read in stream order with [Log.Read], and followed with
// [Log.Subscribe].
//
// The safety of an append rests on three JetStream headers: see
// [Log.Append]. A caller with work of its own to do while the server
// stores a command's events starts the append with [Log.Send] and waits
// for it with [Sent.Wait]; the acknowledgement of a single message comes
// to an inbox of the log's own, read by the goroutine that waits (ack.go),
// and a bulk append goes as fast-ingest batches ([Log.AppendAll],
// append_fast.go). Errors callers branch on are [ErrConflict] (a
// stale writer), [ErrUnavailable] (no answer in time: ask again),
// [ErrUnknownBranch], [ErrBranchExists] and [ErrCorrupt].
package eventlog
