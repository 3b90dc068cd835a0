// summit's pages, live. summitLive.follow keeps a page on its branch's
// changes (/api/events, Server-Sent Events): it says "live" or
// "reconnecting" in the header, opens the stream again after it is lost
// and says when it is back, and hands on each change line.
window.summitLive = (() => {
  "use strict";

  function setLive(s) {
    document.getElementById("live").dataset.state = s;
    document.body.dataset.live = s;
  }

  // change says one change of a line: "status proposed -> cancelled".
  function change(c) {
    if (!c.from) return c.what + ": " + c.to;
    if (!c.to) return c.what + " " + c.from + " \u2192 (none)";
    return c.what + " " + c.from + " \u2192 " + c.to;
  }

  // follow opens the stream at url() and calls onChange with each change
  // line, and onBack when the stream is back after it was lost. It
  // returns the function that opens the stream again (at a new url()).
  function follow(url, onChange, onBack) {
    let es = null, away = false;
    function connect() {
      if (es) es.close();
      es = new EventSource(url());
      es.onopen = () => {
        setLive("live");
        if (away) { away = false; onBack(); }
      };
      es.onerror = () => {
        setLive("reconnecting");
        away = true;
        if (es.readyState === EventSource.CLOSED) setTimeout(connect, 1000);
      };
      es.onmessage = (ev) => {
        const l = JSON.parse(ev.data);
        if (l.type === "change") onChange(l);
      };
    }
    connect();
    return connect;
  }

  return { change, follow };
})();
