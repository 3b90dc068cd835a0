package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/embedded"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/projections"
	"github.com/summit-model/summit/scenarios"
)

const serveHelp = `
Usage: summit serve [--data DIR] [--listen HOST:PORT]

Run summit's NATS server: the embedded server with JetStream, its store in
DIR (default ./summit-data), listening on HOST:PORT (default 127.0.0.1:4222,
loopback only), and keep the meeting-status projection of the record and of
every branch live, so that "summit watch" sees each change as it happens.

Every other verb reaches it with --server nats://127.0.0.1:4222, and so can
any NATS client: the README documents the stream, the buckets and their JSON.

It logs to standard error. SIGINT or SIGTERM (Ctrl-C) shuts it down cleanly:
each projection saves its checkpoint, then the server stops; started again on
the same store, it resumes from the checkpoints. It listens on loopback
unless told otherwise, and has no authentication of its own: to listen on a
network, put it behind one (or run NATS with accounts and use --server).

Exit status: 0 after a clean shutdown; 2 a bad flag, or the store in use by
another process; 3 the server failed.

Examples:
  summit serve
  summit serve --data /var/lib/summit --listen 127.0.0.1:4333
`

// serveCmd is "summit serve".
type serveCmd struct{ env }

// Run serves until ctx ends.
func (c *serveCmd) Run(ctx context.Context, args []string) error {
	fl := newFlags("serve", serveHelp, c.stderr)
	dir := fl.String("data", "./summit-data", "`DIR` of the store")
	listen := fl.String("listen", "127.0.0.1:4222", "`HOST:PORT` to listen on (port 0: any free port)")
	logJSON := fl.Bool("log-json", false, "log JSON lines instead of text")
	args, err := parse(fl, args)
	if err != nil {
		return err
	}
	if len(args) > 0 {
		return badInputf("serve takes no arguments, got %q", args)
	}
	host, _, err := net.SplitHostPort(*listen)
	if err != nil {
		return badInputf("--listen %q: %w", *listen, err)
	}
	var handler slog.Handler = slog.NewTextHandler(c.stderr, nil)
	if *logJSON {
		handler = slog.NewJSONHandler(c.stderr, nil)
	}
	logger := slog.New(handler)
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		logger.Warn("listening beyond loopback, without authentication", "listen", *listen)
	}

	srv, err := embedded.Start(ctx, embedded.Options{StoreDir: *dir, Listen: *listen, Logger: logger.With("component", "nats")})
	if errors.Is(err, embedded.ErrStoreInUse) {
		return badInputf("%w: is another summit serve running on it?", err)
	}
	if err != nil {
		return err
	}
	defer srv.Shutdown()
	nc, err := srv.Connect()
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	log, err := eventlog.Open(ctx, js, eventlog.Options{Logger: logger})
	if err != nil {
		return err
	}
	store, err := projections.OpenStore(ctx, js, projections.StoreOptions{})
	if err != nil {
		return err
	}
	if _, err := scenarios.OpenRecords(ctx, js, 1); err != nil {
		return err
	}
	logger.Info("summit serve is ready", "url", srv.ClientURL(), "store", *dir)
	fmt.Fprintf(c.stdout, "summit serve: listening on %s (store %s); other verbs: --server %s\n", srv.ClientURL(), *dir, srv.ClientURL())

	keeper := projections.NewKeeper(log, store, projections.RunnerOptions{Logger: logger.With("component", "projection")})
	err = keeper.Run(ctx)
	logger.Info("shutting down: projections saved their checkpoints")
	// Let what the keeper wrote reach the server before it stops.
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if ferr := nc.FlushWithContext(dctx); ferr != nil && err == nil {
		err = ferr
	}
	return err
}
