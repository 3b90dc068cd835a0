package projections_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
)

// A quote as sources give them: commas, quotes, a line break, markup, and
// a leading "=" a spreadsheet would run.
const nasty = "=HYPERLINK(\"x\"), he said, \"we'll see\"\n<script>alert(1)</script>"

func TestCSV(t *testing.T) {
	ctx := context.Background()
	r := newRig(t)
	r.declare("m", oct(16), `the "Budapest, Hungary" summit`, "trump", "putin")
	r.do("m", oct(16), "trump", &events.MeetingProposed{Venue: "Budapest", Within: &events.Span{Days: 14}}, source(ntv))
	r.do("m", oct(21), "peskov", &events.StatementMade{About: "m", Stance: events.StanceNoncommittal, Claim: "unscheduled", Quote: nasty}, ref("pk"))
	r.do("m", oct(22), "peskov", &events.EventRetracted{Retracts: "pk", Reason: "misquoted, \"badly\""}, reported(oct(22)))
	q := query(oct(31), events.Time{})

	board, err := projections.FoldView(ctx, r.log, q)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := projections.WriteBoardCSV(&out, board); err != nil {
		t.Fatal(err)
	}
	golden(t, "board.csv", out.Bytes())
	rows := readCSV(t, out.Bytes())
	want := [][]string{
		projections.BoardCSVHeader,
		{"m", `the "Budapest, Hungary" summit`, "proposed", "true", "2025-10-30", "0/0", "trump (USA), putin (RUS)", "Budapest", "",
			"meeting.proposed", "2025-10-16", "trump", "ntv.de"},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("board csv (-want +got):\n%s", diff)
	}

	tv, err := projections.Timeline(ctx, r.log, q, "", projections.TimelineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := projections.WriteTimelineCSV(&out, tv); err != nil {
		t.Fatal(err)
	}
	golden(t, "timeline.csv", out.Bytes())
	rows = readCSV(t, out.Bytes())
	if len(rows) != 4 {
		t.Fatalf("%d rows, want a header and 3 events:\n%s", len(rows), out.Bytes())
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	said := rows[2]
	for k, want := range map[string]string{
		"at": "2025-10-21", "kind": "statement.made", "meeting": "m", "by": "peskov", "party": "RUS", "stance": "noncommittal",
		"claim": "unscheduled", "quote": "'" + nasty, "ref": "pk", "retracted": `2025-10-22: misquoted, "badly"`,
		"hypothetical": "false", "branch": "main", "cameo": "010",
	} {
		if got := said[col[k]]; got != want {
			t.Errorf("statement's %s = %q, want %q", k, got, want)
		}
	}
	if got := rows[3][col["kind"]]; got != "event.retracted" {
		t.Errorf("last row is %s, want the retraction", got)
	}
}

func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not read back: %v\n%s", err, b)
	}
	return rows
}
