package eventlog

import (
	"context"
	"testing"

	"github.com/summit-model/summit/events"
)

// TestNamesStayInTheirSubjects shows that no name a user gives can make a
// subject or key that reaches outside its meeting or branch: each is
// refused, and the record and its branches are as they were.
func TestNamesStayInTheirSubjects(t *testing.T) {
	ctx := context.Background()
	l := openLog(t)
	if _, err := l.Append(ctx, 0, declare(events.Main, "m", 16)); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Fork(ctx, "what-if", events.Time{}); err != nil {
		t.Fatal(err)
	}
	bad := []string{"*", ">", "a.b", "main.>", "what-if.*", "a b", " a", "-a", "_a", "a\tb", "a/b", "ü"}
	for _, name := range bad {
		ops := map[string]func() error{
			"Branch":       func() error { _, err := l.Branch(ctx, name); return err },
			"CreateBranch": func() error { _, err := l.Fork(ctx, name, events.Time{}); return err },
			"DeleteBranch": func() error { return l.DeleteBranch(ctx, name) },
			"Load":         func() error { _, err := l.Load(ctx, Main(), events.Meeting(name)); return err },
			"Append to a meeting": func() error {
				_, err := l.Append(ctx, 0, declare(events.Main, name, 16))
				return err
			},
			"Append to a branch": func() error {
				_, err := l.Append(ctx, 0, declare(name, "m", 16))
				return err
			},
		}
		for op, f := range ops {
			if err := f(); err == nil {
				t.Errorf("%s(%q) succeeded", op, name)
			}
		}
	}
	if err := l.DeleteBranch(ctx, ""); err == nil {
		t.Error(`DeleteBranch("") succeeded`)
	}
	if err := l.DeleteBranch(ctx, events.Main); err == nil {
		t.Error("DeleteBranch(main) succeeded")
	}
	last, err := l.LastSeq(ctx)
	if err != nil || last != 1 {
		t.Errorf("the record holds %d events (%v), want the 1 appended", last, err)
	}
	if _, err := l.Branch(ctx, "what-if"); err != nil {
		t.Errorf("branch what-if: %v", err)
	}
}
