package web

import (
	"bytes"
	"errors"
	"iter"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
)

// The JSON API. Each answer is the object the CLI prints for the same read
// with --json (or --csv), built by the same projections function.

// board reads the board r asks for.
func (s *Server) board(r *http.Request, q projections.Query) (projections.BoardView, error) {
	return projections.ReadBoard(r.Context(), s.log, s.store, q, s.o.Runner)
}

// apiBoard is "summit status --json" (or --csv).
func (s *Server) apiBoard(w http.ResponseWriter, r *http.Request) {
	f, err := format(r, true)
	if err != nil {
		writeError(w, err)
		return
	}
	q, err := s.query(r)
	if err != nil {
		writeError(w, err)
		return
	}
	b, err := s.board(r, q)
	if err != nil {
		writeError(w, err)
		return
	}
	if f == "csv" {
		writeCSV(w, "board.csv", func(buf *bytes.Buffer) error { return projections.WriteBoardCSV(buf, b) })
		return
	}
	writeJSON(w, b)
}

// meetingView reads one meeting's board entry: the board r asks for, with
// that meeting only; an unknown meeting is a 404 naming those there are.
func (s *Server) meetingView(r *http.Request, q projections.Query, id string) (projections.BoardView, error) {
	b, err := s.board(r, q)
	if err != nil {
		return b, err
	}
	var ids []string
	for _, v := range b.Meetings {
		if v.ID == id {
			b.Meetings = []projections.View{v}
			return b, nil
		}
		ids = append(ids, v.ID)
	}
	return b, notFound("meeting", projections.UnknownMeeting(id, b.Branch, b.AsOf, ids))
}

// meetingRead returns what a meeting's JSON route reads: the meeting id of
// the path, and the query of the parameters (which take no CSV).
func (s *Server) meetingRead(r *http.Request) (string, projections.Query, error) {
	id, err := meetingID(r)
	if err != nil {
		return "", projections.Query{}, err
	}
	q, err := s.query(r)
	if err != nil {
		return "", projections.Query{}, err
	}
	if _, err := format(r, false); err != nil {
		return "", projections.Query{}, err
	}
	return id, q, nil
}

// serveJSON writes what read returns as JSON, or its error.
func serveJSON[T any](w http.ResponseWriter, read func() (T, error)) {
	v, err := read()
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, v)
}

// apiMeeting is "summit status MEETING --json".
func (s *Server) apiMeeting(w http.ResponseWriter, r *http.Request) {
	serveJSON(w, func() (projections.BoardView, error) {
		id, q, err := s.meetingRead(r)
		if err != nil {
			return projections.BoardView{}, err
		}
		return s.meetingView(r, q, id)
	})
}

// apiExplain is "summit explain MEETING --json".
func (s *Server) apiExplain(w http.ResponseWriter, r *http.Request) {
	serveJSON(w, func() (projections.Explanation, error) {
		id, q, err := s.meetingRead(r)
		if err != nil {
			return projections.Explanation{}, err
		}
		return projections.Explain(r.Context(), s.log, q, id)
	})
}

// timeline reads the timeline r asks for: of the meeting parameter (or of
// the branch), with the declarations if all=true.
func (s *Server) timeline(r *http.Request, q projections.Query, meeting string) (projections.TimelineView, error) {
	var o projections.TimelineOptions
	if a := r.URL.Query().Get("all"); a != "" {
		all, err := strconv.ParseBool(a)
		if err != nil {
			return projections.TimelineView{}, badParam("all", errors.New("want true or false"))
		}
		o.Bookkeeping = all
	}
	return projections.Timeline(r.Context(), s.log, q, meeting, o)
}

// apiTimeline is "summit timeline [MEETING] --json" (or --csv).
func (s *Server) apiTimeline(w http.ResponseWriter, r *http.Request) {
	f, err := format(r, true)
	if err != nil {
		writeError(w, err)
		return
	}
	meeting := r.URL.Query().Get("meeting")
	if meeting != "" {
		if err := events.CheckName(meeting); err != nil {
			writeError(w, badParam("meeting", err))
			return
		}
	}
	q, err := s.query(r)
	if err != nil {
		writeError(w, err)
		return
	}
	t, err := s.timeline(r, q, meeting)
	if err != nil {
		writeError(w, err)
		return
	}
	if f == "csv" {
		writeCSV(w, "timeline.csv", func(buf *bytes.Buffer) error { return projections.WriteTimelineCSV(buf, t) })
		return
	}
	writeJSON(w, t)
}

// apiBranches is "summit branches --json".
func (s *Server) apiBranches(w http.ResponseWriter, r *http.Request) {
	if _, err := s.query(r); err != nil {
		writeError(w, err)
		return
	}
	if _, err := format(r, false); err != nil {
		writeError(w, err)
		return
	}
	list, err := projections.Branches(r.Context(), s.log)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, map[string]any{"branches": list})
}

// diff reads "summit diff BRANCH --against AGAINST": branch is required,
// against defaults to main.
func (s *Server) diff(r *http.Request) (projections.DiffView, error) {
	if r.URL.Query().Get("branch") == "" {
		return projections.DiffView{}, badParam("branch", errors.New("name the branch to compare with the record (branch=NAME)"))
	}
	q, err := s.query(r)
	if err != nil {
		return projections.DiffView{}, err
	}
	against := r.URL.Query().Get("against")
	if against == "" {
		against = events.Main
	}
	mine, err := s.board(r, q)
	if err != nil {
		return projections.DiffView{}, err
	}
	if q.Branch, err = s.branch(r.Context(), "against", against); err != nil {
		return projections.DiffView{}, err
	}
	theirs, err := s.board(r, q)
	if err != nil {
		return projections.DiffView{}, err
	}
	return projections.Diff(mine, theirs), nil
}

// apiDiff is "summit diff BRANCH [--against B] --json".
func (s *Server) apiDiff(w http.ResponseWriter, r *http.Request) {
	if _, err := format(r, false); err != nil {
		writeError(w, err)
		return
	}
	d, err := s.diff(r)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, d)
}

// datesOf returns the days of the events of branch, sorted: the stops of
// the board's slider. They are read once per branch and end of the log.
func (s *Server) datesOf(r *http.Request, q projections.Query) ([]string, error) {
	last, err := s.log.LastSeq(r.Context())
	if err != nil {
		return nil, err
	}
	key := q.Branch.Name + "@" + strconv.FormatUint(q.Branch.Gen, 10)
	s.datesMu.Lock()
	c, ok := s.dates[key]
	s.datesMu.Unlock()
	if ok && c.last == last {
		return c.days, nil
	}
	t, err := projections.Timeline(r.Context(), s.log, projections.Query{Branch: q.Branch, Now: q.Now}, "", projections.TimelineOptions{})
	if err != nil {
		return nil, err
	}
	days := []string{}
	for _, e := range t.Events {
		d := e.At.String()
		if len(d) > 10 {
			d = d[:10]
		}
		if n := len(days); n == 0 || days[n-1] != d {
			days = append(days, d)
		}
	}
	slices.Sort(days)
	days = slices.Compact(days)
	s.datesMu.Lock()
	s.dates[key] = datesCache{last: last, days: days}
	s.datesMu.Unlock()
	return days, nil
}

// apiDates is the days the branch's story has events on: {"branch",
// "dates": ["2025-10-16", ...]}, for the board's slider.
func (s *Server) apiDates(w http.ResponseWriter, r *http.Request) {
	q, err := s.query(r)
	if err != nil {
		writeError(w, err)
		return
	}
	days, err := s.datesOf(r, q)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, map[string]any{"branch": q.Branch.Name, "dates": days})
}

// datesCache is the days of a branch's events as of the log's end.
type datesCache struct {
	last uint64
	days []string
}

// writeCSV answers the CSV write makes; a failure before anything is sent
// is still a JSON error.
func writeCSV(w http.ResponseWriter, name string, write func(*bytes.Buffer) error) {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `inline; filename="`+name+`"`)
	w.Write(buf.Bytes())
}

// splitComma yields the media types of an Accept header, without their
// parameters.
func splitComma(s string) iter.Seq[string] {
	return func(yield func(string) bool) {
		for part := range strings.SplitSeq(s, ",") {
			part, _, _ = strings.Cut(part, ";")
			if !yield(strings.TrimSpace(part)) {
				return
			}
		}
	}
}
