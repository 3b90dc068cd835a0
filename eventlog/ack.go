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

// acks is the log's inbox for the acknowledgements of single appends
// ([Log.Send]), read by the goroutines that wait for them.
//
// nats.go hands a message of a subscription with a handler (as its
// request multiplexer and JetStream's asynchronous publisher have) to a
// goroutine of the subscription's, which hands it on to the waiter: two
// wake-ups between the connection's reader and the command. A channel
// subscription's messages go from the reader into the channel, and the
// waiter reads it there: one. On two busy cores a publish of 500 bytes
// waited for so took 15.6-16.3 µs, against 17.5-18.4 through the
// asynchronous publisher and 19.1-19.9 through the synchronous one
// (eventlog's BenchmarkAckPaths); with the acknowledgement read without
// a JSON decoder ([ackSeq]), a warm command went from 1.34x a raw
// synchronous publish to 1.24x (commands' BenchmarkHandleWarm).
//
// Each acknowledgement comes to a subject of its own under the inbox.
// Whoever waits reads the channel and hands what it reads to its owner
// (a channel of one each): its own, mostly; another's when appends wait
// side by side. An acknowledgement whose owner gave up is dropped.
type acks struct {
	nc *nats.Conn
	// timeout is how long an append waits for its acknowledgement: the
	// log's.
	timeout time.Duration
	once    sync.Once
	err     error
	prefix  string
	inbox   chan *nats.Msg
	mu      sync.Mutex
	next    uint64
	waiting map[string]chan ackAnswer
}

// ackAnswer is an acknowledgement, or why none will come.
type ackAnswer struct {
	m   *nats.Msg
	err error
}

// ackInbox is how many acknowledgements the inbox holds unread: more
// than the appends of a process wait for at once.
const ackInbox = 4096

// start subscribes the inbox, once, and watches the connection: an
// append waiting when the connection is lost fails at once with
// [nats.ErrDisconnected], as nats.go's asynchronous publisher fails it,
// rather than after the log's timeout.
func (a *acks) start() error {
	a.once.Do(func() {
		a.prefix = a.nc.NewInbox() + "."
		a.inbox = make(chan *nats.Msg, ackInbox)
		a.waiting = map[string]chan ackAnswer{}
		if _, err := a.nc.ChanSubscribe(a.prefix+"*", a.inbox); err != nil {
			a.err = fmt.Errorf("acknowledgements: %w", unavailable(err))
			return
		}
		status := a.nc.StatusChanged(nats.DISCONNECTED, nats.RECONNECTING, nats.CLOSED)
		go func() {
			for s := range status {
				a.failAll(fmt.Errorf("%w (the connection is %s)", nats.ErrDisconnected, s))
				if s == nats.CLOSED {
					return
				}
			}
		}()
	})
	return a.err
}

// failAll gives every waiting append err.
func (a *acks) failAll(err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for subject, ch := range a.waiting {
		select {
		case ch <- ackAnswer{err: err}:
		default:
		}
		delete(a.waiting, subject)
	}
}

// publish publishes m, expecting its subject's sequence to be expect, and
// returns the acknowledgement awaited.
func (a *acks) publish(m *nats.Msg, expect uint64) (*awaited, error) {
	if err := a.start(); err != nil {
		return nil, err
	}
	w := &awaited{acks: a, ch: make(chan ackAnswer, 1)}
	a.mu.Lock()
	a.next++
	w.subject = a.prefix + strconv.FormatUint(a.next, 36)
	a.waiting[w.subject] = w.ch
	a.mu.Unlock()
	if m.Header == nil {
		m.Header = nats.Header{}
	}
	m.Header.Set(jetstream.ExpectedLastSubjSeqHeader, strconv.FormatUint(expect, 10))
	m.Reply = w.subject
	if err := a.nc.PublishMsg(m); err != nil {
		w.forget()
		return nil, err
	}
	return w, nil
}

// awaited is one append's acknowledgement, on its way.
type awaited struct {
	acks    *acks
	subject string
	ch      chan ackAnswer
}

// wait waits for the acknowledgement, at most the log's timeout, and returns the
// stream sequence it gives, or the server's refusal as a
// [jetstream.APIError], or why none came.
func (w *awaited) wait(ctx context.Context) (uint64, error) {
	timer := time.NewTimer(w.acks.timeout)
	defer timer.Stop()
	for {
		select {
		case ans := <-w.ch:
			if ans.err != nil {
				return 0, ans.err
			}
			return pubAck(ans.m)
		case m := <-w.acks.inbox:
			w.acks.hand(m)
		case <-timer.C:
			w.forget()
			return 0, fmt.Errorf("no acknowledgement in %s: %w", w.acks.timeout, nats.ErrTimeout)
		case <-ctx.Done():
			w.forget()
			return 0, ctx.Err()
		}
	}
}

// forget stops waiting: an acknowledgement that comes later is dropped.
func (w *awaited) forget() {
	w.acks.mu.Lock()
	delete(w.acks.waiting, w.subject)
	w.acks.mu.Unlock()
}

// hand gives m to the append that waits for it, if one still does.
func (a *acks) hand(m *nats.Msg) {
	a.mu.Lock()
	ch, ok := a.waiting[m.Subject]
	delete(a.waiting, m.Subject)
	a.mu.Unlock()
	if ok {
		ch <- ackAnswer{m: m} // room for one, and only its one answer
	}
}

// pubAck reads a publish acknowledgement as JetStream sends it: the
// stream sequence stored at, or an API error; or a status message when no
// server had the stream's subject (503, no responders).
func pubAck(m *nats.Msg) (uint64, error) {
	if len(m.Data) == 0 && m.Header.Get("Status") == "503" {
		return 0, jetstream.ErrNoStreamResponse
	}
	if seq, ok := ackSeq(m.Data); ok {
		return seq, nil
	}
	var ack struct {
		Seq   uint64              `json:"seq"`
		Error *jetstream.APIError `json:"error"`
	}
	if err := json.Unmarshal(m.Data, &ack); err != nil {
		return 0, fmt.Errorf("acknowledgement %q: %w", m.Data, err)
	}
	if ack.Error != nil {
		return 0, ack.Error
	}
	if ack.Seq == 0 {
		return 0, fmt.Errorf("acknowledgement %q: no stream sequence", m.Data)
	}
	return ack.Seq, nil
}

// ackSeq reads the stream sequence of an acknowledgement without an error
// (`{"stream":"SUMMIT","seq":12}`) without the reflection of a JSON
// decoder, which cost a microsecond of a command's wait: the field's
// name in quotes cannot be part of a stream's name, which has no quotes.
// It reports false for anything else, which pubAck decodes.
func ackSeq(data []byte) (uint64, bool) {
	const key = `"seq":`
	if bytes.Contains(data, []byte(`"error"`)) {
		return 0, false
	}
	i := bytes.Index(data, []byte(key))
	if i < 0 {
		return 0, false
	}
	digits := data[i+len(key):]
	n := 0
	for n < len(digits) && '0' <= digits[n] && digits[n] <= '9' {
		n++
	}
	if n == 0 || n == len(digits) || (digits[n] != ',' && digits[n] != '}') {
		return 0, false
	}
	seq, err := strconv.ParseUint(string(digits[:n]), 10, 64)
	return seq, err == nil && seq > 0
}
