package scenarios

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/summit-model/summit/events"
)

// Pace maps world time to wall time for a paced replay: "1d=1s" replays a
// day of the story in a second, so that a watcher sees it unfold.
type Pace struct {
	World time.Duration
	Wall  time.Duration
}

// ParsePace reads a pace, WORLD=WALL: WORLD a whole number of weeks, days,
// hours or minutes (2w, 1d, 6h, 30m), WALL a Go duration (1s, 500ms).
func ParsePace(s string) (Pace, error) {
	world, wall, ok := strings.Cut(s, "=")
	if !ok {
		return Pace{}, fmt.Errorf("pace %q: want WORLD=WALL, such as 1d=1s", s)
	}
	units := map[byte]time.Duration{'w': 7 * 24 * time.Hour, 'd': 24 * time.Hour, 'h': time.Hour, 'm': time.Minute}
	var p Pace
	if len(world) < 2 || units[world[len(world)-1]] == 0 {
		return Pace{}, fmt.Errorf("pace %q: world time %q: want a whole number of w, d, h or m, such as 1d", s, world)
	}
	n, err := strconv.Atoi(world[:len(world)-1])
	if err != nil || n <= 0 || n > 100_000 {
		return Pace{}, fmt.Errorf("pace %q: world time %q: want a whole number of w, d, h or m, such as 1d", s, world)
	}
	p.World = time.Duration(n) * units[world[len(world)-1]]
	if p.Wall, err = time.ParseDuration(wall); err != nil || p.Wall <= 0 {
		return Pace{}, fmt.Errorf("pace %q: wall time %q: want a positive duration, such as 1s", s, wall)
	}
	return p, nil
}

// IsZero reports whether p is no pace: append at once.
func (p Pace) IsZero() bool { return p.World == 0 }

// Wait waits the wall time that the world time from one event to the next
// maps to, or until ctx ends.
func (p Pace) Wait(ctx context.Context, from, to events.Time) error {
	gap := to.Sub(from.Time)
	if gap <= 0 {
		return ctx.Err()
	}
	d := time.Duration(float64(gap) / float64(p.World) * float64(p.Wall))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
