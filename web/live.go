package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/projections"
)

// The live board: /api/events streams the lines of "summit watch --json"
// as Server-Sent Events, one event per line. However many pages are open,
// the process watches the meeting-status bucket once per branch watched
// (one [projections.Watch]) and fans its lines out to each page.
//
// A page that loses its stream (the server restarted, say) reconnects by
// itself (the browser's EventSource does, after the retry the stream
// names); it is sent the current state again, and compares it with what it
// showed to mark what changed while it was away.

// hub is the process's live watches: one feed per branch.
type hub struct {
	s      *Server
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	feeds  map[string]*feed
}

// feed is the live watch of one branch and the pages that follow it.
type feed struct {
	branch string
	ready  chan struct{} // closed once the watch is live, or ended
	mu     sync.Mutex
	subs   map[chan sseEvent]struct{}
	state  map[string]sseEvent // each meeting's latest state, encoded once for every page
	ended  bool
	err    error
}

// subscriberBuffer is how many lines a slow page may fall behind before it
// is dropped: it reconnects and is sent the current state again.
const subscriberBuffer = 256

func newHub(s *Server) *hub {
	ctx, cancel := context.WithCancel(context.Background())
	return &hub{s: s, ctx: ctx, cancel: cancel, feeds: map[string]*feed{}}
}

// close ends every feed and waits for their watches to stop.
func (h *hub) close() {
	h.cancel()
	h.wg.Wait()
}

// subscribe returns a channel of branch's live lines, the current state to
// send first, encoded (a "state" event per meeting, then "live"), and the
// function that ends the subscription. The channel closes when the feed ends.
func (h *hub) subscribe(ctx context.Context, branch eventlog.Branch) (<-chan sseEvent, []sseEvent, func(), error) {
	h.mu.Lock()
	f, ok := h.feeds[branch.Name]
	if !ok {
		if h.ctx.Err() != nil {
			h.mu.Unlock()
			return nil, nil, nil, &apiError{Status: http.StatusServiceUnavailable, Message: "the server is shutting down"}
		}
		f = &feed{branch: branch.Name, ready: make(chan struct{}), subs: map[chan sseEvent]struct{}{}, state: map[string]sseEvent{}}
		h.feeds[branch.Name] = f
		h.wg.Add(1)
		go h.run(f, branch)
	}
	h.mu.Unlock()
	select {
	case <-f.ready:
	case <-ctx.Done():
		return nil, nil, nil, ctx.Err()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ended {
		err := f.err
		if err == nil {
			err = fmt.Errorf("the live watch of branch %s ended", branch.Name)
		}
		return nil, nil, nil, err
	}
	ch := make(chan sseEvent, subscriberBuffer)
	f.subs[ch] = struct{}{}
	ids := make([]string, 0, len(f.state))
	for id := range f.state {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	initial := make([]sseEvent, 0, len(ids)+1)
	for _, id := range ids {
		initial = append(initial, f.state[id])
	}
	now := h.s.o.Now().UTC().Format("2006-01-02")
	live, err := encodeEvent(projections.WatchLine{Type: "live", Branch: branch.Name, Meetings: len(ids), AsOf: now})
	if err != nil {
		return nil, nil, nil, err
	}
	initial = append(initial, live)
	cancel := func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if _, ok := f.subs[ch]; ok {
			delete(f.subs, ch)
			close(ch)
		}
	}
	return ch, initial, cancel, nil
}

// run watches f's branch until the hub closes or the watch fails (the
// branch deleted, the connection closed), then ends f: its pages'
// streams close, and the next page to subscribe starts a new watch.
func (h *hub) run(f *feed, branch eventlog.Branch) {
	defer h.wg.Done()
	s := h.s
	o := projections.WatchOptions{KeepLive: s.o.KeepLive, Runner: s.o.Runner, Logger: s.o.Logger, Now: s.o.Now}
	o.Notice = func(msg string) { s.o.Logger.Info("live watch: "+msg, "branch", branch.Name) }
	// The current state is the projection's views: bring them up to the
	// end of the log first (Watch does so itself when it keeps them live).
	var err error
	if !o.KeepLive {
		err = projections.CatchUp(h.ctx, s.log, s.store, branch, s.o.Runner)
	}
	if err == nil {
		err = projections.Watch(h.ctx, s.log, s.store, branch, o, f.publish)
	}
	if err != nil {
		s.o.Logger.Warn("live watch ended", "branch", branch.Name, "err", err)
	}
	h.mu.Lock()
	if h.feeds[branch.Name] == f {
		delete(h.feeds, branch.Name)
	}
	h.mu.Unlock()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ended, f.err = true, err
	for ch := range f.subs {
		close(ch)
	}
	f.subs = nil
	select {
	case <-f.ready:
	default:
		close(f.ready)
	}
}

// publish keeps l as its meeting's latest state and sends it to every
// page; a page too far behind is dropped (its stream ends, and it
// reconnects).
func (f *feed) publish(l projections.WatchLine) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch l.Type {
	case "live":
		close(f.ready)
		return nil
	case "state", "change":
		st := l
		st.Type, st.Changes, st.Cause = "state", nil, nil
		ev, err := encodeEvent(st)
		if err != nil {
			return err
		}
		f.state[l.Meeting] = ev
	}
	if l.Type == "state" || len(f.subs) == 0 {
		return nil // the state is sent to each page when it subscribes
	}
	// One encoding for every page.
	ev, err := encodeEvent(l)
	if err != nil {
		return err
	}
	for ch := range f.subs {
		select {
		case ch <- ev:
		default:
			delete(f.subs, ch)
			close(ch)
		}
	}
	return nil
}

// heartbeat is how often an idle stream sends a comment, so that proxies
// and the browser keep it open, and a dead connection is found.
const heartbeat = 15 * time.Second

// apiEvents is "summit watch --json" as Server-Sent Events: the current
// state, "live", then each change, one event per line (data: the line's
// JSON; id: the stream sequence of the view it shows).
func (s *Server) apiEvents(w http.ResponseWriter, r *http.Request) {
	q, err := s.query(r)
	if err != nil {
		writeError(w, err)
		return
	}
	if !q.AsOf.IsZero() || !q.KnownAt.IsZero() {
		writeError(w, badParam(map[bool]string{true: "as_of", false: "known_at"}[!q.AsOf.IsZero()], fmt.Errorf("the live stream follows the board as it stands now: read a date with /api/board")))
		return
	}
	fl, ok := w.(http.Flusher)
	if !ok {
		writeError(w, fmt.Errorf("the connection cannot stream"))
		return
	}
	ch, initial, cancel, err := s.live.subscribe(r.Context(), q.Branch)
	if err != nil {
		writeError(w, err)
		return
	}
	defer cancel()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 1000\n\n")
	for _, ev := range initial {
		if _, err := w.Write(ev); err != nil {
			return
		}
	}
	fl.Flush()
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.live.ctx.Done():
			return
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": alive\n\n"); err != nil {
				return
			}
			fl.Flush()
		case ev, ok := <-ch:
			if !ok {
				return
			}
			if _, err := w.Write(ev); err != nil {
				return
			}
			// Send what is queued with it in one flush.
			for n := len(ch); n > 0; n-- {
				if _, err := w.Write(<-ch); err != nil {
					return
				}
			}
			fl.Flush()
		}
	}
}

// sseEvent is one Server-Sent Event, encoded.
type sseEvent []byte

// encodeEvent encodes l as one Server-Sent Event: its JSON as data, the
// sequence of the view it shows as id.
func encodeEvent(l projections.WatchLine) (sseEvent, error) {
	b, err := json.Marshal(l)
	if err != nil {
		return nil, err
	}
	var sb strings.Builder
	if l.Seq > 0 {
		fmt.Fprintf(&sb, "id: %d\n", l.Seq)
	}
	sb.WriteString("data: ")
	sb.Write(b)
	sb.WriteString("\n\n")
	return sseEvent(sb.String()), nil
}
