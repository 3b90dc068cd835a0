package projections

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/summit-model/summit/events"
)

// Change is one difference between two views of a meeting: what changed,
// from what, to what. From is empty for something new (a precondition
// added, a first claim), To for something gone.
type Change struct {
	What string `json:"what"`
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
}

// String reads as "status proposed -> cancelled", "precondition fm-prep
// unmet -> met", "claim of peskov: unscheduled".
func (c Change) String() string {
	switch {
	case c.From == "":
		return c.What + ": " + c.To
	case c.To == "":
		return c.What + " " + c.From + " -> (none)"
	}
	return c.What + " " + c.From + " -> " + c.To
}

// Changes returns what differs between two views of the same meeting, in a
// fixed order: status, overdue, readiness, participants, venue, window,
// date, postponement, holding and end, outcome, the parties that accepted
// and declined, deadline, preconditions (by id), claims (by speaker). A nil old view is a meeting new on the board:
// everything it shows is a change. Views that differ only in when they were
// written, or in their sequence, have no changes.
func Changes(old, new *View) []Change {
	var out []Change
	if new == nil {
		return nil
	}
	if old == nil {
		old = &View{}
		out = append(out, Change{What: "meeting", To: new.Title})
	}
	add := func(what, from, to string) {
		if from != to {
			out = append(out, Change{What: what, From: from, To: to})
		}
	}
	add("status", string(old.Status), string(new.Status))
	if old.Status != "" || new.Overdue {
		add("overdue", yesNo(old.Overdue, old.Status != ""), yesNo(new.Overdue, true))
	}
	if old.Status != "" || len(new.Preconditions) > 0 {
		add("readiness", old.Readiness, new.Readiness)
	}
	add("participants", participants(old.Participants), participants(new.Participants))
	add("venue", old.Venue, new.Venue)
	add("window", stringOf(old.Window), stringOf(new.Window))
	add("date", stringOf(old.Date), stringOf(new.Date))
	add("postponed until", timeString(old.Until), timeString(new.Until))
	add("held", timeString(old.HeldAt), timeString(new.HeldAt))
	add("ended", ended(old), ended(new))
	add("outcome", old.Outcome, new.Outcome)
	add("accepted", strings.Join(old.Accepted, ", "), strings.Join(new.Accepted, ", "))
	add("declined", strings.Join(old.Declined, ", "), strings.Join(new.Declined, ", "))
	add("deadline", timeString(old.Deadline), timeString(new.Deadline))
	newP := map[string]bool{}
	for _, p := range new.Preconditions {
		newP[p.ID] = true
		was := ""
		for _, q := range old.Preconditions {
			if q.ID == p.ID {
				was = string(q.State)
			}
		}
		add("precondition "+p.ID, was, string(p.State))
	}
	for _, p := range old.Preconditions {
		if !newP[p.ID] {
			add("precondition "+p.ID, string(p.State), "")
		}
	}
	speakers := map[string]bool{}
	for s := range new.Claims {
		speakers[s] = true
	}
	for s := range old.Claims {
		speakers[s] = true
	}
	for _, speaker := range slices.Sorted(maps.Keys(speakers)) {
		was, now := old.Claims[speaker], new.Claims[speaker]
		if was != "" && was == now {
			// The same claim made again, later: a change worth seeing.
			before, after := claimAt(old, speaker), claimAt(new, speaker)
			if before != after {
				add("claim of "+speaker, was+" ("+before+")", now+" ("+after+")")
			}
			continue
		}
		add("claim of "+speaker, was, now)
	}
	return out
}

// claimAt returns when speaker made their latest claim in v.
func claimAt(v *View, speaker string) string {
	for _, c := range v.ClaimDetails {
		if c.Speaker == speaker {
			return c.At.String()
		}
	}
	return ""
}

func yesNo(b, known bool) string {
	if !known {
		return ""
	}
	return strconv.FormatBool(b)
}

// stringOf returns v's String, or "" for nil.
func stringOf[T fmt.Stringer](v *T) string {
	if v == nil {
		return ""
	}
	return (*v).String()
}

func participants(ps []Participant) string {
	var ids []string
	for _, p := range ps {
		ids = append(ids, p.String())
	}
	return strings.Join(ids, ", ")
}

func ended(v *View) string {
	if v.EndedAt == nil {
		return ""
	}
	if v.Early {
		return v.EndedAt.String() + " (early)"
	}
	return v.EndedAt.String()
}

func timeString(t *events.Time) string {
	if t == nil {
		return ""
	}
	return t.String()
}
