package web_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/commands"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/natstest"
	"github.com/summit-model/summit/projections"
	"github.com/summit-model/summit/scenarios"
	"github.com/summit-model/summit/web"
)

// now is the clock of every plain read in the tests.
var now = time.Date(2025, time.November, 5, 12, 0, 0, 0, time.UTC)

// rig is a store on a real in-process nats-server, holding the
// budapest-2025 scenario on main and the prep-held what-if branch, with
// its projections kept live as summit serve keeps them.
type rig struct {
	t     testing.TB
	ctx   context.Context
	js    jetstream.JetStream
	log   *eventlog.Log
	store *projections.Store
}

func newRig(t testing.TB) *rig {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv := natstest.Start(t)
	js := natstest.JetStream(t, srv)
	log, err := eventlog.Open(ctx, js, eventlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	store, err := projections.OpenStore(ctx, js, projections.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, ctx: ctx, js: js, log: log, store: store}
	sc, err := scenarios.Open("budapest-2025")
	if err != nil {
		t.Fatal(err)
	}
	r.record(eventlog.Main(), sc)
	b, err := log.Fork(ctx, "prep-held", events.Date(2025, time.October, 21))
	if err != nil {
		t.Fatal(err)
	}
	r.recordFile(b, "prep-held.yaml", `
timeline:
  - at: 2025-10-25
    event: meeting.held
    meeting: rubio-lavrov-prep
    venue: Budapest
`)
	// The projections live, as summit serve keeps them.
	keeper := projections.NewKeeper(log, store, projections.RunnerOptions{Logger: slog.New(slog.DiscardHandler)})
	done := make(chan struct{})
	go func() { defer close(done); keeper.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return r
}

// record appends sc to branch through the write path every verb uses
// (commands.Handler, as summit replay, append and inject do).
func (r *rig) record(branch eventlog.Branch, sc *scenarios.Scenario) {
	r.t.Helper()
	h := commands.NewHandler(r.log, branch)
	h.Snapshots = r.store
	cast, err := h.Cast(r.ctx, sc.Wanted())
	if err != nil {
		r.t.Fatal(err)
	}
	plan, err := sc.Plan(r.ctx, cast)
	if err != nil {
		r.t.Fatal(err)
	}
	if _, err := h.HandleAll(r.ctx, commands.Batch{File: plan.File, Steps: plan.Steps, Meta: commands.Meta{CorrelationID: events.NewID()}}); err != nil {
		r.t.Fatal(err)
	}
}

// recordFile appends an event file's entries to branch.
func (r *rig) recordFile(branch eventlog.Branch, name, yaml string) {
	r.t.Helper()
	sc, err := scenarios.Load(name, []byte(yaml), scenarios.EventFile)
	if err != nil {
		r.t.Fatal(err)
	}
	r.record(branch, sc)
}

// serve starts the web board over the rig on a test HTTP server.
func (r *rig) serve() (*web.Server, *httptest.Server) {
	r.t.Helper()
	s, err := web.New(r.log, r.store, web.Options{Now: func() time.Time { return now }})
	if err != nil {
		r.t.Fatal(err)
	}
	hs := httptest.NewServer(s)
	r.t.Cleanup(func() { s.Close(); hs.Close() })
	return s, hs
}
