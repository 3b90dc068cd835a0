package natstest

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/summit-model/summit/embedded"
)

// Cluster is a JetStream cluster of real embedded nats-servers on
// loopback, each with its own store in a temporary directory, for tests
// that stop and restart servers under load.
type Cluster struct {
	tb      testing.TB
	opts    []embedded.Options
	servers []*embedded.Server
}

// StartCluster starts a JetStream cluster of n servers on loopback ports
// and waits until it has a JetStream meta leader. The servers are shut down
// when the test ends.
func StartCluster(tb testing.TB, n int) *Cluster {
	tb.Helper()
	var last error
	// The ports are picked free before the servers start, so that each
	// server can be given the others' routes; another process can take one
	// in between, rarely: then the cluster starts again on new ports.
	for range 3 {
		c, err := startCluster(tb, n)
		if err == nil {
			return c
		}
		last = err
	}
	tb.Fatalf("start cluster: %v", last)
	return nil
}

func startCluster(tb testing.TB, n int) (*Cluster, error) {
	ports, err := freePorts(2 * n)
	if err != nil {
		return nil, err
	}
	name := fmt.Sprintf("summit-test-%d", ports[0])
	var routes []string
	for i := range n {
		routes = append(routes, "nats-route://127.0.0.1:"+strconv.Itoa(ports[n+i]))
	}
	c := &Cluster{tb: tb, opts: make([]embedded.Options, n), servers: make([]*embedded.Server, n)}
	for i := range n {
		c.opts[i] = embedded.Options{
			StoreDir: tb.TempDir(),
			Name:     fmt.Sprintf("s%d", i+1),
			Listen:   "127.0.0.1:" + strconv.Itoa(ports[i]),
			Cluster:  &embedded.Cluster{Name: name, Listen: "127.0.0.1:" + strconv.Itoa(ports[n+i]), Routes: routes},
		}
	}
	for i := range n {
		s, err := embedded.Start(context.Background(), c.opts[i])
		if err != nil {
			c.shutdown()
			return nil, err
		}
		c.servers[i] = s
	}
	tb.Cleanup(c.shutdown)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.WaitForMetaLeader(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// freePorts returns n distinct loopback ports that were free a moment ago.
func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func (c *Cluster) shutdown() {
	for i, s := range c.servers {
		if s != nil {
			s.Shutdown()
			c.servers[i] = nil
		}
	}
}

// Len returns how many servers the cluster has, running or not.
func (c *Cluster) Len() int { return len(c.opts) }

// Server returns server i, or nil if it is stopped.
func (c *Cluster) Server(i int) *embedded.Server { return c.servers[i] }

// Name returns the server name of server i.
func (c *Cluster) Name(i int) string { return c.opts[i].Name }

// URLs returns the client URLs of every server, running or not,
// comma-separated, as a client that rides out a server's stop is given
// them.
func (c *Cluster) URLs() string {
	var urls []string
	for _, o := range c.opts {
		urls = append(urls, "nats://"+o.Listen)
	}
	return strings.Join(urls, ",")
}

// Connect opens a client connection to every server of the cluster that
// reconnects for as long as the test runs, closed when the test ends.
func (c *Cluster) Connect(tb testing.TB, opts ...nats.Option) *nats.Conn {
	tb.Helper()
	opts = append([]nats.Option{nats.MaxReconnects(-1), nats.ReconnectWait(50 * time.Millisecond)}, opts...)
	nc, err := nats.Connect(c.URLs(), opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(nc.Close)
	return nc
}

// Stop shuts server i down.
func (c *Cluster) Stop(i int) {
	if s := c.servers[i]; s != nil {
		s.Shutdown()
		c.servers[i] = nil
	}
}

// Restart starts server i again on its store and ports.
func (c *Cluster) Restart(i int) {
	c.tb.Helper()
	if c.servers[i] != nil {
		c.tb.Fatalf("restart server %d: it is running", i)
	}
	s, err := embedded.Start(context.Background(), c.opts[i])
	if err != nil {
		c.tb.Fatalf("restart server %d: %v", i, err)
	}
	c.servers[i] = s
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.WaitForMetaLeader(ctx); err != nil {
		c.tb.Fatalf("restart server %d: %v", i, err)
	}
}

// StreamLeader returns the index of the server that leads stream (in the
// global account), or -1 if none does.
func (c *Cluster) StreamLeader(stream string) int {
	for i, s := range c.servers {
		if s != nil && s.Raw().JetStreamIsStreamLeader("$G", stream) {
			return i
		}
	}
	return -1
}

// WaitForMetaLeader waits until a server leads the JetStream meta group
// and knows every running server as a peer online, so that streams of as
// many replicas can be placed.
func (c *Cluster) WaitForMetaLeader(ctx context.Context) error {
	return c.waitFor(ctx, "a JetStream meta leader with every running server as a peer", func() bool {
		running := 0
		for _, s := range c.servers {
			if s != nil {
				running++
			}
		}
		for _, s := range c.servers {
			if s != nil && s.Raw().JetStreamIsLeader() {
				return len(s.Raw().JetStreamClusterPeers()) == running
			}
		}
		return false
	})
}

// WaitForStreamLeader waits until a running server leads stream, and
// returns its index.
func (c *Cluster) WaitForStreamLeader(ctx context.Context, stream string) (int, error) {
	leader := -1
	err := c.waitFor(ctx, "a leader of stream "+stream, func() bool {
		leader = c.StreamLeader(stream)
		return leader >= 0
	})
	return leader, err
}

func (c *Cluster) waitFor(ctx context.Context, what string, ok func() bool) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !ok() {
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		case <-tick.C:
		}
	}
	return nil
}
