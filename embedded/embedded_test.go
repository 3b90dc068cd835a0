package embedded_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/embedded"
	"github.com/summit-model/summit/natstest"
)

func TestValidate(t *testing.T) {
	cluster := func(c embedded.Cluster) *embedded.Cluster { return &c }
	routes := []string{"nats-route://127.0.0.1:6222"}
	tests := []struct {
		name string
		o    embedded.Options
		want string // "" for valid
	}{
		{"in-process only", embedded.Options{StoreDir: "d"}, ""},
		{"loopback", embedded.Options{StoreDir: "d", Listen: "127.0.0.1:4222"}, ""},
		{"localhost", embedded.Options{StoreDir: "d", Listen: "localhost:0"}, ""},
		{"every interface, deliberately", embedded.Options{StoreDir: "d", Listen: "0.0.0.0:4222"}, ""},
		{"every interface, by omission", embedded.Options{StoreDir: "d", Listen: ":4222"}, "listen \":4222\": no host"},
		{"no port", embedded.Options{StoreDir: "d", Listen: "127.0.0.1"}, "missing port"},
		{"bad port", embedded.Options{StoreDir: "d", Listen: "127.0.0.1:70000"}, "want 0 to 65535"},
		{"no store", embedded.Options{}, "no store directory"},
		{"cluster member without a client listener", embedded.Options{StoreDir: "d", Name: "a", Cluster: cluster(embedded.Cluster{Name: "c", Listen: "127.0.0.1:6222", Routes: routes})}, "needs a client listener"},
		{"cluster", embedded.Options{StoreDir: "d", Name: "a", Listen: "127.0.0.1:4222", Cluster: cluster(embedded.Cluster{Name: "c", Listen: "127.0.0.1:6222", Routes: routes})}, ""},
		{"cluster without a name", embedded.Options{StoreDir: "d", Name: "a", Listen: "127.0.0.1:4222", Cluster: cluster(embedded.Cluster{Listen: "127.0.0.1:6222", Routes: routes})}, "cluster has no name"},
		{"cluster member without a name", embedded.Options{StoreDir: "d", Listen: "127.0.0.1:4222", Cluster: cluster(embedded.Cluster{Name: "c", Listen: "127.0.0.1:6222", Routes: routes})}, "needs a name of its own"},
		{"cluster on every interface by omission", embedded.Options{StoreDir: "d", Name: "a", Listen: "127.0.0.1:4222", Cluster: cluster(embedded.Cluster{Name: "c", Listen: ":6222", Routes: routes})}, "cluster listen \":6222\": no host"},
		{"cluster without routes", embedded.Options{StoreDir: "d", Name: "a", Listen: "127.0.0.1:4222", Cluster: cluster(embedded.Cluster{Name: "c", Listen: "127.0.0.1:6222"})}, "no routes"},
		{"route without a port", embedded.Options{StoreDir: "d", Name: "a", Listen: "127.0.0.1:4222", Cluster: cluster(embedded.Cluster{Name: "c", Listen: "127.0.0.1:6222", Routes: []string{"nats-route://b"}})}, "want nats-route://HOST:PORT"},
		{"route of another scheme", embedded.Options{StoreDir: "d", Name: "a", Listen: "127.0.0.1:4222", Cluster: cluster(embedded.Cluster{Name: "c", Listen: "127.0.0.1:6222", Routes: []string{"http://b:6222"}})}, "want nats-route://HOST:PORT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.o.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Validate: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("Validate = %v, want an error with %q", err, tt.want)
			}
		})
	}
	if err := (embedded.Options{StoreDir: "d", Listen: ":4222"}).Validate(); !errors.Is(err, embedded.ErrAllInterfaces) {
		t.Errorf("Validate(:4222) = %v, want ErrAllInterfaces", err)
	}
}

// TestListen shows where the embedded server can be reached: nowhere on the
// network unless Listen says so, and then on the interface it names.
func TestListen(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		listen   string
		loopback bool // the listener is bound to loopback only
	}{
		{"no listener", "", false},
		{"loopback, a free port", "127.0.0.1:0", true},
		{"localhost, a free port", "localhost:0", true},
		{"every interface, deliberately", "0.0.0.0:0", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := embedded.Start(ctx, embedded.Options{StoreDir: t.TempDir(), Listen: tt.listen})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Shutdown()
			addr, _ := s.Raw().Addr().(*net.TCPAddr)
			if tt.listen == "" {
				if s.ClientURL() != "" || addr != nil {
					t.Fatalf("a server told not to listen listens at %q (%v)", s.ClientURL(), addr)
				}
				return
			}
			if addr == nil {
				t.Fatal("no listener")
			}
			if addr.Port == 4222 {
				t.Errorf("port 0 took the default port 4222, not a free one")
			}
			if got := addr.IP.IsLoopback(); got != tt.loopback {
				t.Errorf("listener on %v: loopback %v, want %v", addr, got, tt.loopback)
			}
			if tt.loopback {
				// Reachable over the network from this machine.
				nc, err := nats.Connect(s.ClientURL())
				if err != nil {
					t.Fatalf("connect to %s: %v", s.ClientURL(), err)
				}
				nc.Close()
			}
		})
	}
}

func TestStartFailsFastOnAPortInUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	start := time.Now()
	_, err = embedded.Start(context.Background(), embedded.Options{StoreDir: t.TempDir(), Listen: l.Addr().String()})
	if err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("Start on a port in use: %v, want an error saying the address is in use", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Start took %s to fail; it should say at once", d)
	}
}

func TestStoreLock(t *testing.T) {
	dir := t.TempDir()
	s := natstest.StartIn(t, dir)
	if _, err := embedded.Start(context.Background(), embedded.Options{StoreDir: dir}); !errors.Is(err, embedded.ErrStoreInUse) {
		t.Fatalf("second server on one store: %v, want ErrStoreInUse", err)
	}
	s.Shutdown()
	again, err := embedded.Start(context.Background(), embedded.Options{StoreDir: dir})
	if err != nil {
		t.Fatalf("after the first stopped: %v", err)
	}
	again.Shutdown()
}

// TestCluster shows the Cluster options make a JetStream cluster: three
// servers on loopback that keep a stream of three replicas.
func TestCluster(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := natstest.StartCluster(t, 3)
	for i := range c.Len() {
		if u := c.Server(i).ClusterURL(); !strings.HasPrefix(u, "nats-route://127.0.0.1:") {
			t.Errorf("server %d takes routes at %q, want loopback", i, u)
		}
	}
	js, err := jetstream.New(c.Connect(t))
	if err != nil {
		t.Fatal(err)
	}
	st, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "R3", Subjects: []string{"r3.>"}, Replicas: 3, Storage: jetstream.FileStorage})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctx, "r3.x", []byte("x")); err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Cluster == nil || info.Cluster.Leader == "" || len(info.Cluster.Replicas) != 2 {
		t.Fatalf("stream cluster info %+v: want a leader and two replicas", info.Cluster)
	}
}

// TestClusterPortZero shows a cluster listener on port 0 takes a free port,
// rather than leaving routing off.
func TestClusterPortZero(t *testing.T) {
	s, err := embedded.Start(context.Background(), embedded.Options{
		StoreDir: t.TempDir(), Name: "solo", Listen: "127.0.0.1:0",
		Cluster: &embedded.Cluster{Name: "c", Listen: "127.0.0.1:0", Routes: []string{"nats-route://127.0.0.1:1"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown()
	if s.ClusterURL() == "" {
		t.Fatal("no route listener")
	}
}
