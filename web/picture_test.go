package web_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/projections"
)

// A meeting of 200 events still makes a picture of one mark per event,
// with a lane per speaker, that keeps a readable height.
func TestPicture200Events(t *testing.T) {
	r := newRig(t)
	var yaml strings.Builder
	yaml.WriteString("timeline:\n")
	speakers := []string{"trump", "putin", "rubio", "lavrov", "peskov"}
	claims := []string{"willing", "postponed", "unscheduled", "ruled-out", "proposed"}
	for i := range 190 {
		fmt.Fprintf(&yaml, "  - at: 2025-%02d-%02d\n    event: statement.made\n    by: %s\n    about: budapest-summit\n    stance: noncommittal\n    claim: %s\n    quote: \"statement %d\"\n",
			11+i*56/190/28, 1+i*56/190%28, speakers[i%5], claims[i/5%5], i)
	}
	r.recordFile(eventlog.Main(), "many.yaml", yaml.String())
	_, hs := r.serve()
	tl, err := projections.Timeline(context.Background(), r.log, projections.Query{Now: now}, "budapest-summit", projections.TimelineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(tl.Events) < 195 {
		t.Fatalf("the meeting has %d events, want about 200", len(tl.Events))
	}
	resp, body := get(t, hs.URL, "/api/meetings/budapest-summit/timeline.svg", "")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/svg+xml" {
		t.Fatalf("status %d, %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if got := bytes.Count(body, []byte(`<g class="mark"`)); got != len(tl.Events) {
		t.Errorf("%d marks, want one per event: %d", got, len(tl.Events))
	}
	for _, s := range speakers {
		if !bytes.Contains(body, []byte(">says "+s+"<")) {
			t.Errorf("no lane for %s", s)
		}
	}
	m := regexp.MustCompile(`viewBox="0 0 (\d+) (\d+)"`).FindSubmatch(body)
	if m == nil {
		t.Fatal("no viewBox")
	}
	if h, _ := strconv.Atoi(string(m[2])); h > 700 {
		t.Errorf("the picture is %s units high: too tall to read at a glance", m[2])
	}
	if *update {
		os.MkdirAll(filepath.Join("testdata", "screenshots"), 0o755)
		os.WriteFile(filepath.Join("testdata", "screenshots", "timeline-200.svg"), body, 0o644)
	}
}
