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

  summitLive.follow(() => "/api/events?branch=" + encodeURIComponent(branch), (l) => {
    if (l.meeting === id) reload("changed: " + (l.changes || []).map(summitLive.change).join("; "));
  }, () => reload("read again after the stream was lost"));
})();
