package scenarios

import (
	"testing"
	"time"
)

func TestParsePace(t *testing.T) {
	tests := []struct {
		in          string
		world, wall time.Duration
	}{
		{"1d=1s", 24 * time.Hour, time.Second},
		{"2w=500ms", 14 * 24 * time.Hour, 500 * time.Millisecond},
		{"6h=1s", 6 * time.Hour, time.Second},
		{"1d", 0, 0}, {"1y=1s", 0, 0}, {"0d=1s", 0, 0}, {"1d=0s", 0, 0}, {"1d=fast", 0, 0}, {"=1s", 0, 0},
	}
	for _, tt := range tests {
		p, err := ParsePace(tt.in)
		if tt.world == 0 {
			if err == nil {
				t.Errorf("ParsePace(%q) = %+v, want an error", tt.in, p)
			}
			continue
		}
		if err != nil || p.World != tt.world || p.Wall != tt.wall {
			t.Errorf("ParsePace(%q) = %+v, %v", tt.in, p, err)
		}
	}
}
