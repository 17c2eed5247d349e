// kam live preview: the policy's files in an editor; every edit is checked,
// compiled and scored against a population in a worker (engine.js), and the
// tables show what changed against the unedited policy. Plain DOM, no
// framework. `window.kamPage` exposes state and timings for the page test.

const $ = (selector) => document.querySelector(selector);
const DEBOUNCE_MS = 120;
// A newer edit replaces a computation that has run this long (worker ended).
const SUPERSEDE_MS = 1000;
// Beyond this a computation is stopped as runaway (a rule looping on every record).
const WATCHDOG_MS = 30000;

const page = (window.kamPage = {
  ready: false,
  version: 0, // edits made (policy text, date, population)
  busy: false, // an update is waiting or computing
  generation: 0, // completed updates (compiled or not)
  updates: [], // timings of every update
  lastUpdate: null,
  single: { asked: 0, done: 0 }, // single-customer evaluations requested / shown
  state: null,
});

const state = {
  original: {}, // the unedited files
  files: {}, // the files as edited
  order: [],
  active: "parameters.rhai",
  asOf: "2026-11-01",
  population: "samples",
  samples: { customers: [], staff: [] },
  records: { customers: [], staff: [] }, // the population being scored
  baseline: null, // unedited results for `records`
  last: null, // latest results of a policy that compiled
  diagnostics: [],
  ruleProblems: [],
  stale: false,
  single: { base: {}, label: "A new customer." },
};
page.state = state;

// ── the engine worker ───────────────────────────────────────────────────────

class Engine {
  constructor(module) {
    this.module = module;
    this.seq = 0;
    this.calls = new Map();
    this.population = null;
    this.spawn();
  }

  spawn() {
    this.worker = new Worker(new URL("./engine.js", import.meta.url), { type: "module" });
    this.worker.onmessage = ({ data }) => {
      const call = this.calls.get(data.id);
      if (!call) return;
      this.calls.delete(data.id);
      if ("failure" in data) call.reject(new Error(data.failure));
      else call.resolve(data.result);
    };
    this.worker.onerror = (e) => {
      e.preventDefault();
      this.restart(`engine failed: ${e.message}`);
    };
    this.started = this.call({ type: "init", module: this.module });
    if (this.population) this.call({ type: "population", ...this.population });
  }

  call(message) {
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject, since: performance.now() });
      this.worker.postMessage({ ...message, id });
    });
  }

  setPopulation(customers, staff) {
    this.population = { customers, staff };
    return this.call({ type: "population", customers, staff });
  }

  /** Ends the worker (and whatever it is computing) and starts a fresh one. */
  restart(reason) {
    this.worker.terminate();
    const calls = [...this.calls.values()];
    this.calls.clear();
    for (const call of calls) call.reject(Object.assign(new Error(reason), { stopped: true }));
    this.spawn();
  }
}

let engine;

// ── loading ─────────────────────────────────────────────────────────────────

async function fetchJsonLines(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  const text = await response.text();
  return text
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line));
}

async function compileModule() {
  const url = new URL("../pkg/kam_wasm_bg.wasm", import.meta.url);
  try {
    return await WebAssembly.compileStreaming(fetch(url));
  } catch {
    // A server that does not send application/wasm: compile from the bytes.
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: ${response.status} (run bindings-wasm/build.sh first)`);
    return WebAssembly.compile(await response.arrayBuffer());
  }
}

/** The benchmark population: the samples cycled, each copy with its own id. */
function cycle(samples, n) {
  return Array.from({ length: n }, (_, i) => {
    const s = samples[i % samples.length];
    return { ...s, id: `${s.id}#${Math.floor(i / samples.length) + 1}` };
  });
}

async function main() {
  setStatus("loading…", "busy");
  const [module, customers, staff] = await Promise.all([
    compileModule(),
    fetchJsonLines(new URL("../../data/customers.jsonl", import.meta.url)),
    fetchJsonLines(new URL("../../data/staff.jsonl", import.meta.url)),
  ]);
  state.samples = { customers, staff };
  engine = new Engine(module);
  const { sources, languages } = await engine.started;
  // The reasons' language: the policy's own list, default first.
  $("#lang").innerHTML = languages.map((l) => `<option value="${escapeHtml(l)}">${escapeHtml(l)}</option>`).join("");
  state.original = { ...sources };
  state.files = { ...sources };
  const names = Object.keys(sources).sort();
  const first = ["parameters.rhai", "policy.rhai"].filter((n) => names.includes(n));
  state.order = [...first, ...names.filter((n) => !first.includes(n))];
  renderFiles();
  showFile(state.active);
  bindEvents();
  await loadPopulation();
  page.ready = true;
  document.body.dataset.ready = "true";
}

async function loadPopulation() {
  page.version += 1;
  page.busy = true;
  const { customers, staff } = state.samples;
  state.records =
    state.population === "benchmark"
      ? { customers: cycle(customers, 1000), staff: cycle(staff, 200) }
      : { customers, staff };
  await engine.setPopulation(state.records.customers, state.records.staff);
  state.baseline = await engine.call({ type: "baseline", asOf: state.asOf });
  state.last = null;
  await update();
}

// ── updates: check, compile, score, render ─────────────────────────────────

let debounce = null;
let running = null; // {since} while a score is computing
let wanted = false; // an edit arrived while computing

function schedule() {
  page.version += 1;
  page.busy = true;
  clearTimeout(debounce);
  debounce = setTimeout(update, DEBOUNCE_MS);
}

async function update() {
  if (running) {
    wanted = true;
    // A long computation for an outdated text is not worth waiting for.
    if (performance.now() - running.since > SUPERSEDE_MS) engine.restart("superseded by a newer edit");
    return;
  }
  wanted = false;
  page.busy = true;
  const version = page.version;
  const start = performance.now();
  running = { since: start };
  setStatus("scoring…", "busy");
  const watchdog = setTimeout(
    () => engine.restart(`stopped after ${WATCHDOG_MS / 1000} s: does a rule loop on every record?`),
    WATCHDOG_MS,
  );
  let answer;
  try {
    answer = await engine.call({ type: "score", sources: { ...state.files }, asOf: state.asOf });
  } catch (e) {
    answer = { stopped: e.message };
  } finally {
    clearTimeout(watchdog);
  }
  const received = performance.now();
  const previousDiagnostics = state.diagnostics;
  if (answer.stopped) {
    if (!wanted) {
      state.diagnostics = [{ file: "", line: null, column: null, message: answer.stopped }];
      state.stale = true;
    }
  } else if (answer.ok) {
    state.diagnostics = [];
    state.stale = false;
    state.last = answer;
  } else {
    state.diagnostics = answer.diagnostics;
    state.stale = true;
  }
  render(previousDiagnostics);
  const rendered = performance.now();
  // "Page updated": the frame after the DOM change has been painted.
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  const painted = performance.now();
  const timings = {
    generation: page.generation + 1,
    version,
    ok: !!answer.ok,
    records: { customers: state.records.customers.length, staff: state.records.staff.length },
    ...(answer.timings ?? {}),
    engine: received - start,
    render: rendered - received,
    paint: painted - rendered,
    total: painted - start,
  };
  page.updates.push(timings);
  page.lastUpdate = timings;
  page.generation += 1;
  document.body.dataset.generation = String(page.generation);
  renderTiming(timings);
  running = null;
  page.busy = wanted;
  updateSingle();
  if (wanted) update();
}

// ── rendering ───────────────────────────────────────────────────────────────

const escapeHtml = (s) =>
  String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

function setStatus(text, kind = "") {
  const el = $("#status");
  el.textContent = text;
  el.className = kind;
}

/** Result fields that differ (policy identity and explanations left out). */
function changedFields(before, now) {
  if (!before || !now) return [];
  if (before.error || now.error) return JSON.stringify(before.error) === JSON.stringify(now.error) ? [] : ["error"];
  const skip = new Set(["policy", "reasons", "id"]);
  return Object.keys(now).filter((k) => !skip.has(k) && JSON.stringify(before[k]) !== JSON.stringify(now[k]));
}

const show = (v) => (v === null || v === undefined ? "–" : typeof v === "boolean" ? (v ? "✓" : "✗") : v);

/** A cell: the value, or old → new when it changed. */
function diffCell(before, now, cls = "") {
  const b = show(before);
  const n = show(now);
  if (b === n) return `<td class="${cls}">${escapeHtml(n)}</td>`;
  return `<td class="${cls}" title="${escapeHtml(`${b} → ${n}`)}"><span class="old">${escapeHtml(b)}</span><span class="arrow">→</span><span class="new">${escapeHtml(n)}</span></td>`;
}

function money(v) {
  if (v === null || v === undefined) return "–";
  const [whole, frac] = String(v).split(".");
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (frac ? `.${frac}` : "");
}

function renderCustomers() {
  const { customers } = state.records;
  const base = state.baseline?.customers ?? [];
  const now = state.last?.customers ?? base;
  let changed = 0;
  const rows = customers.map((record, i) => {
    const b = base[i];
    const r = now[i];
    const attrs = `data-id="${escapeHtml(record.id)}" data-index="${i}"`;
    const head = `<td>${escapeHtml(record.id)}</td><td>${escapeHtml(record.name ?? "")}</td><td class="num">${money(record.annual_revenue)}</td>`;
    if (!r || r.error) {
      const e = r?.error ?? {};
      return `<tr class="error" ${attrs}>${head}<td colspan="6" class="msg">${escapeHtml(e.kind)} error${
        e.field ? ` (${escapeHtml(e.field)})` : ""
      }: ${escapeHtml(e.message)}</td></tr>`;
    }
    const fields = changedFields(b, r);
    if (fields.length) changed++;
    const other = fields.filter((f) => !["tier", "status", "change", "key_account", "admission"].includes(f));
    return `<tr class="${fields.length ? "changed" : ""}" ${attrs}>${head}${diffCell(b?.tier, r.tier, "tier")}${diffCell(
      b?.status,
      r.status,
    )}${diffCell(b?.change, r.change)}${diffCell(b?.key_account, r.key_account)}${diffCell(
      b?.admission?.admitted,
      r.admission.admitted,
    )}<td>${escapeHtml(other.join(", "))}</td></tr>`;
  });
  patchRows("customers", rows);
  $("#customers-count").textContent = `${customers.length.toLocaleString("en")} · ${changed} changed`;
  return changed;
}

function renderStaff() {
  const { staff } = state.records;
  const base = state.baseline?.staff ?? [];
  const now = state.last?.staff ?? base;
  let changed = 0;
  const rows = staff.map((record, i) => {
    const b = base[i];
    const r = now[i];
    const attrs = `data-id="${escapeHtml(record.id)}" data-index="${i}"`;
    const head = `<td>${escapeHtml(record.id)}</td><td>${escapeHtml(record.name ?? "")}</td><td>${escapeHtml(record.period)}</td>`;
    if (!r || r.error) {
      const e = r?.error ?? {};
      return `<tr class="error" ${attrs}>${head}<td colspan="4" class="msg">${escapeHtml(e.kind)} error${
        e.field ? ` (${escapeHtml(e.field)})` : ""
      }: ${escapeHtml(e.message)}</td></tr>`;
    }
    const fields = changedFields(b, r);
    if (fields.length) changed++;
    const other = fields.filter((f) => !["scorecard", "grade", "actions"].includes(f));
    if (fields.includes("scorecard") && b?.scorecard?.total === r.scorecard.total) other.unshift("scorecard items");
    return `<tr class="${fields.length ? "changed" : ""}" ${attrs}>${head}${diffCell(
      b?.scorecard?.total,
      r.scorecard.total,
      "num total",
    )}${diffCell(b?.grade, r.grade, "grade")}${diffCell(b?.actions?.join(", ") || "–", r.actions.join(", ") || "–")}<td>${escapeHtml(
      other.join(", "),
    )}</td></tr>`;
  });
  patchRows("staff", rows);
  $("#staff-count").textContent = `${staff.length.toLocaleString("en")} · ${changed} changed`;
  return changed;
}

const shownRows = { customers: [], staff: [] };

/** Replaces only the rows whose HTML changed: an edit usually moves a few rows of many. */
function patchRows(table, html) {
  const body = $(`#${table} tbody`);
  const shown = shownRows[table];
  if (shown.length !== html.length || body.rows.length !== html.length) {
    body.innerHTML = html.join("");
  } else {
    for (let i = 0; i < html.length; i++) if (shown[i] !== html[i]) body.rows[i].outerHTML = html[i];
  }
  shownRows[table] = html;
}

/** Rule errors met while scoring, one line per place in the policy. */
function ruleProblems() {
  const seen = new Map();
  for (const r of [...(state.last?.customers ?? []), ...(state.last?.staff ?? [])]) {
    const e = r?.error;
    if (!e || e.kind !== "rule") continue;
    const key = `${e.file}:${e.line}:${e.message}`;
    const p = seen.get(key) ?? { file: e.file, line: e.line, column: e.column, message: e.message, records: 0 };
    p.records++;
    seen.set(key, p);
  }
  return [...seen.values()];
}

/** Brings the first new error of the open file into view (it is usually where the author types). */
function revealNewError(previous) {
  const before = new Set(previous.map((d) => `${d.file}:${d.line}`));
  const fresh = state.diagnostics.find((d) => d.file === state.active && d.line && !before.has(`${d.file}:${d.line}`));
  if (!fresh) return;
  const source = $("#source");
  const top = (fresh.line - 1) * lineHeight();
  if (top < source.scrollTop || top > source.scrollTop + source.clientHeight - 2 * lineHeight()) {
    source.scrollTop = Math.max(0, top - source.clientHeight / 3);
  }
}

function render(previousDiagnostics = []) {
  revealNewError(previousDiagnostics);
  state.ruleProblems = state.stale ? state.ruleProblems : ruleProblems();
  const c = renderCustomers();
  const s = renderStaff();
  $("#stale").hidden = !state.stale;
  $("#summary").textContent = state.last
    ? `Against the unedited policy: ${c} customer${c === 1 ? "" : "s"} and ${s} staff-month${s === 1 ? "" : "s"} changed.`
    : "The unedited policy.";
  $("#digest").textContent = state.last?.digest ?? "";
  renderProblems();
  renderFiles();
  renderMarks();
  if (state.diagnostics.length) setStatus(`${state.diagnostics.length} problem(s) in the policy`, "error");
  else if (state.ruleProblems.length) setStatus("compiled; some rules fail", "error");
  else setStatus("up to date");
}

function renderTiming(t) {
  const ms = (v) => (v === undefined ? "–" : `${v.toFixed(1)} ms`);
  $("#timing").textContent =
    `Last update: ${ms(t.total)} from edit to painted page for ${t.records.customers.toLocaleString("en")} customers + ` +
    `${t.records.staff.toLocaleString("en")} staff-months (compile ${ms(t.compile)}, customers ${ms(t.customers)}, ` +
    `staff ${ms(t.staff)}, render ${ms(t.render)}); typing waits ${DEBOUNCE_MS} ms before an update starts.`;
}

function renderProblems() {
  const items = [
    ...state.diagnostics.map((d) => ({ ...d, kind: "error" })),
    ...state.ruleProblems.map((p) => ({
      ...p,
      kind: "warning",
      message: `rule error on ${p.records} record(s): ${p.message}`,
    })),
  ];
  $("#problems").innerHTML = items
    .map((d, i) => {
      const where = d.file ? `${d.file}${d.line ? `:${d.line}${d.column ? `:${d.column}` : ""}` : ""}: ` : "";
      return `<li class="${d.kind}" data-i="${i}" data-file="${escapeHtml(d.file)}" data-line="${d.line ?? ""}">${escapeHtml(
        where + d.message,
      )}</li>`;
    })
    .join("");
}

function renderFiles() {
  const broken = new Set(state.diagnostics.map((d) => d.file));
  $("#files").innerHTML = state.order
    .map((name) => {
      const cls = [state.files[name] !== state.original[name] ? "edited" : "", broken.has(name) ? "has-error" : ""].join(" ");
      return `<button type="button" role="tab" class="${cls}" data-file="${escapeHtml(name)}" aria-selected="${
        name === state.active
      }">${escapeHtml(name)}</button>`;
    })
    .join("");
}

// ── the editor ──────────────────────────────────────────────────────────────

const lineHeight = () => parseFloat(getComputedStyle(document.documentElement).getPropertyValue("--lh")) || 18;

function renderGutter() {
  const lines = state.files[state.active].split("\n").length;
  const bad = new Set(state.diagnostics.filter((d) => d.file === state.active && d.line).map((d) => d.line));
  let html = "";
  for (let n = 1; n <= lines; n++) html += bad.has(n) ? `<span class="error">${n}</span>\n` : `${n}\n`;
  $("#gutter").innerHTML = html;
  $("#gutter").scrollTop = $("#source").scrollTop;
}

function renderMarks() {
  const lh = lineHeight();
  const pad = parseFloat(getComputedStyle($("#source")).paddingTop) || 0;
  const marks = [
    ...state.diagnostics.filter((d) => d.file === state.active && d.line).map((d) => ({ line: d.line, cls: "" })),
    ...state.ruleProblems.filter((p) => p.file === state.active && p.line).map((p) => ({ line: p.line, cls: "warning" })),
  ];
  $("#marks").innerHTML = marks
    .map((m) => `<div class="${m.cls}" data-line="${m.line}" style="top:${pad + (m.line - 1) * lh}px"></div>`)
    .join("");
  $("#marks").style.transform = `translate(${-$("#source").scrollLeft}px, ${-$("#source").scrollTop}px)`;
  renderGutter();
}

function showFile(name, line) {
  state.active = name;
  const source = $("#source");
  source.value = state.files[name];
  renderFiles();
  renderMarks();
  if (line) {
    const lines = source.value.split("\n");
    const offset = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    source.focus();
    source.setSelectionRange(offset, offset + (lines[line - 1]?.length ?? 0));
    source.scrollTop = Math.max(0, (line - 5) * lineHeight());
  }
}

// ── the single-customer form ────────────────────────────────────────────────

function formRecord() {
  const form = $("#single");
  const record = { ...state.single.base, id: state.single.base.id ?? "FORM-1" };
  for (const el of form.elements) {
    if (!el.name) continue;
    if (el.type === "checkbox") record[el.name] = el.checked;
    else if (el.type === "number") record[el.name] = el.value === "" ? null : Number(el.value);
    else if (el.name === "tier" || el.type === "date") record[el.name] = el.value || null;
    // Money stays text: the core reads it as an exact decimal.
    else record[el.name] = el.value.trim() === "" ? null : el.value.trim().replace(/,/g, "");
  }
  return record;
}

function loadIntoForm(record) {
  state.single = { base: record, label: `Starting from ${record.id} ${record.name ?? ""}.` };
  for (const el of $("#single").elements) {
    if (!el.name) continue;
    const v = record[el.name];
    if (el.type === "checkbox") el.checked = !!v;
    else el.value = v === null || v === undefined ? "" : String(v);
  }
  $("#single-base").textContent = `${state.single.label} Other fields (incidents, blacklist…) come from that record.`;
  updateSingle();
}

let singleSeq = 0;
async function updateSingle() {
  if (!engine) return;
  const seq = ++singleSeq;
  page.single.asked = seq;
  let answer;
  try {
    answer = await engine.call({ type: "one", record: formRecord(), asOf: state.asOf, lang: $("#lang").value });
  } catch {
    return;
  }
  if (seq !== singleSeq) return;
  const { now, before } = answer;
  const box = $("#decision");
  page.single.done = seq;
  if (now.error) {
    box.innerHTML = `<p class="error">${escapeHtml(now.error.message)}</p>`;
    box.dataset.tier = "";
    return;
  }
  const r = now.result;
  const b = before.result;
  const differs = b && JSON.stringify(changedFields(b, r)) !== "[]";
  box.dataset.tier = r.tier ?? "";
  box.innerHTML = `
    <div class="tier">Tier ${escapeHtml(r.tier ?? "none")} <small>(${escapeHtml(r.status)}, ${escapeHtml(r.change)})</small></div>
    ${differs ? `<div class="old-policy">With the unedited policy: tier ${escapeHtml(b.tier ?? "none")}, ${escapeHtml(b.change)}</div>` : ""}
    <div>Key account ${show(r.key_account)} · admitted ${show(r.admission.admitted)}${
      r.admission.failed.length ? ` (failed: ${escapeHtml(r.admission.failed.join(", "))})` : ""
    }${r.visit ? ` · visit every ${r.visit.interval_days} days, next due ${escapeHtml(r.visit.next_due)}` : ""}${
      r.categories.length ? ` · ${escapeHtml(r.categories.join(", "))}` : ""
    }</div>
    <ul class="reasons">${r.reasons.map((x) => `<li><code>${escapeHtml(x.rule)}</code> ${escapeHtml(x.message)}</li>`).join("")}</ul>`;
}

// ── events ──────────────────────────────────────────────────────────────────

function bindEvents() {
  const source = $("#source");
  source.addEventListener("input", () => {
    state.files[state.active] = source.value;
    renderGutter();
    renderFiles();
    schedule();
  });
  source.addEventListener("scroll", () => {
    $("#gutter").scrollTop = source.scrollTop;
    $("#marks").style.transform = `translate(${-source.scrollLeft}px, ${-source.scrollTop}px)`;
  });
  source.addEventListener("keydown", (e) => {
    // Tab indents instead of leaving the editor.
    if (e.key === "Tab" && !e.shiftKey) {
      e.preventDefault();
      source.setRangeText("    ", source.selectionStart, source.selectionEnd, "end");
      source.dispatchEvent(new Event("input"));
    }
  });
  $("#files").addEventListener("click", (e) => {
    const file = e.target.closest("button")?.dataset.file;
    if (file) showFile(file);
  });
  $("#problems").addEventListener("click", (e) => {
    const li = e.target.closest("li");
    if (li?.dataset.file && state.files[li.dataset.file] !== undefined) showFile(li.dataset.file, Number(li.dataset.line) || 0);
  });
  $("#reset-file").addEventListener("click", () => {
    state.files[state.active] = state.original[state.active];
    showFile(state.active);
    schedule();
  });
  $("#reset-all").addEventListener("click", () => {
    state.files = { ...state.original };
    showFile(state.active);
    schedule();
  });
  $("#as-of").addEventListener("change", async (e) => {
    if (!e.target.value) return;
    state.asOf = e.target.value;
    await loadPopulation();
  });
  $("#population").addEventListener("change", async (e) => {
    state.population = e.target.value;
    await loadPopulation();
  });
  $("#single").addEventListener("input", () => updateSingle());
  $("#lang").addEventListener("change", () => updateSingle());
  $("#customers tbody").addEventListener("click", (e) => {
    const i = e.target.closest("tr")?.dataset.index;
    if (i !== undefined) loadIntoForm(state.records.customers[Number(i)]);
  });
}

main().catch((e) => {
  setStatus(`failed to start: ${e.message}`, "error");
  console.error(e);
});
