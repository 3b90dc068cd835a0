package eventlog

import (
	"context"
	"encoding/json"
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
	rctx, cancel := l.request(ctx)
	cons, err := l.js.OrderedConsumer(rctx, StreamName, cfg)
	cancel()
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

// NextOn returns the stream sequence of the first event or marker at or
// after from on the subjects filter matches (0 if there is none), as the
// stream's leader answers it ([NextOnLeader]).
func (l *Log) NextOn(ctx context.Context, filter string, from uint64) (uint64, error) {
	rctx, cancel := l.request(ctx)
	defer cancel()
	return NextOnLeader(rctx, l.js, StreamName, filter, from)
}

// NextOnLeader returns the sequence of the first message of stream at or
// after from on the subjects filter matches (0 if there is none), as the
// stream's leader answers it, never a replica.
//
// A consumer's count of the messages pending, a key-value watch, and a
// direct get come from the server that holds the consumer or answers the
// get: in a cluster, a replica, which may not yet hold what its leader
// acknowledged. What NextOnLeader finds missing is missing from the stream
// up to the moment it answered.
func NextOnLeader(ctx context.Context, js jetstream.JetStream, stream, filter string, from uint64) (uint64, error) {
	req, err := json.Marshal(struct {
		Seq  uint64 `json:"seq"`
		Next string `json:"next_by_subj"`
	}{max(from, 1), filter})
	if err != nil {
		return 0, err
	}
	m, err := js.Conn().RequestWithContext(ctx, apiPrefix(js)+"STREAM.MSG.GET."+stream, req)
	if err != nil {
		return 0, fmt.Errorf("read %s from %d: %w", filter, from, unavailable(err))
	}
	var resp struct {
		Message *struct {
			Seq uint64 `json:"seq"`
		} `json:"message"`
		Error *jetstream.APIError `json:"error"`
	}
	if err := json.Unmarshal(m.Data, &resp); err != nil {
		return 0, fmt.Errorf("read %s from %d: %w", filter, from, err)
	}
	switch {
	case resp.Error != nil && resp.Error.ErrorCode == jetstream.JSErrCodeMessageNotFound:
		return 0, nil
	case resp.Error != nil:
		return 0, fmt.Errorf("read %s from %d: %w", filter, from, unavailable(resp.Error))
	case resp.Message == nil:
		return 0, fmt.Errorf("read %s from %d: %w", filter, from, jetstream.ErrInvalidJetStreamResponse)
	}
	return resp.Message.Seq, nil
}

// Replicated reports whether more than one server keeps the log: its
// consumers and direct gets may then be answered by a replica that lags the
// stream's leader (see [Log.NextOn]).
func (l *Log) Replicated() bool {
	info := l.stream.CachedInfo()
	return info != nil && info.Config.Replicas > 1
}

// Lagging reports whether the stream's leader holds a message on filter,
// from from to to, that a consumer counted as not there. It can only when
// the log is replicated and the consumer lives on a replica that lags its
// leader; on one server Lagging asks nothing and reports false.
func (l *Log) Lagging(ctx context.Context, filter string, from, to uint64) (bool, error) {
	if !l.Replicated() || from > to {
		return false, nil
	}
	next, err := l.NextOn(ctx, filter, from)
	return next != 0 && next <= to, err
}

// apiPrefix returns the prefix of js's JetStream API subjects, "$JS.API."
// unless js was made with a domain or another prefix: the requests summit
// sends itself go where the client's own do.
func apiPrefix(js jetstream.JetStream) string {
	o := js.Options()
	switch {
	case o.Domain != "":
		return "$JS." + o.Domain + ".API."
	case o.APIPrefix != "":
		return strings.TrimSuffix(o.APIPrefix, ".") + "."
	}
	return jetstream.DefaultAPIPrefix
}
