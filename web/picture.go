package web

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
)

// The timeline picture of a meeting, drawn here as SVG: the plan lane (each
// proposal's window and each scheduled date or range as a bar), the
// deadline and the overdue span, the events lane (one mark per event of the
// meeting, shape and colour by kind, its summary on hover), and one lane per
// speaker for statements and their claims. Marks of the same day stack; a
// meeting of 200 events still reads at a glance because the stacks
// compress rather than overflow.

// Picture geometry, in SVG user units.
const (
	picWidth   = 960
	picGutter  = 120 // lane labels
	picRight   = 16
	picTop     = 28 // the axis
	picMarkGap = 12 // between stacked marks
	picMaxLane = 96 // the tallest a lane of marks grows
	picBarH    = 10
)

// mark is one event on the picture.
type mark struct {
	at    time.Time
	lane  string
	shape string
	fill  string
	// hollow marks an event that no longer stands (corrected, withdrawn).
	hollow bool
	title  string
	seq    uint64
	kind   string
}

// bar is a span on the plan lane.
type bar struct {
	from, to time.Time
	label    string
	fill     string
}

// kindStyle returns the shape and colour of a kind's mark.
func kindStyle(k events.Kind, claim string) (shape, fill string) {
	switch k {
	case "meeting.floated", "meeting.proposed":
		return "circle", "#2563eb"
	case "meeting.accepted", "participants.changed":
		return "circle", "#16a34a"
	case "meeting.declined":
		return "circle", "#ea580c"
	case "meeting.scheduled":
		return "circle", "#7c3aed"
	case "meeting.postponed":
		return "circle", "#ca8a04"
	case "meeting.cancelled":
		return "circle", "#dc2626"
	case "meeting.held", "meeting.ended":
		return "star", "#065f46"
	case "precondition.added", "precondition.met", "precondition.failed", "precondition.waived":
		fill := map[events.Kind]string{"precondition.met": "#16a34a", "precondition.failed": "#dc2626", "precondition.waived": "#6b7280"}[k]
		if fill == "" {
			fill = "#0891b2"
		}
		return "square", fill
	case "statement.made":
		return "diamond", claimColour(claim)
	case "event.retracted":
		return "cross", "#6b7280"
	}
	return "triangle", "#475569"
}

// claimColour colours a claim by its word.
func claimColour(claim string) string {
	switch claim {
	case "held", "scheduled", "agreed", "willing":
		return "#16a34a"
	case "cancelled", "ruled-out", "declined":
		return "#dc2626"
	case "postponed", "unscheduled":
		return "#ca8a04"
	case "":
		return "#64748b"
	}
	return "#2563eb"
}

// axis lays the picture's days: the calendar days of one zone, the zone
// whose days the meeting's dates name, so that a mark stands on the day its
// story gives it.
type axis struct{ loc *time.Location }

// axisOf returns the axis of timeline t: the zone of its first event's
// world time (a date is a day of its scenario's zone, a date-time keeps
// the offset it was given with), UTC for no event.
func axisOf(t projections.TimelineView) axis {
	if len(t.Events) == 0 {
		return axis{time.UTC}
	}
	return axis{t.Events[0].At.Location()}
}

// dayStart returns the first instant of the day n days after the day of t.
func (a axis) dayStart(t time.Time, n int) time.Time {
	y, m, d := t.In(a.loc).Date()
	return events.DayStart(y, m, d+n, a.loc)
}

// day numbers the calendar day of t on the axis: one more for each day.
func (a axis) day(t time.Time) int {
	y, m, d := t.In(a.loc).Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / (24 * 60 * 60))
}

// instant places t on the axis: a date at the middle of its day (the day
// it names, whatever zone it was read in), a date-time at its instant.
func (a axis) instant(t events.Time) time.Time {
	if !t.DateOnly {
		return t.Time
	}
	y, m, d := t.Date()
	from, to := events.DayStart(y, m, d, a.loc), events.DayStart(y, m, d+1, a.loc)
	return from.Add(to.Sub(from) / 2)
}

// parseSpan reads "2025-10-16" or "2025-10-16 to 2025-10-30" (a window or
// a date on the board, its dates days of the axis's zone) as the instants
// it covers.
func (a axis) parseSpan(s string) (from, to time.Time, ok bool) {
	x, y, two := strings.Cut(s, " to ")
	f, err := events.ParseTimeIn(strings.TrimSpace(x), a.loc)
	if err != nil {
		return from, to, false
	}
	t := f
	if two {
		if t, err = events.ParseTimeIn(strings.TrimSpace(y), a.loc); err != nil {
			return from, to, false
		}
	}
	return f.Time, t.End(), true
}

// picture draws the timeline picture of x's meeting from its timeline t,
// read as of cutoff (the first instant after the date read). Its days are
// the days of the meeting's zone ([axisOf]).
func picture(x projections.Explanation, t projections.TimelineView, cutoff time.Time) template.HTML {
	ax := axisOf(t)
	var marks []mark
	speakers := []string{}
	for _, e := range t.Events {
		shape, fill := kindStyle(e.Kind, e.Claim)
		lane := "events"
		if e.Kind == "statement.made" && e.By != "" {
			lane = "says " + e.By
			if !slices.Contains(speakers, e.By) {
				speakers = append(speakers, e.By)
			}
		}
		title := e.At.String() + " " + string(e.Kind)
		if e.By != "" {
			title += " by " + e.By
		}
		if e.Summary != "" {
			title += ": " + e.Summary
		}
		if e.Claim != "" {
			title += " (claim: " + e.Claim + ")"
		}
		if e.Quote != "" {
			title += " \u201c" + e.Quote + "\u201d"
		}
		if e.Source != "" {
			title += " \u00b7 " + e.Source
		}
		hollow := e.CorrectedBy != nil || e.Retracted != nil
		if e.CorrectedBy != nil {
			title += " [corrected on " + e.CorrectedBy.Reported.String() + "]"
		}
		if e.Retracted != nil {
			title += " [withdrawn on " + e.Retracted.Reported.String() + "]"
		}
		if e.Late {
			title += " [reported late]"
		}
		marks = append(marks, mark{at: ax.instant(e.At), lane: lane, shape: shape, fill: fill, hollow: hollow, title: title, seq: e.Seq, kind: string(e.Kind)})
	}
	var bars []bar
	for _, st := range x.History {
		for _, c := range st.Changes {
			if c.To == "" || (c.What != "window" && c.What != "date") {
				continue
			}
			from, to, ok := ax.parseSpan(c.To)
			if !ok {
				continue
			}
			b := bar{from: from, to: to, label: "proposed window " + c.To, fill: "#bfdbfe"}
			if c.What == "date" {
				b.label, b.fill = "scheduled "+c.To, "#ddd6fe"
			}
			bars = append(bars, b)
		}
	}
	v := x.View

	// The axis: every mark and bar, the deadline, and the overdue span up
	// to the date read, but no more than a month past the story.
	var lo, hi time.Time
	see := func(t time.Time) {
		if t.IsZero() {
			return
		}
		if lo.IsZero() || t.Before(lo) {
			lo = t
		}
		if hi.IsZero() || t.After(hi) {
			hi = t
		}
	}
	for _, m := range marks {
		see(m.at)
	}
	for _, b := range bars {
		see(b.from)
		see(b.to)
	}
	if v.Deadline != nil {
		see(v.Deadline.End())
	}
	var overdueFrom, overdueTo time.Time
	if v.Overdue && v.Deadline != nil {
		overdueFrom = v.Deadline.End()
		overdueTo = cutoff
		if limit := hi.AddDate(0, 0, 30); overdueTo.After(limit) {
			overdueTo = limit
		}
		see(overdueTo)
	}
	if lo.IsZero() {
		lo = cutoff.AddDate(0, 0, -1)
		hi = cutoff
	}
	lo = ax.dayStart(lo, 0)
	hi = ax.dayStart(hi, 1)
	if ax.day(hi) < ax.day(lo)+3 {
		hi = ax.dayStart(lo, 3)
	}
	plotW := float64(picWidth - picGutter - picRight)
	xOf := func(t time.Time) float64 {
		return picGutter + plotW*float64(t.Sub(lo))/float64(hi.Sub(lo))
	}

	// The lanes, top to bottom.
	type lane struct {
		name   string
		y, h   float64
		step   float64
		stacks map[int]int
	}
	var lanes []*lane
	y := float64(picTop + 8)
	planH := float64(max(1, len(bars))*(picBarH+4) + 8)
	planY := y
	y += planH
	laneOf := map[string]*lane{}
	for _, name := range append([]string{"events"}, prefixAll("says ", speakers)...) {
		// How high the tallest stack of one day is decides the lane's
		// height and how close its marks sit.
		stacks := map[int]int{}
		for _, m := range marks {
			if m.lane == name {
				stacks[ax.day(m.at)]++
			}
		}
		most := 1
		for _, n := range stacks {
			most = max(most, n)
		}
		step := float64(picMarkGap)
		if float64(most)*step > picMaxLane {
			step = picMaxLane / float64(most)
		}
		h := math.Max(24, float64(most)*step+12)
		l := &lane{name: name, y: y, h: h, step: step, stacks: map[int]int{}}
		lanes = append(lanes, l)
		laneOf[name] = l
		y += h
	}
	legendY := y + 18
	height := legendY + 22

	var sb strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&sb, format, args...) }
	esc := html.EscapeString
	p(`<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 %d %.0f" width="%d" height="%.0f" role="img" aria-labelledby="tl-title" data-events="%d">`, picWidth, height, picWidth, height, len(marks))
	p(`<title id="tl-title">Timeline of %s: %d events</title>`, esc(x.Meeting), len(marks))
	p(`<rect x="0" y="0" width="%d" height="%.0f" fill="#ffffff"/>`, picWidth, height)

	// Lane backgrounds and labels.
	p(`<g class="lanes" font-family="sans-serif" font-size="11" fill="#334155">`)
	p(`<rect x="%d" y="%.1f" width="%.1f" height="%.1f" fill="#f8fafc"/>`, picGutter, planY, plotW, planH)
	p(`<text x="6" y="%.1f">plan</text>`, planY+14)
	for i, l := range lanes {
		fill := "#ffffff"
		if i%2 == 0 {
			fill = "#f1f5f9"
		}
		p(`<rect x="%d" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`, picGutter, l.y, plotW, l.h, fill)
		p(`<text x="6" y="%.1f">%s</text>`, l.y+14, esc(clip(l.name, 18)))
	}
	p(`</g>`)

	// The axis: ticks at a step that leaves room for their labels.
	p(`<g class="axis" font-family="sans-serif" font-size="10" fill="#475569" stroke="#cbd5e1">`)
	p(`<line x1="%d" y1="%d" x2="%d" y2="%d"/>`, picGutter, picTop, picWidth-picRight, picTop)
	for _, tk := range ax.ticks(lo, hi, plotW) {
		x := xOf(tk.at)
		p(`<line x1="%.1f" y1="%d" x2="%.1f" y2="%.1f" stroke-dasharray="2,3"/>`, x, picTop, x, y)
		p(`<text x="%.1f" y="%d" text-anchor="middle" stroke="none">%s</text>`, x, picTop-8, esc(tk.label))
	}
	p(`</g>`)

	// The overdue span and the deadline.
	if !overdueFrom.IsZero() && overdueTo.After(overdueFrom) {
		p(`<rect class="overdue" x="%.1f" y="%d" width="%.1f" height="%.1f" fill="#fecaca" fill-opacity="0.45"><title>overdue: the deadline %s passed</title></rect>`,
			xOf(overdueFrom), picTop, xOf(overdueTo)-xOf(overdueFrom), y-picTop, esc(v.Deadline.String()))
	}
	if v.Deadline != nil {
		x := xOf(v.Deadline.End())
		p(`<g class="deadline"><line x1="%.1f" y1="%d" x2="%.1f" y2="%.1f" stroke="#dc2626" stroke-width="1.5" stroke-dasharray="5,3"/><title>deadline %s</title>`, x, picTop, x, y, esc(v.Deadline.String()))
		p(`<text x="%.1f" y="%.1f" font-family="sans-serif" font-size="10" fill="#dc2626">deadline</text></g>`, x+3, planY+planH-4)
	}

	// The plan: each window and date as a bar of its own row.
	for i, b := range bars {
		x1, x2 := xOf(b.from), xOf(b.to)
		p(`<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%d" rx="2" fill="%s" stroke="#64748b" stroke-width="0.5"><title>%s</title></rect>`,
			x1, planY+4+float64(i*(picBarH+4)), math.Max(2, x2-x1), picBarH, b.fill, esc(b.label))
	}

	// The marks, stacked by day within their lane.
	for _, m := range marks {
		l := laneOf[m.lane]
		k := ax.day(m.at)
		n := l.stacks[k]
		l.stacks[k]++
		cx := xOf(m.at)
		cy := l.y + 10 + float64(n)*l.step
		p(`<g class="mark" data-kind="%s" data-seq="%d"><title>%s</title>`, esc(m.kind), m.seq, esc(m.title))
		fill, stroke := m.fill, "#1e293b"
		if m.hollow {
			fill, stroke = "none", m.fill
		}
		shapeSVG(&sb, m.shape, cx, cy, fill, stroke)
		p(`</g>`)
	}

	// The legend: the shapes of the kinds shown.
	p(`<g class="legend" font-family="sans-serif" font-size="10" fill="#334155">`)
	lx := float64(picGutter)
	seen := map[string]bool{}
	for _, m := range marks {
		short := strings.TrimPrefix(strings.TrimPrefix(m.kind, "meeting."), "precondition.")
		key := m.shape + m.fill + short
		if m.kind == "statement.made" {
			key, short = "statement", "statement"
		}
		if seen[key] || lx > picWidth-80 {
			continue
		}
		seen[key] = true
		shapeSVG(&sb, m.shape, lx+5, legendY, m.fill, "#1e293b")
		p(`<text x="%.1f" y="%.1f">%s</text>`, lx+13, legendY+4, esc(short))
		lx += 20 + 6*float64(len(short))
	}
	if len(speakers) > 0 {
		// The colours of the claims in the speakers' lanes.
		lx = math.Max(lx+10, picWidth/2)
		p(`<text x="%.1f" y="%.1f">claims:</text>`, lx, legendY+4)
		lx += 46
		for _, c := range []struct{ word, fill string }{{"held, scheduled, agreed, willing", "#16a34a"}, {"postponed, unscheduled", "#ca8a04"}, {"cancelled, declined, ruled-out", "#dc2626"}, {"none", "#64748b"}} {
			if lx > picWidth-60 {
				break
			}
			shapeSVG(&sb, "diamond", lx+5, legendY, c.fill, "#1e293b")
			p(`<text x="%.1f" y="%.1f">%s</text>`, lx+13, legendY+4, esc(strings.SplitN(c.word, ",", 2)[0]))
			lx += 20 + 6*float64(len(strings.SplitN(c.word, ",", 2)[0]))
		}
	}
	p(`</g></svg>`)
	return template.HTML(sb.String())
}

// shapeSVG writes one mark's shape centred at cx, cy.
func shapeSVG(sb *strings.Builder, shape string, cx, cy float64, fill, stroke string) {
	const r = 4.5
	switch shape {
	case "square":
		fmt.Fprintf(sb, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" stroke="%s" stroke-width="0.8"/>`, cx-r, cy-r, 2*r, 2*r, fill, stroke)
	case "diamond":
		fmt.Fprintf(sb, `<path d="M%.1f %.1fL%.1f %.1fL%.1f %.1fL%.1f %.1fZ" fill="%s" stroke="%s" stroke-width="0.8"/>`, cx, cy-r-1, cx+r+1, cy, cx, cy+r+1, cx-r-1, cy, fill, stroke)
	case "triangle":
		fmt.Fprintf(sb, `<path d="M%.1f %.1fL%.1f %.1fL%.1f %.1fZ" fill="%s" stroke="%s" stroke-width="0.8"/>`, cx, cy-r-1, cx+r+1, cy+r, cx-r-1, cy+r, fill, stroke)
	case "star":
		fmt.Fprintf(sb, `<path d="M%.1f %.1fL%.1f %.1fL%.1f %.1fL%.1f %.1fL%.1f %.1fL%.1f %.1fL%.1f %.1fL%.1f %.1fZ" fill="%s" stroke="%s" stroke-width="0.8"/>`,
			cx, cy-r-2, cx+2, cy-2, cx+r+2, cy, cx+2, cy+2, cx, cy+r+2, cx-2, cy+2, cx-r-2, cy, cx-2, cy-2, fill, stroke)
	case "cross":
		fmt.Fprintf(sb, `<path d="M%.1f %.1fL%.1f %.1fM%.1f %.1fL%.1f %.1f" stroke="%s" stroke-width="2" fill="none"/>`, cx-r, cy-r, cx+r, cy+r, cx-r, cy+r, cx+r, cy-r, fill)
	default:
		fmt.Fprintf(sb, `<circle cx="%.1f" cy="%.1f" r="%.1f" fill="%s" stroke="%s" stroke-width="0.8"/>`, cx, cy, r, fill, stroke)
	}
}

// tick is one label of the axis.
type tick struct {
	at    time.Time
	label string
}

// ticks returns the axis labels from lo to hi, the first instants of
// days: days, weeks, months or years, whichever leaves at least 60 units
// between labels.
func (a axis) ticks(lo, hi time.Time, width float64) []tick {
	perDay := width / float64(a.day(hi)-a.day(lo))
	var first time.Time
	var next func(time.Time) time.Time
	layout := "Jan 2"
	switch {
	case perDay >= 60:
		first, next = lo, func(d time.Time) time.Time { return a.dayStart(d, 1) }
	case perDay*2 >= 60:
		first, next = lo, func(d time.Time) time.Time { return a.dayStart(d, 2) }
	case perDay*7 >= 60:
		first = lo
		for first.In(a.loc).Weekday() != time.Monday {
			first = a.dayStart(first, 1)
		}
		next = func(d time.Time) time.Time { return a.dayStart(d, 7) }
	case perDay*31 >= 60:
		y, m, _ := lo.In(a.loc).Date()
		first, layout = events.DayStart(y, m+1, 1, a.loc), "Jan 2006"
		next = func(d time.Time) time.Time {
			y, m, _ := d.In(a.loc).Date()
			return events.DayStart(y, m+1, 1, a.loc)
		}
	default:
		first, layout = events.DayStart(lo.In(a.loc).Year()+1, 1, 1, a.loc), "2006"
		next = func(d time.Time) time.Time { return events.DayStart(d.In(a.loc).Year()+1, 1, 1, a.loc) }
	}
	var out []tick
	for d := first; !d.After(hi); d = next(d) {
		out = append(out, tick{d, d.In(a.loc).Format(layout)})
	}
	return out
}

func prefixAll(prefix string, ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = prefix + s
	}
	return out
}

// clip shortens s to n runes, with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "\u2026"
}
