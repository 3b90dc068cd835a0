package eventlog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/events"
)

func TestPubAck(t *testing.T) {
	status := func(code string) *nats.Msg {
		m := nats.NewMsg("_INBOX.x.1")
		m.Header.Set("Status", code)
		return m
	}
	data := func(s string) *nats.Msg { return &nats.Msg{Subject: "_INBOX.x.1", Data: []byte(s)} }
	tests := []struct {
		name    string
		m       *nats.Msg
		seq     uint64
		code    jetstream.ErrorCode // the API error's, when one
		errWant error
	}{
		{name: "stored", m: data(`{"stream":"SUMMIT","seq":12}`), seq: 12},
		{name: "stored, more fields after", m: data(`{"stream":"SUMMIT","seq":12,"domain":"hub"}`), seq: 12},
		{name: "stored, the sequence last", m: data(`{"stream":"seq","domain":"x","seq":7}`), seq: 7},
		{name: "a stale expected sequence", m: data(`{"error":{"code":400,"err_code":10071,"description":"wrong last sequence: 3"},"stream":"SUMMIT","seq":0}`), code: 10071},
		{name: "no responders", m: status("503"), errWant: jetstream.ErrNoStreamResponse},
		{name: "not JSON", m: data(`seq`), errWant: errAny},
		{name: "no sequence", m: data(`{"stream":"SUMMIT"}`), errWant: errAny},
		{name: "sequence 0", m: data(`{"stream":"SUMMIT","seq":0}`), errWant: errAny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seq, err := pubAck(tt.m)
			switch {
			case tt.code != 0:
				if apiCode(err) != tt.code {
					t.Fatalf("pubAck = %d, %v; want API error %d", seq, err, tt.code)
				}
			case tt.errWant == errAny:
				if err == nil {
					t.Fatalf("pubAck = %d, nil; want an error", seq)
				}
			case !errors.Is(err, tt.errWant) || seq != tt.seq:
				t.Fatalf("pubAck = %d, %v; want %d, %v", seq, err, tt.seq, tt.errWant)
			}
		})
	}
}

// errAny stands for any error in TestPubAck.
var errAny = errors.New("any error")

// TestAppendsSideBySide appends from several goroutines at once, each to
// a meeting of its own: whichever waiter reads an acknowledgement from the
// log's inbox hands it to its owner, so each append returns the sequence
// its own event landed at.
func TestAppendsSideBySide(t *testing.T) {
	ctx := context.Background()
	l := openLog(t)
	const writers, each = 8, 60
	var wg sync.WaitGroup
	got := make([][]uint64, writers)
	for w := range writers {
		wg.Go(func() {
			m := fmt.Sprintf("m%d", w)
			var expect uint64
			for v := uint64(1); v <= each; v++ {
				e := event(events.Main, m, v, 16, &events.StatementMade{About: m, Stance: events.StanceNoncommittal})
				if v == 1 {
					e = declare(events.Main, m, 16)
				}
				seq, err := l.Append(ctx, expect, e)
				if err != nil {
					t.Errorf("%s version %d: %v", m, v, err)
					return
				}
				got[w] = append(got[w], seq)
				expect = seq
			}
		})
	}
	wg.Wait()
	for w := range writers {
		h, err := l.Load(ctx, Main(), events.Meeting(fmt.Sprintf("m%d", w)))
		if err != nil {
			t.Fatal(err)
		}
		var want []uint64
		for _, r := range h.Records {
			want = append(want, r.Seq)
		}
		if !slices.Equal(got[w], want) {
			t.Errorf("m%d: appends returned %v, the events are at %v", w, got[w], want)
		}
	}
}

// TestAppendFailsWhenTheConnectionIsLost: an append waiting for its
// acknowledgement when the server stops fails at once, as one whose
// outcome is unknown, not after the log's timeout.
func TestAppendFailsWhenTheConnectionIsLost(t *testing.T) {
	ctx := context.Background()
	l, srv := silentLog(t, time.Minute)
	done := make(chan error, 1)
	sent := time.Now()
	go func() {
		_, err := l.Append(ctx, 0, declare(events.Main, "m2", 16))
		done <- err
	}()
	// Once the append waits, stop the server.
	deadline := time.Now().Add(10 * time.Second)
	for {
		l.acks.mu.Lock()
		n := len(l.acks.waiting)
		l.acks.mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the append never waited")
		}
		time.Sleep(time.Millisecond)
	}
	srv.Shutdown()
	select {
	case err := <-done:
		if !errors.Is(err, nats.ErrDisconnected) {
			t.Errorf("Append when the connection is lost: %v, want nats.ErrDisconnected", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("Append still waits %s after it was sent, with the server gone", time.Since(sent))
	}
}
