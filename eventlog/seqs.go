package eventlog

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/nats-io/nats.go"

	"github.com/summit-model/summit/events"
)

// ErrNotThere is returned by [Log.LoadSeqs] when a sequence it was given
// holds no event of the aggregate on the branch: the list was stale, or
// the store lost the event. Read the history with [Log.Load] instead,
// which tells the two apart.
var ErrNotThere = errors.New("the list of sequences does not match the log")

// seqsWindow is how many direct gets [Log.LoadSeqs] keeps in flight.
const seqsWindow = 256

// LoadSeqs returns the history of aggregate ref on branch b made of the
// events stored at seqs, in record order, as a reader that knows where a
// history lies reads it: a projection's snapshot lists the sequence of
// every event of its meeting ([projections.Snapshot]).
//
// Why not [Log.Load]: a direct get filtered by subject costs the server a
// walk over every message between two of the aggregate's events, so that
// reading the 200 events of a meeting in a million costs hundreds of
// milliseconds, however warm the server. A direct get by sequence costs
// the server a lookup. LoadSeqs sends them all at once (up to a window of
// them in flight) and reads the answers as they come: a few milliseconds
// for 200 events.
//
// The History's Expect and Version are those of the last event read; for
// the events appended after the list was taken, read on with
// [Log.LoadAfter]. A sequence that holds nothing, another aggregate's
// event or another branch's is an error wrapping [ErrNotThere].
func (l *Log) LoadSeqs(ctx context.Context, b Branch, ref events.Ref, seqs []uint64) (History, error) {
	var h History
	if err := ref.Check(); err != nil {
		return h, fmt.Errorf("load %s: %w", ref, err)
	}
	if len(seqs) == 0 {
		return h, nil
	}
	msgs, err := l.getSeqs(ctx, seqs)
	if err != nil {
		return h, fmt.Errorf("read %s: %w", Subject(b.Name, ref), err)
	}
	main, own := Subject(events.Main, ref), Subject(b.Name, ref)
	h.Events = make([]events.Event, 0, len(seqs))
	h.Records = make([]Record, 0, len(seqs))
	for i, m := range msgs {
		subject := m.Header.Get(jsSubject)
		if subject != own && subject != main {
			return History{}, fmt.Errorf("read %s: seq %d holds %q: %w", own, seqs[i], subject, ErrNotThere)
		}
		r, err := decode(subject, seqs[i], m.Header, m.Data)
		if err != nil {
			r = Record{Seq: seqs[i], Subject: subject, Err: err}
		}
		expect := h.Expect
		h.add(r)
		if subject != own {
			// On a branch, what an append expects is the last event on
			// the branch's own subject.
			h.Expect = expect
		}
	}
	return h, nil
}

// The headers of a direct get's answer.
const (
	jsSubject  = "Nats-Subject"
	jsSequence = "Nats-Sequence"
	natsStatus = "Status"
)

// getSeqs returns the messages stored at seqs, in the same order, read
// with direct gets by sequence sent at once on one reply subscription.
func (l *Log) getSeqs(ctx context.Context, seqs []uint64) ([]*nats.Msg, error) {
	rctx, cancel := l.request(ctx)
	defer cancel()
	nc := l.js.Conn()
	inbox := nc.NewInbox()
	replies := make(chan *nats.Msg, min(len(seqs), seqsWindow))
	sub, err := nc.ChanSubscribe(inbox+".*", replies)
	if err != nil {
		return nil, unavailable(err)
	}
	defer sub.Unsubscribe()
	api := apiPrefix(l.js) + "DIRECT.GET." + StreamName
	out := make([]*nats.Msg, len(seqs))
	var req []byte
	sent, got := 0, 0
	send := func() error {
		for ; sent < len(seqs) && sent-got < seqsWindow; sent++ {
			req = append(strconv.AppendUint(append(req[:0], `{"seq":`...), seqs[sent], 10), '}')
			// The reply subject ends in the request's place in seqs.
			if err := nc.PublishRequest(api, inbox+"."+strconv.Itoa(sent), req); err != nil {
				return unavailable(err)
			}
		}
		return nil
	}
	if err := send(); err != nil {
		return nil, err
	}
	for got < len(seqs) {
		select {
		case m := <-replies:
			i, err := strconv.Atoi(m.Subject[len(inbox)+1:])
			if err != nil || i < 0 || i >= sent || out[i] != nil {
				return nil, fmt.Errorf("an answer on %s, to no request: %w", m.Subject, ErrNotThere)
			}
			if m.Header.Get(natsStatus) != "" && len(m.Data) == 0 {
				return nil, fmt.Errorf("seq %d: %s %s: %w", seqs[i], m.Header.Get(natsStatus), m.Header.Get("Description"), ErrNotThere)
			}
			if seq, err := strconv.ParseUint(m.Header.Get(jsSequence), 10, 64); err != nil || seq != seqs[i] {
				return nil, fmt.Errorf("seq %d: the answer holds seq %q: %w", seqs[i], m.Header.Get(jsSequence), ErrNotThere)
			}
			out[i] = m
			got++
			if err := send(); err != nil {
				return nil, err
			}
		case <-rctx.Done():
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("%d of %d events read: %w", got, len(seqs), ErrUnavailable)
		}
	}
	return out, nil
}
