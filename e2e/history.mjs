// Browser end-to-end test of Son La as it is now, on `chiso serve --demo` (2025
// filled with generated demo values and published as such): the ranking of 75
// communes searched and filtered by former district, a commune's history chart
// restated from its 2024 districts, the ranking downloaded as CSV, the map of the 75 communes and its toggle to
// the 12 districts of 2024 — on a desktop
// and at phone width (390 px, nothing scrolls sideways).
//
// Environment: CHISO_URL, CHISO_SCREENSHOTS, CHISO_CHROMIUM (as run.mjs).
// Normally run by `cargo test -p chiso --test e2e`, which starts a fresh server.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CheckFailed, Scenario, analysisSettled, check, checkEqual, clickTo, env, path } from "./lib.mjs";

const BASE = env("CHISO_URL").replace(/\/+$/, "");
const SHOTS = join(env("CHISO_SCREENSHOTS"), "history");
const CHROMIUM = env("CHISO_CHROMIUM", "/usr/bin/chromium");
const PHONE = { width: 390, height: 844 };

const scenario = new Scenario(SHOTS, CHROMIUM);
const step = (title, body) => scenario.step(title, body);

/** Rows of a ranking that are not hidden by the filters. */
const visibleRows = (page, group) => page.locator(`[data-testid=ranking-${group}] tbody tr:not([hidden])`);

/** Elements wider than the window at phone width (none may be). */
async function sideways(page) {
  return page.evaluate(() => [
    document.documentElement.scrollWidth,
    window.innerWidth,
    [...document.querySelectorAll("main *")]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && !el.closest(".table-wrap"))
      .slice(0, 3)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}`)
      .join(", "),
  ]);
}

/** What the map drew: its series type, the regions given data, the SVG paths filled with a band colour. */
async function drawnAreas(page) {
  return page.evaluate(() => {
    const el = document.querySelector("div.chart.map");
    const series = echarts.getInstanceByDom(el).getOption().series[0] || {};
    const colours = ["#1a7f37", "#6aa84f", "#d4a017", "#c0392b"];
    return {
      series: series.type,
      regions: (series.data || []).length,
      filled: [...el.querySelectorAll("svg path")].filter((p) => colours.includes((p.getAttribute("fill") || "").toLowerCase())).length,
    };
  });
}

await scenario.run(async () => {
  let roundId;
  for (const [device, options] of [["desktop", {}], ["phone", { viewport: PHONE, isMobile: true, hasTouch: true }]]) {
    const page = await scenario.newPage(options);

    await step(`${device}: the 2025 ranking of 75 communes, searched and filtered by former district`, async () => {
      await page.goto(`${BASE}/`);
      // The rank-interval analysis starts on the first view; let it finish first.
      await analysisSettled(page, 120_000);
      const h1 = await page.getByRole("heading", { level: 1 }).innerText();
      check(h1.includes("2025"), `the overview is not 2025's: ${h1}`);
      checkEqual(await visibleRows(page, "commune").count(), 75, "communes ranked");
      check(await page.locator("[data-testid=restated-note]").isVisible(), "no note that 2024 is restated");
      const bar = page.locator("[data-filter-for=ranking-commune]");
      // Typed without diacritics, as on many phones.
      await bar.locator("[data-filter-search]").fill("chieng son");
      const found = await visibleRows(page, "commune").allInnerTexts();
      check(found.length >= 1 && found.every((row) => /Chiềng Sơn/.test(row)), `"chieng son" found ${JSON.stringify(found)}`);
      await bar.locator("[data-filter-search]").fill("");
      await bar.locator("[data-filter-former]").selectOption({ label: "Thành phố Sơn La" });
      const inCity = await visibleRows(page, "commune").count();
      check(inCity > 0 && inCity < 75, `Thành phố Sơn La's former communes: ${inCity}`);
      const formers = await visibleRows(page, "commune").evaluateAll((rows) => rows.map((r) => r.dataset.former));
      check(formers.every((f) => f.split(" ").includes("116")), `a row not from Thành phố Sơn La: ${formers}`);
      checkEqual(await bar.locator("[data-filter-count]").innerText(), `${inCity}/75`, "the count of shown rows");
      if (device === "phone") {
        const [wide, inner, what] = await sideways(page);
        check(wide <= inner, `the overview scrolls sideways at 390 px: ${wide} > ${inner} (${what})`);
      }
      await scenario.shoot(page, `${device}-01-ranking-filtered.png`);
      await bar.locator("[data-filter-former]").selectOption("");
      checkEqual(await visibleRows(page, "commune").count(), 75, "all communes after clearing the filter");
      if (device === "desktop") {
        // The ranking downloads as CSV with named columns.
        const [download] = await Promise.all([
          page.waitForEvent("download"),
          page.locator("[data-testid=download-csv-commune]").click(),
        ]);
        const csv = readFileSync(await download.path(), "utf8");
        const lines = csv.trim().split("\n");
        checkEqual(lines.length, 76, "CSV lines (a header and 75 communes)");
        check(lines[0].startsWith("Hạng,Mã,Đơn vị,1 "), `the CSV header: ${lines[0]}`);
        // Printing: the navigation and the filters are not on paper.
        await page.emulateMedia({ media: "print" });
        check(!(await page.locator("header.top").isVisible()), "the navigation is printed");
        check(!(await bar.isVisible()), "the filters are printed");
        await page.emulateMedia({ media: "screen" });
      }
      roundId = new URL(await page.locator("[data-testid=ranking-commune] tbody tr a").first().getAttribute("href"), BASE).pathname.split("/")[2];
      scenario.noBrowserProblems();
      return `${inCity} communes formerly in Thành phố Sơn La`;
    });

    await step(`${device}: Xã Chiềng Sơn (03985), formed from two districts: its history, restated and drawn`, async () => {
      await page.goto(`${BASE}/rounds/${roundId}/units/03985`);
      const history = page.locator("[data-testid=history]");
      await history.scrollIntoViewIfNeeded();
      const chart = page.locator("[data-testid=history-chart]");
      await page.waitForFunction(() => document.querySelector("[data-testid=history-chart]")?.dataset.drawn === "true");
      check((await chart.locator("svg path").count()) > 0, "the history chart has no line");
      const rows = await history.locator("tbody tr").count();
      checkEqual(rows, 2, "years in the history (2024 restated, 2025)");
      checkEqual(await history.locator("tbody tr[data-restated=true]").count(), 1, "restated years");
      const restated = await history.locator("tbody tr[data-restated=true]").innerText();
      check(/Mộc Châu/.test(restated) && /Vân Hồ/.test(restated), `2024 does not say it comes from Mộc Châu and Vân Hồ: ${restated}`);
      if (device === "phone") {
        const [wide, inner, what] = await sideways(page);
        check(wide <= inner, `the unit page scrolls sideways at 390 px: ${wide} > ${inner} (${what})`);
      }
      await scenario.shoot(page, `${device}-02-history.png`);
      scenario.noBrowserProblems();
      return restated.replace(/\s+/g, " ").trim();
    });

    await step(`${device}: the map of the 75 communes`, async () => {
      await clickTo(page.locator("nav a[href='/map']").first(), (url) => url.pathname === "/map", "open the map");
      const chart = page.locator("[data-chart]").first();
      await page.waitForFunction(() => document.querySelector("[data-chart]")?.dataset.drawn === "true");
      const data = JSON.parse(await chart.getAttribute("data-chart"));
      checkEqual(data.units.length, 75, "communes on the map");
      checkEqual(data.areas.features.length, 75, "commune areas in the map's GeoJSON");
      const corners = data.areas.features.flatMap((f) => f.geometry.coordinates.flat(f.geometry.type === "Polygon" ? 1 : 2));
      check(corners.every(([lon, lat]) => lat > 20.3 && lat < 22.3 && lon > 103 && lon < 105.3), "a commune's area reaches outside Son La");
      const drawn = await drawnAreas(page);
      checkEqual(drawn.series, "map", "the map's series type");
      checkEqual(drawn.regions, 75, "communes with data on the map");
      check(drawn.filled >= 75, `fewer filled areas than communes drawn: ${drawn.filled}`);
      check(/gần đúng|approximate/i.test(await page.locator("[data-testid=map-approximate]").innerText()), "no approximate-boundaries note");
      if (device === "phone") {
        const [wide, inner, what] = await sideways(page);
        check(wide <= inner, `the map scrolls sideways at 390 px: ${wide} > ${inner} (${what})`);
      }
      await scenario.shoot(page, `${device}-03-map.png`);
      // The toggle to 2024: the 12 districts of then.
      await clickTo(page.locator("[data-testid=map-years] a", { hasText: "2024" }), (url) => /^\/rounds\/\d+\/map$/.test(url.pathname), "switch the map to 2024");
      await page.waitForFunction(() => document.querySelector("[data-chart]")?.dataset.drawn === "true");
      const before = JSON.parse(await page.locator("[data-chart]").first().getAttribute("data-chart"));
      checkEqual(before.areas.features.length, 12, "district areas on the 2024 map");
      const districts = await drawnAreas(page);
      checkEqual(districts.regions, 12, "districts with data on the 2024 map");
      check(districts.filled >= 12, `fewer filled areas than districts drawn: ${districts.filled}`);
      if (device === "phone") {
        const [wide, inner, what] = await sideways(page);
        check(wide <= inner, `the 2024 map scrolls sideways at 390 px: ${wide} > ${inner} (${what})`);
      }
      await scenario.shoot(page, `${device}-04-map-2024.png`);
      // Son La City's area: a click opens its scorecard; on a phone the first tap shows
      // its tooltip (name, total, band) and only a second tap opens it.
      const [x, y] = await page.evaluate(() => {
        const el = document.querySelector("div.chart.map");
        const chart = echarts.getInstanceByDom(el);
        const city = JSON.parse(el.dataset.chart).areas.features.find((f) => f.properties.name === "116");
        const [px, py] = chart.convertToPixel({ seriesIndex: 0 }, city.properties.cp);
        const box = el.getBoundingClientRect();
        return [box.left + px, box.top + py];
      });
      const scorecard = (url) => /^\/rounds\/\d+\/units\/116$/.test(url.pathname);
      if (device === "phone") {
        await page.touchscreen.tap(x, y);
        const tooltip = page.locator("div.chart.map div").filter({ hasText: "Thành phố Sơn La" }).last();
        await tooltip.waitFor({ state: "visible" });
        check(/Tổng điểm: \d+,\d{2}/.test(await tooltip.innerText()), `the tooltip lacks the total: ${await tooltip.innerText()}`);
        check(/\/map$/.test(page.url()), `the first tap left the map for ${path(page.url())}`);
        // A person reads the tooltip before tapping again; two taps within the
        // browser's double-tap window are one gesture, not two clicks.
        await page.waitForTimeout(600);
        await page.touchscreen.tap(x, y);
      } else {
        await page.mouse.click(x, y);
      }
      await page.waitForURL(scorecard, { timeout: 10_000 }).catch(() => {
        throw new CheckFailed(`${device}: Son La City's area did not open its scorecard (at ${path(page.url())})`);
      });
      scenario.noBrowserProblems();
      return `${data.units.length} commune areas (${drawn.filled} filled paths); 12 district areas in 2024; Son La City opens ${path(page.url())}`;
    });
  }
});
