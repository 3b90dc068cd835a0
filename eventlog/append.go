package eventlog

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/synadia-io/orbit.go/jetstreamext"

	"github.com/summit-model/summit/events"
)

// batchHeader marks each message with its place in the command that
// appended it ("2/3"), so that a projection applies a command's events
// together and never shows half a command.
const batchHeader = "Summit-Batch"

// Append appends the events of one command, all of one aggregate on one
// branch, and returns the stream sequence of the last.
//
// expect is the stream sequence of the aggregate's last event on the
// branch's subject ([History.Expect]; 0 for a new aggregate). JetStream
// checks it with Nats-Expected-Last-Subject-Sequence, so a writer that read
// a history that has since moved on gets [ErrConflict] and appends nothing:
// there is no lost update.
//
// Appending the same events again (a retry after a lost acknowledgement)
// does not store them twice: the retry expects the subject where the first
// try found it, so it meets its own events as a conflict, and Append finds
// them there and answers with their sequence. The events carry no
// Nats-Msg-Id: the server keeps no duplicates entry for them (which cost a
// publish 10% of its time, and a restart a rebuild from the window).
//
// An acknowledgement that does not come within the log's timeout, or a
// stream that no server answers for (a cluster electing its leader), makes
// Append [ErrUnavailable]. It does not send the message again itself,
// behind its caller's back: the caller decides again and asks again
// (summit's command handler does, with patience), and a retry of an append
// that landed finds it.
//
// An event with a ref name ([events.Event.RefName]) goes with a marker on
// the name's own subject ([RefSubject]), which expects to be the first
// there: a name taken by another event refuses the append with
// [ErrRefTaken].
//
// Several events, or an event and its marker, are appended as one JetStream
// atomic batch: all land or none do. The alternative, one message carrying every event of a command,
// would make the stream's sequence no longer count events, and readers,
// consumers and the duplicate window would all work in commands instead of
// events; a batch keeps one event per message and costs one round trip more
// than a single publish only when a command has more than one event, which
// few have.
func (l *Log) Append(ctx context.Context, expect uint64, evs ...events.Event) (uint64, error) {
	return l.Send(ctx, expect, evs...).Wait()
}

// Sent is an append on its way to the server: [Log.Send] returns it once
// the command's message is handed to the connection, and [Sent.Wait]
// waits for the server's word. A caller does its own work in between,
// while the message travels and the server stores it: a command handler
// folds the command's events into the state it caches.
type Sent struct {
	log *Log
	// ctx is the caller's.
	ctx    context.Context
	expect uint64
	evs    []events.Event
	msgs   []*nats.Msg
	// ack is the acknowledgement awaited for a single message, for up
	// to the log's timeout; nil once it came, or when the append was
	// done at once (a batch, an error).
	ack *awaited
	seq uint64
	err error
}

// Send starts [Log.Append] of evs: a command's one message is published
// without waiting for its acknowledgement, and several (an atomic batch)
// are appended at once. Every error, an encoding error too, comes from
// [Sent.Wait], which the caller must call.
func (l *Log) Send(ctx context.Context, expect uint64, evs ...events.Event) *Sent {
	s := &Sent{log: l, ctx: ctx, expect: expect, evs: evs}
	if s.msgs, s.err = messages(evs); s.err != nil {
		return s
	}
	if err := ctx.Err(); err != nil {
		// Nothing is sent for a caller that has given up.
		s.err = translate(err, s.msgs[0].Subject)
		return s
	}
	if len(s.msgs) > 1 {
		s.seq, s.err = l.sendBatch(ctx, expect, evs, s.msgs)
		return s
	}
	ack, err := l.acks.publish(s.msgs[0], expect)
	if err != nil {
		s.err = s.failed(err)
		return s
	}
	s.ack = ack
	return s
}

// Wait waits for the server's acknowledgement of the append s started,
// at most the log's timeout, and returns what [Log.Append] returns.
func (s *Sent) Wait() (uint64, error) {
	if s.ack != nil {
		// The server's acknowledgement or refusal, or the timeout.
		if s.seq, s.err = s.ack.wait(s.ctx); s.err != nil {
			s.err = s.failed(s.err)
		}
		s.ack = nil
	}
	if s.err != nil {
		return 0, s.err
	}
	return lastEvent(s.msgs, s.seq), nil
}

// failed returns the error of a single message's append that the server
// refused or did not acknowledge; or, for a retry that meets its own event
// as the conflict, nothing, and notes the event's sequence.
func (s *Sent) failed(err error) error {
	err = translate(err, s.msgs[0].Subject)
	if errors.Is(err, ErrConflict) {
		// A retry of an append that landed meets its own event as the
		// conflict. Look for it.
		seq, found, ferr := s.log.findLanded(s.ctx, s.expect, s.evs)
		if ferr != nil {
			return ferr
		}
		if found {
			s.seq = seq
			return nil
		}
	}
	return err
}

// lastEvent returns the stream sequence of the last event among msgs, once
// a batch of them landed with its last message at seq: the markers of ref
// names follow their events.
func lastEvent(msgs []*nats.Msg, seq uint64) uint64 {
	for i := len(msgs) - 1; i >= 0; i-- {
		if isEvent(msgs[i]) {
			return seq - uint64(len(msgs)-1-i)
		}
	}
	return seq
}

func isEvent(m *nats.Msg) bool { return strings.HasPrefix(m.Subject, SubjectRoot+".") }

// sendBatch appends msgs, the encoded evs of one command, as one atomic
// batch, and returns the stream sequence of the last message (see
// [lastEvent] for the last event's).
func (l *Log) sendBatch(ctx context.Context, expect uint64, evs []events.Event, msgs []*nats.Msg) (uint64, error) {
	subject := msgs[0].Subject
	rctx, cancel := l.request(ctx)
	defer cancel()
	msgs[0].Header.Set(jetstream.ExpectedLastSubjSeqHeader, strconv.FormatUint(expect, 10))
	ack, err := jetstreamext.PublishMsgBatch(rctx, l.js, msgs)
	if err != nil {
		err = translate(err, subject)
		if apiCode(err) == codeBatchDuplicate || errors.Is(err, ErrConflict) {
			seq, found, ferr := l.findLanded(ctx, expect, evs)
			if ferr != nil || found {
				return seq, ferr
			}
			if apiCode(err) == codeBatchDuplicate {
				return 0, fmt.Errorf("append to %s: the server says the batch is stored, but it is not on the subject: %w", subject, err)
			}
			if taken := l.takenRef(ctx, evs); taken != nil {
				return 0, taken
			}
		}
		return 0, err
	}
	return ack.Sequence, nil
}

// takenRef returns an [ErrRefTaken] naming the first of evs whose ref name
// another event holds, or nil.
func (l *Log) takenRef(ctx context.Context, evs []events.Event) error {
	for _, e := range evs {
		if e.RefName == "" {
			continue
		}
		if t, ok, err := l.ref(ctx, e.Branch, e.RefName); err == nil && ok && t.ID != e.ID {
			return fmt.Errorf("%w: %q names the %s of %s on %s", ErrRefTaken, e.RefName, t.Aggregate, t.At, t.Aggregate.ID)
		}
	}
	return nil
}

// findLanded looks for the last of evs among the events stored on its
// subject after stream sequence expect, where an earlier append of the same
// command would have put it, and returns its sequence if it is there.
func (l *Log) findLanded(ctx context.Context, expect uint64, evs []events.Event) (seq uint64, found bool, err error) {
	last := evs[len(evs)-1]
	err = l.scan(ctx, Subject(last.Branch, last.Aggregate), expect+1, 0, func(r Record) bool {
		if r.Event.ID == last.ID {
			seq, found = r.Seq, true
			return false
		}
		return true
	})
	return seq, found, err
}

// messages encodes one command's events as messages for Append, checking
// that they belong to one aggregate on one branch, in version order.
func messages(evs []events.Event) ([]*nats.Msg, error) {
	if len(evs) == 0 {
		return nil, errors.New("append: no events")
	}
	first := evs[0]
	msgs := make([]*nats.Msg, 0, len(evs))
	now := time.Now().UTC()
	for i, e := range evs {
		if e.Aggregate != first.Aggregate || e.Branch != first.Branch {
			return nil, fmt.Errorf("append: one command's events belong to one aggregate on one branch: %s on %s and %s on %s", first.Aggregate, first.Branch, e.Aggregate, e.Branch)
		}
		if e.Version != first.Version+uint64(i) {
			return nil, fmt.Errorf("append: %s versions %d and %d are not consecutive", e.Aggregate, first.Version+uint64(i)-1, e.Version)
		}
		m, err := message(e, now)
		if err != nil {
			return nil, err
		}
		if len(evs) > 1 {
			m.Header.Set(batchHeader, strconv.Itoa(i+1)+"/"+strconv.Itoa(len(evs)))
		}
		msgs = append(msgs, m)
		if e.RefName != "" {
			mk, err := marker(e)
			if err != nil {
				return nil, fmt.Errorf("append: %w", err)
			}
			msgs = append(msgs, mk)
		}
	}
	return msgs, nil
}

// message encodes e, stamping its record time if it has none.
func message(e events.Event, now time.Time) (*nats.Msg, error) {
	if e.Recorded.IsZero() {
		e.Recorded = now
	}
	data, err := events.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("append: %w", err)
	}
	m := nats.NewMsg(Subject(e.Branch, e.Aggregate))
	m.Data = data
	return m, nil
}
