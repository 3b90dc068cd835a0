package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/embedded"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/projections"
	"github.com/summit-model/summit/scenarios"
)

// storeFlags say where the events are: an embedded server on a store
// directory (--data), a fresh temporary one, or an existing NATS deployment
// (--server) reached with the credentials given.
type storeFlags struct {
	servers  string
	data     string
	creds    string
	user     string
	password string
	nkey     string
	tlsCA    string
	tlsCert  string
	tlsKey   string
	replicas int
	// listen is where the embedded server takes network clients: serve
	// sets it; other verbs connect in-process.
	listen string
	// sync is when the embedded server syncs to disk: "" or "interval",
	// or "always".
	sync string
	// temporary allows a fresh temporary store when neither --server nor
	// --data is given (replay); otherwise one of them is required.
	temporary bool
}

func (f *storeFlags) register(fs *flag.FlagSet, temporary bool) {
	f.temporary = temporary
	fs.StringVar(&f.servers, "server", "", "NATS `URL`s of an existing deployment, comma-separated (default: an embedded server)")
	fs.StringVar(&f.data, "data", "", "`DIR` of the embedded server's store"+map[bool]string{true: " (default: a temporary store, removed at the end)", false: ""}[temporary])
	fs.StringVar(&f.creds, "creds", "", "NATS credentials `FILE` (with --server)")
	fs.StringVar(&f.user, "user", "", "NATS user `NAME` (with --server and --password)")
	fs.StringVar(&f.password, "password", "", "NATS `PASSWORD` (with --server and --user; $SUMMIT_PASSWORD if empty)")
	fs.StringVar(&f.nkey, "nkey", "", "NATS NKey seed `FILE` (with --server)")
	fs.StringVar(&f.tlsCA, "tls-ca", "", "CA certificate `FILE` to verify the server's TLS certificate")
	fs.StringVar(&f.tlsCert, "tls-cert", "", "client certificate `FILE` for TLS (with --tls-key)")
	fs.StringVar(&f.tlsKey, "tls-key", "", "client key `FILE` for TLS (with --tls-cert)")
	fs.StringVar(&f.sync, "sync", "", "when the embedded server syncs the store to disk: `interval` (every 2 minutes, the default) or always (before it acknowledges each write: slower, and nothing acknowledged is lost even to a power cut)")
	fs.IntVar(&f.replicas, "replicas", 1, "`N` servers keep each event and key, when the stream and buckets are created (3 on a cluster)")
}

// validate reports every problem with the flags, as bad input.
func (f *storeFlags) validate() error {
	var errs []error
	if f.servers != "" && f.data != "" {
		errs = append(errs, errors.New("--server and --data exclude each other: --data is the embedded server's store"))
	}
	if f.servers == "" && f.data == "" && !f.temporary {
		errs = append(errs, errors.New("no store: give --data DIR (an embedded store) or --server URL (a running summit serve, or any NATS deployment)"))
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
	case f.sync != "" && f.servers != "":
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

// store is an open store: the connection and the record, projection and
// scenario buckets on it.
type store struct {
	nc      *nats.Conn
	js      jetstream.JetStream
	log     *eventlog.Log
	board   *projections.Store
	records *scenarios.Records
	// srv is the embedded server, nil on a --server connection.
	srv      *embedded.Server
	where    string
	shutdown []func()
}

// Close closes the connection, stops an embedded server and removes a
// temporary store.
func (s *store) Close() {
	for i := len(s.shutdown) - 1; i >= 0; i-- {
		s.shutdown[i]()
	}
}

// open opens the store the flags name.
func (f *storeFlags) open(ctx context.Context, logger *slog.Logger) (_ *store, err error) {
	if err := f.validate(); err != nil {
		return nil, err
	}
	// s is not the result: a failure returns nil, and s is still there to
	// close.
	s := &store{}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if f.servers != "" {
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
		s.shutdown = append(s.shutdown, srv.Shutdown)
		if s.nc, err = srv.Connect(); err != nil {
			return nil, err
		}
	}
	s.shutdown = append(s.shutdown, s.nc.Close)
	if s.js, err = jetstream.New(s.nc); err != nil {
		return nil, err
	}
	if s.log, err = eventlog.Open(ctx, s.js, eventlog.Options{Replicas: f.replicas, Logger: logger}); err != nil {
		return nil, fmt.Errorf("%s: %w", s.where, err)
	}
	if s.board, err = projections.OpenStore(ctx, s.js, projections.StoreOptions{Replicas: f.replicas}); err != nil {
		return nil, fmt.Errorf("%s: %w", s.where, err)
	}
	if s.records, err = scenarios.OpenRecords(ctx, s.js, f.replicas); err != nil {
		return nil, fmt.Errorf("%s: %w", s.where, err)
	}
	return s, nil
}

// embedded returns the options of the embedded server on the store in dir.
func (f *storeFlags) embedded(dir string, logger *slog.Logger) embedded.Options {
	return embedded.Options{StoreDir: dir, Listen: f.listen, Logger: logger, SyncAlways: f.sync == "always"}
}

// connect connects to the NATS deployment at --server with the credentials
// given. A refused credential is a clear error, not a hang.
func (f *storeFlags) connect() (*nats.Conn, error) {
	opts := []nats.Option{nats.Name("summit"), nats.Timeout(5 * time.Second), nats.MaxReconnects(-1)}
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
			return nil, fmt.Errorf("connect to %s: no server answered (is summit serve, or NATS, running there?): %w", urls, err)
		}
		return nil, fmt.Errorf("connect to %s: %w", urls, err)
	}
	return nc, nil
}

// branch returns the branch name names: main, or a what-if branch the store
// holds (an unknown one is bad input).
func (s *store) branch(ctx context.Context, name string) (eventlog.Branch, error) {
	b, err := s.log.Branch(ctx, name)
	if errors.Is(err, eventlog.ErrUnknownBranch) {
		return b, badInput(err)
	}
	return b, err
}
