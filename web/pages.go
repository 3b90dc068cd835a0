package web

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
)

// The pages are html/template over templates/; their scripts and styles
// are the files in assets/, embedded, served under /assets/.

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// pages holds the parsed templates, one set per page.
type pages struct {
	board, meeting, branches, failed *template.Template
}

var funcs = template.FuncMap{
	"join": strings.Join,
	"link": func(path string, params ...string) string {
		v := url.Values{}
		for i := 0; i+1 < len(params); i += 2 {
			if params[i+1] != "" {
				v.Set(params[i], params[i+1])
			}
		}
		if len(v) == 0 {
			return path
		}
		return path + "?" + v.Encode()
	},
	"lower": strings.ToLower,
	// met and required read a readiness "1/2".
	"met": func(r string) string { m, _, _ := strings.Cut(r, "/"); return m },
	"required": func(r string) string {
		_, n, _ := strings.Cut(r, "/")
		if n == "" || n == "0" {
			return "1"
		}
		return n
	},
}

func newPages() (*pages, error) {
	parse := func(name string) (*template.Template, error) {
		return template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name)
	}
	var p pages
	var err error
	for _, t := range []struct {
		to   **template.Template
		name string
	}{{&p.board, "board.html"}, {&p.meeting, "meeting.html"}, {&p.branches, "branches.html"}, {&p.failed, "error.html"}} {
		if *t.to, err = parse(t.name); err != nil {
			return nil, err
		}
	}
	return &p, nil
}

// assetHandler serves the embedded scripts and styles.
func assetHandler() http.Handler {
	sub, err := fs.Sub(assetFS, "assets")
	if err != nil {
		panic(err) // the embedded tree has assets/: a build without it does not compile
	}
	files := http.FileServerFS(sub)
	return http.StripPrefix("/assets/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	}))
}

// page is what every page's layout shows: where it is, and the read it
// shows (the parameters as given, to keep in links).
type page struct {
	Title    string
	Nav      string
	Branch   string
	AsOf     string
	KnownAt  string
	Timezone string
	Branches []string
}

// render answers t with data, or the error page if it fails.
func (s *Server) render(w http.ResponseWriter, t *template.Template, data any) {
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		s.failed(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(buf.Bytes())
}

// failed answers a page's error as a page, with the API's status.
func (s *Server) failed(w http.ResponseWriter, err error) {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
	case errors.Is(err, projections.ErrUnknownMeeting):
		ae = notFound("meeting", err)
	case errors.Is(err, eventlog.ErrUnknownBranch):
		ae = notFound("branch", err)
	default:
		ae = &apiError{Status: http.StatusInternalServerError, Message: err.Error()}
	}
	var buf bytes.Buffer
	data := struct {
		page
		Status  int
		Text    string
		Message string
	}{page{Title: "error"}, ae.Status, http.StatusText(ae.Status), ae.Message}
	if terr := s.pages.failed.Execute(&buf, data); terr != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(ae.Status)
	w.Write(buf.Bytes())
}

// pageOf returns the layout's data for r, read as q.
func (s *Server) pageOf(r *http.Request, q projections.Query, title, nav string) (page, error) {
	v := r.URL.Query()
	p := page{Title: title, Nav: nav, Branch: q.Branch.Name, AsOf: v.Get("as_of"), KnownAt: v.Get("known_at"), Timezone: v.Get("timezone")}
	if p.Branch == "" {
		p.Branch = events.Main
	}
	var err error
	if p.Branches, err = s.log.BranchNames(r.Context()); err != nil {
		return p, err
	}
	return p, nil
}

// boardPage is the board: its cards are drawn by assets/board.js from
// /api/board, and kept live from /api/events.
func (s *Server) boardPage(w http.ResponseWriter, r *http.Request) {
	q, err := s.query(r)
	if err != nil {
		s.failed(w, err)
		return
	}
	p, err := s.pageOf(r, q, "Meeting board", "board")
	if err != nil {
		s.failed(w, err)
		return
	}
	s.render(w, s.pages.board, p)
}

// meetingPage is one meeting: its board entry, the timeline picture and
// its story (summit explain).
func (s *Server) meetingPage(w http.ResponseWriter, r *http.Request) {
	id, err := meetingID(r)
	if err != nil {
		s.failed(w, err)
		return
	}
	q, err := s.query(r)
	if err != nil {
		s.failed(w, err)
		return
	}
	x, err := projections.Explain(r.Context(), s.log, q, id)
	if err != nil {
		s.failed(w, err)
		return
	}
	t, err := projections.Timeline(r.Context(), s.log, q, id, projections.TimelineOptions{})
	if err != nil {
		s.failed(w, err)
		return
	}
	p, err := s.pageOf(r, q, x.View.Title, "meeting")
	if err != nil {
		s.failed(w, err)
		return
	}
	s.render(w, s.pages.meeting, struct {
		page
		X       projections.Explanation
		Picture template.HTML
		Events  int
	}{p, x, picture(x, t, q.Cutoff()), len(t.Events)})
}

// apiPicture is the meeting's timeline picture alone, as an SVG image.
func (s *Server) apiPicture(w http.ResponseWriter, r *http.Request) {
	id, err := meetingID(r)
	if err != nil {
		writeError(w, err)
		return
	}
	q, err := s.query(r)
	if err != nil {
		writeError(w, err)
		return
	}
	x, err := projections.Explain(r.Context(), s.log, q, id)
	if err != nil {
		writeError(w, err)
		return
	}
	t, err := projections.Timeline(r.Context(), s.log, q, id, projections.TimelineOptions{})
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n"))
	w.Write([]byte(picture(x, t, q.Cutoff())))
}

// branchesPage lists the branches, each with links to its board and its
// diff against the record.
func (s *Server) branchesPage(w http.ResponseWriter, r *http.Request) {
	q, err := s.query(r)
	if err != nil {
		s.failed(w, err)
		return
	}
	p, err := s.pageOf(r, q, "Branches", "branches")
	if err != nil {
		s.failed(w, err)
		return
	}
	list, err := projections.Branches(r.Context(), s.log)
	if err != nil {
		s.failed(w, err)
		return
	}
	s.render(w, s.pages.branches, struct {
		page
		List []projections.BranchInfo
	}{p, list})
}
