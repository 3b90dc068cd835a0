package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/summit-model/summit/embedded"
)

var update = flag.Bool("update", false, "write the golden files of testdata/golden anew")

// normalise replaces what truly varies from run to run in a verb's output,
// and nothing else:
//
//   - the store's temporary directory, and the URL (port) of a server,
//     become $DATA and $URL;
//   - record times (when a branch was made: "created" in JSON, the
//     CREATED column of the branches table) become RECORD-TIME;
//   - uuids (event and correlation ids) become UUID;
//   - durations ("in 12ms") become DURATION.
//
// The world times of the story and "today" do not vary: the tests run on
// a fixed clock (today), so they are left as they are.
func normalise(s string, vars map[string]string) string {
	for value, name := range vars {
		if value != "" {
			s = strings.ReplaceAll(s, value, name)
		}
	}
	for _, r := range normalisers {
		s = r.re.ReplaceAllString(s, r.with)
	}
	return s
}

var normalisers = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`"created": "[^"]*"`), `"created": "RECORD-TIME"`},
	// The CREATED column: a record time, then the end of the line.
	{regexp.MustCompile(`(?m)\d{4}-\d\d-\d\d \d\d:\d\d$`), "RECORD-TIME     "},
	{regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`), "UUID"},
	{regexp.MustCompile(`\bin [0-9.]+(ns|µs|ms|s|m)\b`), "in DURATION"},
}

// golden compares what a verb did (its exit status, standard output and
// standard error, normalised) with testdata/golden/NAME, or writes it
// there with -update.
func golden(t *testing.T, name string, code int, stdout, stderr string, vars map[string]string) {
	t.Helper()
	got := fmt.Sprintf("exit %d\n-- stdout --\n%s-- stderr --\n%s", code, normalise(stdout, vars), normalise(stderr, vars))
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./cmd/summit -update writes it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test ./cmd/summit -update, then review the diff):\n%s", name, lineDiff(string(want), got))
	}
}

// lineDiff shows the lines of want and got that differ, with their line
// numbers.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  - %s\n  + %s\n", i+1, wl, gl)
		}
	}
	return b.String()
}

// TestGolden runs every verb on the built-in scenario (budapest-2025) and
// its what-if (prep-held), in the order a user would, and checks each
// one's text and JSON against testdata/golden. Each step builds on the
// store the ones before it left.
func TestGolden(t *testing.T) {
	data := filepath.Join(t.TempDir(), "store")
	vars := map[string]string{data: "$DATA"}
	st := statement(t, "putin", "postponed", 23)
	vars[st] = "$FILE"
	empty := writeFile(t, "empty.yaml", "")
	vars[empty] = "$EMPTY"
	d := []string{"--data", data}
	steps := []struct {
		name string
		args []string
	}{
		// A replay on a fresh temporary store, then into the store.
		{"replay-temporary.json", []string{"replay", "budapest-2025", "--json", "--as-of", "2025-10-21"}},
		{"replay.txt", append([]string{"replay", "budapest-2025"}, d...)},
		{"replay-again.txt", append([]string{"replay", "budapest-2025"}, d...)},
		{"status.txt", append([]string{"status"}, d...)},
		{"status.json", append([]string{"status", "--json"}, d...)},
		{"status.csv", append([]string{"status", "--csv"}, d...)},
		{"status-meeting-as-of.txt", append([]string{"status", "budapest-summit", "--as-of", "2025-10-21", "--known-at", "2025-10-16"}, d...)},
		{"append.txt", append([]string{"append", st}, d...)},
		{"append-again.json", append([]string{"append", st, "--json"}, d...)},
		{"append-empty.txt", append([]string{"append", empty}, d...)},
		{"add.txt", append([]string{"add", "statement.made", "--by", "trump", "--about", "budapest-summit", "--stance", "opposed",
			"--claim", "cancelled", "--at", "2025-10-22", "--reported", "2025-10-22T20:00:00Z", "--source", "ntv.de",
			"--quote", `Es fühlte sich einfach nicht richtig an, sagte Trump: "Ich wollte kein verschwendetes Treffen."`}, d...)},
		{"inject.txt", append([]string{"inject", "--branch", "prep-held", "--fork-at", "2025-10-21", prepHeld}, d...)},
		{"inject.json", append([]string{"inject", "--branch", "latest", prepHeld, "--json"}, d...)},
		{"explain.txt", append([]string{"explain", "budapest-summit"}, d...)},
		{"explain-as-of.txt", append([]string{"explain", "budapest-summit", "--as-of", "2025-10-21"}, d...)},
		{"explain-branch.txt", append([]string{"explain", "budapest-summit", "--branch", "prep-held"}, d...)},
		{"explain.json", append([]string{"explain", "budapest-summit", "--json"}, d...)},
		{"timeline.txt", append([]string{"timeline"}, d...)},
		{"timeline-all.txt", append([]string{"timeline", "--all"}, d...)},
		{"timeline.json", append([]string{"timeline", "--json"}, d...)},
		{"timeline.csv", append([]string{"timeline", "--csv"}, d...)},
		{"timeline-as-of.txt", append([]string{"timeline", "--as-of", "2025-10-16"}, d...)},
		{"timeline-known-at.json", append([]string{"timeline", "budapest-summit", "--as-of", "2025-10-22", "--known-at", "2025-10-22", "--json"}, d...)},
		{"timeline-meeting-branch.txt", append([]string{"timeline", "budapest-summit", "--branch", "prep-held"}, d...)},
		{"diff.txt", append([]string{"diff", "prep-held"}, d...)},
		{"diff-as-of.txt", append([]string{"diff", "prep-held", "--as-of", "2025-10-24"}, d...)},
		{"diff.json", append([]string{"diff", "prep-held", "--json"}, d...)},
		{"branches.txt", append([]string{"branches"}, d...)},
		{"branches.json", append([]string{"branches", "--json"}, d...)},
		{"rebuild.txt", append([]string{"rebuild"}, d...)},
		{"rebuild-branch.txt", append([]string{"rebuild", "--branch", "prep-held"}, d...)},
		{"branch-delete.txt", append([]string{"branch", "delete", "latest"}, d...)},
		{"branches-after-delete.txt", append([]string{"branches"}, d...)},
	}
	for _, s := range steps {
		code, out, errs := summit(t, s.args...)
		golden(t, s.name, code, out, errs, vars)
	}
}

// TestGoldenHelp checks the help pages: summit's, and each verb's.
func TestGoldenHelp(t *testing.T) {
	code, out, errs := summit(t, "help")
	golden(t, "help.txt", code, out, errs, nil)
	for _, v := range verbs() {
		code, out, errs := summit(t, v.name, "-h")
		golden(t, "help-"+v.name+".txt", code, out, errs, nil)
	}
	code, out, errs = summit(t, "add", "statement.made", "-h")
	golden(t, "help-add-statement.made.txt", code, out, errs, nil)
}

// TestGoldenWatch follows a bounded run of watch, text and JSON: the
// current state of a replayed store, then the changes two appended
// statements make, on a server that summit reaches with --server.
func TestGoldenWatch(t *testing.T) {
	ctx := context.Background()
	srv, err := embedded.Start(ctx, embedded.Options{StoreDir: t.TempDir(), Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	url := srv.ClientURL()
	vars := map[string]string{url: "$URL"}
	must(t, "replay", "budapest-2025", "--server", url)
	rounds := []struct {
		format, live, change string
		claims               []string
		day                  int
	}{
		{"txt", "following changes", "  <- ", []string{"postponed", "cancelled"}, 23},
		{"json", `"type":"live"`, `"type":"change"`, []string{"willing", "scheduled"}, 25},
	}
	for _, r := range rounds {
		args := []string{"watch", "--server", url}
		if r.format == "json" {
			args = append(args, "--json")
		}
		w := start(t, args...)
		w.waitFor(t, r.live)
		var appends bytes.Buffer
		for i, who := range []string{"putin", "trump"} {
			file := statement(t, who, r.claims[i], r.day+i)
			code, _, errs := summit(t, "append", file, "--server", url)
			if code != exitOK {
				t.Fatalf("append: exit %d\n%s", code, errs)
			}
			appends.WriteString(strings.ReplaceAll(errs, file, fmt.Sprintf("$FILE%d", i+1)))
			w.waitFor(t, r.change, i+1)
		}
		code := w.stop(t)
		golden(t, "watch."+r.format, code, w.stdout.String(), w.stderr.String(), vars)
		golden(t, "watch-appends."+r.format, 0, "", appends.String(), vars)
	}
}
