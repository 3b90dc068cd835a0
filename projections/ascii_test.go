package projections_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
)

// TestViewsAreASCII reads a view as any NATS client does, with a plain
// nats.go KV get: its bytes are ASCII (so that the nats CLI shows them as
// text, not base64, issue 15 item 1), and its JSON still says "Zürich".
func TestViewsAreASCII(t *testing.T) {
	r := newLiveRig(t)
	r.story(1)
	r.do(eventlog.Main(), "summit", 20, "trump", &events.MeetingScheduled{Date: events.OneDay(events.Date(2025, time.October, 28)), Venue: "Zürich"})
	r.keep(100 * time.Millisecond)
	ctx := context.Background()
	kv, err := r.js.KeyValue(ctx, projections.MeetingBucket)
	if err != nil {
		t.Fatal(err)
	}
	var raw []byte
	eventually(t, 10*time.Second, func() (bool, string) {
		e, err := kv.Get(ctx, projections.Key(events.Main, "summit"))
		if err != nil {
			return false, err.Error()
		}
		raw = e.Value()
		var v projections.View
		if err := json.Unmarshal(raw, &v); err != nil {
			return false, err.Error()
		}
		return v.Venue == "Zürich", "venue " + v.Venue
	})
	for i, c := range raw {
		if c >= 0x80 || c < 0x20 {
			t.Fatalf("byte %d of the view is %#x, not printable ASCII: %s", i, c, raw)
		}
	}
}
