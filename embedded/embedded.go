// Package embedded runs the NATS server, with JetStream, inside the summit
// process: the default deployment, and the one every test uses.
package embedded

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// Options configure an embedded server.
type Options struct {
	// StoreDir is where JetStream keeps its files. Required.
	StoreDir string
	// Listen is the HOST:PORT clients connect to (port 0: any free port).
	// Empty means no network listener at all: only in-process connections
	// ([Server.Connect]).
	Listen string
	// Name names the server (in logs, and in a cluster). Default: summit.
	Name string
	// SyncAlways makes JetStream sync every write to disk before
	// acknowledging it. By default it syncs every two minutes (the
	// server's default), so a power loss can take back the last two
	// minutes of acknowledged writes; a killed process cannot, as the
	// writes are already in the operating system's hands.
	SyncAlways bool
	// Cluster joins the server to a JetStream cluster; nil for a single
	// server.
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
	// Listen is the HOST:PORT this server takes routes on.
	Listen string
	// Routes are the nats-route:// URLs of the other servers.
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
		if _, _, err := hostPort(c.Listen); err != nil {
			errs = append(errs, fmt.Errorf("embedded server: cluster listen %q: %w", c.Listen, err))
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
		if port == 0 {
			// As with net.Listen, port 0 is any free port (to the server,
			// 0 would be its default, 4222).
			port = server.RANDOM_PORT
		}
		opts.Host, opts.Port = host, port
	}
	if c := o.Cluster; c != nil {
		host, port, _ := hostPort(c.Listen)
		if port == 0 {
			port = server.RANDOM_PORT
		}
		opts.Cluster = server.ClusterOpts{Name: c.Name, Host: host, Port: port}
		for _, r := range c.Routes {
			u := server.RoutesFromStr(r)
			if len(u) == 0 {
				return nil, fmt.Errorf("embedded server: route %q: not a URL", r)
			}
			opts.Routes = append(opts.Routes, u...)
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
	if o.Logger != nil {
		ns.SetLoggerV2(slogAdapter{o.Logger}, false, false, false)
	}
	ns.Start()
	ready := make(chan bool, 1)
	go func() { ready <- ns.ReadyForConnections(o.ReadyTimeout) }()
	select {
	case ok := <-ready:
		if !ok {
			ns.Shutdown()
			unlock()
			return nil, fmt.Errorf("embedded server: not ready for connections after %s (store %s)", o.ReadyTimeout, o.StoreDir)
		}
	case <-ctx.Done():
		ns.Shutdown()
		unlock()
		return nil, ctx.Err()
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

func hostPort(hp string) (string, int, error) {
	host, p, err := net.SplitHostPort(hp)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("port %q: want 0 to 65535", p)
	}
	return host, port, nil
}

// slogAdapter carries the server's log into slog.
type slogAdapter struct{ l *slog.Logger }

// Noticef logs at Info.
func (a slogAdapter) Noticef(format string, v ...any) { a.l.Info(fmt.Sprintf(format, v...)) }

// Warnf logs at Warn.
func (a slogAdapter) Warnf(format string, v ...any) { a.l.Warn(fmt.Sprintf(format, v...)) }

// Fatalf logs at Error: the server, not the logger, decides what is fatal.
func (a slogAdapter) Fatalf(format string, v ...any) { a.l.Error(fmt.Sprintf(format, v...)) }

// Errorf logs at Error.
func (a slogAdapter) Errorf(format string, v ...any) { a.l.Error(fmt.Sprintf(format, v...)) }

// Debugf logs at Debug.
func (a slogAdapter) Debugf(format string, v ...any) { a.l.Debug(fmt.Sprintf(format, v...)) }

// Tracef drops the server's trace: far too much for a log.
func (a slogAdapter) Tracef(format string, v ...any) {}
