// collabatlas dashboard: the controls re-query the JSON API and re-render the panels.
// Charts are Vega-Lite specs made on the server by collabatlas.charts, drawn with vega-embed
// (served from /assets/vega.js, built from the installed vl-convert package: no CDN).
"use strict";

const form = document.getElementById("controls");
const panels = Array.from(document.querySelectorAll(".panel"));
const generation = new WeakMap();
const views = new WeakMap();  // panel → { view, spec } of its drawn chart
const tables = new WeakMap();  // panel → rows of its table
const metas = new WeakMap();  // panel → meta of its last answer (source, counting, filters)
const sourceSelect = form.elements.source;
const COUNTRY_ONLY = "source pairs: country-pair aggregates exist at country level only";
const FIELD_NAMES = JSON.parse((document.getElementById("field-names") || {}).textContent || "{}");
// how a column's numbers are written: the rules of collabatlas.views.numbers (the terminal, the report
// and the PDF use the same): years plain, counts as integers, % with one decimal, p < 0.001
const NUMBER_RULES = JSON.parse((document.getElementById("number-rules") || {}).textContent || "{}");
const PLAIN_INTEGER = new RegExp(NUMBER_RULES.plain || "^(year|period|publication_year)$", "i");
const AUTO_COLUMN = new RegExp(NUMBER_RULES.auto || "^(first|last)$", "i");  // a count when whole, else a measure
const COUNT_COLUMN = new RegExp(NUMBER_RULES.count || "^(count|joint_count|joint_works|works|n)$", "i");
const PCT_COLUMN = new RegExp(NUMBER_RULES.pct || "(^|_)pct($|_)", "i");
const P_COLUMN = new RegExp(NUMBER_RULES.p || "^p_value$", "i");
const MEASURE_COLUMN = new RegExp(NUMBER_RULES.measure || "^(share|cs)$|^cs_|_cs$|_share$", "i");  // Share, CS
const DECIMALS = NUMBER_RULES.decimals || 3;
const P_FLOOR = NUMBER_RULES.p_floor || 0.001;

function fieldName(column) {
  if (FIELD_NAMES[column]) return FIELD_NAMES[column];
  const period = /^cs_(\d.*)$/.exec(column);
  return period ? `CS ${period[1]}` : column.replace(/_/g, " ");
}

function values() {
  const out = {};
  for (const el of form.elements) {
    if (!el.name) continue;
    if (el.type === "checkbox") { if (el.checked) out[el.name] = "true"; continue; }
    const v = el.value.trim();
    if (v !== "") out[el.name] = v;
  }
  return out;
}

// -- the source switch: works (work-level store) or pairs (country-pair aggregates) -------------
// A control that pairs cannot apply is disabled with the reason as its tooltip, named in the note
// under the switch, and not sent; a panel that pairs cannot draw says why instead of drawing.
function source() {
  return sourceSelect && !sourceSelect.disabled && sourceSelect.value === "pairs" ? "pairs" : "works";
}

function applySource() {
  if (!sourceSelect) return;
  const note = document.getElementById("source-note");
  const level = form.elements.level;
  const off = sourceSelect.dataset.off || (level && level.value !== "country" ? COUNTRY_ONLY : "");
  if (off && sourceSelect.value === "pairs") sourceSelect.value = "works";
  sourceSelect.disabled = Boolean(off);
  sourceSelect.title = off;
  const pairs = source() === "pairs";
  const refused = [];
  for (const el of form.querySelectorAll("label [data-pairs-refused]")) {  // controls (the sheet link: below)
    el.disabled = pairs;
    el.title = pairs ? el.dataset.pairsRefused : "";
    el.closest("label").classList.toggle("refused", pairs);
    if (pairs) {
      const name = el.closest("label").querySelector("span").textContent.toLowerCase();
      refused.push(el.value.trim() ? `${name} (“${el.value.trim()}” set, not applied)` : name);
    }
  }
  const sheet = document.getElementById("factsheet");
  const sheetOff = pairs && sheet && sheet.dataset.pairsRefused ? " · fact sheet: " + sheet.dataset.pairsRefused : "";
  note.textContent = off || (pairs
    ? "full counting (country-pair table) · years only; not applied: " + refused.join(", ") + sheetOff
    : note.dataset.default);
}

function sent(vals) {
  // what the API gets: with source pairs, the controls pairs cannot apply are left out (and said so)
  const out = { ...vals };
  delete out.source;
  if (source() === "pairs") {
    out.source = "pairs";
    for (const el of form.querySelectorAll("[data-pairs-refused]")) delete out[el.name];
  }
  return out;
}

function panelUrl(panel, vals) {
  let missing = null;
  let path = panel.dataset.url.replace(/\{(\w+)\}/g, (_, name) => {
    if (!vals[name]) missing = name;
    return encodeURIComponent(vals[name] || "");
  });
  const query = new URLSearchParams(panel.dataset.extra || "");
  for (const spec of (panel.dataset.params || "").split(",").filter(Boolean)) {
    const [param, control] = spec.includes("=") ? spec.split("=") : [spec, spec];
    if (vals[control] !== undefined) query.set(param, vals[control]);
  }
  if (panel.dataset.paged) query.set("page", panel.dataset.page || "1");
  if (vals.source === "pairs") query.set("source", "pairs");
  const qs = query.toString();
  return { url: path + (qs ? "?" + qs : ""), missing };
}

function setStatus(panel, text, isError) {
  const status = panel.querySelector(".status");
  status.textContent = text;
  status.classList.toggle("error", Boolean(isError));
}

// JSON cannot say 1.0 from 1: a column is whole (written as a count) when all its numbers are whole, so a
// CS column reads 1.500 … 1.000 as in the report, never 1.500 beside 1 (columnsWhole, from the whole table)
function columnsWhole(rows, columns) {
  const whole = {};
  for (const c of columns) whole[c] = rows.every(r => typeof r[c] !== "number" || Number.isInteger(r[c]));
  return whole;
}

function formatCell(value, column, whole) {
  if (value === null || value === undefined) return ["", false];
  if (typeof value === "number") {
    const name = column || "";
    if (whole === undefined) whole = Number.isInteger(value);
    if (Number.isInteger(value) && PLAIN_INTEGER.test(name)) return [String(value), true];
    if (P_COLUMN.test(name)) return [value < P_FLOOR ? `< ${P_FLOOR}` : value.toFixed(3), true];
    if (PCT_COLUMN.test(name)) {
      return [value.toLocaleString("en", { minimumFractionDigits: 1, maximumFractionDigits: 1 }), true];
    }
    if (AUTO_COLUMN.test(name) && !Number.isInteger(value)) {
      return [value.toLocaleString("en", { minimumFractionDigits: DECIMALS, maximumFractionDigits: DECIMALS }), true];
    }
    if (COUNT_COLUMN.test(name) || (!MEASURE_COLUMN.test(name) && (whole || AUTO_COLUMN.test(name))
                                    && Number.isInteger(value))) {
      return [Math.round(value).toLocaleString("en"), true];
    }
    return [value.toLocaleString("en", { minimumFractionDigits: DECIMALS, maximumFractionDigits: DECIMALS }), true];
  }
  if (column === "measure" && typeof value === "string") return [fieldName(value), false];  // a row per field
  if (Array.isArray(value)) return [value.join(", "), false];
  if (typeof value === "object") return [JSON.stringify(value), false];
  return [String(value), false];
}

// A DOI as a link to doi.org: built with the DOM (text as text, never HTML), the scheme and host fixed,
// the DOI percent-encoded as a path, so a hostile value can neither inject markup nor change the target.
function doiLink(doi) {
  const bare = String(doi).replace(/^(https?:\/\/(dx\.)?doi\.org\/|doi:)/i, "");
  const a = document.createElement("a");
  a.href = "https://doi.org/" + bare.split("/").map(encodeURIComponent).join("/");
  a.textContent = doi;
  a.rel = "noopener noreferrer";
  a.target = "_blank";
  return a;
}

// A single-view chart (no layer, concat, facet, repeat or map projection) is sized to its panel with
// Vega-Lite's width "container"; any other (a layer with end labels or a long caption, the subject
// panels, the group circles, the map) is scaled down to fit by CSS (svg max-width: 100%), never
// drawn wider than its panel: "container" would squeeze a layered plot behind its labels.
function sizedToPanel(spec) {
  const composite = ["layer", "hconcat", "vconcat", "concat", "facet", "repeat", "projection"].some(k => k in spec);
  if (composite || typeof spec.width !== "number") return spec;
  return { ...spec, width: "container", autosize: { type: "fit-x", contains: "padding" } };
}

function drawTable(container, rows) {
  container.replaceChildren();
  if (!rows.length) { container.textContent = "no rows under these filters"; return; }
  const columns = Object.keys(rows[0]);
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const c of columns) {
    const th = document.createElement("th");
    th.textContent = fieldName(c);
    th.title = c;
    head.appendChild(th);
  }
  const body = table.createTBody();
  const whole = columnsWhole(rows, columns);
  for (const row of rows) {
    const tr = body.insertRow();
    for (const c of columns) {
      const [text, numeric] = formatCell(row[c], c, whole[c]);
      const td = tr.insertCell();
      if (c === "doi" && text) td.appendChild(doiLink(text));
      else td.textContent = text;
      if (numeric) td.className = "num";
    }
  }
  container.appendChild(table);
}

function setCaption(panel, text) {
  panel.querySelector(".caption").textContent = text || "";
}

function showNote(container, text) {
  const p = document.createElement("p");
  p.className = "note";
  p.textContent = text;
  container.replaceChildren(p);
}

async function renderPanel(panel, allVals) {
  const mine = (generation.get(panel) || 0) + 1;
  generation.set(panel, mine);
  const vals = sent(allVals);
  const heading = panel.querySelector("h2");
  heading.textContent = vals.source === "pairs" ? heading.dataset.pairsTitle : heading.dataset.title;
  const container = panel.querySelector(".vega-container, .table-container");
  if (vals.source === "pairs" && !panel.dataset.pairs) {  // said, not drawn from the wrong source
    views.delete(panel);
    tables.set(panel, []);
    showNote(container, panel.dataset.worksOnly);
    setCaption(panel, "");
    setStatus(panel, "source pairs: not drawn");
    panel.dataset.state = "idle";
    return;
  }
  const { url, missing } = panelUrl(panel, vals);
  if (missing) { setStatus(panel, `choose a value for “${missing}”`); panel.dataset.state = "idle"; return; }
  panel.dataset.state = "loading";
  setStatus(panel, "loading…");
  let body, response;
  try {
    response = await fetch(url, { headers: { Accept: "application/json" } });
    body = await response.json();
    if (generation.get(panel) !== mine) return;  // a newer request replaced this one
    if (!response.ok) {
      const detail = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
      throw new Error(`${response.status}: ${detail}`);
    }
    metas.set(panel, body.meta || {});
    if (panel.dataset.kind === "chart" && body.spec === null) {  // nothing to draw: the reason instead
      views.delete(panel);
      showNote(container, (body.meta && body.meta.note) || "nothing to draw under these filters");
      panel.dataset.note = "1";
      setCaption(panel, "");
    } else if (panel.dataset.kind === "chart") {
      delete panel.dataset.note;
      const spec = sizedToPanel(body.spec);
      container.classList.toggle("sized", spec !== body.spec);
      const result = await vegaEmbed(container, spec, { actions: false, renderer: "svg" });
      views.set(panel, { view: result.view, spec: body.spec });
      if (panel.dataset.works) {  // click-through: a mark opens the works behind it
        container.classList.add("clickable");
        result.view.addEventListener("click", (event, item) => {
          if (item && item.datum) openWorks(panel, item.datum, allVals);
        });
      }
      setCaption(panel, "");
    } else {
      const key = panel.dataset.key;
      let rows = key ? body[key] : body.rows;
      if (rows && !Array.isArray(rows)) rows = [rows];
      tables.set(panel, rows || []);
      drawTable(container, rows || []);
      const m = body.meta || {};
      setCaption(panel, [m.caption, ...(m.note ? [m.note] : [])].filter(Boolean).join(" · "));
      const info = panel.querySelector(".page-info");
      if (info && body.meta) {
        info.textContent = `page ${body.meta.params ? body.meta.params.page : 1} of ${body.meta.pages || 1}`;
        panel.dataset.pages = String(body.meta.pages || 1);
      }
    }
    const total = body.meta && body.meta.rows !== undefined && body.meta.rows !== body.meta.returned
      ? `${body.meta.returned} of ${body.meta.rows} rows · ` : "";
    setStatus(panel, `${total}data version ${body.meta ? body.meta.data_version : "?"}` +
      (response.headers.get("X-Cache") === "hit" ? " · cached" : ""));
    panel.dataset.state = "done";
  } catch (error) {
    if (generation.get(panel) !== mine) return;
    container.replaceChildren();
    setStatus(panel, String(error.message || error), true);
    panel.dataset.state = "error";
  }
}

function renderAll() {
  applySource();
  const vals = values();
  const query = new URLSearchParams(vals).toString();
  history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
  for (const p of panels) if (p.dataset.paged) p.dataset.page = "1";
  updateFactsheet(vals);
  return Promise.all(panels.map((p) => renderPanel(p, vals)));
}

// -- click-through: the works behind a bar, point, bubble or country (collabatlas works) ---------
const drill = document.getElementById("drill");
let drillGeneration = 0;

// the value of the subject control for a subject title drawn in a chart ("Chemistry" → ni:chemistry)
function subjectValue(title) {
  const select = form.elements.subject;
  if (!select || !select.options) return null;
  for (const option of select.options) {
    if (option.textContent === `${title} (Nature Index)` || option.value === title) return option.value;
  }
  return null;
}

// The /api/works query of a clicked mark: the panel's focus unit and the mark's partner (or the mark's
// unit), the filters the panel takes, narrowed to the mark's own period and subject; null when the mark
// stands for no unit (an axis, a legend, "rest of world").
function worksQuery(panel, datum, vals) {
  const row = datum.properties ? { ...datum.properties, ...datum } : datum;
  const [focus, field] = panel.dataset.works.split(":");
  const value = row[field];
  if (value === undefined || value === null || value === "" || row.rest) return null;
  const unit = focus ? vals[focus] : String(value);
  const partner = focus ? String(value) : null;
  if (!unit || unit === partner) return null;
  const query = new URLSearchParams();
  query.set("level", panel.dataset.worksLevel || vals.level || "country");
  // the mark's unit is a partner of the works' level, or (hotspots) the country of the partners
  if (partner) query.set(panel.dataset.worksAs || "partner", partner);
  const taken = new Set((panel.dataset.params || "").split(",").map((p) => p.split("=").pop()));
  for (const name of ["years", "window", "subject", "type"]) if (taken.has(name) && vals[name]) query.set(name, vals[name]);
  const period = row.period !== undefined ? row.period : row.year;
  if (period !== undefined && /^\d{4}(-\d{4})?$/.test(String(period))) {
    query.set("years", String(period));
    query.delete("window");
  }
  if (row.subject) {
    const subject = subjectValue(row.subject);
    if (!subject) return null;
    query.set("subject", subject);
  }
  query.set("page_size", "100");
  const what = [unit, partner].filter(Boolean).join(panel.dataset.worksAs === "partner_country" ? " with " : " and ") +
    (query.has("years") ? ` · ${query.get("years")}` : "") + (row.subject ? ` · ${row.subject}` : "");
  return { url: `/api/works/${encodeURIComponent(unit)}?${query.toString()}`, what };
}

async function openWorks(panel, datum, allVals) {
  if (!drill) return;
  const vals = sent(allVals);
  const mine = ++drillGeneration;
  const status = drill.querySelector(".status");
  const container = drill.querySelector(".table-container");
  drill.hidden = false;
  if (vals.source === "pairs") {  // country-pair aggregates have no works: said, not fetched
    drill.querySelector(".drill-what").textContent = "this figure";
    showNote(container, "the works behind a figure need work-level data: switch the source to works");
    drill.querySelector(".caption").textContent = "";
    status.textContent = "";
    drill.dataset.state = "idle";
    return;
  }
  const query = worksQuery(panel, datum, vals);
  if (!query) { if (mine === drillGeneration) drill.hidden = drill.dataset.state === "idle"; return; }
  drill.querySelector(".drill-what").textContent = query.what;
  drill.dataset.url = query.url;
  drill.dataset.state = "loading";
  status.textContent = "loading…";
  status.classList.remove("error");
  try {
    const response = await fetch(query.url, { headers: { Accept: "application/json" } });
    const body = await response.json();
    if (mine !== drillGeneration) return;
    if (!response.ok) {
      throw new Error(`${response.status}: ${typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail)}`);
    }
    drawTable(container, body.rows || []);
    const m = body.meta || {};
    const total = m.total !== undefined && m.total !== null ? ` · ${fieldName(m.figure || "total")} ${formatCell(m.total, m.figure || "cs")[0]}` : "";
    drill.querySelector(".caption").textContent = [m.caption, `${m.returned} of ${m.rows} works${total}`]
      .filter(Boolean).join(" · ");
    status.textContent = `data version ${m.data_version}`;
    drill.dataset.state = "done";
  } catch (error) {
    if (mine !== drillGeneration) return;
    container.replaceChildren();
    status.textContent = String(error.message || error);
    status.classList.add("error");
    drill.dataset.state = "error";
  }
  drill.scrollIntoView({ block: "nearest" });
}

if (drill) {
  drill.querySelector(".drill-close").addEventListener("click", () => {
    drillGeneration++;
    drill.hidden = true;
    drill.dataset.state = "idle";
  });
}

// -- downloads, full screen, fact sheet --------------------------------------------------------
function slug(panel) {
  return (panel.querySelector("h2").textContent || "chart").toLowerCase().replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

function download(href, name) {
  const a = document.createElement("a");
  a.href = href;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

function withSource(rows, meta) {
  // every CSV row says where its numbers come from: source, counting, filters (unless it already does)
  if (!meta || !meta.source) return rows;
  const extra = { source: meta.source_label || meta.source, counting: meta.counting, filters: meta.filters };
  return rows.map((r) => {
    const out = { ...r };
    for (const [k, v] of Object.entries(extra)) if (v !== undefined && !(k in out)) out[k] = v;
    return out;
  });
}

function csvText(rows) {
  if (!rows.length) return "";
  const columns = Array.from(rows.reduce((set, r) => { Object.keys(r).forEach((k) => set.add(k)); return set; },
    new Set()));
  const cell = (v) => {
    if (v === null || v === undefined) return "";
    let text = typeof v === "object" ? JSON.stringify(v) : String(v);
    if (/^[=+\-@\t\r]/.test(text) && typeof v === "string") text = "'" + text;  // no spreadsheet formulas
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [columns.map(cell).join(","), ...rows.map((r) => columns.map((c) => cell(r[c])).join(","))].join("\r\n") + "\r\n";
}

function chartRows(spec) {
  const datasets = spec.datasets || {};
  const name = spec.usermeta && spec.usermeta.csv;
  if (name && Array.isArray(datasets[name])) return datasets[name];
  const lists = Object.values(datasets).filter(Array.isArray);
  return lists.sort((a, b) => b.length - a.length)[0] || [];
}

async function panelAction(panel, action) {
  const drawn = views.get(panel);
  if (action === "fullscreen") {
    if (document.fullscreenElement) await document.exitFullscreen();
    else await panel.requestFullscreen();
    return;
  }
  if (action === "prev-page" || action === "next-page") {
    const page = Number(panel.dataset.page || "1") + (action === "next-page" ? 1 : -1);
    if (page < 1 || page > Number(panel.dataset.pages || "1")) return;
    panel.dataset.page = String(page);
    await renderPanel(panel, values());
    return;
  }
  if (action === "csv") {
    const rows = panel.dataset.kind === "chart" ? (drawn ? chartRows(drawn.spec) : []) : (tables.get(panel) || []);
    const blob = new Blob([csvText(withSource(rows, metas.get(panel)))], { type: "text/csv;charset=utf-8" });
    const url = URL.createObjectURL(blob);
    download(url, slug(panel) + ".csv");
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    return;
  }
  if (!drawn) return;
  const href = await drawn.view.toImageURL(action, action === "png" ? 2 : 1);
  download(href, `${slug(panel)}.${action}`);
}

for (const panel of panels) {
  panel.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (button) panelAction(panel, button.dataset.action).catch((error) => setStatus(panel, String(error), true));
  });
}

function updateFactsheet(vals) {
  const link = document.getElementById("factsheet");
  if (!link) return;
  const [focus, partner] = link.dataset.focus.split(",");
  const query = new URLSearchParams();
  if (vals[focus]) query.set("focus", vals[focus]);
  if (partner && vals[partner]) query.set("partner", vals[partner]);
  for (const name of ["years", "subject", "type"]) if (vals[name]) query.set(name, vals[name]);
  // the sheet follows the page's source: one the source cannot give is refused with the reason (the
  // server refuses it too), never a works-based sheet under a pairs page
  const refused = source() === "pairs" ? link.dataset.pairsRefused : "";
  link.classList.toggle("refused", Boolean(refused));
  link.title = refused || "";
  if (refused) {
    link.removeAttribute("href");
    link.removeAttribute("download");
    link.setAttribute("aria-disabled", "true");
    return;
  }
  link.removeAttribute("aria-disabled");
  if (source() === "pairs") query.set("source", "pairs");
  link.href = "/factsheet.pdf?" + query.toString();
  link.download = `factsheet-${vals[focus] || ""}${partner && vals[partner] ? "-" + vals[partner] : ""}.pdf`;
}

// -- steps: one panel at a time, #step-N in the URL ---------------------------------------------
const stepped = document.querySelector(".panels.stepped");

function showStep() {
  if (!stepped) return;
  const match = /^#step-(\d+)$/.exec(location.hash);
  const n = Math.min(Math.max(match ? Number(match[1]) : 1, 1), panels.length);
  panels.forEach((p, i) => p.classList.toggle("current", i === n - 1));
  for (const link of document.querySelectorAll(".steps .step-link")) {
    if (Number(link.dataset.step) === n) link.setAttribute("aria-current", "step");
    else link.removeAttribute("aria-current");
  }
  document.body.dataset.step = String(n);
}

function goStep(delta) {
  const n = Number(document.body.dataset.step || "1") + delta;
  if (n < 1 || n > panels.length) return;
  location.hash = `#step-${n}`;
}

if (stepped) {
  window.addEventListener("hashchange", showStep);
  document.querySelector(".steps .step-prev").addEventListener("click", () => goStep(-1));
  document.querySelector(".steps .step-next").addEventListener("click", () => goStep(1));
  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input, select, textarea")) return;
    if (event.key === "ArrowRight" || event.key === "PageDown") goStep(1);
    if (event.key === "ArrowLeft" || event.key === "PageUp") goStep(-1);
  });
  showStep();
}

// -- unit pickers: a datalist of the units of the chosen level ----------------------------------
function unitLevel(input) {
  const from = input.dataset.unitLevel || "=country";
  if (from.startsWith("=")) return from.slice(1);
  const control = form.elements[from];
  return control ? control.value : "country";
}

async function fillList(input, query) {
  const level = unitLevel(input);
  const params = new URLSearchParams({ level, limit: level === "institution" ? "30" : "400" });
  if (query && level === "institution") params.set("q", query);
  try {
    const response = await fetch("/api/units?" + params.toString());
    if (!response.ok) return;
    const body = await response.json();
    const list = document.getElementById(input.getAttribute("list"));
    list.replaceChildren(...body.rows.map((row) => {
      const option = document.createElement("option");
      option.value = row.unit;
      option.label = row.name ? `${row.name} (${row.count} works)` : `${row.count} works`;
      return option;
    }));
  } catch (error) {
    /* the picker stays empty; typing an id still works */
  }
}

let typing = null;
for (const input of form.querySelectorAll("input[data-unit-level]")) {
  fillList(input, "");
  input.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => fillList(input, input.value.trim()), 250);
  });
}

form.addEventListener("submit", (event) => { event.preventDefault(); renderAll(); });
form.addEventListener("change", (event) => {
  if (event.target.name === "level") {
    for (const input of form.querySelectorAll("input[data-unit-level]")) fillList(input, "");
  }
  renderAll();
});

window.collabatlasReady = renderAll();
