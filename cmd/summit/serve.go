package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/summit-model/summit/projections"
)

const serveHelp = `
Usage: summit serve [--data DIR] [--listen HOST:PORT] [--http HOST:PORT]
       summit serve --server URL[,URL...] [--replicas 3] [--http HOST:PORT]

Run summit's NATS server: the embedded server with JetStream, its store in
DIR (default ./summit-data), listening on HOST:PORT (default 127.0.0.1:4222,
loopback only), and keep the meeting-status projection of the record and of
every branch live, so that "summit watch" sees each change as it happens.

Every other verb reaches it with --server nats://127.0.0.1:4222, and so can
any NATS client: the README documents the stream, the buckets and their JSON.

With --server, serve runs no server of its own: it keeps the projections of
an existing NATS deployment live (a cluster, say, with --replicas 3 and its
credentials), and several serve processes may run at once: one projects
each branch, the others stand by and take over if it stops.

With --http HOST:PORT (127.0.0.1:8080, say) it also serves the web board
and its HTTP API from the same process: see "summit web -h".

It logs to standard error. SIGINT or SIGTERM (Ctrl-C) shuts it down cleanly:
each projection saves its checkpoint, then the server stops; started again on
the same store, it resumes from the checkpoints. It listens on loopback
unless told otherwise (--listen 0.0.0.0:4222 for every interface), and has no
authentication of its own: to listen on a network, put it behind one, or run
NATS with accounts and serve --server.

Exit status: 0 after a clean shutdown; 2 a bad flag, or the store in use by
another process; 3 the server failed.

Examples:
  summit serve
  summit serve --data /var/lib/summit --listen 127.0.0.1:4333 --sync always
  summit serve --http 127.0.0.1:8080
  summit serve --server nats://a:4222,nats://b:4222,nats://c:4222 --replicas 3 --creds summit.creds
`

// runServe serves until ctx ends.
func runServe(ctx context.Context, e env, args []string) error {
	fl := newFlags("serve", serveHelp, e)
	var f storeFlags
	f.register(fl, e, false, true)
	fl.StringVar(&f.listen, "listen", "127.0.0.1:4222", "`HOST:PORT` the embedded server listens on (port 0: any free port)")
	logJSON := fl.Bool("log-json", false, "log JSON lines instead of text")
	httpAddr := fl.String("http", "", "also serve the web board on `HOST:PORT` (127.0.0.1:8080, say)")
	args, err := fl.parse(args)
	if err != nil {
		return err
	}
	if len(args) > 0 {
		return badInputf("serve takes no arguments, got %q", args)
	}
	f.where()
	if f.servers == "" && f.data == "" && f.context == "" {
		f.data = "./summit-data"
	}
	var handler slog.Handler = slog.NewTextHandler(e.stderr, nil)
	if *logJSON {
		handler = slog.NewJSONHandler(e.stderr, nil)
	}
	logger := slog.New(handler)
	if err := checkListen(&f, logger); err != nil {
		return err
	}
	var webLn net.Listener
	if *httpAddr != "" {
		if webLn, err = listenHTTP(*httpAddr, logger); err != nil {
			return err
		}
		defer webLn.Close()
	}
	f.log = logger.With("component", "nats")
	s, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	url := s.where
	if s.srv != nil {
		url = s.srv.ClientURL()
		logger.Info("summit serve is ready", "url", url, "store", f.data)
		fmt.Fprintf(e.stdout, "summit serve: listening on %s (store %s); other verbs: --server %s\n", url, f.data, url)
	} else {
		logger.Info("summit serve is ready: keeping the projections of a NATS deployment", "url", url)
		fmt.Fprintf(e.stdout, "summit serve: keeping the projections of %s\n", url)
	}

	err = keep(ctx, e, s, webLn, logger)
	logger.Info("shutting down: projections saved their checkpoints")
	// Let what the keeper wrote reach the server before it stops.
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if ferr := s.nc.FlushWithContext(dctx); ferr != nil && err == nil {
		err = ferr
	}
	return err
}

// checkListen checks the embedded server's --listen address: a warning
// beyond loopback, and a port in use found before the store is opened, so
// that nothing is made.
func checkListen(f *storeFlags, logger *slog.Logger) error {
	if f.servers != "" {
		return nil
	}
	host, _, err := net.SplitHostPort(f.listen)
	if err != nil {
		return badInputf("--listen %q: %w", f.listen, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		logger.Warn("listening beyond loopback, without authentication", "listen", f.listen)
	}
	if f.context != "" {
		return nil
	}
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return badInputf("--listen %s: %w (is another summit serve running? give another port with --listen 127.0.0.1:4333)", f.listen, err)
	}
	return ln.Close()
}

// keep keeps every projection of s live until ctx ends, with the web board
// beside it on webLn if there is one: either failing stops both.
func keep(ctx context.Context, e env, s *store, webLn net.Listener, logger *slog.Logger) error {
	keeper := projections.NewKeeper(s.log, s.views, projections.RunnerOptions{Logger: logger.With("component", "projection")})
	if webLn == nil {
		return keeper.Run(ctx)
	}
	kctx, cancel := context.WithCancel(ctx)
	defer cancel()
	webDone := make(chan error, 1)
	go func() { webDone <- serveWeb(kctx, e, s, webLn, logger, false); cancel() }()
	err := keeper.Run(kctx)
	cancel()
	if werr := <-webDone; werr != nil && err == nil && ctx.Err() == nil {
		err = werr
	}
	return err
}
