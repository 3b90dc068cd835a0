// Package projections is the read side of the record: the state of every
// planned meeting and its preconditions, folded from the log, kept live in
// key-value buckets that any NATS client can read and watch, and read back
// for the verbs, the web board and the commands. Package commands writes;
// everything that reads a board comes here.
//
// The map:
//
//   - The fold. A [Board] folds one branch's events into every meeting's
//     state, in world order, late reports in their place; it is pure, no
//     I/O (board.go, history.go, seqlist.go). A [Read] cuts it at a world
//     date (as of) or a date of knowledge (known at). [View] is a
//     meeting's state as it is stored and shown (view.go), [Changes]
//     what changed between two views (changes.go).
//   - The store. [Store] holds the buckets ([MeetingBucket] of views,
//     [SnapshotBucket] of [Snapshot] values, [StateBucket] of checkpoints
//     and leases, [DeadLetterBucket]) (store.go, snapshot.go, lease.go).
//     A snapshot is what a projection resumes from, what a new branch's
//     projection starts from (fork.go), and what a cold command decides
//     on.
//   - The writers. A [Runner] projects one branch: it catches up from its
//     checkpoint (or rebuilds from the log), writing each changed view once
//     a checkpoint, then follows the log, writing the views each event
//     changed, with the event as their cause; under a lease, so that one
//     process writes a branch (runner.go). A [Keeper] runs main's runner all the time and a
//     branch's only while the branch has work (keeper.go).
//   - The reads. [ReadBoard] is the board as the verbs print it: the
//     projection caught up ([CatchUp]: itself, or by waiting for summit
//     serve), then its views; a board as of a date, or as known on one, is
//     folded from the log instead ([Fold], [FoldView]) (readboard.go,
//     query.go). [Watch] delivers a board and then each change with its
//     cause, through reconnects and restarts (watch.go). [Explain],
//     [Timeline] and [Diff] are the explain, timeline and diff verbs'
//     reads (explain.go, story.go, timeline.go, diff.go), [WriteBoardCSV]
//     and [WriteTimelineCSV] their CSV (csv.go).
//   - Branches. [Branches] lists them with what each holds, [DeleteBranch]
//     deletes one and drops its views once no runner holds its lease
//     (branches.go).
//   - Checks. [Check] compares a scenario's expectations with a fold of
//     the log (check.go); [Verify] checks the log event by event and each
//     branch's views against a fold of it, and [Inspect] tells, from the
//     stream's state and the snapshots, whether events were lost, for
//     summit check (verify.go).
package projections
