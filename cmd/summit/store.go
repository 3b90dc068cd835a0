package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/jsm.go/natscontext"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/embedded"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/memory"
	"github.com/summit-model/summit/projections"
)

// storeFlags say where the events are: an embedded server on a store
// directory (--data), a fresh temporary one, an existing NATS deployment
// (--server, $NATS_URL, or a NATS CLI context) reached with the
// credentials given.
type storeFlags struct {
	servers  string
	data     string
	context  string
	creds    string
	user     string
	password string
	nkey     string
	tlsCA    string
	tlsCert  string
	tlsKey   string
	replicas int
	verbose  bool
	// listen is where the embedded server takes network clients: serve
	// sets it; other verbs connect in-process.
	listen string
	// sync is when the embedded server syncs to disk: "" or "interval",
	// or "always".
	sync string
	// temporary allows a fresh temporary store when no store is named
	// (replay); create allows --data to name a directory that does not
	// exist yet (replay, serve); otherwise the verb reads a store that is
	// there.
	temporary, create bool
	// damaged allows a store that lost events (summit check reads one);
	// otherwise open refuses it.
	damaged bool
	// env is where $NATS_URL is read.
	env env
	// url says where --server came from, for messages ("$NATS_URL").
	url string
	// log, if set, is where the store logs (serve's logger).
	log *slog.Logger
}

// register adds the store flags to fs.
func (f *storeFlags) register(fs *flags, e env, temporary, create bool) {
	f.temporary, f.create, f.env = temporary, create, e
	fs.StringVar(&f.servers, "server", "", "NATS `URL`s of an existing deployment, comma-separated (default: $NATS_URL, else "+map[bool]string{true: "a temporary embedded store", false: "none"}[temporary]+")")
	fs.StringVar(&f.data, "data", "", "`DIR` of the embedded server's store")
	fs.StringVar(&f.context, "context", "", "the NATS CLI context `NAME` to connect with (the nats tool's own files)")
	fs.StringVar(&f.creds, "creds", "", "NATS credentials `FILE` (with --server)")
	fs.StringVar(&f.user, "user", "", "NATS user `NAME` (with --server and --password)")
	fs.StringVar(&f.password, "password", "", "NATS `PASSWORD` (with --server and --user; $SUMMIT_PASSWORD if empty)")
	fs.StringVar(&f.nkey, "nkey", "", "NATS NKey seed `FILE` (with --server)")
	fs.StringVar(&f.tlsCA, "tls-ca", "", "CA certificate `FILE` to verify the server's TLS certificate")
	fs.StringVar(&f.tlsCert, "tls-cert", "", "client certificate `FILE` for TLS (with --tls-key)")
	fs.StringVar(&f.tlsKey, "tls-key", "", "client key `FILE` for TLS (with --tls-cert)")
	fs.StringVar(&f.sync, "sync", "", "when the embedded server syncs the store to disk: `interval` (every 2 minutes, the default) or always (before it acknowledges each write)")
	fs.IntVar(&f.replicas, "replicas", 1, "`N` servers keep each event and key, when the stream and buckets are created (3 on a cluster)")
	fs.BoolVar(&f.verbose, "v", false, "log the store's work to standard error")
}

// where settles where the store is: --server, --data and --context as
// given, else $NATS_URL.
func (f *storeFlags) where() {
	if f.servers == "" && f.data == "" && f.context == "" && f.env.getenv != nil {
		if u := f.env.getenv("NATS_URL"); u != "" {
			f.servers, f.url = u, "$NATS_URL"
		}
	}
	if f.url == "" {
		f.url = "--server"
	}
}

// validate reports every problem with the flags, as bad input.
func (f *storeFlags) validate() error {
	f.where()
	var errs []error
	given := 0
	for _, v := range []string{f.servers, f.data, f.context} {
		if v != "" {
			given++
		}
	}
	if given > 1 {
		errs = append(errs, errors.New("--server (or $NATS_URL), --data and --context exclude each other: name one store"))
	}
	if given == 0 && !f.temporary {
		errs = append(errs, errors.New("no store: give --server URL (a running summit serve, or any NATS deployment), set $NATS_URL, give --context NAME (a NATS CLI context), or --data DIR (an embedded store)"))
	}
	if f.data != "" {
		switch fi, err := os.Stat(f.data); {
		case err == nil && !fi.IsDir():
			errs = append(errs, fmt.Errorf("--data %s: not a directory", f.data))
		case errors.Is(err, fs.ErrNotExist) && !f.create:
			errs = append(errs, fmt.Errorf("--data %s: no such directory: there is no store there (summit replay --data %s makes one)", f.data, f.data))
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			errs = append(errs, fmt.Errorf("--data: %w", err))
		}
	}
	remote := map[string]string{"--creds": f.creds, "--user": f.user, "--nkey": f.nkey, "--tls-ca": f.tlsCA, "--tls-cert": f.tlsCert}
	for name, v := range remote {
		if v != "" && f.servers == "" {
			errs = append(errs, fmt.Errorf("%s is for a --server connection", name))
		}
	}
	switch {
	case f.sync != "" && f.sync != "interval" && f.sync != "always":
		errs = append(errs, fmt.Errorf("--sync %q: want interval or always", f.sync))
	case f.sync != "" && (f.servers != "" || f.context != ""):
		errs = append(errs, errors.New("--sync is for the embedded server: a deployment's own sync_interval setting decides"))
	}
	if f.password != "" && f.user == "" {
		errs = append(errs, errors.New("--password needs --user"))
	}
	if (f.tlsCert == "") != (f.tlsKey == "") {
		errs = append(errs, errors.New("--tls-cert and --tls-key go together"))
	}
	missing := false
	for name, file := range map[string]string{"--creds": f.creds, "--nkey": f.nkey, "--tls-ca": f.tlsCA, "--tls-cert": f.tlsCert, "--tls-key": f.tlsKey} {
		if file == "" {
			continue
		}
		if _, err := os.Stat(file); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			missing = true
		}
	}
	if !missing {
		errs = append(errs, f.checkFiles()...)
	}
	if f.replicas < 1 || f.replicas > 5 {
		errs = append(errs, fmt.Errorf("--replicas %d: want 1 to 5", f.replicas))
	}
	if err := errors.Join(errs...); err != nil {
		return badInput(err)
	}
	return nil
}

// runner returns the options of a projection the verb runs: its logger
// and its clock.
func (f *storeFlags) runner() projections.RunnerOptions {
	return projections.RunnerOptions{Logger: f.logger(), Now: f.env.clock()}
}

// logger returns where the verb's libraries log: standard error with -v,
// nowhere otherwise.
func (f *storeFlags) logger() *slog.Logger {
	if f.log != nil {
		return f.log
	}
	if !f.verbose {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(f.env.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// store is an open store: the connection and the record, projection and
// scenario buckets on it.
type store struct {
	nc    *nats.Conn
	js    jetstream.JetStream
	log   *eventlog.Log
	views *projections.Store
	// srv is the embedded server, nil on a --server connection.
	srv      *embedded.Server
	where    string
	shutdown []func()
	// checking, when the store was opened to write, is closed when the
	// integrity check that runs meanwhile is done, with its result in
	// checkErr ([store.inspected]).
	checking chan struct{}
	checkErr error
}

// Close closes the connection, stops an embedded server and removes a
// temporary store.
func (s *store) Close() {
	for i := len(s.shutdown) - 1; i >= 0; i-- {
		s.shutdown[i]()
	}
}

// open opens the store the flags name, and refuses one that lost events.
func (f *storeFlags) open(ctx context.Context) (*store, error) {
	return f.openStore(ctx, false)
}

// openToWrite opens the store the flags name, as open does, for a verb
// that records a file ([record]): the check that refuses a store that lost
// events runs while the verb reads what it decides on, and record waits
// for it before anything is appended. On a store of a million events the
// check takes 13 to 20 ms of an append's 60, the reads as long again.
func (f *storeFlags) openToWrite(ctx context.Context) (*store, error) {
	return f.openStore(ctx, true)
}

func (f *storeFlags) openStore(ctx context.Context, background bool) (_ *store, err error) {
	if err := f.validate(); err != nil {
		return nil, err
	}
	logger := f.logger()
	// s is not the result: a failure returns nil, and s is still there to
	// close.
	s := &store{}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if f.servers != "" || f.context != "" {
		if s.nc, err = f.connect(); err != nil {
			return nil, err
		}
		s.where = s.nc.ConnectedUrlRedacted()
	} else {
		dir := f.data
		if dir == "" {
			if dir, err = os.MkdirTemp("", "summit-store-*"); err != nil {
				return nil, err
			}
			s.shutdown = append(s.shutdown, func() { os.RemoveAll(dir) })
			s.where = "a temporary store"
		} else {
			s.where = "the store in " + dir
		}
		srv, err := embedded.Start(ctx, f.embedded(dir, logger))
		if errors.Is(err, embedded.ErrStoreInUse) {
			return nil, badInputf("%w: is summit serve running on it? Reach it with --server instead", err)
		}
		if err != nil {
			return nil, err
		}
		s.srv = srv
		// The server and summit's own work share this process's memory:
		// keep the collector from letting the heap grow to twice what is
		// live (a rebuild at a million events peaks under 300 MB, not 440).
		s.shutdown = append(s.shutdown, srv.Shutdown, memory.Limit(memory.ServerFloor, memory.ServerSpare))
		if s.nc, err = srv.Connect(); err != nil {
			return nil, err
		}
	}
	s.shutdown = append(s.shutdown, s.nc.Close)
	if s.js, err = jetstream.New(s.nc); err != nil {
		return nil, err
	}
	// The log and the projection store are opened at once: a round trip
	// or two each, on every verb.
	var logErr error
	var wg sync.WaitGroup
	wg.Go(func() {
		s.log, logErr = eventlog.Open(ctx, s.js, eventlog.Options{Replicas: f.replicas, Logger: logger})
	})
	s.views, err = projections.OpenStore(ctx, s.js, projections.StoreOptions{Replicas: f.replicas})
	wg.Wait()
	if err := errors.Join(logErr, err); err != nil {
		return nil, fmt.Errorf("%s: %w", s.where, err)
	}
	switch {
	case f.damaged:
	case background:
		s.checking = make(chan struct{})
		go func() {
			defer close(s.checking)
			s.checkErr = s.inspect(ctx)
		}()
	default:
		if err := s.inspect(ctx); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// inspected waits for the check of a store opened to write and returns its
// result: nil once it passed, or if the store was checked on open.
func (s *store) inspected(ctx context.Context) error {
	if s.checking == nil {
		return nil
	}
	select {
	case <-s.checking:
		return s.checkErr
	case <-ctx.Done():
		return ctx.Err()
	}
}

// inspect refuses a store that lost events, naming what is gone and how to
// recover: a board read from it would be wrong without saying so.
func (s *store) inspect(ctx context.Context) error {
	in, err := projections.Inspect(ctx, s.log, s.views)
	if err != nil {
		return fmt.Errorf("%s: %w", s.where, err)
	}
	if err := in.Err(); err != nil {
		return fmt.Errorf("%s: %w\nNo board is read from a store that lost events. \"summit check\" lists what is wrong; to recover, %s", s.where, err, projections.Recovery)
	}
	return nil
}

// embedded returns the options of the embedded server on the store in dir.
func (f *storeFlags) embedded(dir string, logger *slog.Logger) embedded.Options {
	return embedded.Options{StoreDir: dir, Listen: f.listen, Logger: logger, SyncAlways: f.sync == "always"}
}

// connect connects to the NATS deployment at --server (or the NATS CLI
// context --context names) with the credentials given. A refused credential
// is a clear error, not a hang.
func (f *storeFlags) connect() (*nats.Conn, error) {
	opts := []nats.Option{nats.Name("summit"), nats.Timeout(5 * time.Second), nats.MaxReconnects(-1)}
	if f.context != "" {
		// The nats tool's own reader of its contexts: the URL, and every
		// credential and TLS setting a context can hold.
		nctx, err := natscontext.New(f.context, true)
		if err != nil {
			return nil, badInputf("--context %s: %w (nats context ls lists them)", f.context, err)
		}
		copts, err := nctx.NATSOptions(opts...)
		if err != nil {
			return nil, badInputf("--context %s: %w", f.context, err)
		}
		nc, err := nats.Connect(nctx.ServerURL(), copts...)
		if err != nil {
			return nil, fmt.Errorf("connect with context %s (%s): %w", f.context, nctx.ServerURL(), err)
		}
		return nc, nil
	}
	if f.creds != "" {
		opts = append(opts, nats.UserCredentials(f.creds))
	}
	if f.user != "" {
		pw := f.password
		if pw == "" {
			pw = os.Getenv("SUMMIT_PASSWORD")
		}
		opts = append(opts, nats.UserInfo(f.user, pw))
	}
	if f.nkey != "" {
		o, err := nats.NkeyOptionFromSeed(f.nkey)
		if err != nil {
			return nil, badInputf("--nkey %s: not an NKey seed file: %w", f.nkey, err)
		}
		opts = append(opts, o)
	}
	if f.tlsCA != "" {
		opts = append(opts, nats.RootCAs(f.tlsCA))
	}
	if f.tlsCert != "" {
		opts = append(opts, nats.ClientCert(f.tlsCert, f.tlsKey))
	}
	nc, err := nats.Connect(f.servers, opts...)
	if err != nil {
		urls := strings.ReplaceAll(f.servers, ",", ", ")
		if refused := f.refused(urls, err); refused != nil {
			return nil, refused
		}
		switch {
		case errors.Is(err, nats.ErrNoServers):
			return nil, fmt.Errorf("connect to %s (%s): no server answered (is summit serve, or NATS, running there?): %w", urls, f.url, err)
		}
		return nil, fmt.Errorf("connect to %s: %w", urls, err)
	}
	return nc, nil
}

// branch returns the branch name names: main, or a what-if branch the store
// holds (an unknown one, or a bad name, is bad input).
func (s *store) branch(ctx context.Context, name string) (eventlog.Branch, error) {
	if err := events.CheckName(name); err != nil {
		return eventlog.Branch{}, badInputf("branch: %w", err)
	}
	b, err := s.log.Branch(ctx, name)
	if errors.Is(err, eventlog.ErrUnknownBranch) {
		return b, badInput(s.log.WithBranches(ctx, name, err))
	}
	return b, err
}
