// Package embedded runs the NATS server, with JetStream, inside the summit
// process: the default deployment, and the one every test uses.
package embedded

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// Options configure an embedded server.
type Options struct {
	// StoreDir is where JetStream keeps its files. Required.
	StoreDir string
	// Listen is the HOST:PORT clients connect to. Empty means no network
	// listener at all: only in-process connections ([Server.Connect]).
	//
	// HOST must be given: 127.0.0.1:4222 (or localhost:4222) accepts
	// connections from this machine only; 0.0.0.0:4222 or [::]:4222 from
	// every network the machine is on, which is a choice to make
	// deliberately, with credentials. ":4222" is refused, because
	// nats-server would read the empty host as every interface. Port 0
	// picks a free port ([Server.ClientURL] tells which).
	Listen string
	// Name names the server (in logs, and in a cluster). Default: summit.
	// In a cluster each server needs a name of its own that stays the same
	// across restarts: JetStream knows its peers by name.
	Name string
	// SyncAlways makes JetStream sync every write to disk before
	// acknowledging it. By default it syncs every two minutes (the
	// server's default), so a power loss can take back the last two
	// minutes of acknowledged writes; a killed process cannot, as the
	// writes are already in the operating system's hands.
	SyncAlways bool
	// Cluster joins the server to a JetStream cluster; nil for a single
	// server. A server in a cluster needs Listen and Name.
	Cluster *Cluster
	// Logger receives the server's log at Info level and above; nil
	// discards it.
	Logger *slog.Logger
	// ReadyTimeout bounds the wait for the server to accept connections.
	// Default: 10s.
	ReadyTimeout time.Duration
}

// Cluster is a server's place in a JetStream cluster.
type Cluster struct {
	// Name is the cluster's name, the same on every server.
	Name string
	// Listen is the HOST:PORT this server takes routes on, with a HOST as
	// for [Options.Listen]. Port 0 picks a free port, which the other
	// servers cannot know in advance: give each server a fixed port.
	Listen string
	// Routes are the nats-route://HOST:PORT URLs of the servers of the
	// cluster. The list may include this server's own (it is skipped), so
	// that every server can be given the same list. JetStream needs at
	// least one.
	Routes []string
}

// Validate reports every problem with o.
func (o Options) Validate() error {
	var errs []error
	if o.StoreDir == "" {
		errs = append(errs, errors.New("embedded server: no store directory"))
	}
	if o.Listen != "" {
		if _, _, err := hostPort(o.Listen); err != nil {
			errs = append(errs, fmt.Errorf("embedded server: listen %q: %w", o.Listen, err))
		}
	}
	if c := o.Cluster; c != nil {
		if c.Name == "" {
			errs = append(errs, errors.New("embedded server: cluster has no name"))
		}
		if o.Name == "" {
			errs = append(errs, errors.New("embedded server: a server in a cluster needs a name of its own"))
		}
		if o.Listen == "" {
			// nats-server opens routes only once its client listener is
			// up: without one, it would wait for ever.
			errs = append(errs, errors.New("embedded server: a server in a cluster needs a client listener (Listen), for its clients to fail over to the others"))
		}
		if _, _, err := hostPort(c.Listen); err != nil {
			errs = append(errs, fmt.Errorf("embedded server: cluster listen %q: %w", c.Listen, err))
		}
		if len(c.Routes) == 0 {
			errs = append(errs, errors.New("embedded server: cluster has no routes: JetStream needs at least one"))
		}
		for _, r := range c.Routes {
			if u, err := url.Parse(r); err != nil || u.Scheme != "nats-route" && u.Scheme != "nats" || u.Port() == "" {
				errs = append(errs, fmt.Errorf("embedded server: route %q: want nats-route://HOST:PORT", r))
			}
		}
	}
	return errors.Join(errs...)
}

// ErrStoreInUse is returned by [Start] when another process runs a server
// on the same store directory.
var ErrStoreInUse = errors.New("the store is in use by another process")

// Server is a running embedded NATS server.
type Server struct {
	ns     *server.Server
	unlock func()
}

// Start starts a server and waits until it accepts connections.
func Start(ctx context.Context, o Options) (*Server, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if o.Name == "" {
		o.Name = "summit"
	}
	if o.ReadyTimeout == 0 {
		o.ReadyTimeout = 10 * time.Second
	}
	opts := &server.Options{
		ServerName: o.Name,
		JetStream:  true,
		StoreDir:   o.StoreDir,
		SyncAlways: o.SyncAlways,
		NoSigs:     true,
		DontListen: o.Listen == "",
	}
	if o.Listen != "" {
		host, port, _ := hostPort(o.Listen)
		opts.Host, opts.Port = host, serverPort(port)
	}
	if c := o.Cluster; c != nil {
		host, port, _ := hostPort(c.Listen)
		// Port 0 would leave routing off altogether: nats-server reads a
		// zero cluster port as "no cluster".
		opts.Cluster = server.ClusterOpts{Name: c.Name, Host: host, Port: serverPort(port)}
		for _, r := range c.Routes {
			u, _ := url.Parse(r)
			opts.Routes = append(opts.Routes, u)
		}
	}
	unlock, err := lockStore(o.StoreDir)
	if err != nil {
		return nil, fmt.Errorf("embedded server: %w", err)
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		unlock()
		return nil, fmt.Errorf("embedded server: %w", err)
	}
	logger := o.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	// The server reports what stops it from starting (a port in use) as a
	// fatal log line and carries on without the listener; the adapter
	// hands the line to Start, which fails at once with it.
	fatal := make(chan string, 1)
	ns.SetLoggerV2(slogAdapter{l: logger, fatal: fatal}, false, false, false)
	ns.Start()
	ready := make(chan bool, 1)
	go func() { ready <- ns.ReadyForConnections(o.ReadyTimeout) }()
	fail := func(err error) (*Server, error) {
		ns.Shutdown()
		ns.WaitForShutdown()
		unlock()
		return nil, err
	}
	select {
	case ok := <-ready:
		if !ok {
			select {
			case msg := <-fatal:
				return fail(fmt.Errorf("embedded server: %s", msg))
			default:
			}
			return fail(fmt.Errorf("embedded server: not ready for connections after %s (store %s)", o.ReadyTimeout, o.StoreDir))
		}
	case msg := <-fatal:
		return fail(fmt.Errorf("embedded server: %s", msg))
	case <-ctx.Done():
		return fail(ctx.Err())
	}
	return &Server{ns: ns, unlock: unlock}, nil
}

// Connect opens a client connection to the server, in-process: no network,
// no port, however the server listens.
func (s *Server) Connect(opts ...nats.Option) (*nats.Conn, error) {
	opts = append([]nats.Option{nats.InProcessServer(s.ns), nats.Name("summit")}, opts...)
	nc, err := nats.Connect("", opts...)
	if err != nil {
		return nil, fmt.Errorf("connect to embedded server: %w", err)
	}
	return nc, nil
}

// ClientURL returns the URL network clients connect to, or "" if the
// server does not listen.
func (s *Server) ClientURL() string {
	if s.ns.Addr() == nil {
		return ""
	}
	return s.ns.ClientURL()
}

// Raw returns the underlying nats-server, for tests that must reach
// inside (to find a stream's leader, say).
func (s *Server) Raw() *server.Server { return s.ns }

// Shutdown stops the server, once its clients are told to go, and waits
// until it has stopped. JetStream flushes its stores on the way down.
func (s *Server) Shutdown() {
	s.ns.Shutdown()
	s.ns.WaitForShutdown()
	s.unlock()
}

// ClusterURL returns the nats-route:// URL other servers of the cluster
// reach this one on, or "" if it is not in a cluster.
func (s *Server) ClusterURL() string {
	a := s.ns.ClusterAddr()
	if a == nil {
		return ""
	}
	return "nats-route://" + net.JoinHostPort(a.IP.String(), strconv.Itoa(a.Port))
}

// ErrAllInterfaces is wrapped by [Options.Validate] for a listen address
// without a host, which nats-server would bind on every interface.
var ErrAllInterfaces = errors.New("no host: give 127.0.0.1 for this machine only, or 0.0.0.0 (or [::]) to listen on every interface deliberately")

func hostPort(hp string) (string, int, error) {
	host, p, err := net.SplitHostPort(hp)
	if err != nil {
		return "", 0, err
	}
	if host == "" {
		return "", 0, ErrAllInterfaces
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("port %q: want 0 to 65535", p)
	}
	return host, port, nil
}

// serverPort turns port 0 ("any free port") into nats-server's way of
// saying it: to nats-server, a client port of 0 means its default, 4222.
func serverPort(port int) int {
	if port == 0 {
		return server.RANDOM_PORT
	}
	return port
}

// slogAdapter carries the server's log into slog, and its first fatal
// line to fatal.
type slogAdapter struct {
	l     *slog.Logger
	fatal chan<- string
}

func (a slogAdapter) log(level slog.Level, format string, v []any) {
	if a.l.Enabled(context.Background(), level) {
		a.l.Log(context.Background(), level, fmt.Sprintf(format, v...))
	}
}

// Noticef logs at Info.
func (a slogAdapter) Noticef(format string, v ...any) { a.log(slog.LevelInfo, format, v) }

// Warnf logs at Warn.
func (a slogAdapter) Warnf(format string, v ...any) { a.log(slog.LevelWarn, format, v) }

// Errorf logs at Error.
func (a slogAdapter) Errorf(format string, v ...any) { a.log(slog.LevelError, format, v) }

// Debugf logs at Debug.
func (a slogAdapter) Debugf(format string, v ...any) { a.log(slog.LevelDebug, format, v) }

// Tracef drops the server's trace: far too much for a log.
func (a slogAdapter) Tracef(format string, v ...any) {}

// Fatalf logs at Error and passes the first fatal line on, so that Start
// reports it instead of waiting for a server that will not come.
func (a slogAdapter) Fatalf(format string, v ...any) {
	msg := fmt.Sprintf(format, v...)
	a.l.Error(msg)
	select {
	case a.fatal <- msg:
	default:
	}
}
