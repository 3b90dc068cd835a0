package web_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
)

// get fetches path from the test server, with an Accept header if not "".
func get(t *testing.T, base, path, accept string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// jsonOf is v as the CLI prints it with --json (and as the API answers).
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func date(s string) events.Time {
	t, err := events.ParseTime(s)
	if err != nil {
		panic(err)
	}
	return t
}

// The API answers each read with the object the CLI's --json (or --csv)
// prints for it, made by the same projections function.
func TestAPIIsTheCLI(t *testing.T) {
	r := newRig(t)
	_, hs := r.serve()
	ctx := context.Background()
	prep, err := r.log.Branch(ctx, "prep-held")
	if err != nil {
		t.Fatal(err)
	}
	q := func(branch eventlog.Branch, asOf, knownAt string) projections.Query {
		q := projections.Query{Branch: branch, Now: now}
		if asOf != "" {
			q.AsOf = date(asOf)
		}
		if knownAt != "" {
			q.KnownAt = date(knownAt)
		}
		return q
	}
	board := func(q projections.Query) projections.BoardView {
		b, err := projections.ReadBoard(ctx, r.log, r.store, q, projections.RunnerOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	csvOf := func(write func(*bytes.Buffer) error) string {
		var buf bytes.Buffer
		if err := write(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	main := eventlog.Main()
	explain, err := projections.Explain(ctx, r.log, q(main, "2025-10-21", ""), "budapest-summit")
	if err != nil {
		t.Fatal(err)
	}
	timeline, err := projections.Timeline(ctx, r.log, q(main, "", ""), "budapest-summit", projections.TimelineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	all, err := projections.Timeline(ctx, r.log, q(prep, "2025-10-31", "2025-10-31"), "", projections.TimelineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	branches, err := projections.Branches(ctx, r.log)
	if err != nil {
		t.Fatal(err)
	}
	one := board(q(main, "2025-10-21", ""))
	for _, v := range one.Meetings {
		if v.ID == "budapest-summit" {
			one.Meetings = []projections.View{v}
		}
	}
	tests := []struct {
		path, accept string
		ctype        string
		want         string
	}{
		{"/api/board", "", "application/json", jsonOf(t, board(q(main, "", "")))},
		{"/api/board?as_of=2025-10-21", "", "application/json", jsonOf(t, board(q(main, "2025-10-21", "")))},
		{"/api/board?as_of=2025-10-21&known_at=2025-10-21&branch=prep-held", "", "application/json", jsonOf(t, board(q(prep, "2025-10-21", "2025-10-21")))},
		{"/api/meetings/budapest-summit?as_of=2025-10-21", "", "application/json", jsonOf(t, one)},
		{"/api/meetings/budapest-summit/explain?as_of=2025-10-21", "", "application/json", jsonOf(t, explain)},
		{"/api/timeline?meeting=budapest-summit", "", "application/json", jsonOf(t, timeline)},
		{"/api/timeline?branch=prep-held&as_of=2025-10-31&known_at=2025-10-31", "", "application/json", jsonOf(t, all)},
		{"/api/branches", "", "application/json", jsonOf(t, map[string]any{"branches": branches})},
		{"/api/diff?branch=prep-held&as_of=2025-10-31", "", "application/json", jsonOf(t, projections.Diff(board(q(prep, "2025-10-31", "")), board(q(main, "2025-10-31", ""))))},
		{"/api/board?format=csv&as_of=2025-10-21", "", "text/csv", csvOf(func(b *bytes.Buffer) error { return projections.WriteBoardCSV(b, board(q(main, "2025-10-21", ""))) })},
		{"/api/board", "text/csv", "text/csv", csvOf(func(b *bytes.Buffer) error { return projections.WriteBoardCSV(b, board(q(main, "", ""))) })},
		{"/api/timeline?meeting=budapest-summit&format=csv", "", "text/csv", csvOf(func(b *bytes.Buffer) error { return projections.WriteTimelineCSV(b, timeline) })},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, body := get(t, hs.URL, tt.path, tt.accept)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tt.ctype) {
				t.Errorf("Content-Type %q, want %s", ct, tt.ctype)
			}
			if diff := cmp.Diff(tt.want, string(body)); diff != "" {
				t.Errorf("(-CLI +API):\n%s", diff)
			}
		})
	}
}

// A bad parameter is a 400 naming it, an unknown meeting or branch a 404,
// and nothing writes; each error is JSON.
func TestAPIErrors(t *testing.T) {
	r := newRig(t)
	_, hs := r.serve()
	tests := []struct {
		method, path string
		status       int
		param        string
	}{
		{"GET", "/api/board?as_of=2025-13-01", 400, "as_of"},
		{"GET", "/api/board?known_at=yesterday", 400, "known_at"},
		{"GET", "/api/board?timezone=Mars/Olympus", 400, "timezone"},
		{"GET", "/api/board?branch=no%20such", 400, "branch"},
		{"GET", "/api/board?branch=nope", 404, "branch"},
		{"GET", "/api/board?branch=prep-hled", 404, "branch"},
		{"GET", "/api/board?format=xml", 400, "format"},
		{"GET", "/api/meetings/nope", 404, "meeting"},
		{"GET", "/api/meetings/nope/explain", 404, "meeting"},
		{"GET", "/api/meetings/budapest-summit?format=csv", 400, "format"},
		{"GET", "/api/timeline?meeting=nope", 404, "meeting"},
		{"GET", "/api/timeline?all=maybe", 400, "all"},
		{"GET", "/api/diff", 400, "branch"},
		{"GET", "/api/diff?branch=prep-held&against=nope", 404, "against"},
		{"GET", "/api/events?as_of=2025-10-21", 400, "as_of"},
		{"GET", "/api/nothing", 404, ""},
		{"GET", "/meetings/nope", 404, ""},
		{"POST", "/api/board", 405, ""},
		{"DELETE", "/api/meetings/budapest-summit", 405, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, hs.URL+tt.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if strings.HasPrefix(tt.path, "/meetings/") {
				return // a page: its error is a page
			}
			var e struct {
				Status    int    `json:"status"`
				Error     string `json:"error"`
				Parameter string `json:"parameter"`
			}
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatalf("not a JSON error: %v: %s", err, body)
			}
			if e.Status != tt.status || e.Parameter != tt.param || e.Error == "" {
				t.Errorf("error %+v, want status %d naming %q", e, tt.status, tt.param)
			}
			if strings.Contains(tt.path, "prep-hled") && !strings.Contains(e.Error, `unknown branch "prep-hled", did you mean prep-held? (branches: main, prep-held)`) {
				t.Errorf("error %q: want it to guess prep-held among the branches there are", e.Error)
			}
		})
	}
}

// Text from events is escaped on every page, which carries a
// Content-Security-Policy that allows no inline script.
func TestPagesEscape(t *testing.T) {
	r := newRig(t)
	r.recordFile(eventlog.Main(), "xss.yaml", `
timeline:
  - at: 2025-10-23
    event: statement.made
    by: peskov
    about: budapest-summit
    stance: opposed
    claim: cancelled
    quote: "<script>alert('x')</script><img src=x onerror=alert(1)>"
`)
	_, hs := r.serve()
	for _, path := range []string{"/", "/meetings/budapest-summit", "/branches", "/meetings/budapest-summit?branch=prep-held&as_of=2025-10-31"} {
		resp, body := get(t, hs.URL, path, "")
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d: %s", path, resp.StatusCode, body)
		}
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: Content-Security-Policy %q", path, csp)
		}
		if bytes.Contains(body, []byte("<script>alert")) || bytes.Contains(body, []byte("<img src=x")) {
			t.Errorf("%s: a quote from an event is in the page as markup", path)
		}
	}
	_, body := get(t, hs.URL, "/meetings/budapest-summit", "")
	if !bytes.Contains(body, []byte("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;")) {
		t.Errorf("the quote is not on the meeting page as text")
	}
	// The picture holds one mark per event of the meeting's timeline.
	tl, err := projections.Timeline(context.Background(), r.log, projections.Query{Now: now}, "budapest-summit", projections.TimelineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := bytes.Count(body, []byte(`<g class="mark"`)); got != len(tl.Events) {
		t.Errorf("the picture has %d marks, want one per event: %d", got, len(tl.Events))
	}
}

// /api/events sends the current state, "live", then each change as it
// happens, as summit watch --json prints it.
func TestEvents(t *testing.T) {
	r := newRig(t)
	_, hs := r.serve()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, hs.URL+"/api/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	lines := make(chan projections.WatchLine)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			data, ok := strings.CutPrefix(sc.Text(), "data: ")
			if !ok {
				continue
			}
			var l projections.WatchLine
			if err := json.Unmarshal([]byte(data), &l); err != nil {
				t.Errorf("%v: %s", err, data)
				return
			}
			select {
			case lines <- l:
			case <-ctx.Done():
				return
			}
		}
	}()
	next := func() projections.WatchLine {
		select {
		case l := <-lines:
			return l
		case <-ctx.Done():
			t.Fatal("no line before the deadline")
		}
		return projections.WatchLine{}
	}
	states := 0
	for l := next(); l.Type != "live"; l = next() {
		if l.Type != "state" {
			t.Fatalf("before live: a %q line", l.Type)
		}
		states++
	}
	if states == 0 {
		t.Fatal("no current state before live")
	}
	r.recordFile(eventlog.Main(), "cancel.yaml", `
timeline:
  - at: 2025-10-31
    event: meeting.cancelled
    meeting: budapest-summit
    by: trump
    reason: a waste of time
`)
	for {
		l := next()
		if l.Type == "change" && l.Meeting == "budapest-summit" && l.Status == "cancelled" {
			if l.Cause == nil || l.Cause.Kind != "meeting.cancelled" {
				t.Errorf("cause %+v", l.Cause)
			}
			return
		}
	}
}

// /api/dates lists the days of the branch's events, for the slider.
func TestDates(t *testing.T) {
	r := newRig(t)
	_, hs := r.serve()
	resp, body := get(t, hs.URL, "/api/dates?branch=prep-held", "")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var d struct {
		Branch string   `json:"branch"`
		Dates  []string `json:"dates"`
	}
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatal(err)
	}
	if d.Branch != "prep-held" || !slices.IsSorted(d.Dates) || !slices.Contains(d.Dates, "2025-10-21") || !slices.Contains(d.Dates, "2025-10-25") {
		t.Errorf("dates %+v", d)
	}
}
