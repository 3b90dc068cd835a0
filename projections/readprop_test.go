package projections_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
	"github.com/summit-model/summit/scenarios"
)

// edgeFile is a scenario whose timeline is lines, with a cast.
func edgeFile(lines string) []byte {
	return []byte(`name: edge
people:
  trump: {name: Donald Trump, party: USA}
  putin: {name: Vladimir Putin, party: RUS}
parties:
  USA: {name: United States}
  RUS: {name: Russia}
meetings:
  summit: {title: A summit, participants: [trump, putin]}
timeline:
` + lines)
}

// FuzzReadModel extends scenarios.FuzzModel (loader, model, codec, fold)
// to the read side (issue 12 item 1): whatever the loader and the model
// accept, the codec encodes and decodes, and the board a read folds from
// the decoded events (projections.Board, world order) takes every event
// and gives every meeting's view as of today, as of each event's date and
// as of the last day there is, without an error or a panic. A window that
// ended after 2199-12-31 used to append, then break every status with
// "world time out of range"; "within: 14286w" used to be stored as a span
// the decoder refused.
//
// Its seeds are whole scenario files: run it with -fuzzminimizetime 2s,
// or the fuzzer spends its time minimizing each new input it finds (about
// 1,400 inputs a second with it, a few without).
func FuzzReadModel(f *testing.F) {
	files, _ := filepath.Glob("../scenarios/*.yaml")
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, lines := range []string{
		"  - {at: 2025-10-16, event: meeting.proposed, meeting: summit, by: trump, within: 14286w}\n",
		"  - {at: 2025-10-16, event: meeting.proposed, meeting: summit, by: trump, within: 64000d}\n",
		"  - {at: 2199-12-31, event: meeting.proposed, meeting: summit, by: trump, within: 1d}\n",
		"  - {at: 2199-12-30, event: meeting.proposed, meeting: summit, by: trump, within: 1d}\n  - {at: 2199-12-31, event: meeting.scheduled, meeting: summit, date: 2199-12-31}\n  - {at: 2199-12-31, event: meeting.held, meeting: summit}\n",
		"  - {at: 1800-01-01, event: meeting.proposed, meeting: summit, by: trump, window: {from: 1800-01-01, to: 2199-12-31}}\n",
		"  - {at: 2025-10-16, event: meeting.proposed, meeting: summit, by: trump, within: 36500d}\n  - {at: 2025-10-17, event: meeting.postponed, meeting: summit, by: putin, until: 2199-12-31}\n",
	} {
		f.Add(edgeFile(lines))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkReadModel(t, data)
	})
}

// checkReadModel holds FuzzReadModel's property on one file.
func checkReadModel(t *testing.T, data []byte) {
	t.Helper()
	sc, err := scenarios.Load("f.yaml", data, scenarios.ScenarioFile)
	if err != nil {
		return
	}
	p, err := sc.Plan(context.Background(), scenarios.Cast{})
	if err != nil {
		return
	}
	histories := map[events.Ref][]events.Event{}
	records := map[events.Ref][]eventlog.Record{}
	board := projections.NewBoard(events.Main, projections.BoardOptions{})
	var seq uint64
	var dates []time.Time
	for _, st := range p.Steps {
		cmd := st.Command
		h := append(make([]events.Event, 0, len(histories[cmd.Aggregate])+2), histories[cmd.Aggregate]...)
		var evs []events.Event
		if cmd.Aggregate.Type == events.AggregateMeeting {
			evs, err = aggregates.Decide(aggregates.Whole(h), cmd)
		} else {
			evs, err = aggregates.DecideActor(aggregates.FoldActor(h), h, cmd)
		}
		var refused *aggregates.RefusedError
		if errors.As(err, &refused) {
			continue
		}
		if err != nil {
			t.Fatalf("line %d: the model failed without refusing: %v", st.Line, err)
		}
		for i := range evs {
			evs[i].ID = events.NewID()
			evs[i].Branch = events.Main
			evs[i].Recorded = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
			evs[i].Key = events.Identity(evs[i])
			b, err := events.Marshal(evs[i])
			if err != nil {
				t.Fatalf("line %d: the loader and the model accept %s, the codec refuses it: %v\n%s", st.Line, evs[i].Kind(), err, data)
			}
			got, err := events.Unmarshal(b)
			if err != nil {
				t.Fatalf("line %d: the codec wrote what it refuses to read: %v\n%s\n%s", st.Line, err, b, data)
			}
			seq++
			rec := eventlog.Record{Seq: seq, Event: got, Subject: eventlog.Subject(events.Main, got.Aggregate)}
			records[got.Aggregate] = append(records[got.Aggregate], rec)
			_, err = board.Apply(rec)
			var refold *projections.RefoldError
			if errors.As(err, &refold) {
				// As a runner does: the meeting's whole history.
				board.Refold(refold.Meeting, records[events.Meeting(refold.Meeting)])
				err = nil
			}
			if err != nil {
				t.Fatalf("line %d: the board refuses %s: %v\n%s", st.Line, got.Kind(), err, data)
			}
			dates = append(dates, got.At.End())
		}
		histories[cmd.Aggregate] = append(h, evs...)
	}
	last := time.Date(2199, 12, 31, 23, 59, 59, 0, time.UTC)
	for _, cutoff := range append(dates, time.Now(), last) {
		board.Views(cutoff, cutoff.Format(time.DateOnly))
	}
}
