package bench

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/projections"
	"github.com/summit-model/summit/workload"
)

// Record is a generated load appended to a log, as the packages' benchmarks
// start from.
type Record struct {
	Load  *workload.Load
	JS    jetstream.JetStream
	Log   *eventlog.Log
	Store *projections.Store
}

// Append generates a load of events over meetings and appends it, one
// command an event, to the log and projection store on js.
func Append(ctx context.Context, js jetstream.JetStream, events, meetings int) (Record, error) {
	load, err := workload.Generate(workload.Options{Events: events, Meetings: meetings, Seed: 1})
	if err != nil {
		return Record{}, err
	}
	l, err := eventlog.Open(ctx, js, eventlog.Options{})
	if err != nil {
		return Record{}, err
	}
	store, err := projections.OpenStore(ctx, js, projections.StoreOptions{})
	if err != nil {
		return Record{}, err
	}
	p := make([]eventlog.Pending, len(load.Events))
	for i := range load.Events {
		p[i] = eventlog.Pending{Events: load.Events[i : i+1 : i+1]}
	}
	if n, err := l.AppendAll(ctx, p); err != nil {
		return Record{}, fmt.Errorf("append the load: %d of %d landed: %w", n, len(p), err)
	}
	return Record{Load: load, JS: js, Log: l, Store: store}, nil
}
