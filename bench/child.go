package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/embedded"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/memory"
	"github.com/summit-model/summit/projections"
)

// The environment of the child process that measures a rebuild's peak
// memory: what it does, and where.
const (
	// ChildEnv names the child's work: "rebuild" (a projection rebuild of
	// main, on the server at ChildURLEnv), "raw" (an ordered consumer
	// reading the same messages there) or "rebuild-embedded" (a rebuild
	// on an embedded server of its own, on the store in ChildDirEnv, as
	// "summit status --data" runs).
	ChildEnv    = "SUMMIT_BENCH_CHILD"
	ChildURLEnv = "SUMMIT_BENCH_URL"
	ChildDirEnv = "SUMMIT_BENCH_DIR"
)

// ChildStarter returns the command that runs [Child] in a new process,
// with env added to its environment: the summit binary re-executed, or a
// test binary.
type ChildStarter func(ctx context.Context, env []string) *exec.Cmd

// IsChild reports whether this process was started to be a benchmark's
// child, and should run [Child].
func IsChild() bool { return os.Getenv(ChildEnv) != "" }

// childResult is what the child prints: how long its work took, how many
// events it read, and its peak resident memory.
type childResult struct {
	Took   time.Duration `json:"took_ns"`
	Events int           `json:"events"`
	HWM    int64         `json:"hwm_kb"`
}

// Child does the work its environment names and prints its figures, as
// JSON, to w.
func Child(ctx context.Context, w io.Writer) error {
	var res childResult
	t0 := time.Now()
	var err error
	switch mode := os.Getenv(ChildEnv); mode {
	case "raw":
		err = withConn(ctx, func(js jetstream.JetStream) error {
			res.Events, err = OrderedRead(ctx, js, eventlog.StreamName, eventlog.BranchSubjects(events.Main), 0)
			return err
		})
	case "rebuild":
		err = withConn(ctx, func(js jetstream.JetStream) error {
			res.Events, err = rebuild(ctx, js)
			return err
		})
	case "rebuild-embedded":
		var srv *embedded.Server
		srv, err = embedded.Start(ctx, embedded.Options{StoreDir: os.Getenv(ChildDirEnv)})
		if err != nil {
			return err
		}
		defer srv.Shutdown()
		// As summit's verbs run the embedded server (cmd/summit).
		defer memory.Limit(memory.ServerFloor, memory.ServerSpare)()
		var nc *nats.Conn
		if nc, err = srv.Connect(); err != nil {
			return err
		}
		defer nc.Close()
		js, _ := jetstream.New(nc)
		res.Events, err = rebuild(ctx, js)
	default:
		return fmt.Errorf("bench child: unknown work %q", mode)
	}
	if err != nil {
		return fmt.Errorf("bench child: %w", err)
	}
	res.Took = time.Since(t0)
	res.HWM = peakRSS()
	return json.NewEncoder(w).Encode(res)
}

func withConn(ctx context.Context, fn func(jetstream.JetStream) error) error {
	nc, err := nats.Connect(os.Getenv(ChildURLEnv), nats.Name("summit-bench-child"))
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	return fn(js)
}

func rebuild(ctx context.Context, js jetstream.JetStream) (int, error) {
	log, err := eventlog.Open(ctx, js, eventlog.Options{})
	if err != nil {
		return 0, err
	}
	store, err := projections.OpenStore(ctx, js, projections.StoreOptions{})
	if err != nil {
		return 0, err
	}
	runner := projections.NewRunner(log, store, eventlog.Main(), projections.RunnerOptions{})
	if err := runner.Rebuild(ctx); err != nil {
		return 0, err
	}
	return int(runner.Board().Seq()), nil
}

// peakRSS returns the process's peak resident memory in KiB (VmHWM), or 0
// where /proc does not tell.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb
		}
	}
	return 0
}

// child runs the child process for work, and returns its figures.
func (r *run) child(ctx context.Context, work string, env ...string) (childResult, error) {
	cmd := r.o.Child(ctx, append([]string{ChildEnv + "=" + work, ChildURLEnv + "=" + r.url, ChildDirEnv + "=" + r.dir}, env...))
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	if err := cmd.Run(); err != nil {
		return childResult{}, fmt.Errorf("child %s: %w: %s", work, err, strings.TrimSpace(errs.String()))
	}
	var res childResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || res.HWM == 0 {
		return childResult{}, fmt.Errorf("child %s: %w: %q", work, errChild, out.String())
	}
	return res, nil
}

// rss measures the peak resident memory of a rebuild in a child process,
// against a child that reads the same messages raw; both reach the
// server over loopback, so neither figure includes it. A third child runs
// the rebuild as the default deployment does, with the embedded server in
// its own process and the soft memory limit summit sets for itself
// ([memory.Limit]); a fourth, the same without that limit.
func (r *run) rss(ctx context.Context) error {
	if r.o.Child == nil {
		return nil
	}
	raw, err := r.child(ctx, "raw")
	if err != nil {
		return err
	}
	ours, err := r.child(ctx, "rebuild")
	if err != nil {
		return err
	}
	r.stop()
	embedded, err := r.child(ctx, "rebuild-embedded")
	if err != nil {
		return err
	}
	// The same without the soft memory limit summit sets for itself
	// (memory.Limit; GOMEMLIMIT=off leaves the collector at
	// GOGC=100 alone): what the limit saves, and what it costs.
	unlimited, err := r.child(ctx, "rebuild-embedded", "GOMEMLIMIT=off")
	if err != nil {
		return err
	}
	if err := r.start(ctx); err != nil {
		return err
	}
	mb := func(kb int64) float64 { return float64(kb) / 1024 }
	f := figure(mb(ours.HWM), mb(raw.HWM), "MB",
		"peak RSS (VmHWM) of a child process: ours a projections.Runner.Rebuild of main, raw an ordered consumer reading the same messages; the server runs in the parent. with_server_mb: the rebuild with the embedded server in the child, as summit status --data runs it (with its soft memory limit); with_server_no_limit_mb: the same with GOMEMLIMIT=off")
	f.Extra = map[string]float64{
		"with_server_mb": mb(embedded.HWM), "with_server_s": embedded.Took.Seconds(),
		"with_server_no_limit_mb": mb(unlimited.HWM), "with_server_no_limit_s": unlimited.Took.Seconds(),
		"ours_s": ours.Took.Seconds(), "raw_s": raw.Took.Seconds(),
	}
	r.rep.Figures["rebuild_rss"] = f
	return nil
}
