package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
)

// Options configure a [Server].
type Options struct {
	// Logger receives the server's log; default: discarded.
	Logger *slog.Logger
	// Now is the clock of plain reads ("today"); default time.Now.
	Now func() time.Time
	// Runner configures the catch-up a plain read makes when no process
	// keeps a branch's projection live.
	Runner projections.RunnerOptions
	// KeepLive makes the live watch of a branch keep its projection live
	// itself, when no "summit serve" does (summit web against a
	// deployment without one).
	KeepLive bool
}

// Server is the web board over a store: the record (log) and the
// projections (store). It is an [http.Handler]; [Server.Close] stops the
// live watches it started.
type Server struct {
	log   *eventlog.Log
	store *projections.Store
	o     Options
	mux   *http.ServeMux
	live  *hub
	pages *pages

	datesMu sync.Mutex
	dates   map[string]datesCache
}

// New returns the web board over log and store.
func New(log *eventlog.Log, store *projections.Store, o Options) (*Server, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Runner.Logger == nil {
		o.Runner.Logger = o.Logger
	}
	p, err := newPages()
	if err != nil {
		return nil, err
	}
	s := &Server{log: log, store: store, o: o, mux: http.NewServeMux(), pages: p, dates: map[string]datesCache{}}
	s.live = newHub(s)
	s.routes()
	return s, nil
}

// Close stops the live watches and ends every open event stream.
func (s *Server) Close() { s.live.close() }

func (s *Server) routes() {
	s.mux.HandleFunc("GET /{$}", s.boardPage)
	s.mux.HandleFunc("GET /meetings/{id}", s.meetingPage)
	s.mux.HandleFunc("GET /branches", s.branchesPage)
	s.mux.Handle("GET /assets/", assetHandler())
	s.mux.HandleFunc("GET /api/board", s.apiBoard)
	s.mux.HandleFunc("GET /api/meetings/{id}", s.apiMeeting)
	s.mux.HandleFunc("GET /api/meetings/{id}/explain", s.apiExplain)
	s.mux.HandleFunc("GET /api/meetings/{id}/timeline.svg", s.apiPicture)
	s.mux.HandleFunc("GET /api/timeline", s.apiTimeline)
	s.mux.HandleFunc("GET /api/branches", s.apiBranches)
	s.mux.HandleFunc("GET /api/diff", s.apiDiff)
	s.mux.HandleFunc("GET /api/events", s.apiEvents)
	s.mux.HandleFunc("GET /api/dates", s.apiDates)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, &apiError{Status: http.StatusMethodNotAllowed, Message: "read-only: " + r.Method + " is not allowed"})
			return
		}
		writeError(w, &apiError{Status: http.StatusNotFound, Message: "no such page: " + r.URL.Path})
	})
}

// csp allows the server's own scripts, styles and images only: no inline
// script, no inline style attribute, nothing from elsewhere.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// ServeHTTP serves the board's pages and API, with the security headers on
// every answer.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		writeError(w, &apiError{Status: http.StatusMethodNotAllowed, Message: "read-only: " + r.Method + " is not allowed"})
		return
	}
	s.mux.ServeHTTP(w, r)
}

// apiError is an error as the API answers it: JSON {"error", "parameter"
// (when one parameter is at fault), "status"}.
type apiError struct {
	Status    int    `json:"status"`
	Message   string `json:"error"`
	Parameter string `json:"parameter,omitempty"`
}

func (e *apiError) Error() string { return e.Message }

// badParam is a 400 naming the parameter at fault.
func badParam(name string, err error) *apiError {
	return &apiError{Status: http.StatusBadRequest, Parameter: name, Message: fmt.Sprintf("%s: %v", name, err)}
}

// notFound is a 404 naming the parameter (or path part) at fault.
func notFound(name string, err error) *apiError {
	return &apiError{Status: http.StatusNotFound, Parameter: name, Message: err.Error()}
}

// writeError answers err as JSON: an *apiError with its status, an
// unknown meeting or branch 404, anything else 500 (the store failed) or
// 503 (the store is unreachable).
func writeError(w http.ResponseWriter, err error) {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
	case errors.Is(err, projections.ErrUnknownMeeting):
		ae = notFound("meeting", err)
	case errors.Is(err, eventlog.ErrUnknownBranch):
		ae = notFound("branch", err)
	case errors.Is(err, eventlog.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		ae = &apiError{Status: http.StatusServiceUnavailable, Message: err.Error()}
	default:
		ae = &apiError{Status: http.StatusInternalServerError, Message: err.Error()}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Del("Content-Disposition")
	w.WriteHeader(ae.Status)
	json.NewEncoder(w).Encode(ae)
}

// writeJSON answers v as indented JSON, as the CLI prints it.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// query reads the parameters every read takes: branch (default main),
// as_of and known_at (dates, or date-times with a zone), and timezone (the
// IANA zone whose days the dates name, default UTC). A bad one is a 400
// naming it; an unknown branch a 404.
func (s *Server) query(r *http.Request) (projections.Query, error) {
	q := projections.Query{Now: s.o.Now()}
	v := r.URL.Query()
	loc, err := events.Location(v.Get("timezone"))
	if err != nil {
		return q, badParam("timezone", err)
	}
	for _, p := range []struct {
		name string
		to   *events.Time
	}{{"as_of", &q.AsOf}, {"known_at", &q.KnownAt}} {
		raw := v.Get(p.name)
		if raw == "" {
			continue
		}
		t, err := events.ParseTimeIn(raw, loc)
		if err != nil {
			return q, badParam(p.name, err)
		}
		*p.to = t
	}
	name := v.Get("branch")
	if name == "" {
		name = events.Main
	}
	if q.Branch, err = s.branch(r.Context(), "branch", name); err != nil {
		return q, err
	}
	return q, nil
}

// branch returns the branch name names: a bad name is a 400, an unknown
// branch a 404, both naming param.
func (s *Server) branch(ctx context.Context, param, name string) (eventlog.Branch, error) {
	if err := events.CheckName(name); err != nil {
		return eventlog.Branch{}, badParam(param, err)
	}
	b, err := s.log.Branch(ctx, name)
	if errors.Is(err, eventlog.ErrUnknownBranch) {
		return b, notFound(param, s.log.WithBranches(ctx, name, err))
	}
	return b, err
}

// meetingID returns the {id} of the path, a 400 if it cannot be one.
func meetingID(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if err := events.CheckName(id); err != nil {
		return "", badParam("meeting", err)
	}
	return id, nil
}

// format returns how the answer is asked for: "csv" (format=csv, or
// Accept: text/csv) or "json"; csvOK says whether the route has CSV.
func format(r *http.Request, csvOK bool) (string, error) {
	f := r.URL.Query().Get("format")
	if f == "" {
		f = "json"
		if accepts(r, "text/csv") {
			f = "csv"
		}
	}
	switch {
	case f == "json":
		return f, nil
	case f == "csv" && csvOK:
		return f, nil
	case f == "csv":
		return "", badParam("format", errors.New("csv is served for /api/board and /api/timeline only"))
	}
	return "", badParam("format", fmt.Errorf("%q: want json or csv", f))
}

// accepts reports whether r's Accept header names mime.
func accepts(r *http.Request, mime string) bool {
	for _, a := range r.Header.Values("Accept") {
		for part := range splitComma(a) {
			if part == mime {
				return true
			}
		}
	}
	return false
}

// ServeListener serves h on ln until ctx ends, then shuts down, letting
// open requests (but not event streams, which h's owner ends) finish for
// up to 5 seconds. ready, if not nil, is called with the address listened
// on.
func ServeListener(ctx context.Context, ln net.Listener, h http.Handler, logger *slog.Logger, ready func(net.Addr)) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	if ready != nil {
		ready(ln.Addr())
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = srv.Close()
	}
	<-done
	return err
}
