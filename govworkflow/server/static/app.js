// The govworkflow playground: every number on the page comes from /web/api (the server
// drives the package's own env); this script only asks and draws.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { options: null, view: null, pending: 0 };
const DEFAULT_POLICY = "sla_aware"; // the strongest heuristic, where the ruleset has it
const HISTORY_SHOWN = 25; // the last steps listed under "Played"
const BUTTONS = ["new", "play", "advance", "undo", "policy-step", "policy-end"];

function el(tag, attrs = {}, text = "") {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== "") node.textContent = text;
  return node;
}

function showError(message) {
  const box = $("error");
  box.textContent = message || "";
  box.hidden = !message;
}

function setBusy(delta) {
  state.pending += delta;
  document.body.dataset.busy = state.pending > 0 ? "1" : "0";
  for (const id of BUTTONS) $(id).disabled = state.pending > 0 || !enabled(id);
}

function enabled(id) {
  const v = state.view;
  if (id === "new") return state.options !== null;
  if (!v) return false;
  if (id === "undo") return v.can_undo;
  if (id === "advance") return findAdvance() !== null;
  if (id === "play") return v.actions.length > 0;
  return !v.done && $("policy").options.length > 0;
}

async function api(method, path, body) {
  setBusy(+1);
  try {
    const init = { method, headers: {} };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const reply = await fetch(path, init);
    const data = await reply.json();
    if (!reply.ok) {
      showError(`${data.detail} (${data.code}, HTTP ${reply.status})`);
      return null;
    }
    showError("");
    return data;
  } catch (err) {
    showError(`request failed: ${err}`);
    return null;
  } finally {
    setBusy(-1);
  }
}

// -- setup --------------------------------------------------------------------------
function rulesetRow() {
  return state.options.rulesets.find((r) => r.ruleset === $("ruleset").value);
}

function fillTasks() {
  const row = rulesetRow();
  $("task").replaceChildren(...row.tasks.map((t) => el("option", { value: t.task_id }, t.task_id)));
  fillSeed();
}

function fillPolicies(ruleset) {
  // the policies of the episode's ruleset (the setup pickers may already show another)
  const picker = $("policy");
  if (picker.dataset.ruleset === ruleset) return;
  const row = state.options.rulesets.find((r) => r.ruleset === ruleset);
  picker.replaceChildren(...row.policies.map((p) => el("option", { value: p }, p)));
  if (row.policies.includes(DEFAULT_POLICY)) picker.value = DEFAULT_POLICY;
  picker.dataset.ruleset = ruleset;
}

function fillSeed() {
  const task = rulesetRow().tasks.find((t) => t.task_id === $("task").value);
  $("seed").value = task.default_seed;
  $("task-description").textContent = task.description;
}

async function newEpisode() {
  const seedText = $("seed").value.trim();
  const body = { ruleset: $("ruleset").value, task_id: $("task").value };
  if (seedText !== "") body.seed = Number.isInteger(Number(seedText)) ? Number(seedText) : seedText;
  if (state.view) body.replace = state.view.episode_id;
  const view = await api("POST", "/web/api/episodes", body);
  if (view) render(view);
}

// -- acting -------------------------------------------------------------------------
function episodePath(suffix) {
  return `/web/api/episodes/${encodeURIComponent(state.view.episode_id)}${suffix}`;
}

function findAdvance() {
  const v = state.view;
  if (!v) return null;
  return v.actions.find((a) => a.action.action_type === "advance_time") || null;
}

async function act(suffix, body) {
  if (!state.view) return;
  const view = await api("POST", episodePath(suffix), body);
  if (view) render(view);
}

function playSelected() {
  const option = $("action").selectedOptions[0];
  if (option) act("/step", { action: JSON.parse(option.dataset.action) });
}

function playAdvance() {
  const advance = findAdvance();
  if (advance) act("/step", { action: advance.action });
}

// -- drawing ------------------------------------------------------------------------
function render(view) {
  const keep = $("action").selectedOptions[0]?.dataset.action;
  state.view = view;
  const body = document.body.dataset;
  body.episode = view.episode_id;
  body.step = String(view.step);
  body.done = String(view.done);
  body.environment = view.environment;
  fillPolicies(view.ruleset);

  $("counters").replaceChildren(
    ...view.counters.map((c) => {
      const span = el("span", { "data-counter": c.key, "data-value": String(c.value) });
      span.append(el("b", {}, c.label), document.createTextNode(String(c.value)));
      return span;
    }),
  );

  const groups = new Map();
  for (const a of view.actions) {
    if (!groups.has(a.group)) groups.set(a.group, el("optgroup", { label: a.group.replaceAll("_", " ") }));
    const option = el("option", { "data-action": JSON.stringify(a.action) }, a.label);
    option.selected = option.dataset.action === keep;
    groups.get(a.group).append(option);
  }
  const none = view.done ? "(the episode is over: undo, or start a new one)" : "(no valid action)";
  $("action").replaceChildren(...(groups.size ? groups.values() : [el("option", { disabled: "", selected: "" }, none)]));
  $("advance").hidden = view.environment !== "office";

  const end = view.done ? ` — episode over (${view.terminated ? "no work left" : "horizon reached"}).` : "";
  $("message").textContent = `${view.last_valid ? "✔" : "✘"} ${view.message}${end}`;
  $("message").className = view.last_valid ? "message" : "message bad";

  $("why-count").textContent = `(${view.invalid_actions.length})`;
  $("why-list").replaceChildren(
    ...view.invalid_actions.map((a) => {
      const li = el("li", { "data-action": JSON.stringify(a.action) }, `${a.label}: `);
      li.append(el("span", { class: "reason" }, a.reason));
      return li;
    }),
  );

  renderGrade(view.grade);
  $("steps-played").textContent = `(${view.step} steps)`;
  const first = Math.max(0, view.history.length - HISTORY_SHOWN);
  const shown = view.history.slice(first);
  $("history").setAttribute("start", String(first + 1));
  $("history").replaceChildren(
    ...shown.map((h) => {
      const li = el("li", {}, `${h.label} `);
      li.append(el("span", { class: "by" }, `(${h.by})`));
      return li;
    }),
  );
  $("history").scrollTop = $("history").scrollHeight;

  renderCharts(view);
  setBusy(0);
  body.renders = String(Number(body.renders) + 1);
}

function renderGrade(grade) {
  $("score").textContent = grade.score.toFixed(4);
  $("score").dataset.value = String(grade.score);
  $("provisional").textContent = grade.provisional ? "provisional" : "final";
  $("provisional").className = grade.provisional ? "badge" : "badge final";
  $("grade-table").tBodies[0].replaceChildren(
    ...grade.components.map((c) => {
      const tr = el("tr", { "data-component": c.name, title: c.description || "" });
      tr.append(el("td", {}, c.name));
      for (const key of ["value", "weight", "contribution"]) {
        tr.append(el("td", { "data-field": key, "data-value": String(c[key]) }, c[key].toFixed(4)));
      }
      return tr;
    }),
  );
}

// -- charts: plotly.js from the view's series, in the notebooks' style -------------
// Okabe-Ito (colour-blind safe); a service's colour is PALETTE[its place in the Service list].
const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#B8A000", "#8C8C8C"];
const GOOD = "#009E73";
const BAD = "#D55E00";
const AXIS = { gridcolor: "rgba(128,128,128,0.25)", zerolinecolor: "rgba(128,128,128,0.5)", automargin: true };

function layout(title, xaxis, yaxis, extra = {}) {
  return {
    title: { text: title, x: 0, xanchor: "left" },
    font: { family: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size: 12, color: "#808080" },
    paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)", height: 320,
    margin: { l: 16, r: 16, t: 48, b: 16 }, hovermode: "x unified", legend: { bgcolor: "rgba(0,0,0,0)" },
    xaxis: { ...AXIS, title: { text: xaxis } }, yaxis: { ...AXIS, title: { text: yaxis } },
    uirevision: "govworkflow", // keep zoom and legend clicks across updates
    ...extra,
  };
}

function daysAxis(fig, days) {
  const last = days.length ? days[days.length - 1] : 0;
  Object.assign(fig.layout.xaxis, { tickmode: "linear", tick0: 0, dtick: Math.max(1, Math.ceil(last / 10)) });
  return fig;
}

function officeCharts(view) {
  const s = view.series;
  const title = (what) => `${what} — ${view.task_id} (${view.ruleset}), day ${s.days[s.days.length - 1]}`;
  const backlog = s.services.map((name, i) => ({
    type: "scatter", mode: "lines", stackgroup: "backlog", name, x: s.days, y: s.backlog[i],
    line: { color: PALETTE[s.colors[i] % PALETTE.length] },
  }));
  const deadlines = [
    { type: "bar", name: `at risk (${s.at_risk_rule})`, x: s.days, y: s.at_risk, marker: { color: PALETTE[1] },
      opacity: 0.7 },
    { type: "scatter", mode: "lines+markers", name: "SLA breaches so far", x: s.days, y: s.sla_breaches,
      line: { color: BAD, width: 2 } },
    { type: "scatter", mode: "lines", name: "completed so far", x: s.days, y: s.completed,
      line: { color: GOOD, dash: "dot" } },
  ];
  return {
    backlog: daysAxis({ data: backlog, layout: layout(title("Backlog by service"), "day", "open cases") }, s.days),
    deadlines: daysAxis({ data: deadlines, layout: layout(title("Deadlines"), "day", "cases") }, s.days),
  };
}

function triageCharts(view) {
  const s = view.series;
  const title = `Tickets and reward — ${view.task_id} (triage), step ${s.steps[s.steps.length - 1]}`;
  const data = [
    { type: "bar", name: "tickets left", x: s.steps, y: s.tickets_left, marker: { color: PALETTE[1] } },
    { type: "scatter", mode: "lines+markers", name: "reward so far", x: s.steps, y: s.reward, yaxis: "y2",
      line: { color: PALETTE[0], width: 2 } },
  ];
  const extra = { yaxis2: { ...AXIS, overlaying: "y", side: "right", showgrid: false, title: { text: "reward" } } };
  const fig = { data, layout: layout(title, "step", "tickets", extra) };
  fig.layout.xaxis.dtick = 1;
  return { progress: fig };
}

function gradeChart(view) {
  // weighted bars: the earned parts add up to the score
  const grade = view.grade;
  const comps = [...grade.components].reverse(); // first component on top
  const names = comps.map((c) => c.name);
  const hover = comps.map((c) => `${c.name}: value ${c.value.toFixed(4)} x weight ${c.weight.toFixed(2)}`);
  const bar = (name, x, color, opacity) => ({
    type: "bar", orientation: "h", name, y: names, x, marker: { color }, opacity, hovertext: hover,
    hoverinfo: "text",
  });
  const status = grade.provisional ? "provisional " : "";
  const fig = {
    data: [
      bar("earned", comps.map((c) => c.weight * c.value), GOOD, 1),
      bar("lost", comps.map((c) => c.weight * (1 - c.value)), BAD, 0.6),
    ],
    layout: layout(`Grade ${grade.score.toFixed(4)} (${status}${grade.task_id}, ${grade.ruleset})`,
      "share of the score", "", { barmode: "stack", hovermode: "closest", height: Math.max(240, 60 + 28 * comps.length) }),
  };
  fig.layout.xaxis.range = [0, Math.max(0.05, ...comps.map((c) => c.weight)) * 1.05];
  return fig;
}

function renderCharts(view) {
  const box = $("charts");
  if (!window.Plotly) {
    box.replaceChildren(el("p", { class: "message bad" }, "plotly.js did not load: GET /web/plotly.min.js says why"));
    return;
  }
  const charts = view.environment === "office" ? officeCharts(view) : triageCharts(view);
  charts.grade = gradeChart(view);
  const names = Object.keys(charts);
  for (const child of [...box.children]) if (!names.includes(child.dataset.chart)) child.remove();
  for (const name of names) {
    let div = $(`chart-${name}`);
    if (!div) {
      div = el("div", { id: `chart-${name}`, class: "chart", "data-chart": name });
      box.append(div);
    }
    window.Plotly.react(div, charts[name].data, charts[name].layout, { displaylogo: false, responsive: true });
  }
  const order = names.map((name) => $(`chart-${name}`));
  if (order.some((div, i) => box.children[i] !== div)) box.append(...order); // the grade chart last
}

// -- start --------------------------------------------------------------------------
async function start() {
  $("ruleset").addEventListener("change", fillTasks);
  $("task").addEventListener("change", fillSeed);
  $("new").addEventListener("click", newEpisode);
  $("play").addEventListener("click", playSelected);
  $("advance").addEventListener("click", playAdvance);
  $("undo").addEventListener("click", () => act("/undo"));
  $("policy-step").addEventListener("click", () => act("/policy", { policy: $("policy").value, steps: 1 }));
  $("policy-end").addEventListener("click", () => act("/policy", { policy: $("policy").value }));
  window.addEventListener("pagehide", () => {
    if (state.view) navigator.sendBeacon(episodePath("/close"));
  });
  setBusy(0);
  const options = await api("GET", "/web/api/options");
  if (!options) return;
  state.options = options;
  $("ruleset").replaceChildren(...options.rulesets.map((r) => el("option", { value: r.ruleset }, r.ruleset)));
  $("ruleset").value = options.default_ruleset;
  fillTasks();
  await newEpisode();
}

start();
