// collabatlas dashboard: the controls re-query the JSON API and re-render the panels.
// Charts are Vega-Lite specs made on the server by collabatlas.charts, drawn with vega-embed
// (served from /assets/vega.js, built from the installed vl-convert package: no CDN).
"use strict";

const form = document.getElementById("controls");
const panels = Array.from(document.querySelectorAll(".panel"));
const generation = new WeakMap();

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
  const qs = query.toString();
  return { url: path + (qs ? "?" + qs : ""), missing };
}

function setStatus(panel, text, isError) {
  const status = panel.querySelector(".status");
  status.textContent = text;
  status.classList.toggle("error", Boolean(isError));
}

function formatCell(value) {
  if (value === null || value === undefined) return ["", false];
  if (typeof value === "number") {
    const text = Number.isInteger(value) ? value.toLocaleString("en") :
      value.toLocaleString("en", { maximumFractionDigits: 4 });
    return [text, true];
  }
  if (Array.isArray(value)) return [value.join(", "), false];
  if (typeof value === "object") return [JSON.stringify(value), false];
  return [String(value), false];
}

function drawTable(container, rows) {
  container.replaceChildren();
  if (!rows.length) { container.textContent = "no rows under these filters"; return; }
  const columns = Object.keys(rows[0]);
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const c of columns) { const th = document.createElement("th"); th.textContent = c; head.appendChild(th); }
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const c of columns) {
      const [text, numeric] = formatCell(row[c]);
      const td = tr.insertCell();
      td.textContent = text;
      if (numeric) td.className = "num";
    }
  }
  container.appendChild(table);
}

async function renderPanel(panel, vals) {
  const mine = (generation.get(panel) || 0) + 1;
  generation.set(panel, mine);
  const { url, missing } = panelUrl(panel, vals);
  const container = panel.querySelector(".vega-container, .table-container");
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
    if (panel.dataset.kind === "chart") {
      await vegaEmbed(container, body.spec, { actions: false, renderer: "svg" });
    } else {
      const key = panel.dataset.key;
      let rows = key ? body[key] : body.rows;
      if (rows && !Array.isArray(rows)) rows = [rows];
      drawTable(container, rows || []);
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
  const vals = values();
  const query = new URLSearchParams(vals).toString();
  history.replaceState(null, "", location.pathname + (query ? "?" + query : ""));
  return Promise.all(panels.map((p) => renderPanel(p, vals)));
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
