package main

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/summit-model/summit/bench"
)

// TestMain lets the test binary stand in for summit when bench re-executes
// itself to measure a rebuild's memory.
func TestMain(m *testing.M) {
	if bench.IsChild() {
		os.Exit(run(context.Background(), []string{"bench"}, os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func TestBenchJSON(t *testing.T) {
	code, out, errs := summit(t, "bench", "--events", "3000", "--meetings", "30", "--samples", "20", "--json", "-q")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	var figures map[string]struct {
		Ours  *float64 `json:"ours"`
		Raw   *float64 `json:"raw"`
		Ratio *float64 `json:"ratio"`
		Unit  string   `json:"unit"`
		P50   *float64 `json:"p50"`
		P99   *float64 `json:"p99"`
	}
	if err := json.Unmarshal([]byte(out), &figures); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(figures) != len(bench.Names) {
		t.Errorf("%d figures, want %d: %s", len(figures), len(bench.Names), out)
	}
	for _, name := range bench.Names {
		f, ok := figures[name]
		switch {
		case !ok:
			t.Errorf("no %s", name)
		case f.Ours == nil || *f.Ours <= 0 || f.Unit == "":
			t.Errorf("%s: ours %v, unit %q", name, f.Ours, f.Unit)
		case f.Raw != nil && (f.Ratio == nil || *f.Ratio <= 0):
			t.Errorf("%s: raw %v but ratio %v", name, *f.Raw, f.Ratio)
		}
	}
	for _, name := range []string{"command_warm", "command_cold", "live_lag"} {
		if f := figures[name]; f.P50 == nil || f.P99 == nil || *f.P99 < *f.P50 {
			t.Errorf("%s: p50 %v, p99 %v", name, f.P50, f.P99)
		}
	}
}

func TestBenchTable(t *testing.T) {
	code, out, errs := summit(t, "bench", "--events", "2000", "--meetings", "20", "--samples", "10")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	for _, want := range []string{"bulk append", "command warm", "rebuild rss", "raw nats.go", "ratio", "machine:"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errs, "bench: projection rebuild") {
		t.Errorf("no progress on standard error: %s", errs)
	}
}

func TestBenchRefuses(t *testing.T) {
	for _, args := range [][]string{{"--events", "10", "--meetings", "20"}, {"--samples", "1"}, {"extra"}} {
		if code, _, errs := summit(t, append([]string{"bench"}, args...)...); code != exitBadInput {
			t.Errorf("bench %v: exit %d, want %d\n%s", args, code, exitBadInput, errs)
		}
	}
	code, _, errs := summit(t, "bench", "-h")
	if code != exitOK || !strings.Contains(errs, "Usage: summit bench") || !strings.Contains(errs, "Examples:") {
		t.Errorf("bench -h: exit %d\n%s", code, errs)
	}
}
