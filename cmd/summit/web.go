package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"

	"github.com/summit-model/summit/web"
)

const webHelp = `
Usage: summit web [--http HOST:PORT] [--server URL | --context NAME | --data DIR]

Serve the web board of a store: a read-only web app (the board, each
meeting's story and timeline picture, the branches) and its HTTP API (JSON
and CSV), on HOST:PORT (default 127.0.0.1:8080, loopback only). The board
follows the projection live, through Server-Sent Events.

"summit serve --http HOST:PORT" serves the same board from the process that
keeps the projections live; summit web serves it on its own, against a
deployment (--server, $NATS_URL or --context) or an embedded store
(--data). If no summit serve keeps a branch's projection live, the board
keeps it live itself while a page watches it.

The API (every read takes branch, as_of, known_at and timezone):
  /api/board               the board (format=csv, or Accept: text/csv, for CSV)
  /api/meetings/ID         one meeting's board entry
  /api/meetings/ID/explain its story (summit explain --json)
  /api/timeline            the events (meeting=ID for one meeting; format=csv)
  /api/branches            the what-if branches
  /api/diff?branch=B       a branch against main (against=NAME for another)
  /api/dates               the days of the events (the board's slider)
  /api/events              each change, as Server-Sent Events (summit watch --json)
A bad parameter is 400, an unknown meeting or branch 404, each with a JSON
error {"error", "parameter", "status"}.

It has no authentication: to serve a network, put it behind one.

Exit status: 0 after Ctrl-C; 2 a bad flag, or the address in use; 3 the
store failed.

Examples:
  summit web --server nats://127.0.0.1:4222
  summit web --http 127.0.0.1:9090 --data ./summit-data
  curl 'http://127.0.0.1:8080/api/board?as_of=2025-10-21'
`

// runWeb serves the web board until ctx ends.
func runWeb(ctx context.Context, e env, args []string) error {
	fl := newFlags("web", webHelp, e)
	var f storeFlags
	f.register(fl, e, false, false)
	addr := fl.String("http", "127.0.0.1:8080", "`HOST:PORT` the web board listens on (port 0: any free port)")
	args, err := fl.parse(args)
	if err != nil {
		return err
	}
	if len(args) > 0 {
		return badInputf("web takes no arguments, got %q", args)
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, nil))
	ln, err := listenHTTP(*addr, logger)
	if err != nil {
		return err
	}
	defer ln.Close()
	s, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	return serveWeb(ctx, e, s, ln, logger, true)
}

// listenHTTP opens the web board's address: a port in use is bad input,
// and an address beyond loopback is logged as a warning.
func listenHTTP(addr string, logger *slog.Logger) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, badInputf("--http %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		logger.Warn("the web board listens beyond loopback, without authentication", "http", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, badInputf("--http %s: %w (give another port with --http 127.0.0.1:8081)", addr, err)
	}
	return ln, nil
}

// serveWeb serves the web board of s on ln until ctx ends. keepLive makes
// the live board keep a watched branch's projection live itself (summit
// web, where no projection may be kept live otherwise).
func serveWeb(ctx context.Context, e env, s *store, ln net.Listener, logger *slog.Logger, keepLive bool) error {
	logger = logger.With("component", "web")
	srv, err := web.New(s.log, s.views, web.Options{Logger: logger, KeepLive: keepLive})
	if err != nil {
		return err
	}
	// The live streams end before the server shuts down, so that it
	// need not wait for them.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { <-ctx.Done(); srv.Close() }()
	return web.ServeListener(ctx, ln, srv, logger, func(a net.Addr) {
		logger.Info("the web board is ready", "url", "http://"+a.String()+"/")
		fmt.Fprintf(e.stdout, "summit web board: http://%s/\n", a)
	})
}
