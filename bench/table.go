package bench

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Target is one of the targets, and whether a report meets it.
type Target struct {
	Figure string
	Want   string
	Met    bool
	// Known is false when the report lacks the figure.
	Known bool
}

// Targets checks the report against the targets summit holds itself to
// (for a 2-core machine, an embedded server and file storage).
func (r *Report) Targets() []Target {
	var out []Target
	add := func(name, want string, met func(f Figure) bool) {
		f, ok := r.Figures[name]
		t := Target{Figure: name, Want: want, Known: ok}
		if ok {
			t.Met = met(f)
		}
		out = append(out, t)
	}
	ratio := func(f Figure) float64 {
		if f.Ratio == nil {
			return 0
		}
		return *f.Ratio
	}
	add("bulk_append", ">= 1.2x raw async, >= 0.8x raw fast batch", func(f Figure) bool {
		return ratio(f) >= 1.2 && f.Extra["ratio_to_raw_fast_batch"] >= 0.8
	})
	add("command_warm", "p50 <= 2x raw, p99 <= 5 ms", func(f Figure) bool { return ratio(f) <= 2 && *f.P99 <= 5 })
	add("command_cold", "load of 200 events <= 5 ms", func(f Figure) bool { return f.Extra["load_p99"] <= 5 })
	add("rebuild", ">= 0.7x raw", func(f Figure) bool { return ratio(f) >= 0.7 })
	add("live_lag", "p99 <= 10 ms", func(f Figure) bool { return *f.P99 <= 10 })
	add("late_report", "p99 <= 10 ms, each kind timed", func(f Figure) bool {
		return *f.P99 <= 10 && f.Extra["precondition_p99"] <= 10 && f.Extra["other_kind_p99"] <= 10
	})
	add("append_process", "p50 <= 50 ms", func(f Figure) bool { return *f.P50 <= 50 })
	add("web_live", "p99 <= 20 ms; live lag p99 <= 10 ms with the pages open", func(f Figure) bool {
		return *f.P99 <= 20 && f.Extra["live_lag_with_pages_p99"] <= 10
	})
	add("branch_create", "the same at 10k and full size", func(f Figure) bool { return f.Ours <= 2*f.Extra["at_10k"]+1 })
	add("branch_read", "<= a rebuild to the fork", func(f Figure) bool { return f.Extra["ratio_to_rebuild"] <= 1.1 })
	add("rebuild_rss", "< 300 MB with the embedded server", func(f Figure) bool {
		if v, ok := f.Extra["with_server_mb"]; ok {
			return v < 300
		}
		return f.Ours < 300
	})
	add("branches_idle", "< 5% of a core, 2 consumers, listed in < 1 s", func(f Figure) bool {
		return f.Ours < 5 && f.Extra["consumers"] <= 2 && f.Extra["list_ms"] < 1000
	})
	return out
}

// WriteTable prints the report as a table for a reader: each figure,
// ours beside raw nats.go's, their ratio, and the target.
func (r *Report) WriteTable(w io.Writer) error {
	m := r.Machine
	fmt.Fprintf(w, "summit bench: %d events of %d meetings on main; embedded nats-server %s, file storage; took %s\n",
		r.Events, r.Meetings, m.Server, r.Took.Round(1e9))
	fmt.Fprintf(w, "machine: %d CPUs (%s), %s memory, %s, %s\n\n", m.CPUs, m.CPU, m.Memory, m.OS, m.Go)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tours\traw nats.go\tratio\ttarget\t")
	targets := map[string]Target{}
	for _, t := range r.Targets() {
		targets[t.Figure] = t
	}
	for _, name := range Names {
		f, ok := r.Figures[name]
		if !ok {
			continue
		}
		ours, raw := value(f.Ours, f.Unit), "-"
		if f.P50 != nil {
			ours = fmt.Sprintf("p50 %.2f  p99 %.2f ms", *f.P50, *f.P99)
		}
		if f.Raw != nil {
			raw = value(*f.Raw, f.Unit)
			if f.RawP50 != nil {
				raw = fmt.Sprintf("p50 %.2f  p99 %.2f ms", *f.RawP50, *f.RawP99)
			}
		}
		ratio := "-"
		if f.Ratio != nil {
			ratio = fmt.Sprintf("%.2fx", *f.Ratio)
		}
		t := targets[name]
		verdict := "not met"
		if t.Met {
			verdict = "met"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s: %s\t\n", strings.ReplaceAll(name, "_", " "), ours, raw, ratio, t.Want, verdict)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	if f, ok := r.Figures["bulk_append"]; ok {
		fmt.Fprintf(w, "bulk append: raw fast batch (jetstreamext.FastPublisher, flow 500, 4 acks outstanding) %.0f events/s, ours %.2fx that; raw async with the old path's two headers (message id, expected last message id) %.0f events/s, ours %.2fx that\n",
			f.Extra["raw_fast_batch"], f.Extra["ratio_to_raw_fast_batch"], f.Extra["raw_with_headers"], f.Extra["ratio_to_raw_with_headers"])
	}
	if f, ok := r.Figures["command_cold"]; ok {
		fmt.Fprintf(w, "command cold: load alone (snapshot and the events after it) p50 %.2f ms, p99 %.2f ms; the whole history event by event p50 %.2f ms, p99 %.2f ms; the first load after the restart %.2f ms\n",
			f.Extra["load_p50"], f.Extra["load_p99"], f.Extra["full_load_p50"], f.Extra["full_load_p99"], f.Extra["first_after_restart_ms"])
	}
	if f, ok := r.Figures["late_report"]; ok {
		fmt.Fprintf(w, "late report: from the append's return to the view p50 %.2f ms, p99 %.2f ms (%.0f samples); a late precondition (placed too) p50 %.2f ms, p99 %.2f ms; a late postponement (its meeting's course read) p50 %.2f ms, p99 %.2f ms (%.0f samples); after a quiet spell (the server's block cache let go), the first %.0f ms, the slowest of the nine after it %.0f ms\n",
			f.Extra["after_append_p50"], f.Extra["after_append_p99"], f.Extra["samples"], f.Extra["precondition_p50"], f.Extra["precondition_p99"],
			f.Extra["other_kind_p50"], f.Extra["other_kind_p99"], f.Extra["other_kind_samples"], f.Extra["other_kind_cold"], f.Extra["other_kind_cold_next"])
	}
	if f, ok := r.Figures["web_live"]; ok {
		fmt.Fprintf(w, "web live: %.0f pages open; the last page has the change p50 %.2f ms, p99 %.2f ms; live lag with the pages open p50 %.2f ms, p99 %.2f ms\n",
			f.Extra["pages"], f.Extra["last_page_p50"], f.Extra["last_page_p99"], f.Extra["live_lag_with_pages_p50"], f.Extra["live_lag_with_pages_p99"])
	}
	if f, ok := r.Figures["branch_create"]; ok {
		fmt.Fprintf(w, "branch create: %.2f ms at 10k events, %.2f ms at %d\n", f.Extra["at_10k"], f.Ours, r.Events)
	}
	if f, ok := r.Figures["branch_read"]; ok {
		fmt.Fprintf(w, "branch read: %.0f ms at 10k events; %.0f ms at %d, %.2fx the rebuild of the record to its fork (%.0f ms); the fold of the record from its first event %.0f ms, %.2fx the rebuild\n",
			f.Extra["at_10k"], f.Ours, r.Events, f.Extra["ratio_to_rebuild"], f.Extra["rebuild_ms"], f.Extra["fold_ms"], f.Extra["fold_ratio_to_rebuild"])
	}
	if f, ok := r.Figures["rebuild_rss"]; ok {
		fmt.Fprintf(w, "rebuild rss: %.0f MB with the embedded server in the same process (as summit status --data runs, its soft memory limit following the live heap) in %.1f s; %.0f MB without the limit (GOMEMLIMIT=off) in %.1f s\n",
			f.Extra["with_server_mb"], f.Extra["with_server_s"], f.Extra["with_server_no_limit_mb"], f.Extra["with_server_no_limit_s"])
	}
	return nil
}

func value(v float64, unit string) string {
	switch unit {
	case "events/s":
		return fmt.Sprintf("%.0f events/s", v)
	case "ms":
		return fmt.Sprintf("%.2f ms", v)
	}
	return fmt.Sprintf("%.1f %s", v, unit)
}
