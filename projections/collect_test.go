package projections

import (
	"math"
	"runtime/debug"
	"testing"

	"github.com/summit-model/summit/memory"
)

// Runners catching up at once raise GOGC once (the live heap of a test is
// far below the spare), and the last to stop puts back what there was; a
// memory limit (the embedded server's), an operator's GOGC or GOMEMLIMIT,
// or a higher setting, stands.
func TestCollectLess(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	t.Setenv("GOGC", "")

	first := collectLess()
	second := collectLess()
	if got := memory.GCPercent(); got != catchUpGC {
		t.Fatalf("GOGC %d while two runners catch up, want %d", got, catchUpGC)
	}
	first()
	first() // a second call changes nothing
	if got := memory.GCPercent(); got != catchUpGC {
		t.Fatalf("GOGC %d while one runner still catches up, want %d", got, catchUpGC)
	}
	second()
	if got := memory.GCPercent(); got != 100 {
		t.Fatalf("GOGC %d once every runner is done, want 100 as before", got)
	}

	debug.SetGCPercent(500)
	collectLess()()
	if got := memory.GCPercent(); got != 500 {
		t.Errorf("GOGC %d after a catch-up with GOGC 500 set, want 500 kept", got)
	}
	debug.SetGCPercent(100)

	// The embedded server's limit decides.
	debug.SetMemoryLimit(256 << 20)
	release := collectLess()
	if got := memory.GCPercent(); got != 100 {
		t.Errorf("GOGC %d under a memory limit, want 100 kept", got)
	}
	release()
	debug.SetMemoryLimit(math.MaxInt64)

	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Run(env, func(t *testing.T) {
			t.Setenv(env, "off")
			release := collectLess()
			defer release()
			if got := memory.GCPercent(); got != 100 {
				t.Errorf("GOGC %d with the operator's %s set, want it kept", got, env)
			}
		})
	}
}
