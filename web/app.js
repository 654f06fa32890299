/* CareerOps dashboard: plain JS, no libraries, nothing loaded from
 * elsewhere. Pages are hash routes: #board, #table, #app/ID, #interviews,
 * #funnel, #health. Every /api/ request sends the control token as
 * "Authorization: Bearer" (docs/dashboard.md, "Security"). */
"use strict";

const STATUSES = ["PROSPECT", "APPLIED", "ASSESSMENT", "INTERVIEWING", "OFFER",
                  "ACCEPTED", "DECLINED", "REJECTED", "WITHDRAWN"];
const LABELS = ["INTERVIEW", "OFFER", "ASSESSMENT", "REJECTION", "APPLICATION_ACK",
                "RECRUITER_OUTREACH", "OTHER"];
/* The token comes in the address careerops prints at start,
 * http://127.0.0.1:PORT/#token=TOKEN (a fragment is never sent to the
 * server): kept for the tab in sessionStorage and taken out of the address
 * bar (and so out of the history) at once. */
function tokenFromHash() {
  const m = /^#token=([^&]*)/.exec(location.hash);
  if (!m)
    return null;
  history.replaceState(null, "", location.pathname + location.search + "#board");
  const t = decodeURIComponent(m[1]);
  if (t)
    sessionStorage.setItem("careerops-token", t);
  return t || null;
}
let token = tokenFromHash() || sessionStorage.getItem("careerops-token");

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "onclick" || k === "oninput" || k === "onchange") e[k] = v;
    else e.setAttribute(k, v);
  }
  for (const k of kids) if (k != null) e.append(k);
  return e;
}
function svg(tag, attrs) {
  const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  return e;
}
function tz() {
  return document.getElementById("tz").value ||
         Intl.DateTimeFormat().resolvedOptions().timeZone;
}
function when(iso, withTime) {
  if (!iso) return "";
  const opt = {timeZone: tz(), year: "numeric", month: "short", day: "numeric"};
  if (withTime) { opt.hour = "2-digit"; opt.minute = "2-digit"; opt.weekday = "short"; }
  try { return new Intl.DateTimeFormat("en-GB", opt).format(new Date(iso)); }
  catch (e) { return new Date(iso).toISOString(); }
}
function badge(s) { return el("span", {class: "status " + s}, s || ""); }
function say(msg, bad) {
  const f = document.getElementById("status");
  f.textContent = msg;
  f.className = bad ? "error" : "";
}
/* Every /api/ request needs the token (401 without it). A page opened
 * without it (no #token= in its address) asks for it once, saying where it
 * is (the 401 names the token file), and keeps it for the tab. */
async function authFetch(path, opts)
{
    opts = opts || {};
    const headers = Object.assign({}, opts.headers || {});
    if (token)
        headers.Authorization = "Bearer " + token;
    let r = await fetch(path, Object.assign({}, opts, {headers}));
    if (r.status === 401) {
        let why = "";
        try { why = (await r.clone().json()).error || ""; } catch (e) { why = ""; }
        token = prompt("This dashboard needs its control token: open the " +
                       "address careerops printed at start " +
                       "(http://127.0.0.1:PORT/#token=...), or paste the " +
                       "token here.\n" + why);
        if (!token)
            return r;
        token = token.trim();
        sessionStorage.setItem("careerops-token", token);
        headers.Authorization = "Bearer " + token;
        r = await fetch(path, Object.assign({}, opts, {headers}));
    }
    return r;
}
/* A raw message with the token (a plain link cannot send it). */
async function openRaw(e, path, download)
{
    e.preventDefault();
    const r = await authFetch(path);
    if (!r.ok) {
        say("cannot read the original: " + r.statusText, true);
        return;
    }
    const url = URL.createObjectURL(await r.blob());
    if (download)
        el("a", {href : url, download : download}).click();
    else
        window.open(url, "_blank", "noopener");
}
async function api(path) {
    const r = await authFetch(path, {headers : {Accept : "application/json"}});
    const j = await r.json();
    if (!r.ok)
        throw new Error(j.error || r.statusText);
    return j;
}
async function post(path) {
  const r = await authFetch(path, {method : "POST"});
  const j = await r.json();
  if (!r.ok) throw new Error(j.error || r.statusText);
  return j;
}

/* ---- pages ---------------------------------------------------------- */

function openApp(id) { location.hash = "#app/" + encodeURIComponent(id); }

async function pageBoard(main) {
  const apps = await api("/api/applications");
  const cols = el("div", {class: "columns", id: "board"});
  for (const s of STATUSES) {
    const mine = apps.filter(a => a.status === s);
    if (!mine.length && ["DECLINED", "WITHDRAWN", "ACCEPTED"].includes(s)) continue;
    const col = el("div", {class: "column", "data-status": s},
                   el("h2", {}, `${s} (${mine.length})`));
    for (const a of mine)
      col.append(el("div", {class: "card", onclick: () => openApp(a.id)},
                    el("div", {}, a.company),
                    el("div", {class: "role"}, a.role || ""),
                    el("div", {class: "muted"}, when(a.last_event_at))));
    cols.append(col);
  }
  main.append(el("h2", {}, `Applications by status (${apps.length})`), cols);
}

async function pageTable(main) {
  const apps = await api("/api/applications");
  const search = el("input", {id: "search", type: "search",
                              placeholder: "Search company, role, status…"});
  const body = el("tbody");
  const draw = () => {
    const q = search.value.toLowerCase();
    body.replaceChildren();
    for (const a of apps) {
      const hay = [a.company, a.role, a.status].join(" ").toLowerCase();
      if (q && !hay.includes(q)) continue;
      body.append(el("tr", {class: "link", onclick: () => openApp(a.id)},
                     el("td", {}, a.company), el("td", {}, a.role || ""),
                     el("td", {}, badge(a.status)),
                     el("td", {}, when(a.first_seen)),
                     el("td", {}, when(a.last_event_at)),
                     el("td", {}, a.last_event_type || ""),
                     el("td", {}, when(a.next_interview, true))));
    }
  };
  search.oninput = draw;
  draw();
  main.append(el("h2", {}, "Applications"), search,
              el("table", {id: "apps"},
                 el("thead", {}, el("tr", {}, ...["Company", "Role", "Status",
                    "First seen", "Last event", "Type", "Next interview"]
                    .map(h => el("th", {}, h)))), body));
}

async function pageApp(main, id) {
  const d = await api("/api/application?id=" + encodeURIComponent(id));
  const a = d.application;
  main.append(el("h2", {}, `${a.company}${a.role ? " — " + a.role : ""} `,
                 badge(a.status)));
  const tl = el("ol", {class: "timeline", id: "timeline"});
  for (const t of d.transitions)
    tl.append(el("li", {}, el("b", {}, when(t.email_date)), " ",
                 `${t.from_status || "start"} → `, badge(t.to_status),
                 el("span", {class: "muted"}, ` (${t.event_type || ""})`)));
  main.append(el("section", {}, el("h2", {}, "Timeline"), tl));

  const ev = el("tbody");
  for (const e of d.events) {
    const sel = el("select", {"data-key": e.key},
                   ...LABELS.map(l => el("option", {value: l}, l)));
    sel.value = e.event_type;
    const btn = el("button", {class: "relabel", onclick: async () => {
      try {
        await post(`/api/relabel?key=${encodeURIComponent(e.key)}` +
                   `&label=${encodeURIComponent(sel.value)}`);
        say(`Relabelled ${e.key.slice(0, 12)} as ${sel.value}`);
        /* the sink re-derives the application: it may have a new id */
        const apps = await api("/api/applications");
        const now = apps.find(x => (x.event_keys || []).includes(e.key));
        if (now && now.id !== id) openApp(now.id);
        else if (now) route();
        else location.hash = "#table"; /* e.g. OTHER: in no application */
      } catch (err) { say("Relabel refused: " + err.message, true); }
    }}, "Relabel");
    ev.append(el("tr", {"data-key": e.key},
                 el("td", {}, when(e.received_at)),
                 el("td", {class: "type"}, e.event_type),
                 el("td", {}, e.subject || ""),
                 el("td", {}, when(e.scheduled_at, true)),
                 el("td", {}, sel, " ", btn)));
  }
  main.append(el("section", {}, el("h2", {}, "Events"),
    el("table", {id: "events"}, el("thead", {}, el("tr", {},
       ...["Received", "Type", "Subject", "Scheduled", "Correct it"]
       .map(h => el("th", {}, h)))), ev)));

  const em = el("tbody");
  for (const m of d.emails) {
    /* "show original": the raw message from the archive (issue 17) */
    const raw = "/api/emails/" + encodeURIComponent(m.key) + "/original";
    em.append(el("tr", {}, el("td", {}, when(m.received_at, true)),
                 el("td", {}, m.sender_name || m.sender || ""),
                 el("td", {}, m.subject || ""),
                 el("td", {},
                    m.has_original
                        ? el("span", {},
                             el("a", {
                                 href : raw + "?view=text",
                                 target : "_blank",
                                 rel : "noopener",
                                 onclick : e => openRaw(e, raw + "?view=text")
                             },
                                "show"),
                             " ",
                             el("a",
                                {
                                    href : raw,
                                    download : "",
                                    onclick :
                                        e => openRaw(e, raw, m.key + ".eml")
                                },
                                ".eml"))
                        : "")));
  }
  main.append(el("section", {}, el("h2", {}, "Emails"),
    el("table", {}, el("thead", {}, el("tr", {},
       ...["Date", "From", "Subject", "Original"].map(h => el("th", {}, h)))),
       em)));
  const br = el("div");
  for (const b of d.briefings)
    br.append(el("p", {}, el("b", {}, when(b.generated_at) + ": "), b.summary || ""));
  if (!d.briefings.length) br.append(el("p", {class: "muted"}, "No briefing stored."));
  main.append(el("section", {}, el("h2", {}, "Briefing"), br));
}

async function pageInterviews(main) {
  const all = await api("/api/interviews");
  const part = (title, list, id) => {
    const body = el("tbody");
    for (const i of list)
      body.append(el("tr", {class: i.application_id ? "link" : "",
                            onclick: () => i.application_id && openApp(i.application_id)},
                     el("td", {}, i.scheduled_at ? when(i.scheduled_at, true) : "(no date yet)"),
                     el("td", {}, i.company || "?"), el("td", {}, i.role || ""),
                     el("td", {}, i.subject || "")));
    return el("section", {}, el("h2", {}, `${title} (${list.length})`),
              el("table", {id}, el("thead", {}, el("tr", {},
                 ...["When (" + tz() + ")", "Company", "Role", "Subject"]
                 .map(h => el("th", {}, h)))), body));
  };
  main.append(part("Upcoming interviews", all.filter(i => i.upcoming !== false), "upcoming"),
              part("Past interviews", all.filter(i => i.upcoming === false), "past"));
}

async function pageFunnel(main) {
  const f = await api("/api/funnel");
  const order = ["START"].concat(STATUSES);
  const nodes = order.filter(s => f.links.some(l => l.source === s || l.target === s));
  const W = 900, H = 380, nw = 14, pad = 18;
  const col = {};
  nodes.forEach((n, i) => { col[n] = i; });
  const size = {};
  for (const n of nodes)
    size[n] = Math.max(f.links.filter(l => l.target === n).reduce((s, l) => s + l.value, 0),
                       f.links.filter(l => l.source === n).reduce((s, l) => s + l.value, 0));
  const total = Math.max(1, ...Object.values(size));
  const k = (H - 60) / total;
  const g = svg("svg", {viewBox: `0 0 ${W} ${H}`, width: W, height: H, id: "sankey",
                        role: "img", "aria-label": "Outcomes of the applications"});
  const x = n => pad + col[n] * ((W - pad - 80 - nw) / Math.max(1, nodes.length - 1));
  const y0 = n => 30 + (H - 60 - size[n] * k) / 2;
  const outY = {}, inY = {};
  nodes.forEach(n => { outY[n] = y0(n); inY[n] = y0(n); });
  for (const l of f.links.slice().sort((a, b) => order.indexOf(a.target) - order.indexOf(b.target))) {
    if (!(l.source in col) || !(l.target in col)) continue;
    const w = l.value * k, xs = x(l.source) + nw, xt = x(l.target);
    const ys = outY[l.source] + w / 2, yt = inY[l.target] + w / 2;
    outY[l.source] += w; inY[l.target] += w;
    const mx = (xs + xt) / 2;
    const p = svg("path", {d: `M${xs},${ys} C${mx},${ys} ${mx},${yt} ${xt},${yt}`,
                           fill: "none", stroke: "#63b3ed", "stroke-opacity": "0.5",
                           "stroke-width": Math.max(1, w)});
    p.append(svg("title", {}));
    p.lastChild.textContent = `${l.source} → ${l.target}: ${l.value}`;
    g.append(p);
  }
  for (const n of nodes) {
    g.append(svg("rect", {x: x(n), y: y0(n), width: nw, height: Math.max(2, size[n] * k),
                          fill: "#2b6cb0"}));
    const t = svg("text", {x: x(n) + nw / 2, y: y0(n) - 6, "text-anchor": "middle",
                           "font-size": "11"});
    t.textContent = `${n} ${n === "START" ? "" : (f.status[n] || 0) + "/" + size[n]}`;
    g.append(t);
  }
  main.append(el("h2", {}, "Outcomes"),
              el("p", {class: "muted"}, "Each band is the number of applications that " +
                 "moved from one status to the next; a node shows how many are in that " +
                 "status now / passed through it."), g);
}

async function pageHealth(main) {
  let st = null;
  try { st = await api("/api/stages"); } catch (e) { st = null; }
  if (st && !st.pipeline) st = null;
  const lag = {};
  if (st) {
    const m = await (await fetch("/metrics")).text();
    for (const line of m.split("\n")) {
      const r = /^careerops_consumer_lag\{stage="([^"]*)"[^}]*\} ([0-9.e+-]+)/.exec(line);
      if (r) lag[r[1]] = (lag[r[1]] || 0) + Number(r[2]);
    }
  }
  const sb = el("tbody");
  if (st)
    for (const s of st.stages)
      sb.append(el("tr", {}, ...["stage", "plugin", "status", "records_in",
        "records_out", "dead_lettered"].map(f => el("td", {}, String(s[f] ?? ""))),
        el("td", {}, String(lag[s.stage] ?? "-"))));
  main.append(el("section", {}, el("h2", {}, "Stages"), st
    ? el("table", {id: "stages"}, el("thead", {}, el("tr", {}, ...["Stage", "Plugin",
         "Status", "Records in", "Records out", "Dead-lettered", "Consumer lag"].map(h => el("th", {}, h)))), sb)
    : el("p", {class: "muted"}, "No pipeline is running here (careerops serve): " +
         "only the stored data and dead letters are shown.")));
  const dl = await api("/api/deadletters");
  const db = el("tbody");
  for (const l of dl.letters.slice().reverse()) {
    const h = l.headers || {};
    /* a source's letter (no careerops.error.topic) is no record to send
       back: its source reads it again once the cause is fixed (trial 72) */
    const act = l.replayed_at
      ? el("span", {class: "replayed"}, "replayed " + when(l.replayed_at, true))
      : !h["careerops.error.topic"]
      ? el("span", {class: "muted source-letter",
                    title: "A source's dead letter: fix the cause it names; the source reads it again at its next run."},
           "source: read again")
      : el("button", {class: "replay", onclick: async () => {
          try {
            const r = await post(`/api/deadletters/replay?offset=${l.partition}:${l.offset}`);
            say(`Replayed ${l.partition}:${l.offset}: ${r.output.trim()}`);
            route();
          } catch (err) { say("Replay refused: " + err.message, true); }
        }}, "Replay");
    db.append(el("tr", {"data-offset": `${l.partition}:${l.offset}`},
                 el("td", {}, h["careerops.error.time"] || ""),
                 el("td", {}, h["careerops.error.stage"] || ""),
                 el("td", {}, h["careerops.error.class"] || ""),
                 el("td", {}, h["careerops.error.message"] || ""),
                 el("td", {}, String(l.key || "").slice(0, 16)),
                 el("td", {}, act)));
  }
  const pending = dl.letters.length - (dl.replayed || 0);
  main.append(el("section", {}, el("h2", {id: "dl-count"},
      `Dead letters (${pending} pending, ${dl.replayed || 0} replayed)`),
    ...(dl.left_out || dl.unreadable ? [el("p", {class: "muted", id: "dl-left-out"},
       `${dl.total} letters in ${dl.file}` +
       (dl.left_out ? `; ${dl.left_out} of the newest not listed (too large: careerops dlq show)` : "") +
       (dl.unreadable ? `; ${dl.unreadable} unreadable lines` : ""))] : []),
    el("p", {class: "muted"}, "Replay produces that one dead letter back to its " +
       "topic (careerops dlq replay --offset) for its stage to process again: " +
       "it needs the running pipeline's broker (careerops broker), not the " +
       "in-process embedded one."),
    el("table", {id: "deadletters"}, el("thead", {}, el("tr", {}, ...["Time",
       "Stage", "Class", "Reason", "Key", ""].map(h => el("th", {}, h)))), db)));
}

async function route() {
  const h = location.hash || "#board";
  const [page, arg] = h.slice(1).split("/");
  for (const a of document.querySelectorAll("nav a"))
    a.classList.toggle("active", a.getAttribute("href") === "#" + page);
  const pages = {board: pageBoard, table: pageTable, interviews: pageInterviews,
                 funnel: pageFunnel, health: pageHealth,
                 app: m => pageApp(m, decodeURIComponent(arg || ""))};
  const fresh = el("main", {id: "main"});
  let ok = true;
  try {
    await (pages[page] || pageBoard)(fresh);
  } catch (e) {
    fresh.append(el("p", {class: "error"}, "Cannot load: " + e.message));
    ok = false;
  }
  /* the address changed while this page loaded (the first page of an
   * address with #token=, a quick click): the newer route shows its own */
  if ((location.hash || "#board") !== h)
    return;
  document.getElementById("main").replaceWith(fresh);
  if (ok)
    document.body.dataset.page = page;
}

window.addEventListener("hashchange", route);
document.addEventListener("DOMContentLoaded", () => {
  const t = document.getElementById("tz");
  t.value = localStorage.getItem("careerops-tz") ||
            Intl.DateTimeFormat().resolvedOptions().timeZone;
  t.onchange = () => { localStorage.setItem("careerops-tz", t.value); route(); };
  route();
});
