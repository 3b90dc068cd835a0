package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/summit-model/summit/projections"
)

const watchHelp = `
Usage: summit watch [MEETING...] [--branch NAME] [--known-at DATE] [--json]

Follow the meeting-status projection: print the current state of every
meeting (or of the meetings named), then one line for each change as it
happens: the meeting, what changed (old -> new status, a precondition met, a
new claim, ...) and what caused it. Each change is judged as of its cause's
date, so a proposal is never overdue the moment it is made; when the story
passes a meeting's deadline, the watch says so once, with the deadline as
the cause. Ctrl-C ends it.

The projection is a plain JetStream key-value bucket, summit-meetings, one
key per BRANCH.MEETING holding the meeting's JSON: any NATS client can watch
it the same way (see the README). If no "summit serve" keeps the projection
live, watch keeps it live itself while it runs. With --known-at DATE, the
current state printed first is what could be known on that date.

It survives a restart of the server: it says "server gone, reconnecting",
watches again from the last revision it saw, and no change is lost or shown
twice. A deleted branch ends the watch.

Output: one line per change; with --json, one JSON object per line:
{"type": "state" or "change", "branch", "meeting", "as_of", "seq",
"changes": [{"what", "from", "to"}], "cause": {the event}, "status",
"overdue", "readiness", "claims", "view"}, and {"type": "live", "meetings":
N} between the current state and the first change.

Exit status: 0 when ended by Ctrl-C; 2 a bad flag, meeting or branch; 3 the
store failed or the branch was deleted.

Examples:
  summit watch --server nats://127.0.0.1:4222
  summit watch budapest-summit --branch prep-held --json --server nats://127.0.0.1:4222
`

// runWatch watches until ctx ends.
func runWatch(ctx context.Context, e env, args []string) error {
	fl := newFlags("watch", watchHelp, e)
	var f readFlags
	f.register(fl, e, readBranch|readKnownAt|readJSON)
	meetings, err := fl.parse(args)
	if err != nil {
		return err
	}
	if err := checkNames("MEETING", meetings...); err != nil {
		return err
	}
	s, q, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	o := projections.WatchOptions{Meetings: meetings, KeepLive: true, Runner: f.runner(), Logger: f.logger(), Now: e.clock()}
	o.Notice = func(msg string) { fmt.Fprintln(e.stderr, "summit watch: "+msg) }
	if !q.KnownAt.IsZero() {
		if o.Initial, err = initialKnown(ctx, s, q); err != nil {
			return err
		}
	}
	out := watchPrinter{w: e.stdout, json: f.json}
	err = projections.Watch(ctx, s.log, s.views, q.Branch, o, out.print)
	if errors.Is(err, projections.ErrUnknownMeeting) {
		return badInput(err)
	}
	return err
}

// initialKnown returns the board as known on q's date, to start a watch
// from.
func initialKnown(ctx context.Context, s *store, q projections.Query) ([]projections.View, error) {
	b, err := projections.FoldView(ctx, s.log, q)
	if err != nil {
		return nil, err
	}
	return b.Meetings, nil
}

// watchPrinter prints the lines of a watch.
type watchPrinter struct {
	w    io.Writer
	json bool
}

func (p watchPrinter) print(l projections.WatchLine) error {
	if p.json {
		b, err := json.Marshal(l)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(p.w, "%s\n", b)
		return err
	}
	switch l.Type {
	case "live":
		_, err := fmt.Fprintf(p.w, "-- %s on %s as of %s; following changes (Ctrl-C to stop)\n", plural(l.Meetings, "meeting"), l.Branch, l.AsOf)
		return err
	case "state":
		v := l.View
		var claims []string
		for _, c := range v.ClaimDetails {
			claims = append(claims, c.Speaker+" "+c.Status+" ("+c.At.String()+")")
		}
		overdue := ""
		if v.Overdue {
			overdue = " · overdue"
		}
		_, err := fmt.Fprintf(p.w, "%s %s: %s%s · readiness %s%s\n", l.Branch, l.Meeting, v.Status, overdue, v.Readiness, prefixed(" · claims: ", strings.Join(claims, ", ")))
		return err
	}
	var parts []string
	for _, c := range l.Changes {
		parts = append(parts, c.String())
	}
	_, err := fmt.Fprintf(p.w, "%s %s: %s%s\n", l.Branch, l.Meeting, strings.Join(parts, "; "), cause(l.Cause))
	return err
}

// cause describes what caused a change: "  <- 2025-10-21 statement.made
// by peskov · ntv.de", or "  <- the deadline of 2025-10-30 passed".
func cause(a *projections.Activity) string {
	switch {
	case a == nil:
		return ""
	case a.Kind == projections.KindDeadlinePassed:
		return "  <- the deadline of " + a.At.String() + " passed"
	}
	s := fmt.Sprintf("  <- %s %s%s", a.At, a.Kind, prefixed(" by ", a.By))
	if a.Meeting != "" {
		s += " of " + a.Meeting
	}
	if a.Late {
		s += " (reported late)"
	}
	return s + prefixed(" · ", a.Source)
}

func prefixed(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}
