// Package natstest starts real NATS servers for tests: one embedded server
// with JetStream in a temporary directory, shut down when the test ends. No
// test in summit mocks NATS.
package natstest

import (
	"context"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/embedded"
)

// Start starts an embedded server with JetStream in a temporary directory,
// with no network listener, and shuts it down when the test ends.
func Start(tb testing.TB) *embedded.Server {
	tb.Helper()
	return StartIn(tb, tb.TempDir())
}

// StartIn starts an embedded server on the store in dir (to restart a server
// on the store an earlier one left), shut down when the test ends.
func StartIn(tb testing.TB, dir string) *embedded.Server {
	tb.Helper()
	s, err := embedded.Start(context.Background(), embedded.Options{StoreDir: dir})
	if err != nil {
		tb.Fatalf("start embedded server: %v", err)
	}
	tb.Cleanup(s.Shutdown)
	return s
}

// FreeAddr returns a loopback address (host:port) that no one listened on
// a moment ago: for a server a test stops and starts again on the same
// address, which its clients reconnect to.
func FreeAddr(tb testing.TB) string {
	tb.Helper()
	ports, err := freePorts(1)
	if err != nil {
		tb.Fatal(err)
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0]))
}

// Connect opens an in-process connection to s, closed when the test ends.
func Connect(tb testing.TB, s *embedded.Server) *nats.Conn {
	tb.Helper()
	nc, err := s.Connect()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(nc.Close)
	return nc
}

// Reconnecting connects to the server that listens on addr (host:port)
// with a client that reconnects for ever, every wait: for a test that stops
// the server and starts it again on addr. It is closed when the test ends.
func Reconnecting(tb testing.TB, addr string, wait time.Duration) *nats.Conn {
	tb.Helper()
	nc, err := nats.Connect("nats://"+addr, nats.MaxReconnects(-1), nats.ReconnectWait(wait))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(nc.Close)
	return nc
}

// JetStream returns a JetStream context on a new in-process connection to s.
func JetStream(tb testing.TB, s *embedded.Server) jetstream.JetStream {
	tb.Helper()
	js, err := jetstream.New(Connect(tb, s))
	if err != nil {
		tb.Fatal(err)
	}
	return js
}
