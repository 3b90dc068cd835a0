package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/commands"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
)

// small is the size of the record at which the branch figures are taken a
// first time, to compare with the full size.
const small = 10_000

// bulk appends the record with [eventlog.Log.AppendAll], as a replay does,
// against the same bytes published with PublishMsgAsync, and against the
// same again with summit's two headers; and takes the branch figures when
// main holds the first 10,000 events. The three are interleaved, a tenth
// of the record at a time and in turn, so that whatever else the machine
// does falls on all three alike.
//
// The raw anchors' messages are made a tenth at a time, outside the
// timers, rather than all at once: held for the whole record they tripled
// the process's heap, and every collection cycle in the middle of ours
// (the one that allocates: it encodes) marked gigabytes that a summit
// process does not hold.
func (r *run) bulk(ctx context.Context) error {
	evs := r.load.Events
	// rawMsgs returns the raw anchors' messages of evs[from:to]: plain,
	// with the old path's two headers, and for the fast batch.
	rawMsgs := func(from, to int) (plain, headed, fast []*nats.Msg, err error) {
		prev := ""
		if from > 0 {
			prev = evs[from-1].ID.String()
		}
		for _, e := range evs[from:to] {
			data, err := events.Marshal(e)
			if err != nil {
				return nil, nil, nil, err
			}
			subject := eventlog.Subject(e.Branch, e.Aggregate)
			plain = append(plain, &nats.Msg{Subject: RawSubject(subject), Data: data})
			// The two headers of the old bulk path (a message id, and the
			// previous one's as the expected last), to tell their cost on
			// the server.
			id := e.ID.String()
			h := &nats.Msg{Subject: rawHeadedSubject(subject), Data: data, Header: nats.Header{jetstream.MsgIDHeader: []string{id}}}
			if prev != "" {
				h.Header[jetstream.ExpectedLastMsgIDHeader] = []string{prev}
			}
			headed = append(headed, h)
			fast = append(fast, &nats.Msg{Subject: "rawf." + subject, Data: data})
			prev = id
		}
		return plain, headed, fast, nil
	}
	if err := CreateRawStream(ctx, r.js); err != nil {
		return err
	}
	if err := createStream(ctx, r.js, rawHeadedStream, "rawh.>"); err != nil {
		return err
	}
	if err := createStream(ctx, r.js, rawFastStream, "rawf.>"); err != nil {
		return err
	}

	// Each event is one command; the first of each meeting expects its
	// subject empty, and AppendAll knows the rest within one call. Where
	// the record is cut, a part's first events expect where the parts
	// before left their meetings: event i lands at sequence i+1.
	if first, err := r.log.LastSeq(ctx); err != nil || first != 0 {
		return fmt.Errorf("the store is not empty: the log holds %d events (%v)", first, err)
	}
	pending := make([]eventlog.Pending, len(evs))
	last := map[string]uint64{}
	for i, e := range evs {
		pending[i] = eventlog.Pending{Events: evs[i : i+1 : i+1], Expect: last[e.Aggregate.ID]}
		last[e.Aggregate.ID] = uint64(i + 1)
	}
	cuts := []int{0, min(small, len(evs)/2)}
	for step := max(len(evs)/10, 1); cuts[len(cuts)-1] < len(evs); {
		cuts = append(cuts, min(cuts[len(cuts)-1]+step, len(evs)))
	}
	var ours, raw, rawHeaded, rawFast time.Duration
	for k := 1; k < len(cuts); k++ {
		from, to := cuts[k-1], cuts[k]
		plain, headed, fast, err := rawMsgs(from, to)
		if err != nil {
			return err
		}
		work := []func() (*time.Duration, error){
			func() (*time.Duration, error) {
				// As a replay appends (commands.Handler.HandleAll): its
				// meetings were read after the log ended where the parts
				// before left it, at sequence from.
				_, err := r.log.AppendAllSince(ctx, uint64(from), pending[from:to])
				return &ours, err
			},
			func() (*time.Duration, error) { return &raw, PublishAsync(ctx, r.js, plain) },
			func() (*time.Duration, error) { return &rawHeaded, PublishAsync(ctx, r.js, headed) },
			func() (*time.Duration, error) { return &rawFast, PublishFast(ctx, r.js, fast) },
		}
		for j := range work {
			// Each of the four starts on a collected heap, untimed, as a
			// Go benchmark does. The heap holds the bench's own million
			// events and a tenth of the raw anchors' messages (about a
			// gigabyte live): a collection of it takes a second of CPU,
			// and one came in the middle of each part, timed against
			// whichever append it fell on.
			runtime.GC()
			t0 := time.Now()
			d, err := work[(j+k)%len(work)]()
			if err != nil {
				return err
			}
			*d += time.Since(t0)
		}
		if k == 1 {
			if err := r.branchFigures(ctx, "10k"); err != nil {
				return err
			}
		}
	}
	for _, name := range []string{rawStream, rawHeadedStream, rawFastStream} {
		if err := r.js.DeleteStream(ctx, name); err != nil {
			return fmt.Errorf("raw stream: %w", err)
		}
	}
	n := float64(len(evs))
	f := figure(n/ours.Seconds(), n/raw.Seconds(), "events/s",
		"ours: eventlog.AppendAllSince of the record, as a replay appends it (encoding included; fast-ingest batches, gap fail, each message expecting the stream's last sequence; no subject checked, as nothing landed since the meetings were read); raw: PublishMsgAsync of the same bytes, no headers, a window of 1024; raw_with_headers: the same with a message id and the previous one's as expected last message id (the old bulk path's headers); raw_fast_batch: jetstreamext.FastPublisher of the same bytes (flow 500, 4 acks outstanding), no headers; the four interleaved a tenth at a time")
	f.Extra = map[string]float64{
		"raw_with_headers": n / rawHeaded.Seconds(), "ratio_to_raw_with_headers": rawHeaded.Seconds() / ours.Seconds(),
		"raw_fast_batch": n / rawFast.Seconds(), "ratio_to_raw_fast_batch": rawFast.Seconds() / ours.Seconds(),
	}
	r.rep.Figures["bulk_append"] = f
	// The record is on the log now: let it go, so that the figures after
	// this are taken with the heap a summit process has, not with a
	// million generated events held besides.
	r.lastAt = evs[len(evs)-1].At
	r.midAt = map[string]events.Time{}
	seen := map[string]int{}
	for _, e := range evs {
		id := e.Aggregate.ID
		if n, long := seen[id], r.load.Counts[id] >= 200; long {
			seen[id] = n + 1
			if n+1 == r.load.Counts[id]/2 {
				r.midAt[id] = e.At
			}
		}
	}
	r.load.Events = nil
	return nil
}

// rebuildFigure times a rebuild of main's projection from an empty bucket
// to the final board, against an ordered consumer that reads the same
// messages and decodes nothing. Each is run twice and the faster kept.
func (r *run) rebuildFigure(ctx context.Context) error {
	// The bulk append leaves gigabytes for the kernel to write back: let
	// it, so that the rebuilds read a store at rest, as a rebuild does.
	if err := settle(r.dir); err != nil {
		return err
	}
	var ours, raw, cpu time.Duration
	for range 2 {
		// Each read starts on a collected heap, untimed: the garbage of
		// the one before is not collected on its time.
		runtime.GC()
		t0 := time.Now()
		n, err := OrderedRead(ctx, r.js, eventlog.StreamName, eventlog.BranchSubjects(events.Main), 0)
		if err != nil {
			return err
		}
		if d := time.Since(t0); raw == 0 || d < raw {
			raw = d
		}
		if n != r.o.Events {
			return fmt.Errorf("raw read %d messages, want %d", n, r.o.Events)
		}
		runner := projections.NewRunner(r.log, r.store, eventlog.Main(), projections.RunnerOptions{})
		runtime.GC()
		t0, c0 := time.Now(), processCPU()
		if err := runner.Rebuild(ctx); err != nil {
			if ours > 0 {
				// The second rebuild first drops the views of the
				// first, which a machine doing other work can time
				// out: the first one's figure stands.
				r.progress("second rebuild: %v (the first one's figure is kept)", err)
				break
			}
			return err
		}
		if d := time.Since(t0); ours == 0 || d < ours {
			ours, cpu = d, processCPU()-c0
		}
		if got := runner.Board().Len(); got != r.o.Meetings {
			return fmt.Errorf("the rebuilt board has %d meetings, want %d", got, r.o.Meetings)
		}
	}
	r.rebuild = ours
	n := float64(r.o.Events)
	f := figure(n/ours.Seconds(), n/raw.Seconds(), "events/s",
		"ours: projections.Runner.Rebuild of main, from an empty bucket to the final board in KV; raw: an ordered consumer reading the same messages, decoding nothing")
	// The process's CPU (the embedded server's included) for each event
	// of the rebuild: what a larger record should not make grow.
	f.Extra = map[string]float64{"ours_ms": ms(ours), "raw_ms": ms(raw), "cpu_us_per_event": float64(cpu.Microseconds()) / n}
	r.rep.Figures["rebuild"] = f
	return nil
}

// statement returns a command that any meeting takes, final or not, at a
// world time after every event of the load.
func (r *run) statement(id string, i int) aggregates.Command {
	last := r.lastAt
	at := events.At(last.Add(time.Hour + time.Duration(i)*time.Second))
	return aggregates.Command{
		Aggregate: events.Meeting(id), At: at, By: "peskov", Party: "RUS",
		Source: &events.Source{Outlet: "tass.ru", Address: "https://tass.ru/politika/" + id, Published: at.Format(time.DateOnly)},
		Payload: &events.StatementMade{About: id, Stance: events.StanceNoncommittal, Claim: "postponed",
			Quote: "The dates will be agreed through diplomatic channels; there is no agreement yet."},
	}
}

// rawPublisher publishes, synchronously, the bytes of an event like ours to
// the raw stream, each with the expected last sequence of its subject, as
// summit's Append does.
type rawPublisher struct {
	js    jetstream.JetStream
	data  []byte
	last  map[string]uint64
	token string
}

func newRawPublisher(ctx context.Context, js jetstream.JetStream, r *run) (*rawPublisher, error) {
	if err := CreateRawStream(ctx, js); err != nil {
		return nil, err
	}
	evs, err := aggregates.Decide(aggregates.Partial(aggregates.Meeting{ID: "x", Version: 199, LastVersion: 199, Status: aggregates.StatusProposed}, nil), r.statement("x", 0))
	if err != nil {
		return nil, err
	}
	commands.Stamp(evs, eventlog.Main(), commands.Meta{CorrelationID: events.NewID()})
	evs[0].Recorded = time.Now()
	data, err := events.Marshal(evs[0])
	if err != nil {
		return nil, err
	}
	// Each publisher's subjects are its own, under a token of its own
	// (raw.TOKEN.summit.ev...), so that no two ever share a subject's
	// sequence.
	return &rawPublisher{js: js, data: data, last: map[string]uint64{}, token: events.NewID().String()[24:]}, nil
}

func (p *rawPublisher) publish(ctx context.Context, id string) (time.Duration, error) {
	subject := "raw." + p.token + "." + eventlog.Subject(events.Main, events.Meeting(id))
	m := nats.NewMsg(subject)
	m.Data = p.data
	t0 := time.Now()
	ack, err := p.js.PublishMsg(ctx, m, jetstream.WithExpectLastSequencePerSubject(p.last[subject]))
	d := time.Since(t0)
	if err != nil {
		return 0, fmt.Errorf("raw publish: %w", err)
	}
	p.last[subject] = ack.Sequence
	return d, nil
}

// commandCold times commands on meetings no process has loaded since the
// server started, each with a new handler, which reads the meeting's
// snapshot (its view in the projection) and the events after it. A third
// of the long meetings are only read so, to time the load alone, and a
// third are read whole, event by event, to show what the snapshot saves.
func (r *run) commandCold(ctx context.Context) error {
	if err := r.restart(ctx); err != nil {
		return err
	}
	// The stopped server's heap, in this process, is garbage now: collect
	// it, untimed, as a process that starts with a server has none. Its
	// collection otherwise fell on the first commands (a runtime trace:
	// 14 ms of marking on the two cores in the first command's 11 ms).
	runtime.GC()
	raw, err := newRawPublisher(ctx, r.js, r)
	if err != nil {
		return err
	}
	var ours, loads, fulls, raws latencies
	long := r.load.Long
	if len(long) < 3 {
		// A record too small for long meetings: take the first ones.
		long = r.load.Meetings[:min(9, len(r.load.Meetings))]
	}
	// The first read after a restart pays for the server's warming up
	// (its indexes of the stream and the bucket, its first blocks): that
	// is timed on its own, on a meeting outside the samples.
	t0 := time.Now()
	other := r.load.Meetings[len(r.load.Meetings)-1]
	if snap, _, err := r.store.Snapshot(ctx, eventlog.Main(), other); err != nil {
		return err
	} else if _, err := r.log.LoadSince(ctx, eventlog.Main(), events.Meeting(other), snap.Seq, tipOf(snap)); err != nil {
		return err
	}
	first := time.Since(t0)
	// The commands first, then the snapshot loads, then the whole
	// histories, each on meetings of its own.
	type sample struct {
		id   string
		kind int // 0 a snapshot load, 1 a whole history, 2 a command
	}
	var order []sample
	for _, kind := range []int{2, 0, 1} {
		for i, id := range long {
			if i%3 == kind {
				order = append(order, sample{id, kind})
			}
		}
	}
	for i, smp := range order {
		id := smp.id
		ref := events.Meeting(id)
		switch smp.kind {
		case 0:
			// The meeting's state as a new handler reads it: its
			// snapshot, and the events after it.
			t0 := time.Now()
			snap, ok, err := r.store.Snapshot(ctx, eventlog.Main(), id)
			if err != nil {
				return fmt.Errorf("snapshot of %s: %w", id, err)
			}
			if !ok {
				return fmt.Errorf("snapshot of %s: none: the rebuild writes them", id)
			}
			m := snap.State()
			h, err := r.log.LoadSince(ctx, eventlog.Main(), ref, snap.Seq, tipOf(snap))
			if err != nil {
				return err
			}
			loads = append(loads, time.Since(t0))
			if m.Version+uint64(len(h.Events)) != uint64(r.load.Counts[id]) {
				return fmt.Errorf("load %s: version %d, want %d", id, m.Version, r.load.Counts[id])
			}
		case 1:
			// The whole history, one direct get per event.
			t0 := time.Now()
			h, err := r.log.Load(ctx, eventlog.Main(), ref)
			if err != nil {
				return err
			}
			fulls = append(fulls, time.Since(t0))
			if len(h.Events) != r.load.Counts[id] {
				return fmt.Errorf("load %s: %d events, want %d", id, len(h.Events), r.load.Counts[id])
			}
		case 2:
			handler := commands.NewHandler(r.log, eventlog.Main())
			handler.Snapshots = r.store
			t0 := time.Now()
			res, err := handler.Handle(ctx, r.statement(id, i), commands.Meta{})
			if err != nil {
				return err
			}
			ours = append(ours, time.Since(t0))
			if res.Loads != 1 {
				return fmt.Errorf("a new handler loaded %s %d times", id, res.Loads)
			}
		}
		d, err := raw.publish(ctx, id)
		if err != nil {
			return err
		}
		raws = append(raws, d)
	}
	f := figure(ours.ms(50), raws.ms(50), "ms",
		fmt.Sprintf("ours: commands.Handler.Handle with a new handler after a restart of the server (read the meeting's snapshot and the events after it, decide, append; the meeting has %d events in a log of %d); raw: PublishMsg with the expected last subject sequence", r.load.Counts[long[0]], r.o.Events))
	f.P50, f.P99 = ptr(ours.ms(50)), ptr(ours.ms(99))
	f.RawP50, f.RawP99 = ptr(raws.ms(50)), ptr(raws.ms(99))
	f.Extra = map[string]float64{
		"load_p50": loads.ms(50), "load_p99": loads.ms(99), "load_samples": float64(len(loads)),
		"full_load_p50": fulls.ms(50), "full_load_p99": fulls.ms(99), "samples": float64(len(ours)),
		"first_after_restart_ms": ms(first),
	}
	r.rep.Figures["command_cold"] = f
	return nil
}

// tipOf returns snap's tip, as a handler reads the events after it, or a
// zero tip if it lists none.
func tipOf(snap projections.Snapshot) eventlog.Tip {
	tip, _ := snap.Tip()
	return tip
}

// commandWarm times commands on meetings the handler has met before, each
// beside a raw synchronous publish, in turn.
func (r *run) commandWarm(ctx context.Context) error {
	raw, err := newRawPublisher(ctx, r.js, r)
	if err != nil {
		return err
	}
	handler := commands.NewHandler(r.log, eventlog.Main())
	handler.Snapshots = r.store
	ids := r.sampleMeetings(50)
	for i, id := range ids {
		if _, err := handler.Handle(ctx, r.statement(id, i), commands.Meta{}); err != nil {
			return err
		}
		if _, err := raw.publish(ctx, id); err != nil {
			return err
		}
	}
	var ours, raws latencies
	for i := range r.o.Samples {
		id := ids[i%len(ids)]
		t0 := time.Now()
		if _, err := handler.Handle(ctx, r.statement(id, 100+i), commands.Meta{}); err != nil {
			return err
		}
		ours = append(ours, time.Since(t0))
		d, err := raw.publish(ctx, id)
		if err != nil {
			return err
		}
		raws = append(raws, d)
	}
	f := figure(ours.ms(50), raws.ms(50), "ms",
		"ours: commands.Handler.Handle on meetings the handler met before (decide, append with the expected last subject sequence); raw: PublishMsg with the expected last subject sequence")
	f.P50, f.P99 = ptr(ours.ms(50)), ptr(ours.ms(99))
	f.RawP50, f.RawP99 = ptr(raws.ms(50)), ptr(raws.ms(99))
	f.Extra = map[string]float64{"samples": float64(len(ours))}
	r.rep.Figures["command_warm"] = f
	return nil
}

// sampleMeetings returns n meetings that are not long ones, at random.
func (r *run) sampleMeetings(n int) []string {
	rng := rand.New(rand.NewPCG(2, 2))
	short := r.load.Meetings[len(r.load.Long):]
	var ids []string
	for _, i := range rng.Perm(len(short))[:min(n, len(short))] {
		ids = append(ids, short[i])
	}
	return ids
}

// liveLag times, with a projection runner live on main, how long after an
// append begins a key-value watcher sees the meeting's view change; and,
// raw, how long after a publish begins an ordered consumer receives it.
func (r *run) liveLag(ctx context.Context) error {
	stop, err := r.live(ctx)
	defer stop()
	if err != nil {
		return err
	}
	w, err := r.store.Meetings().Watch(ctx, events.Main+".*", jetstream.UpdatesOnly())
	if err != nil {
		return err
	}
	defer w.Stop()

	raw, err := newRawPublisher(ctx, r.js, r)
	if err != nil {
		return err
	}
	cons, err := r.js.OrderedConsumer(ctx, rawStream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{"raw.>"}, DeliverPolicy: jetstream.DeliverNewPolicy})
	if err != nil {
		return err
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(1024))
	if err != nil {
		return err
	}
	defer it.Stop()

	handler := commands.NewHandler(r.log, eventlog.Main())
	ids := r.sampleMeetings(20)
	samples := min(r.o.Samples, 500)
	var ours, raws latencies
	for i := range samples + len(ids) {
		id := ids[i%len(ids)]
		t0 := time.Now()
		res, err := handler.Handle(ctx, r.statement(id, 10_000+i), commands.Meta{})
		if err != nil {
			return err
		}
		key := projections.Key(events.Main, id)
		for seen := false; !seen; {
			select {
			case e := <-w.Updates():
				if e == nil || e.Key() != key {
					continue
				}
				var v struct {
					Seq uint64 `json:"seq"`
				}
				if err := json.Unmarshal(e.Value(), &v); err != nil {
					return err
				}
				seen = v.Seq >= res.Seq
			case <-time.After(10 * time.Second):
				return fmt.Errorf("no change of %s seen 10s after appending seq %d", key, res.Seq)
			}
		}
		d := time.Since(t0)
		t0 = time.Now()
		if _, err := raw.publish(ctx, id); err != nil {
			return err
		}
		if _, err := it.Next(jetstream.NextContext(ctx)); err != nil {
			return err
		}
		rd := time.Since(t0)
		if i >= len(ids) { // the first round warms the handler
			ours, raws = append(ours, d), append(raws, rd)
		}
	}
	f := figure(ours.ms(50), raws.ms(50), "ms",
		"ours: from the start of a command (Handler.Handle) on a warm meeting until a KV watcher of summit-meetings sees its view change, with a live projections.Runner; raw: from the start of a synchronous publish until an ordered consumer receives the message")
	f.P50, f.P99 = ptr(ours.ms(50)), ptr(ours.ms(99))
	f.RawP50, f.RawP99 = ptr(raws.ms(50)), ptr(raws.ms(99))
	f.Extra = map[string]float64{"samples": float64(len(ours))}
	r.rep.Figures["live_lag"] = f
	return r.lateReport(ctx, w)
}

// live starts a projection runner live on main and waits until it has
// caught up with the log; stop stops it (call it whatever the error).
func (r *run) live(ctx context.Context) (stop func(), err error) {
	rctx, cancel := context.WithCancel(ctx)
	runner := projections.NewRunner(r.log, r.store, eventlog.Main(), projections.RunnerOptions{})
	done := make(chan error, 1)
	go func() { done <- runner.Run(rctx) }()
	stop = func() {
		cancel()
		<-done
	}
	end, err := r.log.LastSeq(ctx)
	if err != nil {
		return stop, err
	}
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Minute)
	defer wcancel()
	_, err = r.store.WaitFor(wctx, events.Main, end)
	return stop, err
}

// lateReport times, with the live runner of liveLag, a late report: a
// statement dated at the middle of a meeting of 200 events (a hundred
// events before its latest), from the start of the command until the KV
// watcher sees the meeting's view change; then the same for a
// precondition added there, and for a postponement there. The handler, as
// the verbs make it, reads the projection's snapshots, and met none of
// these meetings before.
func (r *run) lateReport(ctx context.Context, w jetstream.KeyWatcher) error {
	handler := commands.NewHandler(r.log, eventlog.Main())
	handler.Snapshots = r.store
	n := min(r.o.Samples, 200)
	ours, after, err := r.lateSamples(ctx, handler, w, r.load.Long, n, 0, func(int, *aggregates.Command) {})
	if err != nil || len(ours) == 0 {
		return err
	}
	// A late statement is decided and folded without the meeting's
	// history (aggregates.Place), and so is a late precondition's event
	// (here, one added at the middle); a late event that changes the
	// meeting's status is not: the handler and the projection read the
	// events of the meeting's course, some 60 of its 200, by the
	// sequences the snapshot and the board list (here, a postponement at
	// the middle).
	precondition := func(i int, cmd *aggregates.Command) {
		cmd.Payload = &events.PreconditionAdded{Precondition: fmt.Sprintf("late-%d", i), Description: "reported late"}
	}
	postponement := func(i int, cmd *aggregates.Command) {
		cmd.Payload = &events.MeetingPostponed{Reason: fmt.Sprintf("reported late (%d)", i)}
	}
	preconditions, _, err := r.lateSamples(ctx, handler, w, r.load.Long, n, len(ours), precondition)
	if err != nil {
		return err
	}
	// The warm postponements: first, ten not timed, so that the server
	// holds every block of the stream in its cache (a meeting's course
	// lies in most of them), as it does for a desk reporting in a row,
	// whatever read them last (the runner's catch-up, ten seconds ago or
	// so, and they would go in the middle of the run); then the timed
	// ones, on other meetings.
	const quiet = 10 // late reports timed after a quiet spell, and not timed before the warm ones
	long := len(r.load.Long)
	if _, _, err := r.lateSamples(ctx, handler, w, r.load.Long[long-2*quiet:long-quiet], quiet, 4*n, postponement); err != nil {
		return err
	}
	others, othersAfter, err := r.lateSamples(ctx, handler, w, r.load.Long[:long-2*quiet], n, 2*n, postponement)
	if err != nil {
		return err
	}
	// Then a few after a quiet spell, as late reports come to a desk: the
	// server keeps a block of the stream in memory until ten seconds
	// after its last read (nats-server's file store), and the events of a
	// meeting lie in blocks all over the stream. Wait for them to go. The
	// first report loads the blocks its meeting's course lies in, and the
	// next ones those it did not.
	select {
	case <-time.After(blockCacheExpiry + time.Second):
	case <-ctx.Done():
		return ctx.Err()
	}
	cold, _, err := r.lateSamples(ctx, handler, w, r.load.Long[long-quiet:], quiet, 3*n, postponement)
	if err != nil {
		return err
	}
	f := figure(ours.ms(50), 0, "ms",
		fmt.Sprintf("ours: a late report (a statement dated at the middle of a meeting of 200 events, in a log of %d), from the start of Handler.Handle until a KV watcher sees the meeting's view change, with a live projections.Runner; after_append: from the append's return to the view; precondition: the same for a precondition added at the middle, also placed without the meeting's history; other_kind: the same for a postponement at the middle, which reads the meeting's course (after %d such not timed, in a row, on other meetings); other_kind_cold: the first such after no history was read for %s, when the server has let its cache of the stream's blocks go, and other_kind_cold_next the slowest of the %d after it", r.o.Events, quiet, blockCacheExpiry+time.Second, quiet-1))
	f.P50, f.P99 = ptr(ours.ms(50)), ptr(ours.ms(99))
	f.Extra = map[string]float64{"samples": float64(len(ours)), "after_append_p50": after.ms(50), "after_append_p99": after.ms(99),
		"precondition_p50": preconditions.ms(50), "precondition_p99": preconditions.ms(99), "precondition_samples": float64(len(preconditions)),
		"other_kind_p50": others.ms(50), "other_kind_p99": others.ms(99), "other_kind_samples": float64(len(others)),
		"other_kind_after_append_p50": othersAfter.ms(50), "other_kind_after_append_p99": othersAfter.ms(99)}
	if len(cold) > 0 {
		f.Extra["other_kind_cold"] = ms(cold[0])
		f.Extra["other_kind_cold_next"] = cold[1:].ms(100)
	}
	r.rep.Figures["late_report"] = f
	return r.appendProcess(ctx)
}

// blockCacheExpiry is how long nats-server's file store keeps a block of a
// stream in memory after its last read.
const blockCacheExpiry = 10 * time.Second

// lateSamples times up to n late reports into the meetings ids (those
// that have a middle), each dated at the middle of its meeting and
// reported after the record's last event, made by late from a statement
// (its i counts on from first): from the start of Handle until w sees the
// meeting's view change (after: from the append's return). A report the
// meeting's rules refuse there (a precondition added to a meeting held by
// then, or its postponement) is left out.
func (r *run) lateSamples(ctx context.Context, h *commands.Handler, w jetstream.KeyWatcher, ids []string, n, first int, late func(i int, cmd *aggregates.Command)) (took, after latencies, err error) {
	i := first
	for _, id := range ids {
		at, ok := r.midAt[id]
		if !ok || len(took) >= n {
			continue
		}
		i++
		cmd := r.statement(id, 30_000+i)
		cmd.Reported = cmd.At
		cmd.At = events.At(at.Add(30 * time.Second))
		cmd.Source.Published = cmd.At.Format(time.DateOnly)
		late(i, &cmd)
		t0 := time.Now()
		res, err := h.Handle(ctx, cmd, commands.Meta{})
		if errors.As(err, new(*aggregates.RefusedError)) {
			continue
		}
		if err != nil {
			return took, after, fmt.Errorf("late %s into %s: %w", cmd.Kind(), id, err)
		}
		t1 := time.Now()
		if err := seen(w, projections.Key(events.Main, id), res.Seq); err != nil {
			return took, after, err
		}
		took, after = append(took, time.Since(t0)), append(after, time.Since(t1))
	}
	return took, after, nil
}

// appendProcess times "summit append" of an event file of 10 statements
// about 10 meetings of 200 events, as a whole process (start-up, loading
// the file, reading the meetings' snapshots, deciding, appending, and
// waiting for the live projection to show them), against the run's server
// with liveLag's runner live on it, as against a running "summit serve".
func (r *run) appendProcess(ctx context.Context) error {
	if r.o.Summit == nil || len(r.load.Long) < 10 {
		return nil
	}
	dir, err := os.MkdirTemp("", "summit-bench-append-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var took latencies
	for j := range 21 {
		var b strings.Builder
		b.WriteString("sources:\n  tass: {outlet: tass.ru, published: 2020-01-06}\nparties:\n  RUS: {name: Russia}\npeople:\n  peskov: {name: Dmitry Peskov, party: RUS, role: Kremlin spokesman}\ntimeline:\n")
		day := r.lastAt.AddDate(0, 0, 10+j).Format(time.DateOnly)
		for k := range 10 {
			id := r.load.Long[(j*10+k)%len(r.load.Long)]
			fmt.Fprintf(&b, "  - at: %s\n    event: statement.made\n    by: peskov\n    about: %s\n    stance: noncommittal\n    source: tass\n    quote: \"No dates yet (%d, %d).\"\n", day, id, j, k)
		}
		file := filepath.Join(dir, fmt.Sprintf("day-%d.yaml", j))
		if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
			return err
		}
		cmd := r.o.Summit(ctx, "append", file, "--server", r.url, "--json")
		var out, errs bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errs
		t0 := time.Now()
		err := cmd.Run()
		d := time.Since(t0)
		if err != nil {
			return fmt.Errorf("summit append: %w: %s", err, strings.TrimSpace(errs.String()))
		}
		var res struct {
			Events int `json:"events"`
		}
		if err := json.Unmarshal(out.Bytes(), &res); err != nil || res.Events < 10 {
			return fmt.Errorf("summit append: %d events appended, want 10 or more (%v): %s", res.Events, err, out.String())
		}
		if j > 0 { // the first warms the page cache for the binary
			took = append(took, d)
		}
	}
	f := figure(took.ms(50), 0, "ms",
		fmt.Sprintf("ours: wall-clock of a whole \"summit append FILE --server URL\" process, a file of 10 statements about 10 meetings of 200 events, in a log of %d, with a live projection running (the process waits until the views show its events)", r.o.Events))
	f.P50, f.P99 = ptr(took.ms(50)), ptr(took.ms(99))
	f.Extra = map[string]float64{"samples": float64(len(took)), "max": took.ms(100)}
	r.rep.Figures["append_process"] = f
	return nil
}

// seen waits until w sees the view of key at seq or later.
func seen(w jetstream.KeyWatcher, key string, seq uint64) error {
	timeout := time.After(10 * time.Second)
	for {
		select {
		case e := <-w.Updates():
			if e == nil || e.Key() != key {
				continue
			}
			var v struct {
				Seq uint64 `json:"seq"`
			}
			if err := json.Unmarshal(e.Value(), &v); err != nil {
				return err
			}
			if v.Seq >= seq {
				return nil
			}
		case <-timeout:
			return fmt.Errorf("no change of %s seen 10s after appending seq %d", key, seq)
		}
	}
}

// branchTimes are the branch figures at one size.
type branchTimes struct {
	create, rawCreate, read, rawRead, fold time.Duration
}

// branchFigures times creating a branch (against a raw key-value create)
// and reading its board (against an ordered consumer reading the record up
// to its fork), at the log's present size; at is "10k" or "full".
func (r *run) branchFigures(ctx context.Context, at string) error {
	kv, err := r.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "bench-raw-" + at, Storage: jetstream.FileStorage})
	if err != nil {
		return err
	}
	var creates, rawCreates latencies
	for i := range 7 {
		name := fmt.Sprintf("bench-%s-%d", at, i)
		t0 := time.Now()
		if _, err := r.log.Fork(ctx, name, events.Time{}); err != nil {
			return err
		}
		creates = append(creates, time.Since(t0))
		t0 = time.Now()
		if _, err := kv.Create(ctx, name, []byte(strconv.Itoa(i))); err != nil {
			return err
		}
		rawCreates = append(rawCreates, time.Since(t0))
	}
	if err := r.js.DeleteKeyValue(ctx, kv.Bucket()); err != nil {
		return err
	}
	// Reading a branch's board is what summit status --branch does: the
	// first read catches the branch's projection up (its views and
	// snapshots written; the record up to the fork from main's snapshots
	// where main's projection is saved, [projections.CatchUp]). Each of
	// two new branches, with a few statements of its own at the full
	// size, is read once, the quicker counted.
	var read, rawRead, fold time.Duration
	for i := range 2 {
		b, err := r.log.Fork(ctx, fmt.Sprintf("bench-%s-read-%d", at, i), events.Time{})
		if err != nil {
			return err
		}
		if at == "full" {
			h := commands.NewHandler(r.log, b)
			for j, id := range r.sampleMeetings(10) {
				if _, err := h.Handle(ctx, r.statement(id, 20_000+j), commands.Meta{}); err != nil {
					return err
				}
			}
		}
		t0 := time.Now()
		board, err := projections.ReadBoard(ctx, r.log, r.store, projections.Query{Branch: b}, projections.RunnerOptions{})
		if err != nil {
			return err
		}
		if d := time.Since(t0); read == 0 || d < read {
			read = d
		}
		if len(board.Meetings) == 0 {
			return fmt.Errorf("branch %s: empty board", b.Name)
		}
		// The fold of the record from its first event, which a branch's
		// projection makes when main's is not saved, and a rebuild.
		t0 = time.Now()
		if _, err := projections.Fold(ctx, r.log, projections.Query{Branch: b}); err != nil {
			return err
		}
		if d := time.Since(t0); fold == 0 || d < fold {
			fold = d
		}
		t0 = time.Now()
		if _, err := OrderedRead(ctx, r.js, eventlog.StreamName, eventlog.BranchSubjects(events.Main), b.ForkSeq); err != nil {
			return err
		}
		if d := time.Since(t0); rawRead == 0 || d < rawRead {
			rawRead = d
		}
	}
	t := branchTimes{create: median(creates), rawCreate: median(rawCreates), read: read, rawRead: rawRead, fold: fold}
	if at == "10k" {
		r.small = t
		return nil
	}
	f := figure(ms(t.create), ms(t.rawCreate), "ms",
		"ours: eventlog.Log.Fork at the log's full size (median of 7); raw: a KV create of one key")
	f.Extra = map[string]float64{"at_10k": ms(r.small.create), "raw_at_10k": ms(r.small.rawCreate)}
	r.rep.Figures["branch_create"] = f
	f = figure(ms(t.read), ms(t.rawRead), "ms",
		"ours: projections.ReadBoard of a new branch forked at the latest event, with 10 events of its own, as summit status --branch reads it (its projection caught up and written, from main's snapshots where main's projection is saved: at the full size, not at 10k); fold: projections.Fold of the branch, the record folded from its first event; raw: an ordered consumer reading the record up to the fork")
	f.Extra = map[string]float64{"at_10k": ms(r.small.read), "raw_at_10k": ms(r.small.rawRead),
		"fold_ms": ms(t.fold), "fold_at_10k_ms": ms(r.small.fold),
		"rebuild_ms": ms(r.rebuild), "ratio_to_rebuild": ms(t.read) / ms(r.rebuild), "fold_ratio_to_rebuild": ms(t.fold) / ms(r.rebuild)}
	r.rep.Figures["branch_read"] = f
	return nil
}

func (r *run) branches(ctx context.Context) error { return r.branchFigures(ctx, "full") }

func median(l latencies) time.Duration {
	s := slices.Clone(l)
	slices.Sort(s)
	return s[len(s)/2]
}
