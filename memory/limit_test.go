package memory

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// TestLimitFollowsTheLiveHeap checks that the limit is the floor
// while the live heap is small, rises to a quarter above the live heap
// when that grows past the floor, and is put back when stopped.
func TestLimitFollowsTheLiveHeap(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	before := debug.SetMemoryLimit(-1)
	const floor = 32 << 20
	runtime.GC()
	stop := Limit(floor, ServerSpare)
	defer stop()
	if got := debug.SetMemoryLimit(-1); got != floor {
		t.Fatalf("limit %d with a small live heap, want the floor %d", got, floor)
	}
	live := make([][]byte, 80)
	for i := range live {
		live[i] = make([]byte, 1<<20)
		live[i][0] = 1
	}
	deadline := time.Now().Add(10 * time.Second)
	for debug.SetMemoryLimit(-1) < 100<<20 {
		if time.Now().After(deadline) {
			t.Fatalf("limit %d MiB with 80 MiB live, want at least 100 MiB", debug.SetMemoryLimit(-1)>>20)
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond) // the finalizer runs after the collection
	}
	runtime.KeepAlive(live)
	stop()
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("limit %d after stop, want %d as before", got, before)
	}
}

// TestLimitLeavesGOMEMLIMIT checks that an operator's GOMEMLIMIT
// stands.
func TestLimitLeavesGOMEMLIMIT(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "1GiB")
	before := debug.SetMemoryLimit(-1)
	stop := Limit(32<<20, ServerSpare)
	defer stop()
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("limit %d with GOMEMLIMIT set, want %d as it was", got, before)
	}
}

// TestCollectSpendsTheSpare checks that Collect raises GOGC as far as its
// spare allows over the live heap, never below what there was, and puts
// it back when stopped; a memory limit, or an operator's GOGC or
// GOMEMLIMIT, stands.
func TestCollectSpendsTheSpare(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	runtime.GC()
	for _, tt := range []struct {
		name  string
		spare int64
		want  int
	}{
		{"a spare far above the live heap", 1 << 40, 400},
		{"a spare far below it", 1, 100},
	} {
		stop := Collect(400, tt.spare)
		if got := GCPercent(); got != tt.want {
			t.Errorf("%s: GOGC %d, want %d", tt.name, got, tt.want)
		}
		stop()
		if got := GCPercent(); got != 100 {
			t.Errorf("%s: GOGC %d after stop, want 100 as before", tt.name, got)
		}
	}
	// A memory limit decides instead.
	prevLimit := debug.SetMemoryLimit(256 << 20)
	stop := Collect(400, 1<<40)
	if got := GCPercent(); got != 100 {
		t.Errorf("GOGC %d under a memory limit, want it kept", got)
	}
	stop()
	debug.SetMemoryLimit(prevLimit)
	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Run(env, func(t *testing.T) {
			t.Setenv(env, "off")
			stop := Collect(400, 1<<40)
			defer stop()
			if got := GCPercent(); got != 100 {
				t.Errorf("GOGC %d with the operator's %s set, want it kept", got, env)
			}
		})
	}
}
