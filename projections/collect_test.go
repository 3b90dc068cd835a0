package projections

import (
	"math"
	"runtime/debug"
	"testing"
)

// gcPercent returns the process's GOGC.
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// Runners catching up at once raise GOGC once, within a memory limit, and
// the last to stop puts back what there was; an operator's GOGC, or a
// higher setting, stands, and so does a memory limit already set.
func TestCollectLess(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")

	first := collectLess()
	second := collectLess()
	if got := gcPercent(); got != catchUpGC {
		t.Fatalf("GOGC %d while two runners catch up, want %d", got, catchUpGC)
	}
	if got := debug.SetMemoryLimit(-1); got < catchUpFloor || got == math.MaxInt64 {
		t.Fatalf("memory limit %d while runners catch up, want at least %d", got, int64(catchUpFloor))
	}
	first()
	first() // a second call changes nothing
	if got := gcPercent(); got != catchUpGC {
		t.Fatalf("GOGC %d while one runner still catches up, want %d", got, catchUpGC)
	}
	second()
	if got := gcPercent(); got != 100 {
		t.Fatalf("GOGC %d once every runner is done, want 100 as before", got)
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Fatalf("memory limit %d once every runner is done, want none as before", got)
	}

	// The embedded server's limit stands.
	debug.SetMemoryLimit(256 << 20)
	release := collectLess()
	if got := debug.SetMemoryLimit(-1); got != 256<<20 {
		t.Errorf("memory limit %d with one set before, want it kept", got)
	}
	release()
	debug.SetMemoryLimit(math.MaxInt64)

	debug.SetGCPercent(500)
	collectLess()()
	if got := gcPercent(); got != 500 {
		t.Errorf("GOGC %d after a catch-up with GOGC 500 set, want 500 kept", got)
	}

	debug.SetGCPercent(100)
	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Run(env, func(t *testing.T) {
			t.Setenv(env, "off")
			release := collectLess()
			defer release()
			if got := gcPercent(); got != 100 {
				t.Errorf("GOGC %d with the operator's %s set, want it kept", got, env)
			}
			if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
				t.Errorf("memory limit %d with the operator's %s set, want none added", got, env)
			}
		})
	}
}
