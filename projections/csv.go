package projections

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/summit-model/summit/events"
)

// BoardCSVHeader is the header row of [WriteBoardCSV], its columns in
// order.
var BoardCSVHeader = []string{
	"id", "title", "status", "overdue", "deadline", "readiness", "participants", "venue", "date",
	"last_kind", "last_at", "last_by", "last_source",
}

// TimelineCSVHeader is the header row of [WriteTimelineCSV], its columns
// in order. The first eighteen are the contract's; late, corrected (when
// the correction that replaced the event became known, and its kind),
// status and overdue follow, so that a reader can tell the events that
// stand from those that do not.
var TimelineCSVHeader = []string{
	"at", "reported", "kind", "cameo", "meeting", "by", "party", "stance", "claim", "summary",
	"source", "address", "quote", "ref", "corrects", "retracted", "hypothetical", "branch",
	"late", "corrected", "status", "overdue",
}

// WriteBoardCSV writes b as CSV (RFC 4180, by encoding/csv): a header row
// ([BoardCSVHeader]), then one row per meeting, sorted by id. Participants
// are "trump (USA), putin (RUS)"; dates as on the board; the last activity
// is the latest event that changed the meeting. A cell that a spreadsheet
// would read as a formula (starting with =, +, -, @, a tab or a carriage
// return) is prefixed with a single quote.
func WriteBoardCSV(w io.Writer, b BoardView) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(BoardCSVHeader); err != nil {
		return fmt.Errorf("board csv: %w", err)
	}
	for _, v := range b.Meetings {
		row := []string{
			v.ID, v.Title, string(v.Status), strconv.FormatBool(v.Overdue), timeString(v.Deadline), v.Readiness,
			participants(v.Participants), v.Venue, stringOf(v.Date), "", "", "", "",
		}
		if a := v.LastActivity; a != nil {
			row[9], row[10], row[11], row[12] = string(a.Kind), a.At.String(), a.By, a.Source
		}
		if err := cw.Write(cells(row)); err != nil {
			return fmt.Errorf("board csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("board csv: %w", err)
	}
	return nil
}

// WriteTimelineCSV writes t as CSV: a header row ([TimelineCSVHeader]),
// then one row per event, in the timeline's order. reported is empty when
// it is at; meeting is the meeting an event belongs to ("" for an
// actor's); retracted is when the event was
// withdrawn and why ("2025-10-28: misquoted"); corrected when the
// correction that stands in its place became known and what it is
// ("2025-10-26: meeting.postponed"); booleans read true or false, overdue
// "" for an event that leaves no meeting status.
func WriteTimelineCSV(w io.Writer, t TimelineView) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(TimelineCSVHeader); err != nil {
		return fmt.Errorf("timeline csv: %w", err)
	}
	for _, c := range t.Events {
		meeting := c.Meeting
		if meeting == "" && c.Aggregate.Type == events.AggregateMeeting {
			meeting = c.Aggregate.ID
		}
		retracted, corrected, overdue := "", "", ""
		if r := c.Retracted; r != nil {
			retracted = r.Reported.String() + prefixed(": ", r.Reason)
		}
		if k := c.CorrectedBy; k != nil {
			corrected = k.Reported.String() + ": " + string(k.Kind)
		}
		if c.Overdue != nil {
			overdue = strconv.FormatBool(*c.Overdue)
		}
		row := []string{
			c.At.String(), c.Reported.String(), string(c.Kind), c.CAMEO, meeting, c.By, c.Party,
			string(c.Stance), c.Claim, c.Summary, c.Source, c.Address, c.Quote, c.Ref, c.Corrects,
			retracted, strconv.FormatBool(c.Hypothetical), c.Branch,
			strconv.FormatBool(c.Late), corrected, string(c.Status), overdue,
		}
		if err := cw.Write(cells(row)); err != nil {
			return fmt.Errorf("timeline csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("timeline csv: %w", err)
	}
	return nil
}

// cells returns row with each cell a spreadsheet would take for a formula
// defused (OWASP's advice on CSV injection): a quote from a source may
// begin with "=" or "@".
func cells(row []string) []string {
	for i, s := range row {
		if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
			row[i] = "'" + s
		}
	}
	return row
}
