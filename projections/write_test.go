package projections

import (
	"context"
	"fmt"
	"testing"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/natstest"
)

// TestWritesStayWithinTheWindow writes three windows' worth of views, as
// a rebuild of thousands of meetings does at its checkpoint: the runner
// never keeps more than writeWindow writes unacknowledged (the client
// refuses past 4,000 once the server falls behind: a 3M rebuild failed
// so), and every write lands.
func TestWritesStayWithinTheWindow(t *testing.T) {
	ctx := context.Background()
	js := natstest.JetStream(t, natstest.Start(t))
	l, err := eventlog.Open(ctx, js, eventlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	store, err := OpenStore(ctx, js, StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r := NewRunner(l, store, eventlog.Main(), RunnerOptions{})
	n := 3*writeWindow + 10
	for i := range n {
		if err := r.write(ctx, "$KV."+MeetingBucket+"."+Key("main", fmt.Sprintf("m%05d", i)), []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
		if len(r.futures) > writeWindow {
			t.Fatalf("%d writes unacknowledged after %d", len(r.futures), i+1)
		}
	}
	if err := r.settle(ctx); err != nil {
		t.Fatal(err)
	}
	status, err := store.meetings.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := status.Values(); got != uint64(n) {
		t.Errorf("%d views stored, want %d", got, n)
	}
}
