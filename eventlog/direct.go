package eventlog

import (
	"context"
	"fmt"
	"iter"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/synadia-io/orbit.go/jetstreamext"
)

// The batched direct gets, with what their client leaves unsaid made an
// error. jetstreamext ends its iterator over an answer with no error when
// the request's time runs out, as it ends an answer that is over: an
// answer with no message and no "no messages" never came, and a multi-last
// answer whose last message counts more to come stopped short.
var (
	errNoAnswer = fmt.Errorf("%w: no answer to a direct get in time", ErrUnavailable)
	errCutShort = fmt.Errorf("%w: the answer to a direct get stopped short", ErrUnavailable)
)

// getBatch is [jetstreamext.GetBatch] whose answer ends with errNoAnswer
// when none came. (An answer cut short after some messages reads as one the
// server ended: its last message's count of those pending says more are
// to come, and a reader asks again from there.)
func getBatch(ctx context.Context, js jetstream.JetStream, stream string, batch int, opts ...jetstreamext.GetBatchOpt) (iter.Seq2[*jetstream.RawStreamMsg, error], error) {
	msgs, err := jetstreamext.GetBatch(ctx, js, stream, batch, opts...)
	if err != nil {
		return nil, err
	}
	return whole(msgs, nil), nil
}

// getLastMsgsFor is [jetstreamext.GetLastMsgsFor] whose answer ends with
// errNoAnswer when none came, and with errCutShort when it stopped short.
// batch, if not 0, is the size of the answer asked for, which ends an
// answer of that many messages with more to come.
func getLastMsgsFor(ctx context.Context, js jetstream.JetStream, stream string, subjects []string, batch int) (iter.Seq2[*jetstream.RawStreamMsg, error], error) {
	var opts []jetstreamext.GetLastForOpt
	if batch > 0 {
		opts = append(opts, jetstreamext.GetLastMsgsBatchSize(batch))
	}
	msgs, err := jetstreamext.GetLastMsgsFor(ctx, js, stream, subjects, opts...)
	if err != nil {
		return nil, err
	}
	// The server counts down, on each message of a multi-last answer, how
	// many more it sends.
	short := func(n int, last *jetstream.RawStreamMsg) bool {
		return last.Header.Get("Nats-Num-Pending") != "0" && (batch == 0 || n < batch)
	}
	return whole(msgs, short), nil
}

// whole yields the messages and the error of msgs, then errNoAnswer if
// msgs held neither, or errCutShort if short (nil: never) says the n
// messages, the last of them last, stopped short.
func whole(msgs iter.Seq2[*jetstream.RawStreamMsg, error], short func(n int, last *jetstream.RawStreamMsg) bool) iter.Seq2[*jetstream.RawStreamMsg, error] {
	return func(yield func(*jetstream.RawStreamMsg, error) bool) {
		n := 0
		var last *jetstream.RawStreamMsg
		for m, err := range msgs {
			if !yield(m, err) || err != nil {
				return
			}
			n, last = n+1, m
		}
		switch {
		case n == 0:
			yield(nil, errNoAnswer)
		case short != nil && short(n, last):
			yield(nil, errCutShort)
		}
	}
}
