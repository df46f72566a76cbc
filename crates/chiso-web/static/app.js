// chiso — draws the charts described in data-chart attributes (ECharts, vendored)
// and makes tables with th[data-sort] sortable; shows live points on the self-assessment
// form, saves each of its fields as it is left, and shows the progress of the
// rank-interval analysis. No other script runs on the pages.
"use strict";

const BAND_COLOURS = { good: "#1a7f37", fair: "#6aa84f", average: "#d4a017", weak: "#c0392b" };
const SHAPES = ["circle", "rect", "triangle", "diamond", "pin", "arrow"];
// Charts must be readable without colour: decal patterns, labels, shapes.
// Numbers as the page's language writes them (60.000 / 60,000; 6,42 / 6.42).
const NUMBER = new Intl.NumberFormat(document.documentElement.lang === "en" ? "en-US" : "vi-VN", { maximumFractionDigits: 3 });
const fmt = (v) => (typeof v === "number" ? NUMBER.format(v) : v);
const VALUE_AXIS = { axisLabel: { formatter: fmt } };
// Tooltips are HTML in ECharts: everything from data (unit names, band labels,
// series names) is escaped here, never inserted as markup.
const esc = (v) => String(v ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
// An axis tooltip as escaped text: the category, then "series: value" per line.
const axisTooltip = (format = fmt) => (params) => {
  const list = Array.isArray(params) ? params : [params];
  const head = list.length ? esc(list[0].axisValueLabel ?? list[0].name) : "";
  const lines = list.filter((p) => p.value != null).map((p) => `${p.marker || ""}${esc(p.seriesName)}: <b>${esc(format(Array.isArray(p.value) ? p.value[p.value.length - 1] : p.value))}</b>`);
  return [head, ...lines].join("<br>");
};
const BASE = { animation: false, aria: { enabled: true, decal: { show: true } }, textStyle: { fontFamily: "inherit" } };

function bandsChart(d) {
  return {
    grid: { left: 8, right: 10, top: 28, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: d.labels, axisLabel: { interval: 0 } },
    yAxis: { type: "value", minInterval: 1, name: d.axis, ...VALUE_AXIS },
    tooltip: { trigger: "axis", formatter: axisTooltip() },
    series: [{
      type: "bar", name: d.axis, label: { show: true, position: "top" },
      data: d.counts.map((count, i) => ({ value: count, itemStyle: { color: BAND_COLOURS[d.codes[i]] || "#0b5cad" } })),
    }],
  };
}

function pointsChart(d) {
  return {
    grid: { left: 10, right: 30, top: 30, bottom: 10, containLabel: true },
    legend: { top: 0 },
    yAxis: { type: "category", data: d.labels, inverse: true, axisLabel: { width: 180, overflow: "truncate" } },
    xAxis: { type: "value", ...VALUE_AXIS },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: axisTooltip() },
    series: [
      { type: "bar", name: d.points_name, data: d.points, label: { show: true, position: "right", formatter: (p) => fmt(p.value) } },
      { type: "bar", name: d.max_name, data: d.max, itemStyle: { color: "#c7ced8" } },
    ],
  };
}

function radarChart(d) {
  return {
    tooltip: { formatter: (p) => [esc(p.name), ...d.labels.map((name, i) => `${esc(name)}: <b>${esc(fmt(p.value[i]))}</b>`)].join("<br>") },
    radar: { indicator: d.labels.map((name) => ({ name: name.length > 28 ? name.slice(0, 27) + "…" : name, max: 100 })), radius: "62%" },
    series: [{ type: "radar", name: d.series, data: [{ value: d.percent, name: d.series, areaStyle: { opacity: 0.25 } }] }],
  };
}

// Patterns of the map's areas per band, the same as the legend's swatches (app.css
// .swatch.area), so that the map reads without colour.
const BAND_DECALS = {
  fair: { symbol: "rect", symbolSize: 1, dashArrayX: [1, 0], dashArrayY: [2, 5], rotation: Math.PI / 4, color: "rgba(255,255,255,0.45)" },
  average: { symbol: "circle", symbolSize: 0.7, dashArrayX: [[4, 2]], dashArrayY: [4, 2], color: "rgba(255,255,255,0.55)" },
  weak: { symbol: "rect", symbolSize: 1, dashArrayX: [1, 0], dashArrayY: [2, 5], rotation: -Math.PI / 4, color: "rgba(255,255,255,0.45)" },
};
const MAP_PADDING = 6;
let mapCount = 0;

// [west, south, east, north] of GeoJSON features.
function bounds(features) {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  for (const f of features) {
    for (const [lon, lat] of f.geometry.coordinates.flat(f.geometry.type === "Polygon" ? 1 : 2)) {
      b[0] = Math.min(b[0], lon); b[1] = Math.min(b[1], lat); b[2] = Math.max(b[2], lon); b[3] = Math.max(b[3], lat);
    }
  }
  return b;
}

// The label each area can hold at this size: name and total, the name alone, or
// nothing (the tooltip still has everything). Measured around the label's point
// (the unit's centre) within the area's bounding box, with a rough glyph width.
function mapLabels(d, el, fontSize) {
  const all = bounds(d.areas.features);
  const width = el.clientWidth - 2 * MAP_PADDING, height = el.clientHeight - 2 * MAP_PADDING;
  const scale = Math.min(width / ((all[2] - all[0]) * d.aspect), height / (all[3] - all[1]));
  const room = new Map(d.areas.features.map((f) => {
    const [w, s, e, n] = bounds([f]);
    const [lon, lat] = f.properties.cp;
    return [f.properties.name, [2 * Math.min(lon - w, e - lon) * d.aspect * scale, 2 * Math.min(lat - s, n - lat) * scale]];
  }));
  const fits = (text, lines, [w, h]) => text.length * fontSize * 0.56 <= w * 0.9 && lines * fontSize * 1.25 <= h * 0.9;
  return (u) => {
    const space = room.get(u.code) || [0, 0];
    const total = fmt(u.total);
    if (fits(u.short.length > total.length ? u.short : total, 2, space)) return `${u.short}\n${total}`;
    return fits(u.short, 1, space) ? u.short : "";
  };
}

// Units' approximate areas (GeoJSON built by the server from the administrative
// centres), each filled with its band's colour and pattern, named by its unit code;
// no axes. Labels only where they fit; the tooltip (hover or tap) has name, total, band.
function mapChart(d, el) {
  const name = `chiso-areas-${mapCount++}`;
  echarts.registerMap(name, d.areas);
  const fontSize = el.clientWidth >= 640 ? 11 : 9;
  const label = mapLabels(d, el, fontSize);
  return {
    aria: { enabled: true, decal: { show: false } },
    tooltip: {
      trigger: "item",
      formatter: (p) => (p.data ? `${esc(p.data.unit)}<br>${esc(d.tooltip_total)}: <b>${esc(fmt(p.data.total))}</b><br>${esc(d.bands[p.data.band].label)}` : ""),
    },
    series: [{
      type: "map", map: name, aspectScale: d.aspect, preserveAspect: "contain", roam: false, selectedMode: false,
      left: MAP_PADDING, right: MAP_PADDING, top: MAP_PADDING, bottom: MAP_PADDING,
      label: { fontSize, lineHeight: Math.round(fontSize * 1.2), color: "#1c2430", textBorderColor: "#fff", textBorderWidth: 2, formatter: (p) => (p.data ? p.data.text : "") },
      emphasis: { label: { show: true, formatter: (p) => (p.data ? p.data.short : "") } },
      data: d.units.map((u) => {
        const band = d.bands[u.band] || {};
        const colour = BAND_COLOURS[band.code] || "#0b5cad";
        const text = label(u);
        return {
          name: u.code, unit: u.name, short: u.short, total: u.total, band: u.band, url: u.url, text,
          label: { show: text !== "" },
          itemStyle: { areaColor: colour, borderColor: "#fff", borderWidth: 1, decal: BAND_DECALS[band.code] },
          emphasis: { itemStyle: { areaColor: colour, borderColor: "#1c2430", borderWidth: 2 } },
        };
      }),
    }],
  };
}

// A KPI's yearly values with its target. Honest by construction: a single value is
// a point, not a line; shares run on 0–100, other values from 0; a rank's axis is
// inverted so that up is better.
function kpiChart(d) {
  const single = d.values.filter((v) => v != null).length === 1;
  const series = [{
    type: single ? "scatter" : "line", name: d.series, data: d.values, connectNulls: true, symbolSize: single ? 12 : 7,
    label: { show: true, position: "top", fontSize: single ? 12 : 10, formatter: (p) => fmt(p.value) },
  }];
  const years = d.years.slice();
  if (d.target) {
    for (let y = years[years.length - 1] + 1; y <= d.target.year; y++) years.push(y);
    series.push({
      type: "scatter", name: d.target.label, symbol: "diamond", symbolSize: 12, itemStyle: { color: "#c0392b" },
      data: years.map((y) => (y === d.target.year ? d.target.value : null)),
    });
    series[0].markLine = { symbol: "none", lineStyle: { type: "dashed", color: "#c0392b" }, label: { position: "insideEndTop", formatter: `${d.target.label} ${fmt(d.target.value)}` }, data: [{ yAxis: d.target.value }] };
  }
  return {
    grid: { left: 8, right: 16, top: 15, bottom: 8, containLabel: true },
    tooltip: { trigger: "axis", formatter: axisTooltip((v) => (v == null ? "—" : `${fmt(v)} ${d.unit}`)) },
    xAxis: { type: "category", data: years.map(String) },
    yAxis: d.percent
      ? { type: "value", min: 0, max: 100, ...VALUE_AXIS }
      : { type: "value", min: d.lower_is_better ? 1 : 0, inverse: d.lower_is_better, ...VALUE_AXIS },
    series,
  };
}

// A unit's total over the years in percent of scale: the axis runs 0–100 so a small
// change looks small; restated years (taken from predecessors) are hollow points.
function historyChart(d) {
  const data = d.percent.map((v, i) => ({
    value: v,
    symbol: d.restated[i] ? "emptyCircle" : "circle",
    restated: d.restated[i],
  }));
  return {
    grid: { left: 8, right: 16, top: 15, bottom: 8, containLabel: true },
    tooltip: { trigger: "axis", formatter: axisTooltip((v) => (v == null ? "—" : `${fmt(v)} %`)) },
    xAxis: { type: "category", data: d.years },
    yAxis: { type: "value", min: 0, max: 100, ...VALUE_AXIS },
    series: [{
      type: "line", name: d.series, data, connectNulls: true, symbolSize: 9,
      label: { show: true, fontSize: 10, formatter: (p) => (p.value == null ? "" : fmt(p.value) + (p.data.restated ? ` (${d.restated_label})` : "")) },
    }],
  };
}

// The public-service index over periods (/service and its unit pages): totals out of
// 100 on a 0–100 axis, so a small change looks small; a period without a score is a
// gap, not a zero; the period shown is marked by a larger point. The first series
// (the unit) is labelled at every point where there is room, else at the period
// shown only; a second (the province) is dashed, for comparison.
const POINTS = new Intl.NumberFormat(document.documentElement.lang === "en" ? "en-US" : "vi-VN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const points = (v) => (typeof v === "number" ? POINTS.format(v) : v);

function serviceTrendChart(d, el) {
  const roomy = el.clientWidth / Math.max(d.labels.length, 1) >= 58;
  return {
    grid: { left: 8, right: 24, top: d.series.length > 1 ? 40 : 22, bottom: 8, containLabel: true },
    legend: d.series.length > 1 ? { top: 0, itemGap: 18 } : undefined,
    tooltip: { trigger: "axis", formatter: axisTooltip((v) => (v == null ? "—" : points(v))) },
    xAxis: { type: "category", data: d.labels, boundaryGap: d.labels.length === 1 },
    yAxis: { type: "value", min: 0, max: 100, ...VALUE_AXIS },
    series: d.series.map((s, n) => ({
      type: "line", name: s.name, connectNulls: false,
      data: s.values.map((v, i) => ({
        value: v, symbolSize: i === d.selected ? 13 : 7,
        label: { show: n === 0 && v != null && (roomy || i === d.selected) },
      })),
      lineStyle: n > 0 ? { type: "dashed", width: 1.5 } : { width: 2.5 },
      symbol: n > 0 ? "emptyCircle" : "circle",
      label: { position: "top", fontSize: 10, formatter: (p) => (p.value == null ? "" : points(p.value)) },
    })),
  };
}

const BUILDERS = { bands: bandsChart, points: pointsChart, radar: radarChart, map: mapChart, kpi: kpiChart, history: historyChart, service_trend: serviceTrendChart };

// A click on a map's area opens the unit's scorecard; on a touch screen the first tap
// shows the area's tooltip and a second tap on the same area opens it.
function openOnClick(chart) {
  let tapped = null;
  chart.on("click", (p) => {
    if (!p.data || !p.data.url) return;
    const native = p.event && p.event.event;
    const touch = native && (native.pointerType === "touch" || String(native.type).startsWith("touch"));
    if (touch && tapped !== p.data.name) {
      tapped = p.data.name;
      return;
    }
    location.href = p.data.url;
  });
}

function drawCharts() {
  if (typeof echarts === "undefined") return;
  const charts = [];
  for (const el of document.querySelectorAll("[data-chart]")) {
    let data;
    try { data = JSON.parse(el.dataset.chart); } catch { continue; }
    const build = data && BUILDERS[data.kind];
    if (!build) continue;
    const chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(Object.assign({}, BASE, build(data, el)));
    if (data.kind === "map") openOnClick(chart);
    el.dataset.drawn = "true";
    charts.push(chart);
  }
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
}

function sortableTables() {
  for (const table of document.querySelectorAll("table.sortable")) {
    const headers = [...table.querySelectorAll("th[data-sort]")];
    headers.forEach((th, column) => {
      th.tabIndex = 0;
      const sort = () => {
        const ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach((h) => h.removeAttribute("aria-sort"));
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        const body = table.tBodies[0];
        const key = (row) => row.cells[column].dataset.value ?? row.cells[column].textContent;
        const numeric = th.dataset.sort === "number";
        const rows = [...body.rows].sort((a, b) => {
          const x = key(a), y = key(b);
          const order = numeric ? Number(x) - Number(y) : x.localeCompare(y, document.documentElement.lang);
          return ascending ? order : -order;
        });
        rows.forEach((row) => body.appendChild(row));
      };
      th.addEventListener("click", sort);
      th.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); } });
    });
  }
}

// The self-assessment form: the points each answer earns, computed by the engine
// on the server, shown as the reporter types (a value its rule refuses is marked
// under its field; the others keep scoring).
function livePoints() {
  const form = document.querySelector("form[data-preview]");
  if (!form) return;
  let timer = null;
  const update = async () => {
    let response;
    try {
      response = await fetch(form.dataset.preview, { method: "POST", body: new URLSearchParams(new FormData(form)) });
    } catch (e) { return; }
    const data = await response.json().catch(() => null);
    if (!data) return;
    const problems = data.problems || {};
    for (const row of form.querySelectorAll("tr[data-code]")) {
      const code = row.dataset.code;
      if (problems[code]) markField(row, problems[code], "invalid");
      else if (row.dataset.problem === "preview") markField(row, "", "");
    }
    if (!response.ok || !data.points) return;
    for (const [code, points] of Object.entries(data.points)) {
      const cell = form.querySelector(`[data-points-for="${CSS.escape(code)}"]`);
      if (cell) cell.textContent = points == null ? "—" : NUMBER.format(Math.round(points * 100) / 100);
    }
    const total = document.querySelector("[data-testid=form-total]");
    if (total) total.textContent = NUMBER.format(Math.round(data.total * 100) / 100);
    form.dataset.previewed = "true";
  };
  form.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(update, 250); });
  form.addEventListener("change", () => { clearTimeout(timer); timer = setTimeout(update, 50); });
}

// The message under a field and its mark: "invalid" (aria-invalid), "unsaved",
// "saved", or "" (nothing to say). A preview's mark is cleared by the next preview.
function markField(row, message, kind) {
  const note = row.querySelector("[data-msg-for]");
  for (const input of row.querySelectorAll("input:not([type=hidden]):not([type=checkbox]), select")) {
    if (kind === "invalid") input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }
  if (kind === "invalid") row.dataset.problem = "preview"; else delete row.dataset.problem;
  if (!note) return;
  note.textContent = message;
  note.className = "field-msg" + (kind ? " " + kind : "");
}

// Each indicator is saved as the reporter leaves it (one POST per field, with its
// version); the page says per field whether it is saved. A failed connection is
// retried on the next change, and leaving the page warns while edits are unsaved.
function fieldSaving() {
  const form = document.querySelector("form[data-field-save]");
  if (!form) return;
  const unsaved = new Set();
  let leaving = false;
  const summary = document.querySelector("[data-testid=error-summary]");
  const progress = document.querySelector("[data-testid=progress]");
  const rowOf = (code) => form.querySelector(`tr[data-code="${CSS.escape(code)}"]`);
  const send = async (codes) => {
    const body = new URLSearchParams();
    body.append("csrf", form.elements.csrf.value);
    for (const code of codes) {
      const row = rowOf(code);
      if (!row) continue;
      for (const el of row.querySelectorAll("input[name], select[name]")) {
        if (el.type === "checkbox" && !el.checked) continue;
        body.append(el.name, el.value);
      }
      markField(row, form.dataset.msgSaving, "");
    }
    let data;
    try {
      const response = await fetch(form.dataset.fieldSave, { method: "POST", body, keepalive: true });
      data = await response.json();
      if (!data.fields) throw new Error(data.error || String(response.status));
    } catch (e) {
      const message = (data && data.error) || form.dataset.msgOffline;
      for (const code of codes) { unsaved.add(code); const row = rowOf(code); if (row) markField(row, message, "unsaved"); }
      return;
    }
    for (const [code, field] of Object.entries(data.fields)) {
      const row = rowOf(code);
      if (!row) continue;
      if (field.version != null) row.querySelector(`input[name="ver:${CSS.escape(code)}"]`).value = field.version;
      if (field.status === "saved") {
        unsaved.delete(code);
        markField(row, field.message, "saved");
        if (summary) summary.querySelectorAll(`a[href="#f-${CSS.escape(code)}"]`).forEach((a) => a.closest("li").remove());
      } else {
        unsaved.add(code);
        markField(row, field.message, field.status === "invalid" ? "invalid" : "unsaved");
        row.dataset.problem = "saved";
      }
    }
    if (summary && !summary.querySelector("li")) summary.hidden = true;
    if (progress && data.progress) progress.textContent = data.progress.text;
  };
  form.addEventListener("change", (event) => {
    // A control of another form (the explanation of missing evidence) is not a value.
    if (event.target.form !== form) return;
    const row = event.target.closest("tr[data-code]");
    if (!row) return;
    const codes = new Set([row.dataset.code, ...unsaved]);
    send([...codes]);
  });
  form.addEventListener("submit", () => { leaving = true; });
  window.addEventListener("beforeunload", (event) => {
    if (leaving || unsaved.size === 0) return;
    event.preventDefault();
    event.returnValue = "";
  });
}

// An error summary or a confirmation takes the focus, so it is read first.
function focusAlert() {
  const alert = document.querySelector("[data-testid=error-summary], [data-testid=confirm-submit]");
  if (alert) alert.focus();
}

// While the rank-interval analysis runs in the background, show its progress and
// reload the page once it is ready (the page without script says "…" meanwhile).
function robustnessProgress() {
  const status = document.querySelector("[data-testid=robustness][data-state=running]");
  if (!status) return;
  const bar = status.querySelector("progress");
  const poll = async () => {
    try {
      const response = await fetch(status.dataset.statusUrl);
      if (response.ok) {
        const data = await response.json();
        if (data.state !== "running") { location.reload(); return; }
        if (bar) { bar.max = data.total; bar.value = data.done; }
      }
    } catch (e) { /* a failed poll is retried */ }
    setTimeout(poll, 500);
  };
  setTimeout(poll, 300);
}

// Long tables (75 communes) get a search box and a "formerly part of" filter:
// typing "chieng son" finds "Chiềng Sơn" (diacritics and đ folded on both sides).
const fold = (s) => String(s).normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();

function tableFilters() {
  for (const bar of document.querySelectorAll("[data-filter-for]")) {
    const table = document.querySelector(`[data-testid="${bar.dataset.filterFor}"]`);
    if (!table || !table.tBodies[0]) continue;
    const search = bar.querySelector("[data-filter-search]");
    const former = bar.querySelector("[data-filter-former]");
    const count = bar.querySelector("[data-filter-count]");
    const rows = [...table.tBodies[0].rows];
    const keys = new Map(rows.map((row) => [row, fold(row.dataset.search || row.textContent)]));
    const apply = () => {
      const query = fold(search ? search.value.trim() : "");
      const part = former ? former.value : "";
      let shown = 0;
      for (const row of rows) {
        const ok = (!query || keys.get(row).includes(query)) && (!part || (row.dataset.former || "").split(" ").includes(part));
        row.hidden = !ok;
        if (ok) shown += 1;
      }
      if (count) count.textContent = query || part ? `${shown}/${rows.length}` : "";
    };
    if (search) search.addEventListener("input", apply);
    if (former) former.addEventListener("change", apply);
  }
}

document.addEventListener("DOMContentLoaded", () => { drawCharts(); sortableTables(); tableFilters(); livePoints(); fieldSaving(); focusAlert(); robustnessProgress(); });
