// rdstream console front-end: polls the console's JSON API (src/console/README.md) and draws it.
// No framework: a handful of render functions that rebuild their part of the page from the
// latest answer. Text from the engines (dead letters above all) is only ever set as textContent,
// never as HTML. Unknown values (null) show as "—", never as 0.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { refreshMs: 1000, csrf: null, dlqSelected: new Map(), dlqReason: "", charts: {} };

// ---- formatting ---------------------------------------------------------------------------------
const dash = "—";
function num(v, digits = 0) {
  if (v === null || v === undefined || Number.isNaN(v)) return dash;
  return Number(v).toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
function rate(v) { return v === null || v === undefined ? dash : num(v, v < 10 ? 1 : 0) + "/s"; }
function bytes(v) {
  if (v === null || v === undefined) return dash;
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return num(v, i === 0 ? 0 : 1) + " " + units[i];
}
function seconds(v) { return v === null || v === undefined ? dash : num(v, v < 10 ? 1 : 0) + " s"; }
function ms(v) { return v === null || v === undefined ? dash : num(v, v < 10 ? 1 : 0) + " ms"; }
function time(msSinceEpoch) { return msSinceEpoch > 0 ? new Date(msSinceEpoch).toLocaleTimeString() : dash; }

// el("td", {class: "num", text: "3"}, child...) -> element
function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined) continue;
    if (k === "text") e.textContent = v;
    else if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}
function replace(parent, ...children) { parent.replaceChildren(...children.filter((c) => c)); }

// ---- talking to the console ---------------------------------------------------------------------
async function api(path, options = {}) {
  let response;
  try {
    response = await fetch(path, { cache: "no-store", ...options });
  } catch (error) {  // no answer at all: the console is down or the network is
    throw Object.assign(new Error(`console unreachable: ${path}: ${error.message}`), { unreachable: path, reason: error.message });
  }
  let body = null;
  try { body = await response.json(); } catch (_) { /* a non-JSON body: reported below */ }
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}` + (body && body.error ? ": " + body.error : ""));
  return body;
}
async function post(path, payload) {
  if (!state.csrf) state.csrf = (await api("/api/session")).csrf_token;
  return api(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": state.csrf },
    body: JSON.stringify(payload || {}),
  });
}
// The banner lists what failed, per poll (state, history, dead letters): one poll succeeding
// does not hide another's failure.
const failures = new Map();
function report(source, error) {
  if (error) failures.set(source, error); else failures.delete(source);
  const errors = [...failures.values()];
  const down = errors.filter((e) => e.unreachable);
  const messages = down.length
    ? [`console unreachable (${down.map((e) => e.unreachable).join(", ")}): ${[...new Set(down.map((e) => e.reason))].join("; ")}`]
    : [];
  messages.push(...new Set(errors.filter((e) => !e.unreachable).map((e) => e.message)));
  const b = $("banner");
  b.textContent = messages.join(" · ");
  b.classList.toggle("hidden", failures.size === 0);
  document.body.classList.toggle("stale", failures.has("state"));
}

// ---- the snapshot -------------------------------------------------------------------------------
function renderEngines(s) {
  replace($("engines"), ...s.engines.map((e) =>
    el("span", { class: "badge" + (e.up ? "" : " down"), title: e.detail, "data-testid": "engine",
                 "data-engine": e.name, "data-up": String(e.up) }, e.name)));
  $("updated").textContent = "updated " + time(s.now_ms);
}

function renderAlerts(s) {
  replace($("alerts"), ...s.alerts.map((a) =>
    el("div", { class: "alert " + a.severity, "data-testid": "alert", "data-alert": a.name },
       el("strong", { text: a.name.replace(/_/g, " ") }), " — " + a.message + " (since " + time(a.since_ms) + ")")));
}

function renderPipeline(s) {
  const p = s.pipeline;
  const stage = (kind, name, value, extra, id) =>
    el("div", { class: "stage", "data-testid": "stage-" + id },
       el("div", { class: "kind", text: kind }), el("div", { class: "name", text: name, title: name }),
       el("div", { class: "rate", text: rate(value) }), el("div", { class: "extra", text: extra || "" }));
  const arrow = () => el("div", { class: "arrow", text: "→" });
  const lag = p.group.lag_records === null ? "lag " + dash
    : "lag " + num(p.group.lag_records) + " records, " + seconds(p.group.lag_seconds);
  replace($("pipeline"),
    stage("source", p.api.name, p.api.rate, "fetched by ingest", "api"), arrow(),
    stage("topic", p.topic.name, p.topic.rate, "produced", "topic"), arrow(),
    stage("consumer group", p.group.name, p.group.rate, lag, "group"),
    arrow(),
    stage("table", p.table.name, p.table.rate, "rows written (Cassandra's count)", "table"));
}

function renderTopics(s) {
  if (!s.topics.length) {
    replace($("topics"), el("tr", {}, el("td", { colspan: 6, class: "muted", text: "no topic yet (it appears with the first record)" })));
    return;
  }
  replace($("topics"), ...s.topics.map((t) => {
    const start = t.partitions.map((p) => num(p.start_offset)).join(", ");
    const end = t.partitions.map((p) => num(p.end_offset)).join(", ");
    return el("tr", { "data-testid": "topic-row", "data-topic": t.name, "data-records": String(t.records) },
      el("td", { text: t.name }), el("td", { class: "num", text: String(t.partitions.length) }),
      el("td", { text: `[${start}] → [${end}]` }), el("td", { class: "num", text: num(t.records) }),
      el("td", { class: "num", text: bytes(t.size_bytes) }), el("td", { class: "num", text: rate(t.messages_per_s) }));
  }));
}

function renderGroup(s) {
  const g = s.groups[0];
  if (!g) { replace($("group"), el("p", { class: "muted", text: "the group is not readable (Kafka down?)" })); return; }
  const members = g.members.length
    ? el("table", {}, el("thead", {}, el("tr", {}, el("th", { text: "member" }), el("th", { text: "host" }),
                                         el("th", { text: "partitions" }), el("th", { text: "metrics" }))),
         el("tbody", {}, ...g.members.map((m) => el("tr", { "data-testid": "group-member" },
           el("td", { text: m.client_id }), el("td", { text: m.host }),
           el("td", { text: m.assignment.map((a) => a.topic + "[" + a.partition + "]").join(", ") }),
           el("td", { text: m.metrics_address || dash })))))
    : el("p", { class: "muted", text: "no member running" });
  const partitions = el("table", {},
    el("thead", {}, el("tr", {}, el("th", { text: "partition" }), el("th", { class: "num", text: "committed" }),
                      el("th", { class: "num", text: "end" }), el("th", { class: "num", text: "lag (records)" }),
                      el("th", { class: "num", text: "lag (seconds)" }))),
    el("tbody", {}, ...g.partitions.map((p) => el("tr", { "data-testid": "group-partition", "data-lag": String(p.lag_records) },
      el("td", { text: p.topic + "[" + p.partition + "]" }), el("td", { class: "num", text: num(p.committed) }),
      el("td", { class: "num", text: num(p.end_offset) }), el("td", { class: "num", text: num(p.lag_records) }),
      el("td", { class: "num", text: seconds(p.lag_seconds) })))));
  replace($("group"),
    el("dl", { class: "kv" },
       el("dt", { text: "group" }), el("dd", { text: g.id, "data-testid": "group-id" }),
       el("dt", { text: "state" }), el("dd", { text: g.state }),
       el("dt", { text: "lag" }), el("dd", { "data-testid": "group-lag", "data-lag": String(g.lag_records),
                                             text: num(g.lag_records) + " records, " + seconds(g.lag_seconds) })),
    members, partitions);
}

function renderInstances(s) {
  if (!s.instances.length) {
    replace($("instances"), el("tr", {}, el("td", { colspan: 10, class: "muted",
      text: "none running (an instance with --metrics-address joins the group and shows here)" })));
    return;
  }
  replace($("instances"), ...s.instances.map((i) => el("tr", { "data-testid": "instance-row" },
    el("td", { text: i.address }), el("td", { text: i.source }),
    el("td", { text: i.up ? (i.ready ? "ready" : "not ready") : "down", title: i.error || "" }),
    el("td", { text: (i.stages || []).join(", ") || dash }),
    el("td", { class: "num", text: rate(i.fetched_per_s) }), el("td", { class: "num", text: rate(i.received_per_s) }),
    el("td", { class: "num", text: rate(i.written_per_s) }), el("td", { class: "num", text: rate(i.dead_letters_per_s) }),
    el("td", { class: "num", text: ms(i.latency_p50_ms) }), el("td", { class: "num", text: ms(i.latency_p99_ms) }))));
}

function renderCassandra(s) {
  const c = s.cassandra;
  const count = c.exact_count;
  replace($("cassandra"),
    el("dl", { class: "kv" },
       el("dt", { text: "table" }), el("dd", { text: c.keyspace + "." + c.table }),
       el("dt", { text: "write rate" }), el("dd", { text: rate(c.write_rate) }),
       el("dt", { text: "rows written" }), el("dd", { text: num(c.writes_total), title: "system_views.local_write_latency: since this node started" }),
       el("dt", { text: "estimated rows" }), el("dd", { text: num(c.estimated_rows), title: "system.size_estimates, refreshed by Cassandra every few minutes" })),
    el("div", { class: "columns" }, ...c.columns.map((col) =>
      el("span", { class: col.kind === "regular" ? "" : "key", title: col.kind, text: col.name + " " + col.type }))));
  const out = $("count-result");
  $("count-button").disabled = count.state === "running";
  if (count.state === "running") out.textContent = `counting… ${count.ranges_done}/${count.ranges_total} token ranges, ${num(count.rows_so_far)} rows so far`;
  else if (count.state === "done") out.textContent = `${num(count.rows)} rows (exact, ${count.ranges_total} token ranges in ${seconds(count.elapsed_ms === null ? null : count.elapsed_ms / 1000)})`;
  else if (count.state === "failed") out.textContent = "count failed: " + count.error;
  else out.textContent = "";
  out.dataset.state = count.state;
  out.dataset.rows = count.rows === null ? "" : String(count.rows);
}

async function refreshState() {
  const s = await api("/api/state");
  state.refreshMs = s.refresh_ms || 1000;
  const group = s.groups[0] ? s.groups[0].id : null;
  // The lag chart draws the group's series: redraw the history as soon as the group is known.
  const groupChanged = group !== state.group;
  state.group = group;
  if (groupChanged && group) refreshHistory().then(() => report("history"), (e) => report("history", e));
  renderEngines(s); renderAlerts(s); renderPipeline(s); renderTopics(s); renderGroup(s); renderInstances(s); renderCassandra(s);
  $("dlq-topic").textContent = s.dlq.topic + " · " + num(s.dlq.records) + " in all";
}

// ---- charts (uPlot) -------------------------------------------------------------------------------
// Time axis ticks: whole seconds and up (one point per second; uPlot would go down to 1 ms).
const timeSteps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];
const palette = ["#2b6cb0", "#2f855a", "#c05621", "#6b46c1", "#b83280", "#2c7a7b", "#975a16", "#4a5568"];

// Draws `names` (history series) into the container `id`; recreated when the set of series changes.
function chart(id, history, names, labels, unit) {
  const box = $(id);
  const present = names.filter((n) => history.series[n]);
  const points = Math.max(0, ...present.map((n) => history.series[n].filter((v) => v !== null).length));
  box.dataset.points = String(points);
  if (!present.length || points === 0 || history.t.length < 2) {
    if (state.charts[id]) { state.charts[id].plot.destroy(); delete state.charts[id]; }
    replace(box, el("div", { class: "empty", text: "no data yet" }));
    return;
  }
  // From the first point on (the window is 15 minutes; a console started a minute ago would
  // otherwise draw a sliver at the right edge).
  const first = Math.min(...present.map((n) => history.series[n].findIndex((v) => v !== null)).filter((i) => i >= 0));
  const from = Math.min(first, history.t.length - 2);
  const data = [history.t.slice(from).map((t) => t / 1000), ...present.map((n) => history.series[n].slice(from))];
  const key = present.join("|");
  const existing = state.charts[id];
  if (existing && existing.key === key) { existing.plot.setData(data); return; }
  if (existing) existing.plot.destroy();
  replace(box);
  const plot = new uPlot({
    width: Math.max(300, box.clientWidth || 600), height: 180,
    series: [{}, ...present.map((n, i) => ({ label: labels(n), stroke: palette[i % palette.length], width: 1.5, spanGaps: false }))],
    axes: [{ incrs: timeSteps }, { label: unit, size: 60 }],
    legend: { live: true },
    cursor: { drag: { x: false, y: false } },
  }, data, box);
  state.charts[id] = { key, plot };
}

async function refreshHistory() {
  const h = await api("/api/history");
  const names = Object.keys(h.series);
  chart("chart-rates", h, ["stage:api:rate", "stage:topic:rate", "stage:group:rate", "stage:table:rate"],
        (n) => n.split(":")[1], "records/s");
  const g = state.group;
  const lagNames = g ? [`group:${g}:lag_records`, ...names.filter((n) => n.startsWith(`group:${g}:partition:`)).sort()] : [];
  chart("chart-lag", h, lagNames, (n) => n.includes(":partition:") ? n.split(":partition:")[1].replace(":lag_records", "") : "total", "lag (records)");
  const instanceNames = names.filter((n) => n.startsWith("instance:")).sort();
  const instance = (n) => n.slice("instance:".length).replace(/:(written_per_s|latency_p50_ms|latency_p99_ms)$/, "");
  chart("chart-instances", h, instanceNames.filter((n) => n.endsWith(":written_per_s")),
        (n) => instance(n) + " written", "rows/s");
  chart("chart-latency", h, instanceNames.filter((n) => n.includes(":latency_")),
        (n) => instance(n) + (n.endsWith("p50_ms") ? " p50" : " p99"), "latency (ms)");
}
window.addEventListener("resize", () => {
  for (const [id, c] of Object.entries(state.charts)) c.plot.setSize({ width: Math.max(300, $(id).clientWidth), height: 180 });
});

// ---- dead letters ----------------------------------------------------------------------------------
async function refreshDeadLetters() {
  const query = state.dlqReason ? "?reason=" + encodeURIComponent(state.dlqReason) : "";
  const page = await api("/api/dlq" + query);
  const filter = $("dlq-filter");
  const reasons = Object.keys(page.reasons).sort();
  const current = [...filter.options].map((o) => o.value).slice(1).join("|");
  if (current !== reasons.join("|")) {
    replace(filter, el("option", { value: "", text: "all" }),
      ...reasons.map((r) => el("option", { value: r, text: `${r} (${page.reasons[r]})` })));
    filter.value = state.dlqReason;
  }
  if (!page.records.length) {
    replace($("dlq"), el("tr", {}, el("td", { colspan: 7, class: "muted", text: "no dead letters" })));
  } else {
    replace($("dlq"), ...page.records.map((r) => {
      const id = r.partition + "/" + r.offset;
      const box = el("input", { type: "checkbox", "data-testid": "dlq-select", onchange: (e) => {
        if (e.target.checked) state.dlqSelected.set(id, { partition: r.partition, offset: r.offset });
        else state.dlqSelected.delete(id);
        updateReplayButton();
      } });
      box.checked = state.dlqSelected.has(id);
      const h = r.headers || {};
      const from = h["rdstream.source.topic"] ? `${h["rdstream.source.topic"]}[${h["rdstream.source.partition"]}]@${h["rdstream.source.offset"]}` : dash;
      return el("tr", { "data-testid": "dlq-row", "data-reason": r.reason, "data-id": id },
        el("td", {}, box), el("td", { text: time(r.timestamp_ms), title: `${page.topic}[${r.partition}]@${r.offset}` }),
        el("td", {}, el("span", { class: "reason", text: r.reason })),
        el("td", { class: "message", text: h["rdstream.error.message"] || dash }), el("td", { text: from }),
        el("td", { text: r.key === null ? dash : r.key }),
        el("td", { class: "value", text: r.value + (r.value_truncated ? " …" : ""), title: r.value }));
    }));
  }
  state.dlqShown = page.records.map((r) => ({ partition: r.partition, offset: r.offset }));
  updateReplayButton();
}
function updateReplayButton() {
  const n = state.dlqSelected.size;
  $("dlq-replay").disabled = n === 0;
  $("dlq-replay").textContent = n ? `Replay ${n} selected` : "Replay selected";
}
$("dlq-filter").addEventListener("change", (e) => {
  state.dlqReason = e.target.value;
  state.dlqSelected.clear();
  $("dlq-select-all").checked = false;
  refreshDeadLetters().then(() => report("dlq"), (e) => report("dlq", e));
});
$("dlq-select-all").addEventListener("change", (e) => {
  for (const r of state.dlqShown || []) {
    const id = r.partition + "/" + r.offset;
    if (e.target.checked) state.dlqSelected.set(id, r); else state.dlqSelected.delete(id);
  }
  for (const box of document.querySelectorAll("[data-testid=dlq-select]")) box.checked = e.target.checked;
  updateReplayButton();
});
$("dlq-replay").addEventListener("click", async () => {
  const records = [...state.dlqSelected.values()];
  const out = $("dlq-result");
  $("dlq-replay").disabled = true;
  out.textContent = `replaying ${records.length}…`;
  try {
    const result = await post("/api/dlq/replay", { records });
    out.textContent = `Replayed ${result.replayed.length}` +
      (result.errors.length ? `; ${result.errors.length} failed: ` + result.errors.map((e) => `${e.partition}/${e.offset}: ${e.error}`).join("; ") : "");
    out.dataset.replayed = String(result.replayed.length);
    out.dataset.failed = String(result.errors.length);
    state.dlqSelected.clear();
    $("dlq-select-all").checked = false;
  } catch (error) {
    out.textContent = "replay failed: " + error.message;
    out.dataset.failed = "all";
  }
  await refreshDeadLetters().then(() => report("dlq"), (e) => report("dlq", e));
});

$("count-button").addEventListener("click", async () => {
  try { await post("/api/cassandra/count"); } catch (error) { $("count-result").textContent = error.message; }
  await refreshState().then(() => report("state"), (e) => report("state", e));
});

// ---- the loop ----------------------------------------------------------------------------------------
function every(source, fn, periodMs) {
  const run = async () => {
    try { await fn(); report(source); } catch (error) { report(source, error); }
    setTimeout(run, typeof periodMs === "function" ? periodMs() : periodMs);
  };
  run();
}
every("state", refreshState, () => state.refreshMs);
every("history", refreshHistory, 2000);
every("dlq", refreshDeadLetters, 5000);
