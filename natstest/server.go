package natstest

import (
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// StartServer starts a nats-server with JetStream in a temporary directory,
// listening on a free loopback port, configured further by configure (for
// the users, keys, operator and TLS a test needs), and shuts it down when
// the test ends. It is for tests of what reaches a server from outside,
// such as credentials; the others use [Start].
func StartServer(tb testing.TB, configure func(*server.Options)) *server.Server {
	tb.Helper()
	opts := &server.Options{
		Host:      "127.0.0.1",
		Port:      server.RANDOM_PORT,
		JetStream: true,
		StoreDir:  tb.TempDir(),
		NoSigs:    true,
		NoLog:     true,
	}
	if configure != nil {
		configure(opts)
	}
	s, err := server.NewServer(opts)
	if err != nil {
		tb.Fatalf("start server: %v", err)
	}
	s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		s.Shutdown()
		tb.Fatal("start server: not ready for connections")
	}
	tb.Cleanup(func() {
		s.Shutdown()
		s.WaitForShutdown()
	})
	return s
}
