// summit's web board: draws the cards from /api/board, follows
// /api/events (Server-Sent Events) and marks what changed, reads the board
// as of a date (the slider), as known then, on a branch, and a branch's
// diff against the record. Text from events goes in as textContent only:
// nothing here builds markup from data.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const ctl = $("controls");
  const query = new URLSearchParams(location.search);
  const state = {
    branch: ctl.dataset.branch || "main",
    asOf: ctl.dataset.asOf || "",
    known: !!ctl.dataset.knownAt,
    tz: ctl.dataset.timezone || "",
    dates: [],
    board: null,
    changed: {},
    showDiff: query.get("diff") === "1",
  };

  function params(withDates) {
    const p = new URLSearchParams();
    p.set("branch", state.branch);
    if (withDates && state.asOf) {
      p.set("as_of", state.asOf);
      if (state.known) p.set("known_at", state.asOf);
    }
    if (state.tz) p.set("timezone", state.tz);
    return p;
  }

  async function getJSON(url) {
    const r = await fetch(url, { headers: { Accept: "application/json" } });
    const body = await r.json();
    if (!r.ok) throw new Error(body.error || r.statusText);
    return body;
  }

  function el(tag, props, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "text") e.textContent = v;
      else if (k === "class") e.className = v;
      else if (k.startsWith("data-")) e.setAttribute(k, v);
      else e[k] = v;
    }
    for (const c of children) {
      if (c === null || c === undefined || c === "") continue;
      e.append(c);
    }
    return e;
  }

  function notice(msg) {
    const n = $("notice");
    n.textContent = msg || "";
    n.hidden = !msg;
  }

  // --- the slider: the story's dates, then "today" ---
  async function loadDates() {
    const d = await getJSON("/api/dates?" + params(false));
    const days = new Set(d.dates || []);
    if (state.asOf) days.add(state.asOf.slice(0, 10));
    state.dates = Array.from(days).sort();
    const s = $("asof");
    s.max = String(state.dates.length);
    s.value = String(state.asOf ? state.dates.indexOf(state.asOf.slice(0, 10)) : state.dates.length);
    label();
  }

  function label() {
    const i = Number($("asof").value);
    $("asof-label").textContent = i >= state.dates.length ? "today" : state.dates[i];
  }

  function syncURL() {
    const p = params(true);
    if (p.get("branch") === "main") p.delete("branch");
    if (state.showDiff) p.set("diff", "1");
    const qs = p.toString();
    history.replaceState(null, "", qs ? "/?" + qs : "/");
  }

  // --- the cards ---
  function meetingLink(id) {
    return "/meetings/" + encodeURIComponent(id) + "?" + params(true);
  }

  function who(v) {
    return (v.participants || []).map((p) => (p.person ? p.person + " (" + p.party + ")" : p.party)).join(", ");
  }

  function when(v) {
    const parts = [];
    if (v.venue) parts.push(v.venue);
    if (v.held_at) parts.push("held " + v.held_at + (v.ended_at ? " to " + v.ended_at : ""));
    else if (v.date) parts.push(typeof v.date === "string" ? v.date : v.date.from + " to " + v.date.to);
    else if (v.window) parts.push("window " + v.window.from + " to " + v.window.to);
    if (v.until) parts.push("until " + v.until);
    if (v.deadline) parts.push("deadline " + v.deadline);
    return parts.join(" · ");
  }

  function card(v) {
    const [met, req] = String(v.readiness || "0/0").split("/").map(Number);
    const parties = (v.participants || []).map((p) => p.party);
    const c = el("article", {
      class: "card status-" + v.status + (state.changed[v.id] ? " changed" : ""),
      "data-id": v.id,
      "data-status": v.status,
      "data-overdue": v.overdue ? "true" : "false",
      "data-parties": parties.join(" "),
      "data-seq": String(v.seq || 0),
    });
    c.append(el("h2", {}, el("a", { href: meetingLink(v.id), text: v.title || v.id }), " ", el("span", { class: "id", text: v.id })));
    const meter = el("meter", { min: 0, max: req || 1, value: met || 0 });
    c.append(el("p", {},
      el("span", { class: "status", text: v.status }),
      v.overdue ? " " : null,
      v.overdue ? el("span", { class: "overdue", text: "overdue" }) : null,
      " · readiness ", meter, " ", el("span", { class: "readiness", text: v.readiness })));
    c.append(el("p", { class: "who muted", text: [who(v), when(v)].filter(Boolean).join(" · ") }));
    if ((v.preconditions || []).length) {
      const ul = el("ul", { class: "preconditions" });
      for (const p of v.preconditions) {
        ul.append(el("li", { class: "pc-" + p.state }, el("b", { text: p.id }), " " + p.state + ": " + p.description));
      }
      c.append(ul);
    }
    const claims = v.claim_details || Object.entries(v.claims || {}).map(([speaker, status]) => ({ speaker, status }));
    if (claims.length) {
      const ul = el("ul", { class: "claims" });
      for (const cl of claims) {
        ul.append(el("li", {}, el("b", { text: cl.speaker }), ": " + cl.status + (cl.at ? " (" + cl.at + ")" : ""),
          cl.quote ? " " : null, cl.quote ? el("q", { text: cl.quote }) : null));
      }
      c.append(ul);
    }
    const a = v.last_activity;
    if (a) {
      c.append(el("p", { class: "muted last", text: "last: " + a.at + " " + a.kind + (a.by ? " by " + a.by : "") + (a.meeting ? " of " + a.meeting : "") + (a.source ? " · " + a.source : "") }));
    }
    if (state.changed[v.id]) c.append(el("p", { class: "change-note", text: state.changed[v.id] }));
    c.addEventListener("click", (ev) => {
      if (ev.target.tagName === "A") return;
      delete state.changed[v.id];
      c.classList.remove("changed");
      const n = c.querySelector(".change-note");
      if (n) n.remove();
    });
    return c;
  }

  function fillFilter(id, values) {
    const s = $(id);
    const cur = s.value;
    while (s.options.length > 1) s.remove(1);
    for (const v of Array.from(new Set(values)).sort()) s.append(el("option", { value: v, text: v }));
    s.value = values.includes(cur) ? cur : "";
  }

  function filter() {
    const st = $("f-status").value, party = $("f-party").value, od = $("f-overdue").checked;
    for (const c of $("cards").children) {
      c.hidden = (st && c.dataset.status !== st) || (party && !c.dataset.parties.split(" ").includes(party)) || (od && c.dataset.overdue !== "true");
    }
  }

  function render(b) {
    state.board = b;
    const cards = $("cards");
    cards.replaceChildren(...b.meetings.map(card));
    $("empty").hidden = b.meetings.length > 0;
    fillFilter("f-status", b.meetings.map((v) => v.status));
    fillFilter("f-party", b.meetings.flatMap((v) => (v.participants || []).map((p) => p.party)));
    filter();
    document.body.dataset.asOf = b.as_of;
    document.body.dataset.loads = String(Number(document.body.dataset.loads || 0) + 1);
  }

  let loading = null, again = false;
  async function load() {
    if (loading) { again = true; return loading; }
    loading = (async () => {
      try {
        do {
          again = false;
          render(await getJSON("/api/board?" + params(true)));
          await loadDiff();
        } while (again);
        notice(noticeText);
      } catch (err) {
        notice("Could not read the board: " + err.message);
      } finally {
        loading = null;
      }
    })();
    return loading;
  }
  let noticeText = "";

  // --- the diff against main ---
  async function loadDiff() {
    const box = $("diff");
    if (state.branch === "main" || !state.showDiff) { box.hidden = true; return; }
    const d = await getJSON("/api/diff?" + params(true));
    $("diff-branch").textContent = d.branch;
    const body = $("diff-body");
    const rows = [];
    for (const m of d.meetings) {
      const ul = el("ul", {});
      for (const c of m.changes) {
        ul.append(el("li", {}, c.what + " ", el("span", { class: "from", text: c.from || "(none)" }), " \u2192 ", el("span", { class: "to", text: c.to || "(none)" })));
      }
      rows.push(el("tr", { "data-id": m.id }, el("td", {}, el("a", { href: meetingLink(m.id), text: m.id })), el("td", {}, ul)));
    }
    const table = el("table", {}, el("thead", {}, el("tr", {}, el("th", { text: "meeting" }), el("th", { text: "main \u2192 " + d.branch }))), el("tbody", {}, ...rows));
    body.replaceChildren(rows.length ? table : el("p", { text: "No meeting differs." }),
      d.same.length ? el("p", { class: "muted", text: "The same on both: " + d.same.join(", ") }) : null);
    box.hidden = false;
  }

  // --- live: /api/events (live.js) ---
  let connect = () => {
    connect = summitLive.follow(() => "/api/events?" + params(false), (l) => {
      state.changed[l.meeting] = "changed: " + (l.changes || []).map(summitLive.change).join("; ");
      load();
    }, () => resync());
  };

  // resync reads the board again after the stream was lost, and marks what
  // changed while the page was away.
  async function resync() {
    const before = new Map((state.board ? state.board.meetings : []).map((v) => [v.id, v]));
    try {
      const b = await getJSON("/api/board?" + params(true));
      const missed = [];
      for (const v of b.meetings) {
        const old = before.get(v.id);
        if (old && old.seq === v.seq && old.status === v.status && old.overdue === v.overdue && old.readiness === v.readiness) continue;
        const what = !old ? "new on the board" : old.status !== v.status ? "status " + old.status + " \u2192 " + v.status : "updated";
        state.changed[v.id] = "changed while the page was away: " + what;
        missed.push(v.id);
      }
      noticeText = missed.length
        ? "Reconnected. While the page was away, " + missed.length + (missed.length === 1 ? " meeting" : " meetings") + " changed: " + missed.join(", ") + "."
        : "Reconnected. Nothing changed while the page was away.";
      await load();
    } catch (err) {
      notice("Reconnected, but could not read the board: " + err.message);
    }
  }

  // --- controls ---
  $("asof").addEventListener("input", label);
  $("asof").addEventListener("change", () => {
    const i = Number($("asof").value);
    state.asOf = i >= state.dates.length ? "" : state.dates[i];
    syncURL();
    load();
  });
  $("known").checked = state.known;
  $("known").addEventListener("change", () => {
    state.known = $("known").checked;
    syncURL();
    if (state.asOf) load();
  });
  $("branch").addEventListener("change", async () => {
    state.branch = $("branch").value;
    state.changed = {};
    state.showDiff = state.branch !== "main";
    syncURL();
    connect();
    await loadDates();
    await load();
  });
  for (const id of ["f-status", "f-party", "f-overdue"]) $(id).addEventListener("change", filter);

  (async () => {
    if (state.branch !== "main" && !query.has("diff")) state.showDiff = true;
    connect();
    try { await loadDates(); } catch (err) { notice("Could not read the story's dates: " + err.message); }
    await load();
    document.body.dataset.ready = "1";
  })();
})();
