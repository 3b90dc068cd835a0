package web_test

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/summit-model/summit/eventlog"
	"github.com/summit-model/summit/projections"
	"github.com/summit-model/summit/web"
)

var update = flag.Bool("update", false, "write the README's screenshots of the board and of a meeting page (testdata/screenshots)")

// chromium returns the headless browser to drive: $SUMMIT_CHROMIUM, else
// the first of Debian's chromium and the usual names on $PATH.
func chromium() string {
	if p := os.Getenv("SUMMIT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser starts a headless Chromium for the test. Without a browser the
// test is skipped with a message saying how to get one, so that
// "go test ./..." passes on a fresh machine; CI (.ci/run) installs Chromium
// and sets SUMMIT_REQUIRE_BROWSER=1, under which a missing browser fails.
// SUMMIT_NO_BROWSER=1 skips them even with a browser.
func browser(t *testing.T) context.Context {
	t.Helper()
	if os.Getenv("SUMMIT_NO_BROWSER") == "1" {
		t.Skip("SUMMIT_NO_BROWSER=1: the browser tests are skipped (unset it, with Chromium installed, to run them)")
	}
	path := chromium()
	if path == "" && os.Getenv("SUMMIT_REQUIRE_BROWSER") != "1" {
		t.Skip("no Chromium here, so the browser tests are skipped: apt-get install -y chromium, or set SUMMIT_CHROMIUM to a Chrome or Chromium binary (.ci/run installs it and requires them)")
	}
	if path == "" {
		t.Fatal("the browser tests need Chromium: apt-get install -y chromium, or set SUMMIT_CHROMIUM to a Chrome or Chromium binary; SUMMIT_NO_BROWSER=1 skips them")
	}
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-dev-shm-usage", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc() })
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	return bctx
}

// tab opens a tab of the browser, closed when the (sub)test ends; each
// action on it has a deadline.
func tab(t *testing.T, bctx context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(bctx)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	tctx, cancelT := context.WithTimeout(ctx, 20*time.Second)
	t.Cleanup(func() { cancelT(); cancel() })
	return tctx
}

// wait waits, with a deadline, until the JavaScript expression is true.
func wait(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(12*time.Second))); err != nil {
		page, _ := chromedp.Run(context.WithoutCancel(ctx), chromedp.Evaluate[string](`document.body ? document.body.innerText.slice(0, 2000) : ""`))
		t.Fatalf("waiting until %s: %v\nthe page:\n%s", what, err, page)
	}
}

func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// cards is what the board shows of each card: "id status overdue".
const cards = `Array.from(document.querySelectorAll('article.card')).map(c => c.dataset.id + ' ' + c.dataset.status + ' ' + c.dataset.overdue)`

func cardsOf(b projections.BoardView) []string {
	var out []string
	for _, v := range b.Meetings {
		out = append(out, fmt.Sprintf("%s %s %t", v.ID, v.Status, v.Overdue))
	}
	return out
}

// The board in a real browser: time travel with the slider, a branch's
// diff, the meeting page's picture, a change appearing live, and a page
// that rides out a restart of the server.
func TestBrowser(t *testing.T) {
	bctx := browser(t)
	r := newRig(t)
	_, hs := r.serve()
	ctx := context.Background()

	t.Run("slider", func(t *testing.T) {
		page := tab(t, bctx)
		if err := chromedp.Do(page, chromedp.Navigate(hs.URL+"/")); err != nil {
			t.Fatal(err)
		}
		wait(t, page, "the board is drawn", `document.body.dataset.ready === "1"`)
		then, err := projections.FoldView(ctx, r.log, projections.Query{AsOf: date("2025-10-21"), Now: now})
		if err != nil {
			t.Fatal(err)
		}
		if got := eval[[]string](t, page, cards); slices.Equal(got, cardsOf(then)) {
			t.Fatalf("the board today is the board of 2025-10-21 (%q): the test shows nothing", got)
		}
		// The filters: by status, then by party.
		visible := `Array.from(document.querySelectorAll('article.card')).filter(c => !c.hidden).map(c => c.dataset.id)`
		eval[bool](t, page, `(() => { const s = document.getElementById('f-status'); s.value = 'held'; s.dispatchEvent(new Event('change')); return true; })()`)
		if got := eval[[]string](t, page, visible); !slices.Equal(got, []string{"alaska-summit"}) {
			t.Errorf("status held shows %q", got)
		}
		eval[bool](t, page, `(() => { const s = document.getElementById('f-status'); s.value = ''; s.dispatchEvent(new Event('change'));
			const p = document.getElementById('f-party'); p.value = 'RUS'; p.dispatchEvent(new Event('change')); return true; })()`)
		if got := eval[[]string](t, page, visible); len(got) != 3 {
			t.Errorf("party RUS shows %q, want the three meetings", got)
		}
		eval[bool](t, page, `(() => { const p = document.getElementById('f-party'); p.value = ''; p.dispatchEvent(new Event('change')); return true; })()`)
		// Drag the slider to 21 October: the board as it stood.
		found := eval[bool](t, page, `(() => {
			const s = document.getElementById('asof');
			for (let i = 0; i <= Number(s.max); i++) {
				s.value = String(i);
				s.dispatchEvent(new Event('input'));
				if (document.getElementById('asof-label').textContent === '2025-10-21') {
					s.dispatchEvent(new Event('change'));
					return true;
				}
			}
			return false;
		})()`)
		if !found {
			t.Fatal("2025-10-21 is not among the slider's dates")
		}
		wait(t, page, "the board is as of 2025-10-21", `document.body.dataset.asOf === "2025-10-21"`)
		if got, want := eval[[]string](t, page, cards), cardsOf(then); !slices.Equal(got, want) {
			t.Errorf("as of 2025-10-21 the board shows %q, want %q", got, want)
		}
		if loc := eval[string](t, page, `location.search`); !strings.Contains(loc, "as_of=2025-10-21") {
			t.Errorf("the address %q does not keep the date", loc)
		}
	})

	t.Run("diff", func(t *testing.T) {
		page := tab(t, bctx)
		if err := chromedp.Do(page, chromedp.Navigate(hs.URL+"/?branch=prep-held")); err != nil {
			t.Fatal(err)
		}
		wait(t, page, "the diff against main is shown", `!document.getElementById('diff').hidden && document.querySelector('#diff tr[data-id="budapest-summit"]') !== null`)
		text := eval[string](t, page, `document.querySelector('#diff tr[data-id="budapest-summit"]').textContent`)
		for _, want := range []string{"precondition fm-prep", "unmet", "met", "readiness"} {
			if !strings.Contains(text, want) {
				t.Errorf("the diff row %q lacks %q", text, want)
			}
		}
		if got := eval[string](t, page, `document.querySelector('#branch').value`); got != "prep-held" {
			t.Errorf("the branch selector shows %q", got)
		}
	})

	t.Run("meeting", func(t *testing.T) {
		page := tab(t, bctx)
		if err := chromedp.Do(page, chromedp.Navigate(hs.URL+"/meetings/budapest-summit")); err != nil {
			t.Fatal(err)
		}
		tl, err := projections.Timeline(ctx, r.log, projections.Query{Now: now}, "budapest-summit", projections.TimelineOptions{})
		if err != nil {
			t.Fatal(err)
		}
		wait(t, page, "the picture is drawn", `document.querySelector('svg.timeline') !== null`)
		if got := eval[int](t, page, `document.querySelectorAll('svg.timeline g.mark').length`); got != len(tl.Events) {
			t.Errorf("the picture has %d marks, want one per event: %d", got, len(tl.Events))
		}
		if got := eval[int](t, page, `document.querySelectorAll('ol.story li.step').length`); got == 0 {
			t.Error("no story")
		}
		if *update {
			shoot(t, page, "meeting.png")
		}
	})

	t.Run("live", func(t *testing.T) {
		page := tab(t, bctx)
		if err := chromedp.Do(page, chromedp.Navigate(hs.URL+"/")); err != nil {
			t.Fatal(err)
		}
		wait(t, page, "the board is live", `document.body.dataset.ready === "1" && document.body.dataset.live === "live"`)
		// An event through the write path every verb uses: the card
		// shows it without a reload, marked.
		r.recordFile(eventlog.Main(), "cancel.yaml", `
timeline:
  - at: 2025-10-31
    event: meeting.cancelled
    meeting: budapest-summit
    by: trump
    reason: a waste of time
`)
		wait(t, page, "the card shows the new status, marked", `(() => {
			const c = document.querySelector('article[data-id="budapest-summit"]');
			return c && c.dataset.status === "cancelled" && c.classList.contains("changed");
		})()`)
		if got := eval[int](t, page, `Number(document.body.dataset.loads)`); got < 2 {
			t.Errorf("the board was drawn %d times", got)
		}
		if *update {
			shoot(t, page, "board.png")
		}
	})

	t.Run("meeting live", func(t *testing.T) {
		page := tab(t, bctx)
		if err := chromedp.Do(page, chromedp.Navigate(hs.URL+"/meetings/budapest-summit")); err != nil {
			t.Fatal(err)
		}
		wait(t, page, "the meeting page is live", `document.body.dataset.live === "live"`)
		steps := eval[int](t, page, `document.querySelectorAll("ol.story > li").length`)
		r.recordFile(eventlog.Main(), "willing.yaml", `
timeline:
  - at: 2025-10-30
    event: statement.made
    about: budapest-summit
    by: peskov
    stance: supportive
    claim: willing
    quote: "We are ready to meet when the time is right."
`)
		wait(t, page, "the page reads itself again, marked, with one more step", fmt.Sprintf(`(() => {
			const c = document.querySelector("article.meeting");
			return c && c.classList.contains("changed") && document.querySelectorAll("ol.story > li").length === %d
				&& c.textContent.includes("peskov: willing");
		})()`, steps+1))
	})

	t.Run("restart", func(t *testing.T) {
		// A server of its own, on a fixed address, to stop and start.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		start := func(ln net.Listener) func() {
			s, err := web.New(r.log, r.store, web.Options{Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			sctx, cancel := context.WithCancel(ctx)
			done := make(chan error, 1)
			go func() { done <- web.ServeListener(sctx, ln, s, nil, nil) }()
			return func() { cancel(); s.Close(); <-done }
		}
		stop := start(ln)
		page := tab(t, bctx)
		if err := chromedp.Do(page, chromedp.Navigate("http://"+addr+"/")); err != nil {
			t.Fatal(err)
		}
		wait(t, page, "the board is live", `document.body.dataset.ready === "1" && document.body.dataset.live === "live"`)
		stop()
		wait(t, page, "the page sees the server gone", `document.body.dataset.live === "reconnecting"`)
		r.recordFile(eventlog.Main(), "statement.yaml", `
timeline:
  - at: 2025-11-01
    event: statement.made
    by: lavrov
    about: budapest-summit
    stance: noncommittal
    claim: postponed
    quote: "<img src=x onerror=window.pwned=1>not now"
`)
		var ln2 net.Listener
		for deadline := time.Now().Add(5 * time.Second); ; {
			if ln2, err = net.Listen("tcp", addr); err == nil || time.Now().After(deadline) {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if err != nil {
			t.Fatal(err)
		}
		defer start(ln2)()
		wait(t, page, "the page is back and shows what it missed", `(() => {
			const c = document.querySelector('article[data-id="budapest-summit"]');
			const n = document.getElementById('notice');
			return document.body.dataset.live === "live" && c && c.classList.contains("changed") &&
				c.textContent.includes("lavrov") && !n.hidden && n.textContent.includes("budapest-summit");
		})()`)
		// The quote is on the card as text, not markup.
		if !eval[bool](t, page, `document.querySelector('article[data-id="budapest-summit"]').textContent.includes("<img src=x onerror=window.pwned=1>not now")`) {
			t.Error("the quote is not on the card as text")
		}
		if eval[bool](t, page, `window.pwned === 1 || document.querySelector('article img') !== null`) {
			t.Error("a quote from an event became markup on the board")
		}
	})
}

// shoot writes a screenshot of the page for the README.
func shoot(t *testing.T, page context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(page, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("testdata", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
