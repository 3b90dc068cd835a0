package eventlog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/events"
)

// Activity is an event appended to a branch other than main, as
// [Log.WatchActivity] reports it: which branch, and where on the log.
type Activity struct {
	Branch string
	Seq    uint64
	// Pending is how many more messages of any branch matched when this
	// one was delivered: 0 means the watch has caught up.
	Pending uint64
}

// activityInactive is how long the server keeps an activity watch's
// consumer once its reader is gone.
const activityInactive = 30 * time.Second

// WatchActivity calls fn with the branch and stream sequence of each event
// on a branch's own subjects (every branch but main), from stream sequence
// from on, then as each is appended, until ctx ends (it returns nil) or fn
// returns an error (it returns it).
//
// It is how one process keeps every branch's projection without a consumer
// per branch: one ordered consumer over every event subject, which reads
// headers only (the server sends no event), says which branch has work;
// the branch's own events are read when there is some. Main's events are
// passed over without being decoded.
func (l *Log) WatchActivity(ctx context.Context, from uint64, fn func(Activity) error) error {
	cfg := jetstream.OrderedConsumerConfig{
		FilterSubjects:    []string{SubjectRoot + ".>"},
		HeadersOnly:       true,
		InactiveThreshold: activityInactive,
	}
	if from > 1 {
		cfg.DeliverPolicy = jetstream.DeliverByStartSequencePolicy
		cfg.OptStartSeq = from
	}
	cons, err := l.js.OrderedConsumer(ctx, StreamName, cfg)
	if err != nil {
		return fmt.Errorf("watch branch activity: %w", unavailable(err))
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(4096))
	if err != nil {
		return fmt.Errorf("watch branch activity: %w", unavailable(err))
	}
	stopped := make(chan struct{})
	defer func() {
		close(stopped)
		it.Stop()
		deleteConsumer(l.js, cons, l.timeout)
	}()
	go func() {
		select {
		case <-ctx.Done():
		case <-stopped:
		}
		it.Stop()
	}()
	mainPrefix := SubjectRoot + "." + events.Main + "."
	for {
		msg, err := it.Next()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("watch branch activity: %w", unavailable(err))
		}
		subject := msg.Subject()
		if strings.HasPrefix(subject, mainPrefix) {
			continue
		}
		rest, _ := strings.CutPrefix(subject, SubjectRoot+".")
		branch, _, _ := strings.Cut(rest, ".")
		md, err := msg.Metadata()
		if err != nil {
			return fmt.Errorf("watch branch activity: %w", err)
		}
		if err := fn(Activity{Branch: branch, Seq: md.Sequence.Stream, Pending: md.NumPending}); err != nil {
			return err
		}
	}
}

// deleteConsumer removes a stopped reader's ordered consumer from the
// server, in the background: the client leaves it there until it has been
// inactive for its threshold, and a server holds at most 1,000 consumers
// per stream by default.
func deleteConsumer(js jetstream.JetStream, cons jetstream.Consumer, timeout time.Duration) {
	info := cons.CachedInfo()
	if info == nil {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		_ = js.DeleteConsumer(ctx, StreamName, info.Name)
	}()
}

// LastOn returns the stream sequence of the newest message on the subjects
// filter matches (0 if there is none), with no consumer: how a reader
// finds that a branch has nothing new for it.
func (l *Log) LastOn(ctx context.Context, filter string) (uint64, error) {
	m, err := l.lastOn(ctx, filter)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", filter, unavailable(err))
	}
	return m.Sequence, nil
}

// lastOn returns the newest message on the subjects filter (a subject, or
// a prefix ending in ">") matches. The server answers a last message for
// a wildcard by looking through every subject it matches (2 ms for 10,000
// meetings, and growing with them), so the stream's last message is
// looked at first: most often, main's newest is the stream's.
func (l *Log) lastOn(ctx context.Context, filter string) (*jetstream.RawStreamMsg, error) {
	rctx, cancel := l.request(ctx)
	defer cancel()
	if prefix, ok := strings.CutSuffix(filter, ">"); ok {
		info, err := l.stream.Info(rctx)
		if err != nil {
			return nil, err
		}
		if info.State.LastSeq == 0 {
			return nil, jetstream.ErrMsgNotFound
		}
		if m, err := l.stream.GetMsg(rctx, info.State.LastSeq); err == nil && strings.HasPrefix(m.Subject, prefix) {
			return m, nil
		}
	}
	return l.stream.GetLastMsgForSubject(rctx, filter)
}
