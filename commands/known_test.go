package commands

import (
	"context"
	"testing"
	"time"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
)

// TestCorrectionKnownFromTheDayItIsAppended checks that a correction and a
// retraction that say nothing of when they became known are known from the
// day they are appended (a day of their zone), not from the world time of
// what they correct; and that --known-at before that day still sees the
// original.
func TestCorrectionKnownFromTheDayItIsAppended(t *testing.T) {
	ctx := context.Background()
	const zone = "Europe/Moscow"
	moscow, err := events.Location(zone)
	if err != nil {
		t.Fatal(err)
	}
	day := func(d int) events.Time { return events.Date(2025, 10, d).In(moscow) }
	in := func(c aggregates.Command, d int) aggregates.Command {
		c.Zone, c.At = zone, day(d)
		return c
	}
	l := openLog(t)
	h := NewHandler(l, eventlog.Main())
	// 22:30 UTC on the 26th is already the 27th in Moscow.
	now := time.Date(2025, 10, 26, 22, 30, 0, 0, time.UTC)
	h.Now = func() time.Time { return now }

	cxl := in(act("m", 22, "trump", "USA", &events.MeetingCancelled{Reason: "a waste of time"}), 22)
	cxl.RefName = "cxl"
	pk := in(act("m", 23, "peskov", "RUS", &events.StatementMade{About: "m", Stance: events.StanceOpposed, Claim: "ruled-out"}), 23)
	pk.RefName = "pk"
	fix := in(act("m", 22, "trump", "USA", &events.MeetingPostponed{Reason: "not cancelled, postponed"}), 22)
	fix.Corrects = "cxl"
	withdraw := in(act("m", 24, "peskov", "RUS", &events.EventRetracted{Retracts: "pk", Reason: "misquoted"}), 24)
	dated := in(act("m", 24, "lavrov", "RUS", &events.StatementMade{About: "m", Stance: events.StanceNoncommittal, Claim: "willing"}), 24)
	dated.RefName = "lv"
	dated2 := in(act("m", 24, "lavrov", "RUS", &events.StatementMade{About: "m", Stance: events.StanceSupportive, Claim: "willing"}), 24)
	dated2.Corrects, dated2.Reported = "lv", day(25)
	d := declare("m")
	d.Zone, d.At = zone, day(16)
	batch := steps(d, in(act("m", 16, "trump", "USA", &events.MeetingProposed{}), 16), cxl, pk, fix, withdraw, dated, dated2)
	if _, err := h.HandleAll(ctx, Batch{Steps: batch}); err != nil {
		t.Fatal(err)
	}
	hist, err := l.Load(ctx, eventlog.Main(), events.Meeting("m"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]events.Event{}
	for _, e := range hist.Events {
		switch {
		case e.Corrects != "":
			got["corrects "+e.Corrects] = e
		case e.Kind() == events.KindEventRetracted:
			got["retracts"] = e
		case e.RefName != "":
			got[e.RefName] = e
		}
	}
	for _, name := range []string{"corrects cxl", "retracts"} {
		e := got[name]
		if !e.Reported.DateOnly || e.Reported.String() != "2025-10-27" || e.Reported.Location().String() != zone {
			t.Errorf("%s: reported %q (%v, date only %v), want the day it was appended: 2025-10-27 in %s", name, e.Reported, e.Reported.Location(), e.Reported.DateOnly, zone)
		}
		if !e.Recorded.Equal(now) {
			t.Errorf("%s: recorded %v, want %v", name, e.Recorded, now)
		}
	}
	if e := got["corrects lv"]; e.Reported.String() != "2025-10-25" {
		t.Errorf("a correction that gives its reported date: reported %q, want 2025-10-25", e.Reported)
	}
	for _, name := range []string{"cxl", "pk", "lv"} {
		if e := got[name]; !e.Reported.IsZero() {
			t.Errorf("%s, no correction: reported %q, want none (known when it happened)", name, e.Reported)
		}
	}

	read := func(known int) projections.View {
		t.Helper()
		q := projections.Query{KnownAt: day(known), Now: now}
		b, err := projections.FoldView(ctx, l, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Meetings) != 1 {
			t.Fatalf("known at the %d: %d meetings", known, len(b.Meetings))
		}
		return b.Meetings[0]
	}
	if v := read(26); v.Status != aggregates.StatusCancelled || v.Claims["peskov"] != "ruled-out" {
		t.Errorf("known at the 26th: %s, peskov %q; want cancelled, ruled-out (neither the correction nor the retraction known yet)", v.Status, v.Claims["peskov"])
	}
	if v := read(27); v.Status != aggregates.StatusPostponed || v.Claims["peskov"] != "" {
		t.Errorf("known at the 27th: %s, peskov %q; want postponed, no claim", v.Status, v.Claims["peskov"])
	}
}
