package eventlog

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/events"
)

// Pending is one command's events, waiting to be appended by
// [Log.AppendAll].
type Pending struct {
	Events []events.Event
	// Expect is what the aggregate's subject must be at before these
	// events ([History.Expect]). AppendAll uses it for the first command
	// of each aggregate; for the later ones it knows better, as it knows
	// where the earlier ones landed.
	Expect uint64
	// Seq is set by AppendAll once the command landed: the stream
	// sequence of its last event.
	Seq uint64
}

// AppendAll appends many commands in order, as a replay does, without
// waiting for each to be acknowledged before sending the next. It returns
// how many commands landed: always a prefix of cmds, so that the caller knows
// exactly what is on record when it fails. (With [ErrUnavailable], an
// acknowledgement was lost and the stream could not be read either: the
// commands after the prefix may have landed too, and no more than the
// prefix is known.)
//
// The commands of one event each go as JetStream fast-ingest batches (see
// append_fast.go) with gap detection set to fail: the server stores a
// batch's messages in order, acknowledges every few hundred, and the
// first message it refuses ends the batch, with nothing after it stored.
//
// Each message expects the stream's last sequence to be the one before it
// (Nats-Expected-Last-Sequence, predicted from the stream's last sequence
// as AppendAll read it): a message of another writer slipped in between
// makes the next of ours a conflict, which ends the batch there. In a
// pipeline of independent publishes a chain of predicted sequences would
// not do (one foreign message would break one link and leave the next one
// right); in a batch that a refusal ends, it does, and the server checks
// it at less cost than a chain of message ids. Each aggregate's first
// message also expects its subject's sequence, so a history that moved on
// between the caller's read and the append is caught too
// ([Log.AppendAllSince] leaves that out where nothing can have moved).
// What lands is therefore always a prefix of the batch, at consecutive
// sequences from the one AppendAll read.
//
// How AppendAll knows what landed, and why a retry stores nothing twice:
//
//   - The batch's end (its publish acknowledgement) counts the messages
//     stored; a refusal says which message ended it. The commands before
//     it landed, the rest did not.
//   - If the end is lost (a server stopping), the flow acknowledgements
//     say what is stored for sure, and AppendAll reads the stream at the
//     predicted sequences after it, comparing subject and event id: a prefix
//     again. If the stream cannot be read either, it reports the
//     acknowledged prefix with [ErrUnavailable].
//   - A retry (the caller's, with the same events) cannot store an event
//     twice, without relying on message ids or a duplicates window: the
//     first command of the retry that already landed finds its aggregate's
//     subject moved on past what it expects (its own event is there) and
//     is refused, and the batch ends at it. A retry that skips what
//     AppendAll reported landed and expects where it landed ([Pending.Seq])
//     goes on from there. [commands.Handler.HandleAll] retries by deciding
//     again on fresh histories, where an event on record is recognised by
//     its identity.
//
// The bulk messages carry no Nats-Msg-Id: the server keeps no duplicates
// entry for them, which a restart would rebuild from the whole window.
//
// A command of several events (or an event with a ref name's marker) is
// sent as an atomic batch, after the fast batch before it has ended: such
// commands are rare, and a fast batch is not atomic. A single command goes
// as [Log.Append] sends it.
func (l *Log) AppendAll(ctx context.Context, cmds []Pending) (int, error) {
	return l.appendAll(ctx, cmds, nil)
}

// AppendAllSince is [Log.AppendAll] for a caller that read the stream's
// last sequence ([Log.LastSeq]) as since before it read the aggregates of
// cmds (each [Pending.Expect]). If the stream still ends at since when the
// append reads its end, no message landed after the caller began to read,
// so no aggregate moved on since it was read: the aggregates' first
// messages need not ask the server for their subject's sequence, and the
// chain of stream sequences guards the rest, as in AppendAll. That check
// costs the server a read of the subject's last message, from disk once
// its block has left the server's cache: a tenth of a bulk append's time
// at a million events, and a block loaded for each meeting of a small file
// appended to a large store. If the stream moved on, or it is replicated
// (a read may have come from a replica behind its leader), each subject
// is checked as in AppendAll.
func (l *Log) AppendAllSince(ctx context.Context, since uint64, cmds []Pending) (int, error) {
	return l.appendAll(ctx, cmds, &since)
}

// appendAll is AppendAll, and AppendAllSince when since is set.
func (l *Log) appendAll(ctx context.Context, cmds []Pending, since *uint64) (int, error) {
	if len(cmds) == 0 {
		return 0, nil
	}
	if c := &cmds[0]; len(cmds) == 1 && len(c.Events) > 0 {
		// One command (summit add, a handler's Handle) goes as [Log.Append]
		// sends it: one publish, or one atomic batch, expecting its
		// subject's sequence. The chain of stream sequences guards a
		// pipeline of many; one needs neither a read of the stream's end
		// first nor a batch to end after.
		seq, err := l.Append(ctx, c.Expect, c.Events...)
		if err != nil {
			return 0, fmt.Errorf("command 0: %w", err)
		}
		c.Seq = seq
		return 1, nil
	}
	last, err := l.LastSeq(ctx)
	if err != nil {
		return 0, err
	}
	p := bulk{log: l, cmds: cmds, next: last, aggregates: map[aggregateOn]*predicted{}}
	p.unmoved = since != nil && *since == last && !l.Replicated()
	enc := encodeAhead(cmds, time.Now().UTC())
	defer enc.stop()
	for i, c := range cmds {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return p.fail(ctx, err)
			}
		}
		switch {
		case len(c.Events) == 0:
			if p.batch == nil {
				p.landed = i + 1
			}
		case fastable(c):
			data, err := enc.next(i)
			if err == nil {
				err = p.fast(ctx, i, c, data)
			}
			if err != nil {
				return p.fail(ctx, err)
			}
		default:
			if err := p.flush(ctx); err != nil {
				return p.landed, err
			}
			if err := p.atomic(ctx, i, c); err != nil {
				return p.landed, err
			}
		}
		p.upTo = i + 1
	}
	if err := p.flush(ctx); err != nil {
		return p.landed, err
	}
	return len(cmds), nil
}

// maxFastBatch is how many messages a fast batch takes before AppendAll
// ends it and begins another: what it keeps to tell what landed stays
// bounded.
const maxFastBatch = 32 << 10

// bulk is AppendAll's state.
type bulk struct {
	log  *Log
	cmds []Pending
	// next is the stream sequence the next message takes; aggregates
	// what the append predicts of each aggregate it appends to.
	next       uint64
	aggregates map[aggregateOn]*predicted
	// batch is the fast batch under way, its first message at stream
	// sequence start+1, and sent what it holds.
	batch *fastBatch
	start uint64
	sent  []sentMsg
	msg   *nats.Msg
	// landed counts the commands known to be on record: a prefix. upTo
	// is the end of the commands handled so far.
	landed, upTo int
	// unmoved reports that no aggregate moved on since the caller read
	// it ([Log.AppendAllSince]): no subject's sequence is checked.
	unmoved bool
}

// aggregateOn is an aggregate on a branch: what a subject names.
type aggregateOn struct {
	branch string
	ref    events.Ref
}

// predicted is what a bulk append knows of an aggregate it appends to: its
// subject, made once for its messages, and, once a message of it was sent
// (sent), the sequence its subject is predicted to be at (seq).
type predicted struct {
	subject string
	seq     uint64
	sent    bool
}

// aggregate returns what p knows of ref on branch, a new entry the first
// time.
func (p *bulk) aggregate(branch string, ref events.Ref) *predicted {
	k := aggregateOn{branch, ref}
	a := p.aggregates[k]
	if a == nil {
		a = &predicted{subject: Subject(branch, ref)}
		p.aggregates[k] = a
	}
	return a
}

// sentMsg is a message of the fast batch under way: whose it is, and
// where it went, to find it in the stream (by its event's id).
type sentMsg struct {
	cmd     int
	subject string
}

// fastable reports whether c goes in a fast batch: one event, no marker.
func fastable(c Pending) bool { return len(c.Events) == 1 && c.Events[0].RefName == "" }

// encoder encodes the events of the fast batches on a goroutine of its
// own, a chunk ahead of the publisher, so that a bulk append uses a
// second core for it. A chunk's events are encoded into one buffer, which
// goes back to the encoder once the publisher has sent them (the client
// copies a message out before PublishMsg returns): a bulk append of a
// million events allocates a few chunks, not a million buffers for the
// collector.
type encoder struct {
	chunks chan *chunk
	free   chan *chunk
	cur    *chunk
	base   int
	done   chan struct{}
}

// chunk is encodeChunk commands' events, encoded into arena.
type chunk struct {
	evs   []encoded
	arena []byte
}

type encoded struct {
	data []byte
	err  error
}

const encodeChunk = 256

func encodeAhead(cmds []Pending, now time.Time) *encoder {
	e := &encoder{chunks: make(chan *chunk, 8), free: make(chan *chunk, 10), done: make(chan struct{}), base: -encodeChunk}
	go func() {
		defer close(e.chunks)
		for from := 0; from < len(cmds); from += encodeChunk {
			var c *chunk
			select {
			case c = <-e.free:
			default:
				c = &chunk{evs: make([]encoded, encodeChunk)}
			}
			c.evs, c.arena = c.evs[:min(encodeChunk, len(cmds)-from)], c.arena[:0]
			for j := range c.evs {
				c.evs[j] = encoded{}
				// Only the command's events are read here: its Seq is
				// written meanwhile by the publisher.
				evs := cmds[from+j].Events
				if !fastable(Pending{Events: evs}) {
					continue
				}
				ev := evs[0]
				if ev.Recorded.IsZero() {
					ev.Recorded = now
				}
				at := len(c.arena)
				c.arena, c.evs[j].err = events.AppendMarshal(c.arena, ev)
				if c.evs[j].err == nil {
					c.evs[j].data = c.arena[at:len(c.arena):len(c.arena)]
				}
			}
			select {
			case e.chunks <- c:
			case <-e.done:
				return
			}
		}
	}()
	return e
}

// next returns command i's encoded event; i only grows. What it returned
// before for a command of an earlier chunk must have been sent.
func (e *encoder) next(i int) ([]byte, error) {
	for i >= e.base+len(e.evs()) {
		if e.cur != nil {
			select {
			case e.free <- e.cur:
			default:
			}
		}
		e.base += encodeChunk
		e.cur = <-e.chunks
	}
	c := e.cur.evs[i-e.base]
	if c.err != nil {
		return nil, fmt.Errorf("command %d: append: %w", i, c.err)
	}
	return c.data, nil
}

func (e *encoder) evs() []encoded {
	if e.cur == nil {
		return nil
	}
	return e.cur.evs
}

func (e *encoder) stop() { close(e.done) }

// fast adds command i, of one event encoded as data, to the fast batch.
func (p *bulk) fast(ctx context.Context, i int, c Pending, data []byte) error {
	e := c.Events[0]
	var err error
	a := p.aggregate(e.Branch, e.Aggregate)
	subject := a.subject
	// One message and header, reused: the client copies a message out
	// before PublishMsg returns.
	if p.msg == nil {
		p.msg = &nats.Msg{Header: nats.Header{jetstream.ExpectedLastSeqHeader: []string{""}}}
	}
	m := p.msg
	m.Subject, m.Data = subject, data
	m.Header[jetstream.ExpectedLastSeqHeader][0] = strconv.FormatUint(p.next, 10)
	delete(m.Header, jetstream.ExpectedLastSubjSeqHeader)
	if !p.unmoved && !a.sent {
		m.Header[jetstream.ExpectedLastSubjSeqHeader] = []string{strconv.FormatUint(c.Expect, 10)}
	}
	if p.batch != nil && len(p.sent) >= maxFastBatch {
		if err := p.flush(ctx); err != nil {
			return err
		}
	}
	if p.batch == nil {
		if p.batch, err = newFastBatch(p.log.js.Conn(), p.log.timeout); err != nil {
			return err
		}
		p.start = p.next
	}
	ok, err := p.batch.add(ctx, m)
	if err != nil {
		return err
	}
	if !ok {
		// The server ended the batch at a refusal: flush says which.
		if err := p.flush(ctx); err != nil {
			return err
		}
		return fmt.Errorf("command %d: append to %s: the fast batch ended before it: %w", i, subject, ErrConflict)
	}
	p.sent = append(p.sent, sentMsg{cmd: i, subject: subject})
	p.next++
	a.seq, a.sent = p.next, true
	return nil
}

// flush ends the fast batch under way, and records what of it landed.
func (p *bulk) flush(ctx context.Context) error {
	if p.batch == nil {
		return nil
	}
	b, sent := p.batch, p.sent
	p.batch, p.sent = nil, nil
	defer func() { p.sent = sent[:0] }() // the next batch's, in the same memory
	count, seq, refused, acked, err := b.finish(ctx)
	if err != nil {
		// The end is lost: read the stream where the rest would be.
		n, _ := p.find(ctx, sent, int(acked))
		p.settle(sent, n)
		if n == len(sent) {
			// All of it is known to have landed: the end alone was lost.
			return nil
		}
		return fmt.Errorf("command %d: %w", sent[n].cmd, err)
	}
	n := int(min(count, uint64(len(sent))))
	if n > 0 && seq != p.start+uint64(n) {
		p.settle(sent, 0)
		return fmt.Errorf("command %d: a fast batch of %d landed with its last at %d, not at %d as predicted: %w", sent[0].cmd, n, seq, p.start+uint64(n), ErrConflict)
	}
	p.settle(sent, n)
	if n < len(sent) {
		var why error = refused
		if refused == nil {
			why = fmt.Errorf("the batch ended after %d of %d messages", n, len(sent))
		}
		return fmt.Errorf("command %d: %w", sent[n].cmd, translate(why, sent[n].subject))
	}
	return nil
}

// settle records the first n messages of sent as landed, at consecutive
// sequences from p.start+1.
func (p *bulk) settle(sent []sentMsg, n int) {
	for j := range n {
		p.cmds[sent[j].cmd].Seq = p.start + uint64(j) + 1
	}
	switch {
	case n == len(sent):
		p.landed = p.upTo
	case n > 0 || len(sent) > 0:
		// The commands before the first message that did not land (the
		// empty ones among them too).
		p.landed = sent[n].cmd
	}
	p.next = p.start + uint64(n)
}

// find returns how many of sent are in the stream, at the sequences
// predicted, knowing that the first known are.
func (p *bulk) find(ctx context.Context, sent []sentMsg, known int) (int, error) {
	n := min(known, len(sent))
	for n < len(sent) {
		rctx, cancel := p.log.request(ctx)
		m, err := p.log.stream.GetMsg(rctx, p.start+uint64(n)+1)
		cancel()
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			break
		}
		if err != nil {
			return min(known, len(sent)), unavailable(err)
		}
		if m.Subject != sent[n].subject {
			break
		}
		if e, err := events.Unmarshal(m.Data); err != nil || e.ID != p.cmds[sent[n].cmd].Events[0].ID {
			break
		}
		n++
	}
	return n, nil
}

// atomic appends command i, of several messages, as an atomic batch.
func (p *bulk) atomic(ctx context.Context, i int, c Pending) error {
	msgs, err := messages(c.Events)
	if err != nil {
		return fmt.Errorf("command %d: %w", i, err)
	}
	a := p.aggregate(c.Events[0].Branch, c.Events[0].Aggregate)
	expect := c.Expect
	if a.sent {
		expect = a.seq
	}
	msgs[0].Header.Set(jetstream.ExpectedLastSeqHeader, strconv.FormatUint(p.next, 10))
	seq, err := p.log.sendBatch(ctx, expect, c.Events, msgs)
	if err != nil {
		return fmt.Errorf("command %d: %w", i, err)
	}
	p.next = seq
	a.seq, a.sent = lastEvent(msgs, seq), true
	p.cmds[i].Seq = a.seq
	p.landed = i + 1
	return nil
}

// fail ends the fast batch under way after err, and returns what landed
// with err.
func (p *bulk) fail(ctx context.Context, err error) (int, error) {
	if ferr := p.flush(ctx); ferr != nil && !errors.Is(err, ErrConflict) {
		err = errors.Join(err, ferr)
	}
	return p.landed, err
}
