package projections_test

import (
	"context"
	"encoding/json"
	"fmt"
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

// TestASCII checks the escaping itself: what is ASCII is written as
// encoding/json writes it, and each character beyond as \u escapes
// (a surrogate pair beyond the Basic Multilingual Plane).
func TestASCII(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want string
	}{
		{"Geneva", `"Geneva"`},
		{"", `""`},
		{"Zürich", `"Z\u00fcrich"`},
		{"Zürich, Kraków", `"Z\u00fcrich, Krak\u00f3w"`},
		{"ü", `"\u00fc"`},
		{"Москва", `"\u041c\u043e\u0441\u043a\u0432\u0430"`},
		{"talks 🤝 done", `"talks \ud83e\udd1d done"`},
		{map[string]string{"venue": "Zürich", "by": "orban"}, `{"by":"orban","venue":"Z\u00fcrich"}`},
	} {
		got, err := projections.ASCII(tc.in)
		if err != nil {
			t.Fatalf("ASCII(%q): %v", tc.in, err)
		}
		if string(got) != tc.want {
			t.Errorf("ASCII(%q) = %s, want %s", tc.in, got, tc.want)
		}
		var back, orig any
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("ASCII(%q) = %s, which does not read back: %v", tc.in, got, err)
		}
		data, _ := json.Marshal(tc.in)
		_ = json.Unmarshal(data, &orig)
		if fmt.Sprint(back) != fmt.Sprint(orig) {
			t.Errorf("ASCII(%q) reads back as %v, want %v", tc.in, back, orig)
		}
	}
}
