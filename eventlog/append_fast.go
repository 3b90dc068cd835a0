package eventlog

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The fast-ingest batch protocol of nats-server 2.14+ (the stream allows it
// with AllowBatchPublish). Each message's reply subject says where it is in
// the batch: INBOX.FLOW.GAP.SEQ.OP.$FI. The server persists each message as
// it comes (a fast batch is not atomic), answers every FLOW messages with a
// flow acknowledgement ("all up to SEQ are stored"), and ends the batch
// with a publish acknowledgement that counts what it stored.
//
// summit speaks it itself rather than through jetstreamext.FastPublisher
// (v0.3.2): that client waits for its full timeout when the server refuses
// the first message of a batch (it never reads the refusal), and drops the
// count of the final acknowledgement when the server ends a batch on an
// error. AppendAll needs both: a conflict on the first message is an
// ordinary answer, and the count is how much landed.
const (
	fastOpStart  = 0
	fastOpAppend = 1
	fastOpEOB    = 3
	fastOpPing   = 4
	// fastFlow is how many messages the server may store before it
	// acknowledges (it caps it at 500), and fastOutstanding how many
	// such acknowledgements may be owed before the publisher waits: up
	// to 2,000 messages in flight, as a window of async publishes.
	fastFlow        = 500
	fastOutstanding = 4
)

// fastBatch is one fast-ingest batch with "gap: fail": the server stores
// its messages in order, and the first one it refuses ends the batch, with
// none after it stored.
type fastBatch struct {
	nc      *nats.Conn
	prefix  string // INBOX.FLOW.fail.
	sub     *nats.Subscription
	timeout time.Duration
	subject string // the last message's, for the end of the batch
	sent    uint64
	// replyBuf is where reply makes a reply subject.
	replyBuf []byte

	mu sync.Mutex
	// acked is the highest message the server said is stored; flow how
	// often it acknowledges now.
	acked uint64
	flow  uint64
	// failed is the first message the server refused, and why.
	failed   uint64
	failure  *jetstream.APIError
	end      *fastEnd
	progress chan struct{}
	ended    chan struct{}
}

// fastEnd is the server's last word on a batch: its publish
// acknowledgement, or the refusal of its first message.
type fastEnd struct {
	Stream string              `json:"stream"`
	Seq    uint64              `json:"seq"`
	Count  uint64              `json:"count"`
	Error  *jetstream.APIError `json:"error"`
}

func newFastBatch(nc *nats.Conn, timeout time.Duration) (*fastBatch, error) {
	inbox := nc.NewInbox()
	b := &fastBatch{
		nc: nc, timeout: timeout, flow: fastFlow,
		prefix:   inbox + "." + strconv.Itoa(fastFlow) + ".fail.",
		progress: make(chan struct{}, 1),
		ended:    make(chan struct{}),
	}
	sub, err := nc.Subscribe(inbox+".>", b.answer)
	if err != nil {
		return nil, fmt.Errorf("fast batch: %w", unavailable(err))
	}
	b.sub = sub
	return b, nil
}

// answer takes one answer of the server.
func (b *fastBatch) answer(m *nats.Msg) {
	var a struct {
		Type  string              `json:"type"`
		Seq   uint64              `json:"seq"`
		Msgs  uint64              `json:"msgs"`
		Error *jetstream.APIError `json:"error"`
	}
	typed := bytes.Contains(m.Data, []byte(`"type":"`))
	b.mu.Lock()
	defer b.mu.Unlock()
	if !typed {
		// The batch's end. The refusals of messages (or pings) that
		// come after the server forgot the batch are not: the end went
		// before them, or was lost, and then the outcome is unknown.
		var end fastEnd
		if err := json.Unmarshal(m.Data, &end); err != nil || b.end != nil ||
			end.Error != nil && end.Error.ErrorCode == codeFastBatchUnknown {
			return
		}
		b.end = &end
		close(b.ended)
		return
	}
	if err := json.Unmarshal(m.Data, &a); err != nil {
		return
	}
	switch a.Type {
	case "ack":
		b.acked = max(b.acked, a.Seq)
		if a.Msgs > 0 {
			b.flow = a.Msgs
		}
	case "err":
		if b.failed == 0 || a.Seq < b.failed {
			b.failed, b.failure = a.Seq, a.Error
		}
	default: // "gap": cannot happen on one connection; the end follows
		return
	}
	select {
	case b.progress <- struct{}{}:
	default:
	}
}

// reply returns the reply subject of the batch's message seq, of op. It
// is made in a buffer of the batch's, which only the publisher uses: one
// allocation a message, the string.
func (b *fastBatch) reply(seq uint64, op int) string {
	r := append(b.replyBuf[:0], b.prefix...)
	r = strconv.AppendUint(r, seq, 10)
	r = append(r, '.')
	r = strconv.AppendInt(r, int64(op), 10)
	b.replyBuf = append(r, ".$FI"...)
	return string(b.replyBuf)
}

// add sends m as the batch's next message, first waiting while too many
// are unacknowledged. It returns false once the batch has ended (a message
// refused): add no more, and call finish.
func (b *fastBatch) add(ctx context.Context, m *nats.Msg) (bool, error) {
	b.mu.Lock()
	for b.sent >= b.acked+b.flow*fastOutstanding && b.failed == 0 && b.end == nil {
		b.mu.Unlock()
		if err := b.waitProgress(ctx); err != nil {
			return false, err
		}
		b.mu.Lock()
	}
	over := b.failed != 0 || b.end != nil
	b.mu.Unlock()
	if over {
		return false, nil
	}
	b.sent++
	op := fastOpAppend
	if b.sent == 1 {
		op = fastOpStart
	}
	m.Reply = b.reply(b.sent, op)
	b.subject = m.Subject
	if err := b.nc.PublishMsg(m); err != nil {
		b.sent--
		return false, fmt.Errorf("fast batch: %w", unavailable(err))
	}
	return true, nil
}

// waitProgress waits for an acknowledgement, asking the server again (a
// ping) a few times if none comes: an answer can be lost.
func (b *fastBatch) waitProgress(ctx context.Context) error {
	deadline := time.NewTimer(b.timeout)
	defer deadline.Stop()
	ping := time.NewTicker(b.timeout / 4)
	defer ping.Stop()
	for {
		select {
		case <-b.progress:
			return nil
		case <-b.ended:
			return nil
		case <-ping.C:
			b.ping()
		case <-deadline.C:
			return fmt.Errorf("fast batch: %w: no acknowledgement after %s", ErrUnavailable, b.timeout)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (b *fastBatch) ping() {
	b.mu.Lock()
	seq := b.sent
	b.mu.Unlock()
	if seq > 0 {
		_ = b.nc.PublishRequest(b.subject, b.reply(seq, fastOpPing), nil)
	}
}

// finish ends the batch (if the server has not) and returns its end: how
// many of its messages are stored, the stream sequence of the last, and
// the refusal that ended it early, if one did. With an error (no answer),
// acked is what is known to be stored.
func (b *fastBatch) finish(ctx context.Context) (count, seq uint64, refused *jetstream.APIError, acked uint64, err error) {
	defer b.sub.Unsubscribe()
	if b.sent == 0 {
		return 0, 0, nil, 0, nil
	}
	b.mu.Lock()
	over := b.end != nil || b.failed != 0
	b.mu.Unlock()
	if !over {
		eob := nats.NewMsg(b.subject)
		eob.Reply = b.reply(b.sent+1, fastOpEOB)
		if err := b.nc.PublishMsg(eob); err != nil {
			return 0, 0, nil, b.ackedNow(), fmt.Errorf("fast batch: %w", unavailable(err))
		}
	}
	deadline := time.NewTimer(b.timeout)
	defer deadline.Stop()
	ping := time.NewTicker(b.timeout / 4)
	defer ping.Stop()
	for {
		select {
		case <-b.ended:
			b.mu.Lock()
			defer b.mu.Unlock()
			e := b.end
			if e.Error != nil {
				// The first message refused: nothing stored.
				return 0, 0, e.Error, 0, nil
			}
			return e.Count, e.Seq, b.failure, e.Count, nil
		case <-b.progress:
		case <-ping.C:
			b.ping()
		case <-deadline.C:
			return 0, 0, nil, b.ackedNow(), fmt.Errorf("fast batch: %w: the batch did not end after %s", ErrUnavailable, b.timeout)
		case <-ctx.Done():
			return 0, 0, nil, b.ackedNow(), ctx.Err()
		}
	}
}

func (b *fastBatch) ackedNow() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.acked
}

// codeFastBatchUnknown is the refusal of a message of a batch the server
// does not know (any more).
const codeFastBatchUnknown jetstream.ErrorCode = 10208
