package projections

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Encoding a checkpoint's values in parallel: a rebuild of 10,000 meetings
// writes 20,000 views and snapshots at its end, and encoding them (about
// 10 µs each, encoding/json) took most of that checkpoint's time, on one
// processor, while the reading that kept the others busy had ended.
const (
	// encodeChunk is how many values a goroutine encodes at a time.
	encodeChunk = 64
	// encodeAlone is the number of values below which they are encoded on
	// the caller's goroutine: a live runner's save writes a few.
	encodeAlone = 2 * encodeChunk
)

// encoded is one value's encoding, or why it has none.
type encoded struct {
	data []byte
	err  error
}

// inOrder calls encode for each of n values and write for each encoding, in
// order: the same writes, and the same first error, as a loop calling one
// after the other. encode returns nil for a value with nothing to write. For
// many values, encode runs on every processor, a chunk at a time and a few
// chunks ahead of write, so that the encodings waiting to be written stay
// few; encode must then be safe to call from several goroutines at once,
// and write is only ever called from the caller's.
func inOrder(n int, encode func(i int) ([]byte, error), write func(i int, data []byte) error) error {
	workers := runtime.GOMAXPROCS(0)
	if n < encodeAlone || workers < 2 {
		for i := range n {
			data, err := encode(i)
			if err != nil {
				return err
			}
			if data != nil {
				if err := write(i, data); err != nil {
					return err
				}
			}
		}
		return nil
	}
	chunks := (n + encodeChunk - 1) / encodeChunk
	done := make([]chan []encoded, chunks)
	for c := range done {
		done[c] = make(chan []encoded, 1)
	}
	// ahead holds a token for each chunk taken and not yet written: a
	// worker takes the next chunk only with a token, and write gives the
	// token back. The chunk write waits for has always been taken, or has
	// a token free for it: each chunk before it was written.
	ahead := make(chan struct{}, 2*workers)
	stop := make(chan struct{})
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				case ahead <- struct{}{}:
				}
				c := int(next.Add(1) - 1)
				if c >= chunks {
					return
				}
				out := make([]encoded, 0, encodeChunk)
				for i := c * encodeChunk; i < min(n, (c+1)*encodeChunk); i++ {
					data, err := encode(i)
					out = append(out, encoded{data, err})
				}
				done[c] <- out
			}
		})
	}
	defer wg.Wait()
	defer close(stop)
	for c := range chunks {
		out := <-done[c]
		<-ahead
		for j, e := range out {
			if e.err != nil {
				return e.err
			}
			if e.data != nil {
				if err := write(c*encodeChunk+j, e.data); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
