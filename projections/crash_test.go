package projections

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/summit-model/summit/aggregates"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
)

// TestResumeAfterATornFlush resumes a projection whose writer died in the
// middle of writing its views: the view of a meeting that was held is
// stored, the view of the meeting whose precondition the holding meets is
// not, and the checkpoint is from before both. The resumed projection must
// still show the precondition met, as a rebuild does.
func TestResumeAfterATornFlush(t *testing.T) {
	ctx := context.Background()
	r := newRig(t)
	r.story(1)
	main := eventlog.Main()
	if err := NewRunner(r.log, r.store, main, RunnerOptions{}).CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	r.do(main, "prep", 25, "rubio", &events.MeetingHeld{Venue: "Moscow"})
	// What the dead writer got out before it died: the prep meeting's new
	// view, and not the summit's; no checkpoint.
	prep := r.folded(main)["prep"]
	data, err := json.Marshal(prep)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.Meetings().Put(ctx, Key(events.Main, "prep"), data); err != nil {
		t.Fatal(err)
	}
	if got := r.stored(events.Main)["summit"].Preconditions[0].State; got != aggregates.Unmet {
		t.Fatalf("before the resume, the summit's view shows fm-prep %s; the test wants it stale (unmet)", got)
	}
	if err := NewRunner(r.log, r.store, main, RunnerOptions{}).CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r.folded(main), r.stored(events.Main), sameBoard); diff != "" {
		t.Errorf("resumed projection differs from the fold (-fold +bucket):\n%s", diff)
	}
}
