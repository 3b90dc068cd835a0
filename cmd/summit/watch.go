package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
)

const watchHelp = `
Usage: summit watch [MEETING...] [--branch NAME] [--json]

Follow the meeting-status projection: print the current state of every
meeting (or of the meetings named), then one line for each change as it
happens: the meeting, what changed (old -> new status, a precondition met, a
new claim, ...) and the event that caused it. Ctrl-C ends it.

The projection is a plain JetStream key-value bucket, summit-meetings, one
key per BRANCH.MEETING holding the meeting's JSON: any NATS client can watch
it the same way (see the README). If no "summit serve" keeps the projection
live, watch keeps it live itself while it runs.

It needs a store: usually --server URL of a running "summit serve". It
survives a restart of the server: it reconnects and goes on, with no change
lost or shown twice.

Output: one line per change; with --json, one JSON object per line:
{"type": "state" or "change", "branch", "meeting", "seq", "changes":
[{"what", "from", "to"}], "cause": {the event}, "status", "overdue",
"readiness", "claims"}, and {"type": "live", "meetings": N} between the
current state and the first change.

Exit status: 0 when ended by Ctrl-C; 2 a bad flag, meeting or branch; 3 the
store failed.

Examples:
  summit watch --server nats://127.0.0.1:4222
  summit watch budapest-summit --branch prep-held --json --server nats://127.0.0.1:4222
`

// watchCmd is "summit watch".
type watchCmd struct{ env }

// watchLine is one line of "summit watch --json".
type watchLine struct {
	Type      string                `json:"type"`
	Branch    string                `json:"branch"`
	Meeting   string                `json:"meeting"`
	Seq       uint64                `json:"seq"`
	Changes   []projections.Change  `json:"changes"`
	Cause     *projections.Activity `json:"cause,omitempty"`
	Status    string                `json:"status"`
	Overdue   bool                  `json:"overdue"`
	Readiness string                `json:"readiness"`
	Claims    map[string]string     `json:"claims"`
}

// Run watches until ctx ends.
func (c *watchCmd) Run(ctx context.Context, args []string) error {
	fl := newFlags("watch", watchHelp, c.stderr)
	var sf storeFlags
	sf.register(fl, false)
	branchName := fl.String("branch", events.Main, "watch branch `NAME` instead of the record")
	asJSON := fl.Bool("json", false, "print one JSON object per line")
	verbose := fl.Bool("v", false, "log the store's work to standard error")
	meetings, err := parse(fl, args)
	if err != nil {
		return err
	}
	for _, m := range meetings {
		if err := events.CheckName(m); err != nil {
			return badInputf("meeting: %w", err)
		}
	}
	rf := readFlags{verbose: *verbose}
	logger := rf.logger(c.stderr)
	s, err := sf.open(ctx, logger)
	if err != nil {
		return err
	}
	defer s.Close()
	branch, err := s.branch(ctx, *branchName)
	if err != nil {
		return err
	}

	// Keep the projection live while watching, unless summit serve does:
	// the runner waits for the lease while another process holds it.
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	runnerDone := make(chan error, 1)
	go func() {
		// A runner can stop on a passing failure (a cluster electing a
		// leader, say): start it again, as summit serve does.
		for {
			err := projections.NewRunner(s.log, s.board, branch, projections.RunnerOptions{Logger: logger}).Run(wctx)
			if err == nil || wctx.Err() != nil {
				runnerDone <- err
				return
			}
			logger.Warn("the projection stopped; starting it again", "err", err)
			select {
			case <-wctx.Done():
				runnerDone <- nil
				return
			case <-time.After(time.Second):
			}
		}
	}()
	defer func() { cancel(); <-runnerDone }()

	keys := []string{branch.Name + ".*"}
	if len(meetings) > 0 {
		keys = keys[:0]
		for _, m := range meetings {
			keys = append(keys, projections.Key(branch.Name, m))
		}
	}
	// (WatchFiltered prefixes the keys it is given in place: it gets a
	// copy.) A reconnection (the server restarted, say) is the moment to watch
	// again from the last revision seen, rather than wait for the
	// watcher's heartbeats to notice the gap.
	reconnected := make(chan struct{}, 1)
	s.nc.SetReconnectHandler(func(*nats.Conn) {
		select {
		case reconnected <- struct{}{}:
		default:
		}
	})
	w, err := s.board.Meetings().WatchFiltered(wctx, slices.Clone(keys))
	if err != nil {
		return fmt.Errorf("watch %s: %w", projections.MeetingBucket, err)
	}
	defer func() { w.Stop() }()
	out := watchPrinter{w: c.stdout, json: *asJSON, branch: branch.Name, seen: map[string]*projections.View{}}
	var initial []*projections.View
	var revision uint64
	live := false
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-runnerDone:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("keeping the projection live: %w", err)
		case <-reconnected:
			if !live {
				continue
			}
			nw, err := s.board.Meetings().WatchFiltered(wctx, slices.Clone(keys), jetstream.IncludeHistory(), jetstream.ResumeFromRevision(revision+1))
			if err != nil {
				logger.Warn("watch again after reconnecting", "err", err)
				continue // the old watcher recovers by itself
			}
			logger.Info("reconnected: watching again", "from_revision", revision+1)
			w.Stop()
			w = nw
		case e, ok := <-w.Updates():
			if !ok {
				if ctx.Err() != nil {
					return nil
				}
				return errors.New("the watch ended: the connection closed")
			}
			if e == nil {
				if live {
					continue // the end of what a new watcher caught up on
				}
				// The current state is in: print it, then follow.
				slices.SortFunc(initial, func(a, b *projections.View) int { return strings.Compare(a.ID, b.ID) })
				for _, v := range initial {
					out.state(v)
				}
				out.following(len(initial))
				live = true
				continue
			}
			revision = max(revision, e.Revision())
			if e.Operation() != jetstream.KeyValuePut {
				continue
			}
			var v projections.View
			if err := json.Unmarshal(e.Value(), &v); err != nil {
				return fmt.Errorf("view %s: %w", e.Key(), err)
			}
			if !live {
				initial = append(initial, &v)
				out.seen[v.ID] = &v
				continue
			}
			out.change(&v)
		}
	}
}

// watchPrinter prints what watch sees, keeping the last view of each meeting
// to tell what changed.
type watchPrinter struct {
	w      io.Writer
	json   bool
	branch string
	seen   map[string]*projections.View
}

func (p *watchPrinter) state(v *projections.View) {
	if p.json {
		p.emit("state", v, projections.Changes(nil, v))
		return
	}
	var claims []string
	for _, c := range v.ClaimDetails {
		claims = append(claims, c.Speaker+" "+c.Status)
	}
	overdue := ""
	if v.Overdue {
		overdue = " · overdue"
	}
	fmt.Fprintf(p.w, "%s %s: %s%s · readiness %s%s\n", p.branch, v.ID, v.Status, overdue, v.Readiness, prefixed(" · claims: ", strings.Join(claims, ", ")))
}

// following marks the end of the current state: what follows are changes.
// In JSON, {"type": "live", "branch", "meetings": N}.
func (p *watchPrinter) following(n int) {
	if p.json {
		b, _ := json.Marshal(map[string]any{"type": "live", "branch": p.branch, "meetings": n})
		fmt.Fprintf(p.w, "%s\n", b)
		return
	}
	fmt.Fprintf(p.w, "-- %d meetings on %s; following changes (Ctrl-C to stop)\n", n, p.branch)
}

// change prints what changed in v since the last view of its meeting, if
// anything did. A view written again with nothing new (a projection
// resuming after a restart rewrites what it had) prints nothing: no change
// is shown twice.
func (p *watchPrinter) change(v *projections.View) {
	old := p.seen[v.ID]
	if old != nil && v.Seq < old.Seq {
		return
	}
	p.seen[v.ID] = v
	changes := projections.Changes(old, v)
	if len(changes) == 0 {
		return
	}
	if p.json {
		p.emit("change", v, changes)
		return
	}
	var parts []string
	for _, c := range changes {
		parts = append(parts, c.String())
	}
	fmt.Fprintf(p.w, "%s %s: %s%s\n", p.branch, v.ID, strings.Join(parts, "; "), cause(v.LastActivity))
}

func (p *watchPrinter) emit(typ string, v *projections.View, changes []projections.Change) {
	line := watchLine{
		Type: typ, Branch: p.branch, Meeting: v.ID, Seq: v.Seq, Changes: changes, Cause: v.LastActivity,
		Status: string(v.Status), Overdue: v.Overdue, Readiness: v.Readiness, Claims: v.Claims,
	}
	b, _ := json.Marshal(line)
	fmt.Fprintf(p.w, "%s\n", b)
}

// cause describes the event behind a change: "  <- 2025-10-21
// statement.made by peskov (ntv.de)".
func cause(a *projections.Activity) string {
	if a == nil {
		return ""
	}
	s := fmt.Sprintf("  <- %s %s%s", a.At, a.Kind, prefixed(" by ", a.By))
	if a.Meeting != "" {
		s += " of " + a.Meeting
	}
	return s + prefixed(" · ", a.Source)
}
