package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/summit-model/summit/commands"
	"github.com/summit-model/summit/embedded"
	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/events"
	"github.com/summit-model/summit/projections"
	"github.com/summit-model/summit/workload"
)

// ManyBranchesOptions size [ManyBranches].
type ManyBranchesOptions struct {
	// Branches is how many branches are made. Default 10,000.
	Branches int
	// Events and Meetings size the record the branches fork from: small,
	// as every branch holds a view of each of its meetings. Defaults: 400
	// events of 10 meetings.
	Events, Meetings int
	// Idle is how long the idle CPU is measured over. Default 10s.
	Idle time.Duration
	// Progress receives a line as each step begins; nil discards them.
	Progress io.Writer
}

// BranchFigures are what [ManyBranches] measured.
type BranchFigures struct {
	Branches int
	// Project is how long the keeper took to project every branch made
	// (the record up to its fork, written as views), from the first
	// branch made to the last checkpoint.
	Project time.Duration
	// IdleCPU is the process's CPU time (user and system, by getrusage)
	// per second of wall time while every branch is idle, with the keeper
	// running; IdleCPUBase the same before the keeper started, the store
	// and the embedded server alone.
	IdleCPU, IdleCPUBase float64
	// RSS is the process's resident memory with the keeper running and
	// every branch idle, RSSBase before the first branch was made, and
	// RSSPerBranch their difference per branch (it holds the embedded
	// server's share of the buckets too). HeapPerBranch is the same of the
	// Go heap in use, after a collection.
	RSS, RSSBase                int64
	RSSPerBranch, HeapPerBranch float64
	// Consumers is how many consumers the event stream has while every
	// branch is idle.
	Consumers int
	// List is how long projections.Branches takes to list every branch;
	// RawList a plain nats.go watcher reading every key of the branch
	// bucket.
	List, RawList time.Duration
	// Live is how long an event appended to an idle branch takes to reach
	// its view.
	Live time.Duration
}

// ManyBranches measures what idle branches cost "summit serve": it makes
// a small record on a fresh embedded server, runs a [projections.Keeper],
// makes o.Branches branches and waits until each is projected, then takes
// the idle CPU over o.Idle, the memory, the consumers, the time to list
// the branches and the live lag of an event on one idle branch.
func ManyBranches(ctx context.Context, o ManyBranchesOptions) (*BranchFigures, error) {
	if o.Branches == 0 {
		o.Branches = 10_000
	}
	if o.Events == 0 {
		o.Events = 400
	}
	if o.Meetings == 0 {
		o.Meetings = 10
	}
	if o.Idle == 0 {
		o.Idle = 10 * time.Second
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	progress := func(format string, args ...any) { fmt.Fprintf(o.Progress, "bench: branches: "+format+"\n", args...) }
	dir, err := os.MkdirTemp("", "summit-bench-branches-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	srv, err := embedded.Start(ctx, embedded.Options{StoreDir: dir})
	if err != nil {
		return nil, err
	}
	defer srv.Shutdown()
	nc, err := srv.Connect()
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	log, err := eventlog.Open(ctx, js, eventlog.Options{})
	if err != nil {
		return nil, err
	}
	store, err := projections.OpenStore(ctx, js, projections.StoreOptions{})
	if err != nil {
		return nil, err
	}
	load, err := workload.Generate(workload.Options{Meetings: o.Meetings, Events: o.Events, Seed: 1})
	if err != nil {
		return nil, err
	}
	pending := make([]eventlog.Pending, len(load.Events))
	last := map[string]uint64{}
	for i, e := range load.Events {
		pending[i] = eventlog.Pending{Events: load.Events[i : i+1 : i+1], Expect: last[e.Aggregate.ID]}
		last[e.Aggregate.ID] = uint64(i + 1)
	}
	if _, err := log.AppendAll(ctx, pending); err != nil {
		return nil, err
	}
	f := &BranchFigures{Branches: o.Branches}

	progress("idle CPU of the server alone, over %s", o.Idle)
	f.RSSBase = settledRSS()
	f.IdleCPUBase = idleCPU(o.Idle)

	kctx, stopKeeper := context.WithCancel(ctx)
	kept := make(chan error, 1)
	keeper := projections.NewKeeper(log, store, projections.RunnerOptions{Logger: slog.New(slog.DiscardHandler)})
	keeper.BranchIdle = time.Second
	go func() { kept <- keeper.Run(kctx) }()
	defer func() { stopKeeper(); <-kept }()
	if _, err := store.WaitFor(ctx, events.Main, uint64(len(load.Events))); err != nil {
		return nil, err
	}

	progress("making %d branches, each projected by the keeper", o.Branches)
	t0 := time.Now()
	var names []string
	for i := range o.Branches {
		name := fmt.Sprintf("b%05d", i)
		if _, err := log.Fork(ctx, name, events.Time{}); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	progress("made in %s", time.Since(t0).Round(time.Millisecond))
	said := time.Now()
	state, err := js.KeyValue(ctx, projections.StateBucket)
	if err != nil {
		return nil, err
	}
	for {
		n, err := countKeys(ctx, state, "*.checkpoint")
		if err != nil {
			return nil, err
		}
		if n >= o.Branches+1 {
			break
		}
		if time.Since(said) >= 10*time.Second {
			said = time.Now()
			progress("%d of %d branches projected after %s", n-1, o.Branches, time.Since(t0).Round(time.Second))
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	f.Project = time.Since(t0)
	// Every branch's checkpoint is of its generation and based on the
	// record, and the idle runners have gone.
	for i, name := range names {
		if i%97 != 0 {
			continue
		}
		cp, err := store.Checkpoint(ctx, name)
		if err != nil {
			return nil, err
		}
		if !cp.Based || cp.Seq < uint64(len(load.Events)) {
			return nil, fmt.Errorf("branch %s: checkpoint %+v, want based, at %d at least", name, cp, len(load.Events))
		}
	}
	stream, err := js.Stream(ctx, eventlog.StreamName)
	if err != nil {
		return nil, err
	}
	for {
		info, err := stream.Info(ctx)
		if err != nil {
			return nil, err
		}
		f.Consumers = info.State.Consumers
		if f.Consumers <= 2 {
			break
		}
		if time.Since(t0) > f.Project+time.Minute {
			return nil, fmt.Errorf("%d consumers a minute after every branch was projected", f.Consumers)
		}
		time.Sleep(200 * time.Millisecond)
	}

	progress("idle CPU with %d branches, over %s", o.Branches, o.Idle)
	runtime.GC()
	var ms1 runtime.MemStats
	f.IdleCPU = idleCPU(o.Idle)
	f.RSS = settledRSS()
	runtime.ReadMemStats(&ms1)
	f.RSSPerBranch = float64(f.RSS-f.RSSBase) / float64(o.Branches)
	f.HeapPerBranch = float64(ms1.HeapInuse) / float64(o.Branches)

	progress("listing %d branches", o.Branches)
	for range 3 {
		t := time.Now()
		bs, err := projections.Branches(ctx, log)
		if err != nil {
			return nil, err
		}
		if d := time.Since(t); f.List == 0 || d < f.List {
			f.List = d
		}
		if len(bs) != o.Branches {
			return nil, fmt.Errorf("listed %d branches, want %d", len(bs), o.Branches)
		}
		t = time.Now()
		kv, err := js.KeyValue(ctx, eventlog.BranchBucket)
		if err != nil {
			return nil, err
		}
		n, err := countKeys(ctx, kv, ">")
		if err != nil {
			return nil, err
		}
		if d := time.Since(t); f.RawList == 0 || d < f.RawList {
			f.RawList = d
		}
		if n != o.Branches {
			return nil, fmt.Errorf("raw: %d branches, want %d", n, o.Branches)
		}
	}

	progress("an event on an idle branch, to its view")
	b, err := log.Branch(ctx, names[len(names)/2])
	if err != nil {
		return nil, err
	}
	meetings, err := store.Meetings().ListKeysFiltered(ctx, b.Name+".*")
	if err != nil {
		return nil, err
	}
	var key string
	for k := range meetings.Keys() {
		key = k
	}
	id := strings.TrimPrefix(key, b.Name+".")
	w, err := store.Meetings().Watch(ctx, key, jetstream.UpdatesOnly())
	if err != nil {
		return nil, err
	}
	defer w.Stop()
	cmd := (&run{lastAt: load.Events[len(load.Events)-1].At}).statement(id, 0)
	t0 = time.Now()
	if _, err := commands.NewHandler(log, b).Handle(ctx, cmd, commands.Meta{}); err != nil {
		return nil, err
	}
	select {
	case <-w.Updates():
		f.Live = time.Since(t0)
	case <-time.After(30 * time.Second):
		return nil, fmt.Errorf("an event on branch %s did not reach its view within 30s", b.Name)
	}
	return f, nil
}

// countKeys counts the keys of kv that filter matches.
func countKeys(ctx context.Context, kv jetstream.KeyValue, filter string) (int, error) {
	w, err := kv.Watch(ctx, filter, jetstream.IgnoreDeletes(), jetstream.MetaOnly())
	if err != nil {
		return 0, err
	}
	defer w.Stop()
	n := 0
	for e := range w.Updates() {
		if e == nil {
			return n, nil
		}
		n++
	}
	return n, fmt.Errorf("count keys of %s: watcher closed", kv.Bucket())
}

// idleCPU returns the process's CPU time per second of wall time over d,
// by getrusage.
func idleCPU(d time.Duration) float64 {
	c0, t0 := processCPU(), time.Now()
	time.Sleep(d)
	return float64(processCPU()-c0) / float64(time.Since(t0))
}

// processCPU returns the CPU time the process has used, user and system,
// by getrusage.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// settledRSS is the process's resident memory after a collection that
// returns what it frees to the system. Two readings of it differ by what
// the process holds between them; two of rss also by what the collector
// had not given back yet, which made the memory per branch negative in a
// bench process that had let go of a million events' figures before the
// branches. Taken before the idle CPU of the server alone, it also keeps
// the runtime's giving back out of that window (1.8-2.3% of a core
// there before, 0.2% after).
func settledRSS() int64 {
	debug.FreeOSMemory()
	return rss()
}

// rss returns the process's resident memory in bytes, from
// /proc/self/status (0 where there is none).
func rss() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// manyBranches is the branches_idle figure of [Run].
func (r *run) manyBranches(ctx context.Context) error {
	bf, err := ManyBranches(ctx, ManyBranchesOptions{Branches: r.o.Branches, Progress: r.o.Progress})
	if err != nil {
		return err
	}
	f := figure(bf.IdleCPU*100, 0, "% of a core",
		fmt.Sprintf("ours: CPU of summit serve's keeper and server (getrusage) with %d idle branches, on a fresh store; base: the same process before the keeper started", bf.Branches))
	f.Extra = map[string]float64{
		"idle_cpu_base_pct":  bf.IdleCPUBase * 100,
		"branches":           float64(bf.Branches),
		"consumers":          float64(bf.Consumers),
		"rss_mb":             float64(bf.RSS) / 1e6,
		"rss_per_branch_kb":  bf.RSSPerBranch / 1e3,
		"heap_per_branch_kb": bf.HeapPerBranch / 1e3,
		"list_ms":            ms(bf.List),
		"raw_list_ms":        ms(bf.RawList),
		"project_s":          bf.Project.Seconds(),
		"live_ms":            ms(bf.Live),
	}
	r.rep.Figures["branches_idle"] = f
	return nil
}
