package bench

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
)

// ScaleSizes are the sizes [Scale] runs at by default: events on main,
// with a meeting for each hundred.
var ScaleSizes = []int{100_000, 1_000_000, 3_000_000}

// ScaleSteps are the steps [Scale] takes at each size: those whose figures
// say how cost grows with the record.
var ScaleSteps = []string{"rebuild", "rss", "cold", "branches"}

// Scale runs the figures of [ScaleSteps] at each of sizes (events on main,
// a meeting for each hundred), one run after the other, each on a store of
// its own, and returns a report for each. If a run fails, it returns the
// reports taken before it with the error.
func Scale(ctx context.Context, o Options, sizes []int) ([]*Report, error) {
	var reps []*Report
	for _, n := range sizes {
		so := o
		so.Events, so.Meetings, so.Only, so.Dir = n, max(n/100, 1), ScaleSteps, ""
		if o.Progress != nil {
			fmt.Fprintf(o.Progress, "bench: scale: %d events of %d meetings\n", so.Events, so.Meetings)
		}
		rep, err := Run(ctx, so)
		if rep != nil {
			reps = append(reps, rep)
		}
		if err != nil {
			return reps, fmt.Errorf("at %d events: %w", n, err)
		}
	}
	return reps, nil
}

// growth is one row of the scale table: a figure, how to read it from a
// report, and whether it should stay flat as the record grows.
type growth struct {
	name, unit string
	flat       bool
	value      func(*Report) (float64, bool)
}

// growths are the rows of the scale table.
var growths = []growth{
	{"rebuild CPU per event", "µs", true, extra("rebuild", "cpu_us_per_event")},
	{"rebuild vs the raw read", "x", true, func(r *Report) (float64, bool) {
		f, ok := r.Figures["rebuild"]
		if !ok || f.Ratio == nil {
			return 0, false
		}
		return *f.Ratio, true
	}},
	{"cold command p99", "ms", true, func(r *Report) (float64, bool) {
		f, ok := r.Figures["command_cold"]
		if !ok || f.P99 == nil {
			return 0, false
		}
		return *f.P99, true
	}},
	{"branch creation", "ms", true, func(r *Report) (float64, bool) {
		f, ok := r.Figures["branch_create"]
		return f.Ours, ok
	}},
	{"rebuild peak RSS, with the server", "MB", false, extra("rebuild_rss", "with_server_mb")},
	{"  per meeting", "kB", true, func(r *Report) (float64, bool) {
		v, ok := extra("rebuild_rss", "with_server_mb")(r)
		return v * 1000 / float64(r.Meetings), ok
	}},
}

// extra reads figure's Extra[key].
func extra(figure, key string) func(*Report) (float64, bool) {
	return func(r *Report) (float64, bool) {
		v, ok := r.Figures[figure].Extra[key]
		return v, ok
	}
}

// WriteScale prints how each figure grows over reps, one column a size,
// and the last size's value over the first's.
func WriteScale(w io.Writer, reps []*Report) error {
	if len(reps) == 0 {
		return nil
	}
	m := reps[0].Machine
	fmt.Fprintf(w, "summit bench --scale: embedded nats-server %s, file storage; a meeting for each 100 events\n", m.Server)
	fmt.Fprintf(w, "machine: %d CPUs (%s), %s memory, %s, %s\n\n", m.CPUs, m.CPU, m.Memory, m.OS, m.Go)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "figure\t")
	for _, r := range reps {
		fmt.Fprintf(tw, "%s events\t", count(r.Events))
	}
	fmt.Fprintf(tw, "last/first\tshould\t\n")
	for _, g := range growths {
		fmt.Fprintf(tw, "%s (%s)\t", g.name, g.unit)
		var first, last float64
		for i, r := range reps {
			v, ok := g.value(r)
			if !ok {
				fmt.Fprint(tw, "-\t")
				continue
			}
			fmt.Fprintf(tw, "%.2f\t", v)
			if i == 0 {
				first = v
			}
			last = v
		}
		grows := "-"
		if first > 0 && last > 0 {
			grows = fmt.Sprintf("%.2fx", last/first)
		}
		should := "grow with meetings"
		if g.flat {
			should = "stay flat"
		}
		fmt.Fprintf(tw, "%s\t%s\t\n", grows, should)
	}
	return tw.Flush()
}

// count writes n as 100k, 1M, 3M.
func count(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}
