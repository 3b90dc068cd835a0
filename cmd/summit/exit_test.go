package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// TestExitCodes runs each verb on input that is wrong in one way, and
// checks that it exits with the one status that says so, names what is
// wrong on standard error, and prints nothing on standard output (issue
// 12, items 8 to 10; issue 9, item 7).
func TestExitCodes(t *testing.T) {
	data := filepath.Join(t.TempDir(), "store")
	must(t, "replay", "budapest-2025", "--data", data)
	must(t, "inject", "--branch", "prep-held", "--fork-at", "2025-10-21", prepHeld, "--data", data)
	d := []string{"--data", data}
	missing := filepath.Join(t.TempDir(), "missing")
	file := writeFile(t, "a-file", "not a directory\n")
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	st := statement(t, "putin", "postponed", 23)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	busy := ln.Addr().String()
	serveData := filepath.Join(t.TempDir(), "serve-data")

	tests := []struct {
		name string
		args []string
		code int
		want string // in standard error
	}{
		// A bad name is exit 2 everywhere.
		{"branch delete a bad name", []string{"branch", "delete", "a.>"}, exitBadInput, `bad name "a.>"`},
		{"branch delete main", []string{"branch", "delete", "main"}, exitBadInput, "main is the record and cannot be deleted"},
		{"diff a bad name", []string{"diff", "a.>"}, exitBadInput, `bad name "a.>"`},
		{"diff --against a bad name", []string{"diff", "prep-held", "--against", "a.>"}, exitBadInput, `--against: bad name "a.>"`},
		{"explain --branch a bad name", []string{"explain", "budapest-summit", "--branch", "a.>"}, exitBadInput, `--branch: bad name "a.>"`},
		{"timeline --branch a bad name", []string{"timeline", "--branch", "a.>"}, exitBadInput, `--branch: bad name "a.>"`},
		{"rebuild --branch a bad name", []string{"rebuild", "--branch", "a.>"}, exitBadInput, `--branch: bad name "a.>"`},
		{"watch --branch a bad name", []string{"watch", "--branch", "a.>"}, exitBadInput, `--branch: bad name "a.>"`},
		{"status --branch a bad name", []string{"status", "--branch", "a.>"}, exitBadInput, `--branch: bad name "a.>"`},
		{"inject --branch a bad name", []string{"inject", "--branch", "a.>", prepHeld}, exitBadInput, `--branch: bad name "a.>"`},
		{"status of a bad meeting name", []string{"status", "--", "budapest summit"}, exitBadInput, `MEETING: bad name "budapest summit"`},
		{"explain a bad meeting name", []string{"explain", "--", "a.b"}, exitBadInput, `MEETING: bad name "a.b"`},
		{"watch a bad meeting name", []string{"watch", "a*"}, exitBadInput, `MEETING: bad name "a*"`},
		// Unknown names.
		{"an unknown branch", []string{"status", "--branch", "nope"}, exitBadInput, `unknown branch "nope" (branches: main, prep-held)`},
		{"branch delete an unknown branch", []string{"branch", "delete", "nope"}, exitBadInput, `(branches: main, prep-held)`},
		{"a branch mistyped", []string{"diff", "prep-hled"}, exitBadInput, `unknown branch "prep-hled", did you mean prep-held? (branches: main, prep-held)`},
		{"status of an unknown meeting", []string{"status", "nowhere"}, exitBadInput, "alaska-summit, budapest-summit, rubio-lavrov-prep"},
		{"explain an unknown meeting", []string{"explain", "nowhere"}, exitBadInput, "alaska-summit, budapest-summit, rubio-lavrov-prep"},
		{"timeline of an unknown meeting", []string{"timeline", "nowhere"}, exitBadInput, "alaska-summit, budapest-summit, rubio-lavrov-prep"},
		{"watch an unknown meeting", []string{"watch", "nowhere"}, exitBadInput, "alaska-summit, budapest-summit, rubio-lavrov-prep"},
		// Files that are not regular files.
		{"append a directory", []string{"append", t.TempDir()}, exitBadInput, "a directory, not a regular file"},
		{"replay a directory", []string{"replay", t.TempDir()}, exitBadInput, "a directory, not a regular file"},
		{"append a FIFO", []string{"append", fifo}, exitBadInput, "a named pipe, not a regular file"},
		{"append a missing file", []string{"append", missing + ".yaml"}, exitBadInput, "no such file"},
		{"replay an unknown scenario", []string{"replay", "no-such-scenario"}, exitBadInput, "no-such-scenario"},
		// Flags a verb does not honour, and bad flag values.
		{"rebuild --json", []string{"rebuild", "--json"}, exitBadInput, "--json: not a flag of summit rebuild (summit rebuild -h for help)"},
		{"status --jsn", []string{"status", "--jsn"}, exitBadInput, "--jsn: not a flag of summit status, did you mean --json? (summit status -h for help)"},
		{"append --as-of", []string{"append", st, "--as-of", "2025-10-21"}, exitBadInput, "--as-of: not a flag of summit append"},
		{"watch --as-of", []string{"watch", "--as-of", "2025-10-21"}, exitBadInput, "--as-of: not a flag of summit watch"},
		{"a bad date", []string{"status", "--as-of", "21.10.2025"}, exitBadInput, "--as-of"},
		{"--json and --csv", []string{"status", "--json", "--csv"}, exitBadInput, "--json and --csv exclude each other"},
		{"a bad timezone", []string{"status", "--as-of", "2025-10-21", "--timezone", "Mars/Olympus"}, exitBadInput, "--timezone"},
		{"--server and --data", []string{"status", "--server", "nats://127.0.0.1:1"}, exitBadInput, "exclude each other"},
		{"inject into main", []string{"inject", "--branch", "main", prepHeld}, exitBadInput, "main is the record (use summit append)"},
		{"inject without --branch", []string{"inject", prepHeld}, exitBadInput, "--branch: name the what-if branch"},
		{"move a branch's fork", []string{"inject", "--branch", "prep-held", "--fork-at", "2025-10-20", prepHeld}, exitBadInput, "cannot move it"},
		{"too many arguments", []string{"explain", "a", "b"}, exitBadInput, "want one MEETING, got 2 arguments"},
	}
	// The store goes after the verb, before any "--".
	for i, tt := range tests {
		tests[i].args = append(append([]string{tt.args[0]}, d...), tt.args[1:]...)
	}
	// Cases without the store: where it is, or whether there is one.
	tests = append(tests, []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no verb", nil, exitBadInput, "Usage:"},
		{"an unknown verb", []string{"frobnicate"}, exitBadInput, `unknown verb "frobnicate"`},
		{"no store", []string{"status"}, exitBadInput, "no store: give --server URL"},
		{"--data a file", []string{"status", "--data", file}, exitBadInput, "not a directory"},
		{"status --data a missing directory", []string{"status", "--data", missing}, exitBadInput, "no such directory: there is no store there"},
		{"timeline --data a missing directory", []string{"timeline", "--data", missing}, exitBadInput, "no such directory: there is no store there"},
		{"branches --data a missing directory", []string{"branches", "--data", missing}, exitBadInput, "no such directory: there is no store there"},
		{"explain --data a missing directory", []string{"explain", "budapest-summit", "--data", missing}, exitBadInput, "no such directory"},
		{"replay --data a file", []string{"replay", "budapest-2025", "--data", file}, exitBadInput, "not a directory"},
		{"serve on a port in use", []string{"serve", "--data", serveData, "--listen", busy}, exitBadInput, "give another port with --listen"},
		{"a refused scenario", []string{"replay", "testdata/refused.yaml"}, exitBadInput, "testdata/refused.yaml:19: meeting summit (cancelled) refuses meeting.held"},
		{"a bad scenario", []string{"replay", "testdata/bad.yaml"}, exitBadInput, "testdata/bad.yaml:10:"},
		{"an expectation not met", []string{"replay", "testdata/unmet.yaml"}, exitExpect, "1 of 2 expectations not met"},
		{"add without a kind", []string{"add"}, exitBadInput, "want a KIND first"},
		{"add an unknown kind", []string{"add", "meeting.teleported"}, exitBadInput, `"meeting.teleported" is not a kind`},
	}...)

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := summit(t, tt.args...)
			if code != tt.code {
				t.Fatalf("summit %s: exit %d, want %d\n%s", strings.Join(tt.args, " "), code, tt.code, errs)
			}
			if !strings.Contains(errs, tt.want) {
				t.Errorf("stderr:\n%s\nwant %q", errs, tt.want)
			}
			if out != "" && tt.code == exitBadInput {
				t.Errorf("bad input printed on standard output:\n%s", out)
			}
		})
	}
	// None of them made a store where there was none.
	for _, dir := range []string{missing, serveData} {
		if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: %v; want no such directory (nothing made)", dir, err)
		}
	}
	// Nor appended anything to the store: the record holds the replay only.
	if got := must(t, "branches", "--data", data); !strings.Contains(got, "prep-held") || strings.Contains(got, "a.>") {
		t.Errorf("branches after bad input:\n%s", got)
	}
}

// TestUnknownFlag prints the error once and one line that names -h, not
// the help page (issue 15, item 7).
func TestUnknownFlag(t *testing.T) {
	for _, verb := range []string{"replay", "status", "add statement.made", "append", "inject", "watch", "serve", "explain", "timeline", "diff", "branches", "branch", "rebuild"} {
		args := append(strings.Fields(verb), "--bogus")
		code, out, errs := summit(t, args...)
		want := "summit " + strings.Fields(verb)[0] + ": --bogus: not a flag of summit " + verb + " (summit " + verb + " -h for help)\n"
		if code != exitBadInput || out != "" || errs != want {
			t.Errorf("summit %s --bogus: exit %d, stdout %q, stderr %q; want exit 2 and only %q", verb, code, out, errs, want)
		}
	}
}

// TestHelp prints each verb's help page on standard output, exit 0, with
// its usage, exit statuses and only the flags it honours.
func TestHelp(t *testing.T) {
	for _, verb := range []string{"replay", "status", "append", "inject", "watch", "serve", "explain", "timeline", "diff", "branches", "branch", "rebuild"} {
		code, out, errs := summit(t, verb, "-h")
		if code != exitOK || !strings.Contains(out, "Usage: summit "+verb) || !strings.Contains(out, "Exit status") || errs != "" {
			t.Errorf("%s -h: exit %d\n%s%s", verb, code, out, errs)
		}
	}
	if _, out, _ := summit(t, "append", "-h"); strings.Contains(out, "-as-of") {
		t.Errorf("append -h lists --as-of, which it does not honour:\n%s", out)
	}
	if _, out, _ := summit(t, "inject", "-h"); regexp.MustCompile(`-branch NAME.*\n.*default "main"`).MatchString(out) {
		t.Errorf("inject -h shows a default main that it refuses:\n%s", out)
	}
	if code, out, _ := summit(t, "help"); code != exitOK || !strings.Contains(out, "replay") {
		t.Errorf("help: exit %d\n%s", code, out)
	}
	if code, out, _ := summit(t, "add", "-h"); code != exitOK || !strings.Contains(out, "statement.made") {
		t.Errorf("add -h: exit %d\n%s", code, out)
	}
}

// TestRefusedAppendsNothing replays a scenario the model refuses into a
// store: exit 2, the line of the refused event, and nothing in the store.
func TestRefusedAppendsNothing(t *testing.T) {
	data := filepath.Join(t.TempDir(), "store")
	code, out, errs := summit(t, "replay", "testdata/refused.yaml", "--data", data)
	if code != exitBadInput || out != "" {
		t.Fatalf("exit %d, want %d\n%s%s", code, exitBadInput, out, errs)
	}
	var b struct{ Meetings []json.RawMessage }
	if err := json.Unmarshal([]byte(must(t, "status", "--data", data, "--json")), &b); err != nil {
		t.Fatal(err)
	}
	if len(b.Meetings) != 0 {
		t.Errorf("a refused scenario left %d meetings on the board", len(b.Meetings))
	}
	if got := must(t, "timeline", "--all", "--data", data); !strings.Contains(got, "(no events)") {
		t.Errorf("a refused scenario left events:\n%s", got)
	}
}

// TestInterruptedExitStatus: a verb stopped by SIGINT exits 130, by
// SIGTERM 143, as a shell reports a process the signal killed.
func TestInterruptedExitStatus(t *testing.T) {
	for sig, want := range map[os.Signal]int{os.Interrupt: exitInterrupted, syscall.SIGTERM: exitTerminated} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var out, errs bytes.Buffer
		e := testEnv(&out, &errs)
		e.signal = func() os.Signal { return sig }
		if code := run(ctx, []string{"replay", "budapest-2025", "--pace", "1d=1s"}, e); code != want {
			t.Errorf("%v: exit %d, want %d\n%s", sig, code, want, errs.String())
		}
	}
}
