package bench

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/synadia-io/orbit.go/jetstreamext"
)

// The raw counterparts: plain nats.go on the same server, with none of
// summit's encoding, checks or projection.

// rawStream is where the raw counterparts of appends write: a stream of its
// own, configured as the log's, with the same subject layout under "raw."
// (so that summit's own stream holds nothing but events).
const rawStream = "BENCH_RAW"

// RawStream is the name of the raw counterparts' stream.
const RawStream = rawStream

// RawSubject returns where the raw counterpart of an append to subject
// publishes.
func RawSubject(subject string) string { return "raw." + subject }

// CreateRawStream creates the raw counterparts' stream on js, afresh,
// configured as the log's.
func CreateRawStream(ctx context.Context, js jetstream.JetStream) error {
	return createStream(ctx, js, rawStream, "raw.>")
}

// rawHeadedStream is where the raw bulk publish with summit's headers
// writes, beside the plain one: the headers chain each message to the
// stream's last.
const rawHeadedStream = "BENCH_RAW_HEADERS"

func rawHeadedSubject(subject string) string { return "rawh." + subject }

// rawFastStream is where the raw fast-batch publish writes: a stream as the
// log's, that allows fast-ingest batches.
const rawFastStream = "BENCH_RAW_FAST"

// PublishFast publishes msgs as one fast-ingest batch with
// jetstreamext.FastPublisher (flow 500, 4 acknowledgements outstanding,
// gap fail), and waits for its end.
func PublishFast(ctx context.Context, js jetstream.JetStream, msgs []*nats.Msg) error {
	if len(msgs) == 0 {
		return nil
	}
	fp, err := jetstreamext.NewFastPublisher(js, jetstreamext.FastPublishFlowControl{Flow: 500, MaxOutstandingAcks: 4, AckTimeout: 10 * time.Second})
	if err != nil {
		return fmt.Errorf("raw fast batch: %w", err)
	}
	for _, m := range msgs {
		if _, err := fp.AddMsg(m); err != nil {
			return fmt.Errorf("raw fast batch: %w", err)
		}
	}
	ack, err := fp.Close(ctx)
	if err != nil {
		return fmt.Errorf("raw fast batch: %w", err)
	}
	if ack.BatchSize != uint64(len(msgs)) {
		return fmt.Errorf("raw fast batch: %d of %d messages stored", ack.BatchSize, len(msgs))
	}
	return nil
}

func createStream(ctx context.Context, js jetstream.JetStream, name, subjects string) error {
	if err := js.DeleteStream(ctx, name); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
		return fmt.Errorf("raw stream: %w", err)
	}
	_, err := js.CreateStream(ctx, jetstream.StreamConfig{
		Name:        name,
		Subjects:    []string{subjects},
		Storage:     jetstream.FileStorage,
		Replicas:    1,
		Retention:   jetstream.LimitsPolicy,
		Duplicates:  10 * time.Minute,
		AllowDirect: true,
		// As the log's stream: see eventlog.Open.
		AllowAtomicPublish: true,
		AllowBatchPublish:  true,
	})
	if err != nil {
		return fmt.Errorf("raw stream: %w", err)
	}
	return nil
}

// window is how many asynchronous publishes are in flight at most, as in
// [eventlog.Log.AppendAll]: at 1024 the oldest 512 are waited for.
const window = 1024

// PublishAsync publishes msgs with PublishMsgAsync, window at a time, and
// waits for every acknowledgement.
func PublishAsync(ctx context.Context, js jetstream.JetStream, msgs []*nats.Msg) error {
	futures := make([]jetstream.PubAckFuture, 0, window)
	settle := func(keep int) error {
		for len(futures) > keep {
			f := futures[0]
			futures = futures[1:]
			select {
			case <-f.Ok():
			case err := <-f.Err():
				return fmt.Errorf("raw publish: %w", err)
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	}
	for _, m := range msgs {
		f, err := js.PublishMsgAsync(m)
		if err != nil {
			return fmt.Errorf("raw publish: %w", err)
		}
		futures = append(futures, f)
		if len(futures) >= window {
			if err := settle(window / 2); err != nil {
				return err
			}
		}
	}
	return settle(0)
}

// OrderedRead reads every message on filter from stream, from sequence 1 up
// to upTo (0: all), with an ordered consumer as [eventlog.Log.Subscribe]
// makes one, and returns how many it read. It decodes nothing.
func OrderedRead(ctx context.Context, js jetstream.JetStream, stream, filter string, upTo uint64) (int, error) {
	cons, err := js.OrderedConsumer(ctx, stream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{filter}})
	if err != nil {
		return 0, fmt.Errorf("raw read: %w", err)
	}
	pending := uint64(0)
	if info := cons.CachedInfo(); info != nil {
		pending = info.NumPending
	}
	if pending == 0 {
		return 0, nil
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(1024))
	if err != nil {
		return 0, fmt.Errorf("raw read: %w", err)
	}
	defer it.Stop()
	n := 0
	for {
		msg, err := it.Next(jetstream.NextContext(ctx))
		if err != nil {
			return n, fmt.Errorf("raw read: %w", err)
		}
		md, err := msg.Metadata()
		if err != nil {
			return n, fmt.Errorf("raw read: %w", err)
		}
		if upTo > 0 && md.Sequence.Stream > upTo {
			return n, nil
		}
		n++
		if md.NumPending == 0 || upTo > 0 && md.Sequence.Stream == upTo {
			return n, nil
		}
	}
}

// freePort returns a loopback port nothing listens on, for the embedded
// server's listener (nats-server reads port 0 as its default port).
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// settle syncs every file under dir to disk.
func settle(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil // a deleted stream's directory, removed while we walked
		}
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil // removed while we walked
		}
		if err != nil {
			return err
		}
		defer f.Close()
		return f.Sync()
	})
}

// machine describes the machine the run is on.
func machine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), OS: runtime.GOOS + "/" + runtime.GOARCH, Go: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				var kb int
				fmt.Sscan(strings.TrimSpace(v), &kb)
				m.Memory = fmt.Sprintf("%.0f GiB", float64(kb)/(1<<20))
			}
		}
	}
	return m
}

// errChild is an unusable answer from the child process.
var errChild = errors.New("the child process gave no figures")
