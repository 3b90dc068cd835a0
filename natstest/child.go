package natstest

import (
	"bufio"
	"flag"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// soak is the -soak flag of every test binary that uses natstest: longer
// runs of the load, crash and cluster tests.
var soak = flag.Bool("soak", false, "run the long load, crash and cluster tests (soak runs)")

// Soak reports whether the test binary runs with -soak.
func Soak() bool { return *soak }

// helperEnv names the mode a re-executed test binary runs in.
const helperEnv = "SUMMIT_TEST_HELPER"

// HelperMode returns the mode this test binary was started in by [Child],
// or "" when it runs as the test itself. A package's TestHelperProcess
// switches on it.
func HelperMode() string { return os.Getenv(helperEnv) }

// Child is a test binary re-executed as another process, to be killed for
// real (SIGKILL) or to write from another process than the test's.
type Child struct {
	Cmd *exec.Cmd
	// Lines delivers what the child reported with [Report], line by line;
	// it is closed when the child's output ends.
	Lines <-chan string
}

// StartChild re-executes the test binary running only TestHelperProcess,
// in mode, with env added to its environment. The child is killed when
// the test ends, if it still runs; its standard error goes to the test's
// log.
func StartChild(tb testing.TB, mode string, env ...string) *Child {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(append(os.Environ(), helperEnv+"="+mode), env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	cmd.Stderr = testWriter{tb}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	lines := make(chan string, 1024)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			// The test framework writes to standard output too (PASS).
			if line, ok := strings.CutPrefix(sc.Text(), reportPrefix); ok {
				lines <- line
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	c := &Child{Cmd: cmd, Lines: lines}
	tb.Cleanup(func() {
		c.Kill()
		for range lines {
		}
		_ = cmd.Wait()
	})
	return c
}

// Kill kills the child with SIGKILL: no deferred function, no flush, no
// clean shutdown of the server it runs. What it wrote to its standard
// output before it died can still be read from Lines.
func (c *Child) Kill() { _ = c.Cmd.Process.Kill() }

// Wait reads what is left of the child's output, returns it, and waits for
// the child to end.
func (c *Child) Wait() ([]string, error) {
	var rest []string
	for l := range c.Lines {
		rest = append(rest, l)
	}
	return rest, c.Cmd.Wait()
}

// reportPrefix marks the lines a child reports, among the others on its
// standard output.
const reportPrefix = "@summit "

// Report writes line to standard output for the parent test to read from
// [Child.Lines]. Reports of several goroutines must not interleave: the
// caller serializes them.
func Report(line string) {
	_, _ = os.Stdout.WriteString(reportPrefix + line + "\n")
}

// testWriter writes a child's standard error to the test's log.
type testWriter struct{ tb testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.tb.Logf("child: %s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
