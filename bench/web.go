package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/commands"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
	"github.com/summit-model/summit/web"
)

// webPages is how many board pages the web figure keeps open.
const webPages = 100

// webLive times, with a live projection and the web board serving
// webPages open pages (each an SSE stream of main's changes, as a board
// page holds one), how long after a command begins the first page has
// its change, and the last of them; and the live lag (to a key-value
// watcher) with the pages open, which they must not slow.
func (r *run) webLive(ctx context.Context) error {
	stop, err := r.live(ctx)
	defer stop()
	if err != nil {
		return err
	}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()

	board, err := web.New(r.log, r.store, web.Options{})
	if err != nil {
		return err
	}
	defer board.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: board, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	defer hs.Close()
	pages := make([]chan change, webPages)
	for i := range pages {
		if pages[i], err = openPage(rctx, "http://"+ln.Addr().String()+"/api/events"); err != nil {
			return fmt.Errorf("page %d: %w", i, err)
		}
	}

	w, err := r.store.Meetings().Watch(ctx, events.Main+".*", jetstream.UpdatesOnly())
	if err != nil {
		return err
	}
	defer w.Stop()
	handler := commands.NewHandler(r.log, eventlog.Main())
	ids := r.sampleMeetings(20)
	samples := min(r.o.Samples, 300)
	var first, last, kv latencies
	for i := range samples + len(ids) {
		id := ids[i%len(ids)]
		t0 := time.Now()
		res, err := handler.Handle(ctx, r.statement(id, 50_000+i), commands.Meta{})
		if err != nil {
			return err
		}
		if err := seen(w, projections.Key(events.Main, id), res.Seq); err != nil {
			return err
		}
		dkv := time.Since(t0)
		var firstAt, lastAt time.Time
		for p, page := range pages {
			at, err := pageSees(page, res.Seq)
			if err != nil {
				return fmt.Errorf("page %d: %w", p, err)
			}
			if firstAt.IsZero() || at.Before(firstAt) {
				firstAt = at
			}
			if at.After(lastAt) {
				lastAt = at
			}
		}
		if i >= len(ids) { // the first round warms the handler
			first, last, kv = append(first, firstAt.Sub(t0)), append(last, lastAt.Sub(t0)), append(kv, dkv)
		}
	}
	f := figure(first.ms(50), 0, "ms",
		fmt.Sprintf("ours: from the start of a command (Handler.Handle) on a warm meeting until the first of %d open board pages (SSE streams of /api/events) has the change, with a live projections.Runner; last_page: until the last of them has it; live_lag_with_pages: until a KV watcher sees the view, with the pages open", webPages))
	f.P50, f.P99 = ptr(first.ms(50)), ptr(first.ms(99))
	f.Extra = map[string]float64{"samples": float64(len(first)), "pages": webPages,
		"last_page_p50": last.ms(50), "last_page_p99": last.ms(99),
		"live_lag_with_pages_p50": kv.ms(50), "live_lag_with_pages_p99": kv.ms(99)}
	r.rep.Figures["web_live"] = f
	return nil
}

// change is a change an open page got: the sequence of the view it shows,
// and when it came.
type change struct {
	seq uint64
	at  time.Time
}

// openPage opens an SSE stream of the web board at url, waits until it is
// live, and returns a channel of each change it gets.
func openPage(ctx context.Context, url string) (chan change, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	seqs := make(chan change, 4096)
	live := make(chan struct{})
	go func() {
		defer resp.Body.Close()
		defer close(seqs)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			at := time.Now()
			data, ok := strings.CutPrefix(sc.Text(), "data: ")
			if !ok {
				continue
			}
			var l projections.WatchLine
			if json.Unmarshal([]byte(data), &l) != nil {
				continue
			}
			switch l.Type {
			case "live":
				close(live)
			case "change":
				seqs <- change{l.Seq, at}
			}
		}
	}()
	select {
	case <-live:
		return seqs, nil
	case <-time.After(30 * time.Second):
		return nil, errors.New("not live after 30s")
	}
}

// pageSees waits until page has a change at seq or later, and returns
// when the page got it.
func pageSees(page chan change, seq uint64) (time.Time, error) {
	timeout := time.After(10 * time.Second)
	for {
		select {
		case c, ok := <-page:
			if !ok {
				return time.Time{}, errors.New("the event stream ended")
			}
			if c.seq >= seq {
				return c.at, nil
			}
		case <-timeout:
			return time.Time{}, fmt.Errorf("no change at seq %d or later 10s after the command", seq)
		}
	}
}
