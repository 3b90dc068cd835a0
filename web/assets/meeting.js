// summit's meeting page, live: it follows the branch's changes through
// /api/events (Server-Sent Events), and when this meeting changes, reads
// the page again in place and marks the card with what changed. A page
// read as of a date, or as known on one, stays as it was read. After a
// lost stream it reads the page again once it is back.
(() => {
  "use strict";
  const card = document.querySelector("article.meeting");
  const query = new URLSearchParams(location.search);
  if (!card || query.get("as_of") || query.get("known_at")) return;
  const id = card.dataset.id;
  const branch = query.get("branch") || "main";

  function setLive(s) {
    document.getElementById("live").dataset.state = s;
    document.body.dataset.live = s;
  }

  function change(c) {
    if (!c.from) return c.what + ": " + c.to;
    if (!c.to) return c.what + " " + c.from + " \u2192 (none)";
    return c.what + " " + c.from + " \u2192 " + c.to;
  }

  // reload reads the page again and puts its content in place of this
  // one's, the card marked with note.
  async function reload(note) {
    const resp = await fetch(location.href, { headers: { Accept: "text/html" } });
    if (!resp.ok) return;
    const doc = new DOMParser().parseFromString(await resp.text(), "text/html");
    const fresh = doc.querySelector("main");
    if (!fresh) return;
    document.querySelector("main").replaceChildren(...fresh.childNodes);
    const c = document.querySelector("article.meeting");
    if (!c) return;
    c.classList.add("changed");
    const p = document.createElement("p");
    p.className = "change-note";
    p.textContent = note;
    c.append(p);
  }

  let es = null, away = false;
  function connect() {
    if (es) es.close();
    es = new EventSource("/api/events?branch=" + encodeURIComponent(branch));
    es.onopen = () => {
      setLive("live");
      if (away) { away = false; reload("read again after the stream was lost"); }
    };
    es.onerror = () => {
      setLive("reconnecting");
      away = true;
      if (es.readyState === EventSource.CLOSED) setTimeout(connect, 1000);
    };
    es.onmessage = (ev) => {
      const l = JSON.parse(ev.data);
      if (l.type !== "change" || l.meeting !== id) return;
      reload("changed: " + (l.changes || []).map(change).join("; "));
    };
  }
  connect();
})();
