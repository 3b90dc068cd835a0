package natstest

import (
	"strings"
	"sync/atomic"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Gate passes a JetStream context's API requests on to the server, and
// swallows those a test chooses, as a server that stops after it took a
// request and before it answered: the client gets neither an answer nor
// "no responders". The server is real; the gate only relays.
type Gate struct {
	prefix string
	nc     *nats.Conn
	drop   atomic.Pointer[func(subject string) bool]
}

// NewGate relays the API requests sent under its own prefix on nc to the
// server's $JS.API, with their reply subjects, so that the server answers
// the requester itself (and delivers a pull request's messages to it).
func NewGate(tb testing.TB, nc *nats.Conn) *Gate {
	tb.Helper()
	g := &Gate{prefix: "gate." + nats.NewInbox()[len(nats.InboxPrefix):], nc: nc}
	sub, err := nc.Subscribe(g.prefix+".>", func(m *nats.Msg) {
		api := strings.TrimPrefix(m.Subject, g.prefix+".")
		if drop := g.drop.Load(); drop != nil && (*drop)(api) {
			return
		}
		_ = nc.PublishMsg(&nats.Msg{Subject: "$JS.API." + api, Reply: m.Reply, Header: m.Header, Data: m.Data})
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = sub.Unsubscribe() })
	return g
}

// JetStream returns a JetStream context on the gate's connection whose API
// requests pass through the gate.
func (g *Gate) JetStream(tb testing.TB) jetstream.JetStream {
	tb.Helper()
	js, err := jetstream.NewWithAPIPrefix(g.nc, g.prefix)
	if err != nil {
		tb.Fatal(err)
	}
	return js
}

// Drop swallows from now on the requests whose API subject (the part after
// $JS.API., as CONSUMER.INFO.STREAM.NAME) match reports; nil passes every
// request again.
func (g *Gate) Drop(match func(api string) bool) {
	if match == nil {
		g.drop.Store(nil)
		return
	}
	g.drop.Store(&match)
}
