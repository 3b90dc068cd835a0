package eventlog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/events"
)

// ErrRefTaken: a ref name is taken by another event.
var ErrRefTaken = errors.New("the ref name is taken")

// Target is what a ref name names: an event, where it is.
type Target struct {
	Name      string      `json:"ref"`
	ID        uuid.UUID   `json:"id"`
	Aggregate events.Ref  `json:"aggregate"`
	At        events.Time `json:"at"`
	Zone      string      `json:"tz,omitempty"`
	Branch    string      `json:"branch"`
	Gen       uint64      `json:"gen,omitempty"`
	// Seq is the stream sequence of the event; its marker follows it at
	// once, in the same atomic batch.
	Seq uint64 `json:"-"`
}

// marker returns the message that makes e's ref name unique: on its own
// subject, appended with e in one atomic batch, and expecting to be the
// first there, so that a second event of the same name is refused.
func marker(e events.Event) (*nats.Msg, error) {
	t := Target{Name: e.RefName, ID: e.ID, Aggregate: e.Aggregate, At: e.At, Zone: e.Zone, Branch: e.Branch, Gen: e.Gen}
	data, err := json.Marshal(t)
	if err != nil {
		return nil, err
	}
	m := nats.NewMsg(RefSubject(e.Branch, e.RefName))
	m.Data = data
	m.Header.Set(jetstream.ExpectedLastSubjSeqHeader, "0")
	m.Header.Set(jetstream.MsgIDHeader, "ref-"+e.ID.String())
	return m, nil
}

// Ref returns the event ref name names on branch b, and false if none does.
// On a branch other than main, it is the branch's own event of that name
// or, failing that, the record's, if the branch sees it.
func (l *Log) Ref(ctx context.Context, b Branch, name string) (Target, bool, error) {
	if err := events.CheckName(name); err != nil {
		return Target{}, false, fmt.Errorf("ref: %w", err)
	}
	if !b.IsMain() {
		t, ok, err := l.ref(ctx, b.Name, name)
		if err != nil || ok && t.Gen == b.Gen {
			return t, ok, err
		}
	}
	t, ok, err := l.ref(ctx, events.Main, name)
	if err != nil || !ok || b.IsMain() {
		return t, ok, err
	}
	if t.Seq > b.ForkSeq || !b.Includes(events.Event{At: t.At}) {
		return Target{}, false, nil
	}
	return t, true, nil
}

func (l *Log) ref(ctx context.Context, branch, name string) (Target, bool, error) {
	rctx, cancel := l.request(ctx)
	defer cancel()
	subject := RefSubject(branch, name)
	m, err := l.stream.GetLastMsgForSubject(rctx, subject)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return Target{}, false, nil
	}
	if err != nil {
		return Target{}, false, fmt.Errorf("ref %s: %w", name, unavailable(err))
	}
	var t Target
	if err := json.Unmarshal(m.Data, &t); err != nil {
		return Target{}, false, fmt.Errorf("%w: ref marker %s seq %d: %w", ErrCorrupt, subject, m.Sequence, err)
	}
	if loc, err := events.Location(t.Zone); err == nil {
		t.At = t.At.In(loc)
	}
	t.Seq = m.Sequence - 1
	return t, true, nil
}
