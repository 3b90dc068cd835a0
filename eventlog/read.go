package eventlog

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/synadia-io/orbit.go/jetstreamext"

	"github.com/summit-model/summit/events"
)

// Record is an event as the log holds it.
type Record struct {
	// Seq is the event's stream sequence: its place in the log, across
	// every aggregate and branch.
	Seq   uint64
	Event events.Event
	// Pending is how many more events matched the read when this one was
	// delivered: 0 means the reader has caught up. Set by [Log.Read] and
	// a [Subscription].
	Pending uint64
	// Partial reports that more events of the same command follow this
	// one: a reader that shows state should wait for them.
	Partial bool
	// Err, on a record a subscription delivers, is why the message at Seq
	// (on Subject) is no event summit can read ([ErrCorrupt]): a poison
	// message, which a reader skips (and notes) rather than stopping at.
	// Event is then the zero Event.
	Err     error
	Subject string
}

// decode reads the record in one stored message, checking that the event is
// where its envelope says it belongs.
func decode(subject string, seq uint64, h nats.Header, data []byte) (Record, error) {
	e, err := events.Unmarshal(data)
	if err != nil {
		return Record{}, fmt.Errorf("%w: %s seq %d: %w", ErrCorrupt, subject, seq, err)
	}
	branch, ref, ok := parseSubject(subject)
	if !ok || branch != e.Branch || ref != e.Aggregate {
		return Record{}, fmt.Errorf("%w: seq %d: event of %s on %s is on subject %s", ErrCorrupt, seq, e.Aggregate, e.Branch, subject)
	}
	r := Record{Seq: seq, Event: e}
	if b := h.Get(batchHeader); b != "" {
		k, n, _ := strings.Cut(b, "/")
		ki, err1 := strconv.Atoi(k)
		ni, err2 := strconv.Atoi(n)
		if err1 != nil || err2 != nil || ki < 1 || ki > ni {
			return Record{}, fmt.Errorf("%w: %s seq %d: bad %s header %q", ErrCorrupt, subject, seq, batchHeader, b)
		}
		r.Partial = ki < ni
	}
	return r, nil
}

// History is an aggregate's events on a branch, oldest first, and what an
// append to it must expect.
type History struct {
	Events []events.Event
	// Expect is the stream sequence of the aggregate's last event on the
	// branch's own subject (0 if it has none there): the value to give
	// [Log.Append].
	Expect uint64
	// Version is the version of the aggregate's last event (0 if it has
	// none).
	Version uint64
	// Records are Events with their stream sequences.
	Records []Record
	// Malformed are the messages on the aggregate's subjects that are no
	// event summit can read: left out of the history.
	Malformed []Record
}

// Load returns the history of aggregate ref on branch b: for main, its
// events; for another branch, its events on main up to the fork, then its
// own events (of its generation).
//
// Load reads with batched direct gets, which any replica answers from the
// stream's per-subject index, rather than with a consumer: creating a
// consumer per load costs tens of milliseconds on a large stream. A batch
// of direct gets costs a few microseconds per event on a small stream, but
// on a stream of a million events, over which an aggregate's 200 events
// are spread, the server finds them a block at a time: about 20 ms, and
// hundreds after a restart. A reader that holds the aggregate's state as
// of some sequence (a snapshot) reads the rest with [Log.LoadAfter].
func (l *Log) Load(ctx context.Context, b Branch, ref events.Ref) (History, error) {
	return l.LoadUpTo(ctx, b, ref, 0)
}

// LoadUpTo returns the history of aggregate ref on branch b as [Log.Load]
// does, up to stream sequence upTo (0: all of it): what a reader that has
// applied the log up to upTo holds.
func (l *Log) LoadUpTo(ctx context.Context, b Branch, ref events.Ref, upTo uint64) (History, error) {
	var h History
	if err := ref.Check(); err != nil {
		return h, fmt.Errorf("load %s: %w", ref, err)
	}
	main := Subject(events.Main, ref)
	if b.IsMain() {
		err := l.scan(ctx, main, 1, upTo, func(r Record) bool {
			h.add(r)
			return true
		})
		return h, err
	}
	if b.ForkSeq > 0 {
		cut := b.ForkSeq
		if upTo > 0 {
			cut = min(cut, upTo)
		}
		err := l.scan(ctx, main, 1, cut, func(r Record) bool {
			if r.Err != nil {
				h.Malformed = append(h.Malformed, r)
				return true
			}
			if !b.Includes(r.Event) {
				return false
			}
			h.Events = append(h.Events, r.Event)
			h.Records = append(h.Records, r)
			h.Version = r.Event.Version
			return true
		})
		if err != nil {
			return h, err
		}
	}
	err := l.scan(ctx, Subject(b.Name, ref), 1, upTo, h.reads(b))
	return h, err
}

// reads returns a scan's callback that reads the records of an aggregate's
// subject on branch b into h: each one's sequence is the one to expect
// after it, and each is added ([History.add]) unless it is an event of
// another generation of b (left by a deleted branch of the same name).
func (h *History) reads(b Branch) func(Record) bool {
	return func(r Record) bool {
		h.Expect = r.Seq
		if r.Err != nil || b.Owns(r.Event) {
			h.add(r)
		}
		return true
	}
}

// add appends r to the history, or, if it is no event, to Malformed.
func (h *History) add(r Record) {
	h.Expect = r.Seq
	if r.Err != nil {
		h.Malformed = append(h.Malformed, r)
		return
	}
	h.Events = append(h.Events, r.Event)
	h.Records = append(h.Records, r)
	h.Version = r.Event.Version
}

// LoadAfter returns the part of aggregate ref's history on branch b that
// comes after stream sequence after: its events after it (none, if after
// is current), and the Expect and Version of the whole history. It is how
// a reader that holds the aggregate's state as of after (a snapshot)
// brings it up to date. On a branch other than main, after must be past
// the fork: the record's part of the history never changes.
//
// Reading a whole history costs one direct get per event, and on a large
// stream the server finds each of an aggregate's events spread over the
// stream's blocks one at a time: tens of milliseconds for 200 events in a
// million. LoadAfter asks for the subject's last message (one direct get
// that the server answers from its per-subject index) and reads on only if
// that is newer than after.
func (l *Log) LoadAfter(ctx context.Context, b Branch, ref events.Ref, after uint64) (History, error) {
	var h History
	if err := ref.Check(); err != nil {
		return h, fmt.Errorf("load %s: %w", ref, err)
	}
	subject := Subject(b.Name, ref)
	rctx, cancel := l.request(ctx)
	m, err := l.stream.GetLastMsgForSubject(rctx, subject)
	cancel()
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return h, nil
	}
	if err != nil {
		return h, fmt.Errorf("read %s: %w", subject, unavailable(err))
	}
	h.Expect = m.Sequence
	if last, err := decode(m.Subject, m.Sequence, m.Header, m.Data); err == nil {
		h.Version = last.Event.Version
	}
	if m.Sequence <= after {
		return h, nil
	}
	err = l.scan(ctx, subject, after+1, 0, h.reads(b))
	return h, err
}

// recordOf returns m as a record: its event, or, if it holds none summit
// can read, a record that says why.
func recordOf(m *jetstream.RawStreamMsg) Record {
	r, err := decode(m.Subject, m.Sequence, m.Header, m.Data)
	if err != nil {
		return Record{Seq: m.Sequence, Subject: m.Subject, Err: err}
	}
	return r
}

// Tip is where an aggregate's subject stood at a stream sequence, as a
// reader that folded every event on it up to there knows (a snapshot that
// lists its events' sequences): the sequence of its last event, and that
// event's version.
type Tip struct {
	Seq, Version uint64
}

// LoadSince is [Log.LoadAfter] for a reader that knows tip, where ref's
// subject on branch b stood at after: it asks only for the subject's first
// message after after (one direct get, which the server answers from the
// block that holds after and its index of subjects; then a batch for the
// rest, if there is one) and, if there is none, takes Expect and Version
// from tip. LoadAfter asks for the subject's last message instead, which
// the server reads from the block that holds it: after a restart, one
// block of the stream loaded for each aggregate read, where LoadSince
// loads the block at after once for all of them.
//
// A tip that is wrong (a message that is no event on the subject after
// its last event) makes an append that expects it meet a conflict, as
// another writer's would: read again with LoadAfter then. A zero tip, or
// one past after, reads as LoadAfter does.
func (l *Log) LoadSince(ctx context.Context, b Branch, ref events.Ref, after uint64, tip Tip) (History, error) {
	if tip.Seq == 0 || tip.Seq > after {
		return l.LoadAfter(ctx, b, ref, after)
	}
	var h History
	if err := ref.Check(); err != nil {
		return h, fmt.Errorf("load %s: %w", ref, err)
	}
	subject := Subject(b.Name, ref)
	// The first event after, if any, with one direct get: most often there
	// is none, and a batch costs a subscription of its own.
	rctx, cancel := l.request(ctx)
	m, err := l.stream.GetMsg(rctx, after+1, jetstream.WithGetMsgSubject(subject))
	cancel()
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		h.Expect, h.Version = tip.Seq, tip.Version
		return h, nil
	}
	if err != nil {
		return h, fmt.Errorf("read %s: %w", subject, unavailable(err))
	}
	read := h.reads(b)
	read(recordOf(m))
	return h, l.scan(ctx, subject, m.Sequence+1, 0, read)
}

// First returns the first event of aggregate ref on main: its declaration,
// and false if it has none.
//
// It asks for one message at a time: the server finds a subject's first
// message from its index, but a request for more makes it walk the stream
// for the rest (50 ms for a meeting of 200 events in 200,000).
func (l *Log) First(ctx context.Context, ref events.Ref) (Record, bool, error) {
	var first Record
	found := false
	subject := Subject(events.Main, ref)
	for next := uint64(1); ; {
		n, more, err := l.scanBatch(ctx, subject, &next, 0, 1, func(r Record) bool {
			if r.Err != nil {
				return true // a message that is no event: read on
			}
			first, found = r, true
			return false
		})
		if err != nil || found || n == 0 || !more {
			return first, found, err
		}
	}
}

// directBatch is how many messages one direct-get request asks for.
const directBatch = 1000

// directMaxBytes, if not 0, bounds the bytes of one direct-get answer: a
// test's way to make the server end batches short, as it does by itself
// on a large store.
var directMaxBytes = 0

// scan calls fn with each event on subject, in order, from stream sequence
// from up to stream sequence upTo (0: to the end), until fn returns false.
func (l *Log) scan(ctx context.Context, subject string, from, upTo uint64, fn func(Record) bool) error {
	next := max(from, 1)
	for {
		// A batch may end before the size asked for (the server bounds
		// what one answer holds or how long it looks): read on while the
		// server says more are pending.
		n, more, err := l.scanBatch(ctx, subject, &next, upTo, directBatch, fn)
		if err != nil || n == 0 || !more {
			return err
		}
	}
}

// scanBatch is one direct-get request of scan: it reads up to size events
// from *next on, advancing *next, and reports how many it read and
// whether the server has more. A callback that stops the scan, or the
// end of upTo, read no more (n 0).
func (l *Log) scanBatch(ctx context.Context, subject string, next *uint64, upTo uint64, size int, fn func(Record) bool) (n int, more bool, err error) {
	rctx, cancel := l.request(ctx)
	defer cancel()
	opts := []jetstreamext.GetBatchOpt{jetstreamext.GetBatchSubject(subject), jetstreamext.GetBatchSeq(*next)}
	if directMaxBytes > 0 {
		opts = append(opts, jetstreamext.GetBatchMaxBytes(directMaxBytes))
	}
	msgs, err := getBatch(rctx, l.js, StreamName, size, opts...)
	if err != nil {
		return 0, false, fmt.Errorf("read %s: %w", subject, unavailable(err))
	}
	for m, err := range msgs {
		if errors.Is(err, jetstreamext.ErrNoMessages) {
			return 0, false, nil
		}
		if err != nil {
			return 0, false, fmt.Errorf("read %s: %w", subject, unavailable(err))
		}
		if upTo > 0 && m.Sequence > upTo {
			return 0, false, nil
		}
		if !fn(recordOf(m)) {
			return 0, false, nil
		}
		n++
		*next = m.Sequence + 1
		more = m.Header.Get("Nats-Num-Pending") != "0"
	}
	return n, more, nil
}

// Read calls fn with each event on the subjects that filter matches, from
// stream sequence from, in order, until it has delivered every event up to
// stream sequence to (0: the stream's last when Read began), or fn returns
// an error, which Read returns.
//
// A read that the store stops delivering ([ErrUnavailable]: a cluster
// placing the read's consumer after a leader change) asks again, from
// where it got to, twice.
func (l *Log) Read(ctx context.Context, filter string, from, to uint64, fn func(Record) error) error {
	if to == 0 {
		last, err := l.LastSeq(ctx)
		if err != nil {
			return err
		}
		to = last
	}
	next := from
	for attempt := 0; ; attempt++ {
		err := l.read(ctx, filter, &next, to, fn)
		if err == nil || !errors.Is(err, ErrUnavailable) || ctx.Err() != nil || attempt == 2 {
			return err
		}
		l.log.Warn("the store did not deliver a read: asking again", "filter", filter, "from", next, "err", err)
	}
}

// read is one subscription of [Log.Read], from *next, which it moves past
// each event it delivers.
func (l *Log) read(ctx context.Context, filter string, next *uint64, to uint64, fn func(Record) error) error {
	from := *next
	if from > to {
		return nil
	}
	sub, err := l.Subscribe(ctx, filter, from)
	if err != nil {
		return err
	}
	defer sub.Stop()
	if sub.Pending() == 0 {
		if more, err := l.Lagging(ctx, filter, from, to); err != nil || !more {
			return err
		}
	}
	// The server counted sub.Pending() events when the read began; each
	// one delivered, and each still pending after the last, accounts for
	// one. Fewer means the server counts events it cannot deliver: a
	// damaged block, whose events a read would otherwise skip in silence.
	var delivered uint64
	for {
		r, err := sub.Next(ctx)
		if err != nil {
			return err
		}
		if r.Seq > to {
			return nil
		}
		delivered++
		*next = r.Seq + 1
		if err := fn(r); err != nil {
			return err
		}
		if r.Seq >= to || r.Pending == 0 {
			if counted := sub.Pending(); delivered+r.Pending < counted {
				return fmt.Errorf("read %s: %w: the server counted %d events from sequence %d to %d but delivered %d (summit check reads every event and says which are lost)",
					filter, ErrDamaged, counted-r.Pending, from, r.Seq, delivered)
			}
			if r.Pending > 0 {
				// More counted after the last event there is: the count
				// holds an event that is gone.
				if last, err := l.LastSeq(ctx); err == nil && last <= r.Seq {
					return fmt.Errorf("read %s: %w: the server counts %d more events than it delivers up to sequence %d, the log's last (summit check reads every event and says which are lost)",
						filter, ErrDamaged, r.Pending, r.Seq)
				}
				return nil
			}
			if r.Seq < to {
				more, err := l.Lagging(ctx, filter, r.Seq+1, to)
				if err != nil {
					return err
				}
				if more {
					continue
				}
			}
			return nil
		}
	}
}

// Subscription delivers the events on the subjects a filter matches, in
// stream order, from a starting sequence on. It reads with an ordered
// consumer, which survives reconnections and server restarts: it resumes
// after the last event delivered, so nothing is lost or repeated.
//
// The consumer's callback ([Subscription.handle]), on the client's own
// goroutine for the subscription, decodes each message and queues it, up to
// [readAhead] events ahead of the caller: so the consumer asks the server
// for more while the caller is still at work on the events before (a
// projection folding them), and a rebuild overlaps the reading, the
// decoding and the folding instead of taking them in turn. A callback
// rather than the client's iterator: its Next arms and stops a timer for
// each message, which cost a rebuild of a million events 2-5% of its time.
// [Subscription.Stop] ends the consuming.
type Subscription struct {
	filter  string
	cons    jetstream.Consumer
	cc      jetstream.ConsumeContext
	pending uint64
	// log is the log read: its timeout bounds [Subscription.Delivered],
	// and its scan reads an event by itself ([Subscription.readable]).
	log *Log
	// stall is how long Next waits with the server reporting events
	// pending that it does not deliver before it gives up ([ErrDamaged]);
	// heard is when Next last took events from the reader, or the server
	// last said that none was pending.
	stall time.Duration
	heard time.Time
	// owed is how many more events the last one delivered (at stream
	// sequence seq) said were pending.
	owed, seq uint64

	// queue holds the events read ahead, for Next to take all at once
	// into taking (see [wakeBatch] for when the reader pokes ready), and
	// Next pokes room when it empties a full queue. A rebuild hands a
	// million events from the reading goroutine to its caller: a channel
	// operation for each, and the wake-up of a goroutine parked on it,
	// came to a few percent of its CPU.
	mu     sync.Mutex
	queue  []next
	ended  bool
	ready  chan struct{}
	room   chan struct{}
	taking []next
	taken  int
	quit   chan struct{}
	done   chan struct{}
	stop   sync.Once
	// err is the error that ended the reading, once the queue is drained.
	err error
}

// next is one event read ahead, or the error that ended the reading.
type next struct {
	r   Record
	err error
}

// readAhead is how many decoded events a subscription holds for its
// caller. The reader wakes Next when wakeBatch of them wait, or the last
// one the server had; Next, waiting, looks for fewer every wakeAfter.
const (
	readAhead = 1024
	wakeBatch = 64
	wakeAfter = 5 * time.Millisecond
)

// Subscribe starts a subscription to filter at stream sequence from.
func (l *Log) Subscribe(ctx context.Context, filter string, from uint64) (*Subscription, error) {
	// A consumer whose reader died without stopping it goes after
	// activityInactive, not the client's default 5 minutes (issue 12: each
	// timeline left one behind for 5 minutes).
	cfg := jetstream.OrderedConsumerConfig{FilterSubjects: []string{filter}, InactiveThreshold: activityInactive}
	if from > 1 {
		cfg.DeliverPolicy = jetstream.DeliverByStartSequencePolicy
		cfg.OptStartSeq = from
	}
	rctx, cancel := l.request(ctx)
	cons, err := l.js.OrderedConsumer(rctx, StreamName, cfg)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", filter, unavailable(err))
	}
	s := &Subscription{filter: filter, cons: cons, log: l, stall: 2 * l.timeout, heard: time.Now(),
		ready: make(chan struct{}, 1), room: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	if info := cons.CachedInfo(); info != nil {
		s.pending = info.NumPending
	}
	cc, err := cons.Consume(s.handle, jetstream.PullMaxMessages(1024))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", filter, err)
	}
	s.cc = cc
	go s.watch()
	return s, nil
}

// watch marks the reading ended when the consuming stops: the connection
// closed (the client then stops it), or Stop.
func (s *Subscription) watch() {
	defer close(s.done)
	select {
	case <-s.cc.Closed():
	case <-s.quit:
	}
	s.mu.Lock()
	s.ended = true
	s.mu.Unlock()
	poke(s.ready)
}

// handle decodes a message the consumer delivers and queues it for Next,
// waiting while the queue is full (the client then asks the server for no
// more, and watches for no heartbeat while it waits). A message whose
// metadata does not read ends the reading.
func (s *Subscription) handle(msg jetstream.Msg) {
	var n next
	if md, err := msg.Metadata(); err != nil {
		n.err = fmt.Errorf("read %s: %w", s.filter, err)
	} else {
		r, err := decode(msg.Subject(), md.Sequence.Stream, msg.Headers(), msg.Data())
		if err != nil {
			// A message that is no event stops nothing: the reader
			// gets it, marked, and the next one after it.
			r = Record{Seq: md.Sequence.Stream, Err: err}
		}
		r.Subject, r.Pending = msg.Subject(), md.NumPending
		n.r = r
	}
	s.mu.Lock()
	for len(s.queue) >= readAhead {
		s.mu.Unlock()
		select {
		case <-s.room:
		case <-s.quit:
			return
		}
		s.mu.Lock()
	}
	if s.ended {
		s.mu.Unlock()
		return
	}
	s.queue = append(s.queue, n)
	k := len(s.queue)
	if n.err != nil {
		s.ended = true
	}
	s.mu.Unlock()
	// Next is woken for a batch, or for the last event the server had (a
	// live event waits for no other); in between it takes what there is
	// after a short wait ([wakeAfter]).
	if k == wakeBatch || n.err != nil || n.r.Pending == 0 {
		poke(s.ready)
	}
}

// poke signals c, a channel of one, unless a signal waits there already.
func poke(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// take moves the events queued into taking and returns the first, or the
// error of a reader that has stopped with every event taken; done is false
// if there is neither yet.
func (s *Subscription) take() (r Record, done bool, err error) {
	s.mu.Lock()
	full := len(s.queue) >= readAhead
	s.taking, s.queue = s.queue, s.taking[:0]
	s.taken = 0
	ended := s.ended
	s.mu.Unlock()
	if full {
		poke(s.room)
	}
	switch {
	case len(s.taking) > 0:
		s.heard = time.Now()
		r, err = s.took()
		return r, true, err
	case ended:
		s.err = fmt.Errorf("read %s: the subscription has stopped", s.filter)
		return Record{}, true, s.err
	}
	return Record{}, false, nil
}

// ahead reports whether an event read ahead waits for Next.
func (s *Subscription) ahead() bool {
	if s.taken < len(s.taking) {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue) > 0
}

// readable reports whether the event after the last one delivered reads
// by itself, with a direct get: whether a stalled subscription meets a
// slow server rather than a damaged store.
func (s *Subscription) readable(ctx context.Context) bool {
	readable := false
	next := s.seq + 1
	_, _, err := s.log.scanBatch(ctx, s.filter, &next, 0, 1, func(r Record) bool {
		readable = r.Err == nil
		return false
	})
	return err == nil && readable
}

// Pending returns how many events matched when the subscription began.
func (s *Subscription) Pending() uint64 { return s.pending }

// Next returns the next event, waiting for one until ctx ends.
//
// It never waits for ever on an event the server cannot deliver: a
// message block damaged on disk leaves the stream counting events that no
// consumer ever gets. When no event has come for twice the log's timeout,
// Next asks the server how many are pending: none, and none owed by the
// last event's count of those after it, and it waits on; some, with
// nothing delivered since the last event it returned, and it gives up
// with [ErrDamaged]; no answer for three times as long, with
// [ErrUnavailable].
func (s *Subscription) Next(ctx context.Context) (Record, error) {
	if s.err != nil {
		return Record{}, s.err
	}
	// An event read ahead is taken without a timer: a rebuild takes a
	// million this way.
	if s.taken < len(s.taking) {
		return s.took()
	}
	if r, done, err := s.take(); done {
		return r, err
	}
	// check is when to ask the server whether events are owed.
	check := s.heard.Add(s.stall)
	for {
		timer := time.NewTimer(max(min(time.Until(check), wakeAfter), time.Millisecond))
		select {
		case <-s.ready:
			timer.Stop()
		case <-ctx.Done():
			timer.Stop()
			return Record{}, ctx.Err()
		case <-timer.C:
		}
		if r, done, err := s.take(); done {
			return r, err
		}
		if time.Now().Before(check) {
			continue
		}
		pending, last, err := s.Delivered(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return Record{}, ctx.Err()
			}
			// A server that does not answer (a cluster electing a
			// leader) gets three times as long.
			if time.Since(s.heard) < 3*s.stall {
				check = time.Now().Add(s.log.timeout)
				continue
			}
			s.err = err
			return Record{}, err
		}
		if pending+s.owed > 0 && last <= s.seq && !s.ahead() {
			if s.seq == 0 {
				// Nothing delivered at all: a consumer that a cluster
				// is still placing after a leader change looks the
				// same as a log whose first events are lost, and the
				// check on open (Inspect) finds the latter. Say the
				// store does not deliver, which a reader asks again.
				s.err = fmt.Errorf("read %s: %w: the server counts %d events to deliver and delivered none in %s",
					s.filter, ErrUnavailable, pending, s.stall)
				return Record{}, s.err
			}
			if s.readable(ctx) {
				// The next event reads by itself: the server is slow
				// (a process short of memory), not the store damaged.
				s.err = fmt.Errorf("read %s: %w: the server counts %d more events than it delivered (the last at sequence %d) and delivered none in %s, though the next one reads by itself",
					s.filter, ErrUnavailable, max(pending, s.owed), last, s.stall)
				return Record{}, s.err
			}
			s.err = fmt.Errorf("read %s: %w: the server counted %d more events than it delivered (the last at sequence %d), and delivered none in %s (summit check reads every event and says which are lost)",
				s.filter, ErrDamaged, max(pending, s.owed), last, s.stall)
			return Record{}, s.err
		}
		s.heard = time.Now()
		check = s.heard.Add(s.stall)
	}
}

// took returns the next event taken, and notes it as the last event
// delivered. (When it was taken is when an event was last heard.)
func (s *Subscription) took() (Record, error) {
	n := s.taking[s.taken]
	s.taken++
	if n.err != nil {
		s.err = n.err
	}
	s.owed, s.seq = n.r.Pending, n.r.Seq
	return n.r, n.err
}

// Delivered returns how many events the server has not yet delivered to
// the subscription, and the stream sequence of the last it delivered.
//
// Like every request of the log, it waits for the answer at most the log's
// Timeout, however long ctx lasts, and is then [ErrUnavailable]. Here that
// bound is what keeps a live projection going: the answer comes from the
// server that holds the subscription's consumer, and none comes if that
// server stops with the request, or before the cluster knows it stopped (a
// stream leader that stops takes the consumer with it). The client's
// ordered consumer, unlike its other requests, gives a consumer info
// request no default timeout, and holds the consumer's lock while it
// waits: on a context without a deadline (a live runner's) the wait never
// ended, and the consumer could neither be recreated nor stopped. The
// runner's idle round then hung for good, its checkpoint short of the log
// (issue 12, TestClusterLeaderStops).
func (s *Subscription) Delivered(ctx context.Context) (pending, last uint64, err error) {
	rctx, cancel := context.WithTimeout(ctx, s.log.timeout)
	defer cancel()
	info, err := s.cons.Info(rctx)
	if err != nil {
		return 0, 0, fmt.Errorf("read %s: consumer info: %w", s.filter, unavailable(err))
	}
	return info.NumPending, info.Delivered.Stream, nil
}

// Stop ends the subscription: once it returns, the consumer's callback
// queues nothing more for Next (one still running when Stop is called
// finds the reading ended).
func (s *Subscription) Stop() {
	s.stop.Do(func() {
		close(s.quit)
		s.cc.Stop()
		deleteConsumer(s.log.js, s.cons, s.log.timeout)
	})
	<-s.done
}

// ReadBranch calls fn with each event branch b holds, in stream order: for
// main, every event on main; for another branch, the record up to its fork
// ([Log.ReadFork]), then its own events.
func (l *Log) ReadBranch(ctx context.Context, b Branch, fn func(Record) error) error {
	if err := l.ReadFork(ctx, b, fn); err != nil {
		return err
	}
	from := uint64(1)
	if !b.IsMain() {
		from = b.ForkSeq + 1
	}
	return l.Read(ctx, BranchSubjects(b.Name), from, 0, func(r Record) error {
		if r.Err == nil && !b.Owns(r.Event) {
			return nil
		}
		return fn(r)
	})
}

// ReadFork calls fn with each event of the record that branch b sees, in
// stream order: the events on main that were on record when b was made
// and, if b forks at a world time, happened by then. Each aggregate's
// history is cut at its first event after the fork, so that what a branch
// sees of the record is always a prefix of each history. For main itself,
// ReadFork delivers nothing: main has no fork.
func (l *Log) ReadFork(ctx context.Context, b Branch, fn func(Record) error) error {
	if b.IsMain() || b.ForkSeq == 0 {
		return nil
	}
	cut := map[events.Ref]bool{}
	return l.Read(ctx, BranchSubjects(events.Main), 1, b.ForkSeq, func(r Record) error {
		if r.Err != nil {
			return fn(r)
		}
		if cut[r.Event.Aggregate] || !b.Includes(r.Event) {
			cut[r.Event.Aggregate] = true
			return nil
		}
		return fn(r)
	})
}
