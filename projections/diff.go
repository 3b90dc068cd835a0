package projections

import (
	"io"
	"slices"
	"strings"
)

// DiffView is what differs, meeting by meeting, between two boards: a
// branch's and the board it is compared against (the record, usually).
// Changes read from the board against to the branch's board. JSON:
//
//	{"branch", "against", "as_of", "known_at" (omitted when not asked),
//	 "meetings": [{"id", "changes": [{"what", "from", "to"}]}],
//	 "same": [ids]}
//
// Meetings and Same are never nil, and sorted by id.
type DiffView struct {
	Branch   string        `json:"branch"`
	Against  string        `json:"against"`
	AsOf     string        `json:"as_of"`
	KnownAt  string        `json:"known_at,omitempty"`
	Meetings []MeetingDiff `json:"meetings"`
	Same     []string      `json:"same"`
}

// MeetingDiff is what differs of one meeting between two boards.
type MeetingDiff struct {
	ID      string   `json:"id"`
	Changes []Change `json:"changes"`
}

// Diff compares board branch with board against, meeting by meeting: what
// differs ([Changes], from against to branch), and the meetings the same on
// both. A meeting on one board only is a change "meeting" from or to "not
// on BRANCH". The two boards are read however the caller reads them, as of
// the same date; the diff is labelled with branch's.
func Diff(branch, against BoardView) DiffView {
	d := DiffView{Branch: branch.Branch, Against: against.Branch, AsOf: branch.AsOf, KnownAt: branch.KnownAt,
		Meetings: []MeetingDiff{}, Same: []string{}}
	index := func(b BoardView) map[string]*View {
		m := make(map[string]*View, len(b.Meetings))
		for i := range b.Meetings {
			m[b.Meetings[i].ID] = &b.Meetings[i]
		}
		return m
	}
	was, now := index(against), index(branch)
	var ids []string
	for id := range was {
		ids = append(ids, id)
	}
	for id := range now {
		if was[id] == nil {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		var changes []Change
		switch a, b := was[id], now[id]; {
		case b == nil:
			changes = []Change{{What: "meeting", From: a.Title + " (" + string(a.Status) + ")", To: "not on " + branch.Branch}}
		case a == nil:
			changes = Changes(nil, b)
			changes[0].From = "not on " + against.Branch
		default:
			changes = Changes(a, b)
		}
		if len(changes) == 0 {
			d.Same = append(d.Same, id)
			continue
		}
		d.Meetings = append(d.Meetings, MeetingDiff{ID: id, Changes: changes})
	}
	return d
}

// WriteText writes d as the CLI prints it: a block per meeting that
// differs, each change as "what  against-value -> branch-value", then the
// meetings the same on both.
func (d DiffView) WriteText(w io.Writer) error {
	p := &printer{w: w}
	p.printf("diff %s against %s · as of %s%s · values read %s -> %s\n", d.Branch, d.Against, d.AsOf, prefixed(" · as known on ", d.KnownAt), d.Against, d.Branch)
	if len(d.Meetings) == 0 {
		p.printf("\nno difference\n")
	}
	for _, m := range d.Meetings {
		p.printf("\n%s\n", m.ID)
		width := 0
		for _, c := range m.Changes {
			width = max(width, len(c.What))
		}
		for _, c := range m.Changes {
			p.printf("  %-*s  %s -> %s\n", width, c.What, orNone(c.From), orNone(c.To))
		}
	}
	if len(d.Same) > 0 {
		p.printf("\nthe same on both: %s\n", strings.Join(d.Same, ", "))
	}
	return p.err
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
