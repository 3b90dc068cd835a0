package eventlog

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Errors callers branch on.
var (
	// ErrConflict: the aggregate's history moved on since it was read (a
	// stale writer). Nothing was appended; load it again and decide again.
	ErrConflict = errors.New("conflict: the history changed since it was read")
	// ErrCorrupt: a message on an event subject is not an event summit
	// wrote, or is not where its envelope says it belongs.
	ErrCorrupt = errors.New("corrupt event log")
	// ErrUnknownBranch: no branch of that name.
	ErrUnknownBranch = errors.New("unknown branch")
	// ErrBranchExists: a branch of that name exists already.
	ErrBranchExists = errors.New("branch exists")
	// ErrUnavailable: JetStream did not answer in time, or had no server
	// to answer (a server stopping, a cluster electing a stream leader).
	// An append that gets it may or may not have landed: appending the
	// same events again is safe, and tells which (see [Log.Append]).
	ErrUnavailable = errors.New("the store did not answer")
)

// JetStream API error codes the log translates, once, here.
const (
	// codeWrongLastSequence is "wrong last sequence: N", the answer to a
	// stale Nats-Expected-Last-Subject-Sequence (or -Sequence);
	// codeWrongLastSequenceClustered is its form on a clustered stream.
	codeWrongLastSequence          jetstream.ErrorCode = 10071
	codeWrongLastSequenceClustered jetstream.ErrorCode = 10164
	// codeWrongLastMsgID is "wrong last msg ID: X", the answer to a stale
	// Nats-Expected-Last-Msg-Id: the chain of [Log.AppendAll] broken.
	codeWrongLastMsgID jetstream.ErrorCode = 10070
	// codeBatchDuplicate is an atomic batch whose message ids (a ref
	// name's marker's) are already stored: a retry of a batch that landed.
	codeBatchDuplicate jetstream.ErrorCode = 10201
)

// apiCode returns the JetStream API error code in err, or 0.
func apiCode(err error) jetstream.ErrorCode {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode
	}
	return 0
}

// translate turns JetStream's answer to an append into the log's errors: a
// wrong last sequence is [ErrConflict], no answer [ErrUnavailable].
func translate(err error, subject string) error {
	switch apiCode(err) {
	case codeWrongLastSequence, codeWrongLastSequenceClustered, codeWrongLastMsgID:
		return fmt.Errorf("append to %s: %w (%v)", subject, ErrConflict, err)
	}
	return fmt.Errorf("append to %s: %w", subject, unavailable(err))
}

// unavailable wraps err with [ErrUnavailable] if it means that no server
// answered: a timeout (the log's own, or the client's), no responders, or
// JetStream's 503.
func unavailable(err error) error {
	var apiErr *jetstream.APIError
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, nats.ErrTimeout),
		errors.Is(err, nats.ErrNoResponders), errors.Is(err, jetstream.ErrNoStreamResponse),
		errors.Is(err, jetstream.ErrAsyncPublishTimeout),
		errors.As(err, &apiErr) && apiErr.Code == 503:
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return err
}
