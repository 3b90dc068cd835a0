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
// acknowledgement was lost: the commands after the prefix may have landed
// too, and no more than the prefix is known.)
//
// A pipeline of appends cannot wait to be told each subject's sequence, so
// AppendAll chains its messages instead: the first expects the stream's
// last sequence as AppendAll read it (Nats-Expected-Last-Sequence), and
// each one after expects the one before it to be the stream's last message
// (Nats-Expected-Last-Msg-Id, the previous event's id). If any other writer
// slips a message in, or one of ours fails, every message behind it fails
// too, with [ErrConflict]: what lands is always a prefix, in order. (A chain
// of predicted sequences would not do: one foreign message would break one
// link and leave the next one right.) Each aggregate's first message also
// expects its subject's sequence, so a history that moved on between the
// caller's read and the append is caught too. Every message carries its
// event id as Nats-Msg-Id.
//
// A command of several events is sent as an atomic batch, after the
// messages before it are acknowledged: such commands are rare, and a
// batch costs a round trip (and, on a single server, a staging store) of its
// own.
func (l *Log) AppendAll(ctx context.Context, cmds []Pending) (int, error) {
	if len(cmds) == 0 {
		return 0, nil
	}
	last, err := l.LastSeq(ctx)
	if err != nil {
		return 0, err
	}
	p := pipeline{log: l, cmds: cmds, next: last, subjects: map[string]uint64{}}
	for i, c := range cmds {
		if len(c.Events) == 0 {
			p.skip(i)
			continue
		}
		msgs, err := messages(c.Events)
		if err != nil {
			return p.fail(ctx, i, err)
		}
		subject := msgs[0].Subject
		expect, known := p.subjects[subject]
		if !known {
			expect = c.Expect
		}
		if len(msgs) > 1 {
			if err := p.wait(ctx); err != nil {
				return p.landed, err
			}
			msgs[0].Header.Set(jetstream.ExpectedLastSeqHeader, strconv.FormatUint(p.next, 10))
			seq, err := l.send(ctx, expect, c.Events, msgs)
			if err != nil {
				return p.landed, fmt.Errorf("command %d: %w", i, err)
			}
			p.next, p.subjects[subject], p.prevID = seq, lastEvent(msgs, seq), ""
			cmds[i].Seq = p.subjects[subject]
			p.landed = i + 1
			continue
		}
		m := msgs[0]
		if p.prevID == "" {
			m.Header.Set(jetstream.ExpectedLastSeqHeader, strconv.FormatUint(p.next, 10))
		} else {
			m.Header.Set(jetstream.ExpectedLastMsgIDHeader, p.prevID)
		}
		p.prevID = m.Header.Get(jetstream.MsgIDHeader)
		if !known {
			m.Header.Set(jetstream.ExpectedLastSubjSeqHeader, strconv.FormatUint(expect, 10))
		}
		f, err := l.js.PublishMsgAsync(m)
		if err != nil {
			return p.fail(ctx, i, err)
		}
		p.next++
		p.subjects[subject] = p.next
		p.inflight = append(p.inflight, inflight{cmd: i, seq: p.next, future: f, msg: m})
		if len(p.inflight) >= 1024 {
			if err := p.settle(ctx, 512); err != nil {
				return p.landed, err
			}
		}
	}
	if err := p.wait(ctx); err != nil {
		return p.landed, err
	}
	return len(cmds), nil
}

type inflight struct {
	cmd    int
	seq    uint64
	future jetstream.PubAckFuture
	msg    *nats.Msg
}

// pipeline is AppendAll's state: the sequence the next message will take,
// each subject's predicted last sequence, and the appends not yet
// acknowledged.
type pipeline struct {
	log      *Log
	cmds     []Pending
	next     uint64
	subjects map[string]uint64
	// prevID is the id of the last message sent, which the next expects
	// to be the stream's last; empty when the next expects a sequence.
	prevID   string
	inflight []inflight
	// landed counts the commands known to be on record: a prefix.
	landed int
}

// skip records command i, which has no events, as landed once everything
// before it has.
func (p *pipeline) skip(i int) {
	if len(p.inflight) == 0 {
		p.landed = i + 1
	}
}

// settle waits until at most keep appends are unacknowledged.
func (p *pipeline) settle(ctx context.Context, keep int) error {
	for len(p.inflight) > keep {
		in := p.inflight[0]
		p.inflight = p.inflight[1:]
		select {
		case ack := <-in.future.Ok():
			if ack.Sequence != in.seq && !ack.Duplicate {
				return p.abort(ctx, fmt.Errorf("command %d landed at %d, not at %d as predicted: %w", in.cmd, ack.Sequence, in.seq, ErrConflict))
			}
			p.cmds[in.cmd].Seq = ack.Sequence
			p.landed = in.cmd + 1
		case err := <-in.future.Err():
			return p.abort(ctx, fmt.Errorf("command %d: %w", in.cmd, translate(err, in.msg.Subject)))
		case <-ctx.Done():
			return p.abort(ctx, ctx.Err())
		case <-time.After(p.log.timeout):
			// An acknowledgement lost with a server that stopped never
			// comes: the client sets no timeout on its own.
			return p.abort(ctx, fmt.Errorf("command %d: append to %s: %w: no acknowledgement after %s", in.cmd, in.msg.Subject, ErrUnavailable, p.log.timeout))
		}
	}
	return nil
}

// wait waits until every append is acknowledged.
func (p *pipeline) wait(ctx context.Context) error { return p.settle(ctx, 0) }

// abort drains the appends still in flight after a failure (they fail too,
// their expected sequence broken) and returns err.
func (p *pipeline) abort(ctx context.Context, err error) error {
	// One wait for them all: after a server stopped, every answer may be
	// lost.
	drain := time.NewTimer(p.log.timeout)
	defer drain.Stop()
wait:
	for _, in := range p.inflight {
		select {
		case <-in.future.Ok():
			// Cannot happen after a broken chain (only after an
			// acknowledgement lost), but a landed append must not be
			// reported as lost.
			err = errors.Join(err, fmt.Errorf("command %d landed after an earlier one failed", in.cmd))
		case <-in.future.Err():
		case <-ctx.Done():
			break wait
		case <-drain.C:
			break wait
		}
	}
	p.inflight = nil
	return err
}

// fail reports command i's error once the appends before it are settled.
func (p *pipeline) fail(ctx context.Context, i int, err error) (int, error) {
	if werr := p.wait(ctx); werr != nil {
		return p.landed, werr
	}
	return p.landed, fmt.Errorf("command %d: %w", i, err)
}
