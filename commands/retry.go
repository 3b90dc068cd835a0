package commands

import (
	"context"
	"errors"
	"time"

	"github.com/summit-model/summit/eventlog"
)

// retry runs op until it returns anything but [eventlog.ErrUnavailable],
// waiting a little longer each time (from 50ms to a second), for up to
// patience in all; again is called before each new try.
func retry(ctx context.Context, patience time.Duration, op func() error, again func()) error {
	give := time.Now().Add(patience)
	wait := 50 * time.Millisecond
	for {
		err := op()
		if !errors.Is(err, eventlog.ErrUnavailable) || ctx.Err() != nil || time.Now().Add(wait).After(give) {
			return err
		}
		again()
		if err := sleep(ctx, wait); err != nil {
			return err
		}
		wait = min(2*wait, time.Second)
	}
}
