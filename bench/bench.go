// Package bench measures what summit costs over JetStream itself: each of
// its figures (a bulk append, a command, a projection rebuild, the live lag
// of a view, a branch, the memory of a rebuild) beside the same work done
// with plain nats.go on the same embedded server, in the same run, so that
// the ratio holds on a noisy machine.
//
// [Run] makes a synthetic record with [workload.Generate], measures it, and
// returns a [Report]; "summit bench" prints it. The peak memory of a rebuild
// is measured in a child process (see [Child]), so that the figure is the
// rebuild's and not the whole benchmark's.
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/embedded"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
	"github.com/summit-model/summit/workload"
)

// Options say what to measure.
type Options struct {
	// Events and Meetings size the record on main. Defaults: 1,000,000
	// events of 10,000 meetings.
	Events   int
	Meetings int
	// Dir is where the embedded server keeps its store; default a
	// temporary directory, removed at the end.
	Dir string
	// Samples is how many commands (and live changes) each latency figure
	// times. Default 1000.
	Samples int
	// Branches is how many idle branches the branches_idle figure makes,
	// on a store of its own ([ManyBranches]). Default 10,000.
	Branches int
	// Child starts the child process that measures a rebuild's memory
	// (see [Child]); nil leaves the rss figure out.
	Child ChildStarter
	// Summit returns the command that runs the summit binary with args,
	// for the figure of a whole "summit append" process; nil leaves it
	// out.
	Summit func(ctx context.Context, args ...string) *exec.Cmd
	// Only, if not empty, names the steps to take after the bulk append
	// (which every run takes: it makes the record), of [Steps]; a run
	// takes as well the steps they need ([Needs]).
	Only []string
	// Progress receives a line as each step begins; nil discards them.
	Progress io.Writer
	// Logger receives the embedded server's log; nil discards it.
	Logger *slog.Logger
}

// Steps are the steps of a run, in order, as [Options.Only] names them.
var Steps = []string{"bulk", "rebuild", "rss", "cold", "warm", "live", "web", "branches", "idle"}

// Needs names, for a step, the steps before it whose results it reads:
// the cold commands read the snapshots the rebuild wrote, and the branch
// figures compare a branch's board with the rebuild's time.
var Needs = map[string][]string{"cold": {"rebuild"}, "branches": {"rebuild"}}

// takes reports whether a run of only (every step, if empty) takes step
// k: the bulk append always, a step named, and a step one named needs.
func takes(only []string, k string) bool {
	if len(only) == 0 || k == "bulk" || slices.Contains(only, k) {
		return true
	}
	for _, o := range only {
		if slices.Contains(Needs[o], k) {
			return true
		}
	}
	return false
}

// Validate reports every problem with o, after defaults.
func (o Options) Validate() error {
	var errs []error
	if o.Meetings < 1 {
		errs = append(errs, fmt.Errorf("meetings %d: want at least 1", o.Meetings))
	}
	if o.Events < 2*o.Meetings {
		errs = append(errs, fmt.Errorf("events %d: want at least two per meeting (%d meetings)", o.Events, o.Meetings))
	}
	for _, k := range o.Only {
		if !slices.Contains(Steps, k) {
			errs = append(errs, fmt.Errorf("only %q: not a step (%s)", k, strings.Join(Steps, ", ")))
		}
	}
	if o.Samples < 10 {
		errs = append(errs, fmt.Errorf("samples %d: want at least 10", o.Samples))
	}
	return errors.Join(errs...)
}

func (o Options) withDefaults() Options {
	if o.Events == 0 {
		o.Events = 1_000_000
	}
	if o.Meetings == 0 {
		o.Meetings = 10_000
	}
	if o.Samples == 0 {
		o.Samples = 1000
	}
	if o.Branches == 0 {
		o.Branches = 10_000
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	return o
}

// Figure is one measurement: ours, the raw nats.go counterpart (nil where
// there is none), and their ratio. Latencies carry their percentiles.
type Figure struct {
	Ours  float64  `json:"ours"`
	Raw   *float64 `json:"raw"`
	Ratio *float64 `json:"ratio"`
	Unit  string   `json:"unit"`
	// P50 and P99 are latency percentiles, for ours; RawP50 and RawP99
	// for the raw counterpart.
	P50    *float64 `json:"p50,omitempty"`
	P99    *float64 `json:"p99,omitempty"`
	RawP50 *float64 `json:"raw_p50,omitempty"`
	RawP99 *float64 `json:"raw_p99,omitempty"`
	// Extra holds figures that explain this one (a load's share of a
	// command, the same figure at another size), by name.
	Extra map[string]float64 `json:"extra,omitempty"`
	// What says what was measured, ours and raw, in a sentence.
	What string `json:"what"`
}

func ptr(v float64) *float64 { return &v }

// figure returns a figure of ours against raw (raw 0: none).
func figure(ours, raw float64, unit, what string) Figure {
	f := Figure{Ours: ours, Unit: unit, What: what}
	if raw > 0 {
		f.Raw, f.Ratio = ptr(raw), ptr(ours/raw)
	}
	return f
}

// The names of the figures, in the order of the table.
var Names = []string{"bulk_append", "command_warm", "command_cold", "rebuild", "live_lag", "late_report", "append_process", "web_live", "branch_create", "branch_read", "rebuild_rss", "branches_idle"}

// Report is the outcome of [Run].
type Report struct {
	Events   int               `json:"events"`
	Meetings int               `json:"meetings"`
	Figures  map[string]Figure `json:"figures"`
	Machine  Machine           `json:"machine"`
	Took     time.Duration     `json:"took_ns"`
}

// Machine is what the figures ran on.
type Machine struct {
	CPUs   int    `json:"cpus"`
	CPU    string `json:"cpu"`
	Memory string `json:"memory"`
	OS     string `json:"os"`
	Go     string `json:"go"`
	Server string `json:"nats_server"`
}

// run is one benchmark run: the server, the log and what it measured.
type run struct {
	o     Options
	dir   string
	srv   *embedded.Server
	url   string
	nc    *nats.Conn
	js    jetstream.JetStream
	log   *eventlog.Log
	store *projections.Store
	load  *workload.Load
	rep   *Report
	// rebuild is how long a rebuild of the whole record took, for the
	// branch figures.
	rebuild time.Duration
	// small holds the branch figures at 10,000 events.
	small branchTimes
	// lastAt is the world time of the record's last event.
	lastAt events.Time
	// midAt holds, for each long meeting, the world time of its middle
	// event: where a late report goes.
	midAt map[string]events.Time
}

// Run measures every figure at the size o gives. If a step fails, it
// returns the figures taken before it with the error.
func Run(ctx context.Context, o Options) (*Report, error) {
	o = o.withDefaults()
	if err := o.Validate(); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	start := time.Now()
	r := &run{o: o, rep: &Report{Events: o.Events, Meetings: o.Meetings, Figures: map[string]Figure{}, Machine: machine()}}
	r.dir = o.Dir
	if r.dir == "" {
		dir, err := os.MkdirTemp("", "summit-bench-*")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		r.dir = dir
	}
	if err := r.start(ctx); err != nil {
		return nil, err
	}
	defer func() { r.stop() }()
	r.rep.Machine.Server = server.VERSION

	r.progress("generating %d events of %d meetings", o.Events, o.Meetings)
	// Long meetings (200 events each) are the ones the cold commands
	// meet: 3% of them, so that each third of them gives a hundred
	// samples at the default size.
	long := min(max(o.Meetings*3/100, 20), o.Meetings/2)
	load, err := workload.Generate(workload.Options{Meetings: o.Meetings, Events: o.Events, Long: long, Seed: 1})
	if err != nil {
		return nil, err
	}
	r.load = load
	for _, s := range r.steps() {
		if err := ctx.Err(); err != nil {
			r.rep.Took = time.Since(start)
			return r.rep, err
		}
		if !takes(o.Only, s.key) {
			continue
		}
		r.progress("%s", s.name)
		if err := s.fn(ctx); err != nil {
			// The figures taken so far go back with the error.
			r.rep.Took = time.Since(start)
			return r.rep, fmt.Errorf("bench: %s: %w", s.name, err)
		}
		runtime.GC()
	}
	r.rep.Took = time.Since(start)
	return r.rep, nil
}

// step is one step of a run: its key in [Steps], what it measures, and
// the function that does.
type step struct {
	key, name string
	fn        func(context.Context) error
}

// steps returns the run's steps, in the order of [Steps].
func (r *run) steps() []step {
	return []step{
		{"bulk", "bulk append (and branches at 10k events)", r.bulk},
		{"rebuild", "projection rebuild", r.rebuildFigure},
		{"rss", "peak memory of a rebuild", r.rss},
		{"cold", "commands on cold meetings (after a restart of the server)", r.commandCold},
		{"warm", "commands on warm meetings", r.commandWarm},
		{"live", "live lag, late report and a summit append process", r.liveLag},
		{"web", "the web board's live pages", r.webLive},
		{"branches", "branches at the full size", r.branches},
		{"idle", "idle branches (a store of their own)", r.manyBranches},
	}
}

func (r *run) progress(format string, args ...any) {
	fmt.Fprintf(r.o.Progress, "bench: "+format+"\n", args...)
}

// start starts the embedded server on the run's store, listening on a
// loopback port for the child process, and opens the log on it.
func (r *run) start(ctx context.Context) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	r.srv, err = embedded.Start(ctx, embedded.Options{StoreDir: r.dir, Listen: fmt.Sprintf("127.0.0.1:%d", port), Logger: r.o.Logger})
	if err != nil {
		return err
	}
	r.url = r.srv.ClientURL()
	if r.nc, err = r.srv.Connect(); err != nil {
		return err
	}
	if r.js, err = jetstream.New(r.nc); err != nil {
		return err
	}
	if r.log, err = eventlog.Open(ctx, r.js, eventlog.Options{}); err != nil {
		return err
	}
	if r.store, err = projections.OpenStore(ctx, r.js, projections.StoreOptions{}); err != nil {
		return err
	}
	return nil
}

func (r *run) stop() {
	if r.nc != nil {
		r.nc.Close()
	}
	if r.srv != nil {
		r.srv.Shutdown()
	}
	r.nc, r.srv = nil, nil
}

// restart stops the server and starts it again on the same store: what a
// fresh summit process on the store does.
func (r *run) restart(ctx context.Context) error {
	r.stop()
	return r.start(ctx)
}

// latencies are timed samples.
type latencies []time.Duration

// ms returns the p-th percentile in milliseconds.
func (l latencies) ms(p int) float64 {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	i := min(len(s)-1, len(s)*p/100)
	return float64(s[i]) / float64(time.Millisecond)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
