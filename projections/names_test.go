package projections

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
)

// TestStoreRefusesBranchesThatAreNotOneToken shows that no branch name
// reaches past its own keys: a wildcard or a dot is refused by every
// method of the store, and dropping "*" leaves every branch's views as
// they were.
func TestStoreRefusesBranchesThatAreNotOneToken(t *testing.T) {
	ctx := context.Background()
	r := newRig(t)
	r.story(1)
	if err := NewRunner(r.log, r.store, eventlog.Main(), RunnerOptions{}).CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	before := len(r.stored(events.Main))
	for _, name := range []string{"*", ">", "main.*", "main.>", "a.b", "a b", "-a", ""} {
		ops := map[string]func() error{
			"Drop":       func() error { return r.store.Drop(ctx, name) },
			"Views":      func() error { _, err := r.store.Views(ctx, name); return err },
			"Checkpoint": func() error { _, err := r.store.Checkpoint(ctx, name); return err },
			"WaitFor": func() error {
				wctx, cancel := context.WithTimeout(ctx, time.Second)
				defer cancel()
				_, err := r.store.WaitFor(wctx, name, 1)
				return err
			},
		}
		for op, f := range ops {
			if err := f(); !errors.Is(err, events.ErrBadName) {
				t.Errorf("%s(%q) = %v, want ErrBadName", op, name, err)
			}
		}
	}
	if after := len(r.stored(events.Main)); after != before {
		t.Errorf("main had %d views, has %d after the refused drops", before, after)
	}
}
