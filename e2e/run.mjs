// Browser end-to-end test of chiso: plays the acceptance scenario in a real (headless) Chromium.
//
// Environment:
//   CHISO_URL              base URL of a running `chiso serve` with a fresh data dir (e.g. http://127.0.0.1:8095)
//   CHISO_ADMIN_PASSWORD   the password of the `admin` user
//   CHISO_UPLOAD_ZIP       path of an assessment package zip to upload (a 2025 copy of the bundled 2024 round)
//   CHISO_SCREENSHOTS      folder for the full-page screenshots (created if missing)
//   CHISO_CHROMIUM         browser binary (default /usr/bin/chromium)
//
// Normally run by `cargo test -p chiso --test e2e`, which starts the server and builds the zip.
// Prints one line per step; exits 1 with a clear message on the first failed check.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CheckFailed, Scenario, analysisSettled, check, checkEqual, clickTo, count, env, path, text } from "./lib.mjs";

const BASE = env("CHISO_URL").replace(/\/+$/, "");
const PASSWORD = env("CHISO_ADMIN_PASSWORD");
const ZIP = env("CHISO_UPLOAD_ZIP");
const SHOTS = env("CHISO_SCREENSHOTS");
const CHROMIUM = env("CHISO_CHROMIUM", "/usr/bin/chromium");
const DECISION = "Quyết định số 99/QĐ-UBND ngày 31/12/2025";
// The bundled package, for the refused-upload step (loose files, one value broken).
const PACKAGE_DIR = fileURLToPath(new URL("../data/sonla/2024/", import.meta.url));

if (!existsSync(ZIP)) {
  console.error(`e2e: CHISO_UPLOAD_ZIP does not exist: ${ZIP}`);
  process.exit(2);
}

/**
 * What the map chart drew: its series type, the features of its GeoJSON, the regions
 * given data, the SVG paths filled with a band colour, and whether it has axes.
 */
async function mapAreas(page) {
  return page.evaluate(() => {
    const el = document.querySelector("div.chart.map");
    const chart = echarts.getInstanceByDom(el);
    const option = chart.getOption();
    const series = option.series[0] || {};
    const colours = ["#1a7f37", "#6aa84f", "#d4a017", "#c0392b"];
    return {
      series: series.type,
      features: (echarts.getMap(series.map)?.geoJSON?.features || []).length,
      regions: (series.data || []).length,
      filled: [...el.querySelectorAll("svg path")].filter((p) => colours.includes((p.getAttribute("fill") || "").toLowerCase())).length,
      axes: (option.xAxis || []).length + (option.yAxis || []).length > 0,
    };
  });
}

/** Every `.chart` on the page has been drawn by app.js (data-drawn="true") and holds an SVG. */
async function chartsDrawn(page, expectedAtLeast) {
  const where = path(page.url());
  try {
    await page.waitForFunction(
      () => {
        const charts = [...document.querySelectorAll(".chart")];
        return charts.length > 0 && charts.every((el) => el.dataset.drawn === "true" && el.querySelector("svg"));
      },
      null,
      { timeout: 10_000 },
    );
  } catch {
    const state = await page.evaluate(() =>
      [...document.querySelectorAll(".chart")].map((el) => ({
        drawn: el.dataset.drawn ?? null,
        svg: !!el.querySelector("svg"),
      })),
    );
    throw new CheckFailed(`${where}: charts not drawn within 10 s: ${JSON.stringify(state)}`);
  }
  const charts = await page.evaluate(() =>
    [...document.querySelectorAll(".chart")].map((el) => {
      const box = el.getBoundingClientRect();
      const svg = el.querySelector("svg");
      return {
        width: box.width,
        height: box.height,
        shapes: svg ? svg.querySelectorAll("path, rect, circle, text").length : 0,
      };
    }),
  );
  check(
    charts.length >= expectedAtLeast,
    `${where}: expected at least ${expectedAtLeast} charts, found ${charts.length}`,
  );
  charts.forEach((c, i) => {
    check(c.width > 50 && c.height > 50, `${where}: chart #${i + 1} is ${c.width}x${c.height} px (collapsed?)`);
    check(c.shapes > 3, `${where}: chart #${i + 1} has an almost empty SVG (${c.shapes} shapes)`);
  });
  return charts.length;
}

const scenario = new Scenario(SHOTS, CHROMIUM);
const step = (title, body) => scenario.step(title, body);
const shoot = (page, file) => scenario.shoot(page, file);
const noBrowserProblems = () => scenario.noBrowserProblems();

await scenario.run(async () => {
  const page = await scenario.newPage();

  await step("the ranking's robustness is analysed in the background with visible progress, then shown", async () => {
    const response = await page.goto(`${BASE}/`);
    checkEqual(response?.status(), 200, "GET / status");
    // The first view of a publication starts its analysis: the page as served says so
    // and shows progress (read from the response: the page may already have reloaded).
    const served = await response.text();
    check(/data-testid="robustness" data-state="running"/.test(served), "/ first view: the analysis is not running");
    check(/<progress /.test(served), "/ first view: no progress bar while analysing");
    checkEqual(await analysisSettled(page), "ready", "/ analysis state once settled");
    await shoot(page, "00-robustness.png");
    const intervals = await count(page, "[data-testid^=interval-] svg.rankbar");
    checkEqual(intervals, 32, "/ units with a rank-interval bar");
    const sttt = (await text(page, "[data-testid=interval-STTTT]")).replace(/\s+/g, " ");
    // STTTT keeps its band in every sample: only its rank interval is shown.
    check(/^1$/.test(sttt), `/ STTTT robustness: ${JSON.stringify(sttt)}`);
    noBrowserProblems();
    return `${intervals} intervals; STTTT: ${sttt}`;
  });

  await step("overview in Vietnamese: mean 74,80, both rankings, charts drawn", async () => {
    const response = await page.goto(`${BASE}/`);
    checkEqual(response?.status(), 200, "GET / status");
    checkEqual(await page.getAttribute("html", "lang"), "vi", "/ html[lang] (default language)");
    checkEqual(await text(page, "[data-testid=overall-mean]"), "74,80", "/ overall mean (vi)");
    const provincial = await count(page, "[data-testid=ranking-provincial] tbody tr");
    const district = await count(page, "[data-testid=ranking-district] tbody tr");
    checkEqual(provincial, 20, "/ provincial ranking rows");
    checkEqual(district, 12, "/ district ranking rows");
    const charts = await chartsDrawn(page, 2);
    noBrowserProblems();
    await shoot(page, "01-overview-vi.png");
    return `${provincial}+${district} units, ${charts} charts`;
  });

  await step("switch to English; the choice persists on the next page load", async () => {
    await page.getByRole("link", { name: "English" }).click();
    await page.locator("html[lang=en]").waitFor({ state: "attached" });
    checkEqual(new URL(page.url()).pathname, "/", "page after switching language");
    checkEqual(await page.getAttribute("html", "lang"), "en", "html[lang] after clicking English");
    checkEqual(await text(page, "[data-testid=overall-mean]"), "74.80", "/ overall mean (en)");
    check(await page.getByRole("link", { name: "Tiếng Việt" }).isVisible(), "/ (en): no link back to Tiếng Việt");
    const cookies = await page.context().cookies();
    await page.reload();
    checkEqual(await page.getAttribute("html", "lang"), "en", "html[lang] after reloading");
    checkEqual(await text(page, "[data-testid=overall-mean]"), "74.80", "/ overall mean after reloading");
    check(
      await page
        .getByRole("heading", { level: 1 })
        .innerText()
        .then((t) => /Son La/.test(t)),
      "/ (en): h1 is not the English round name",
    );
    await chartsDrawn(page, 2);
    noBrowserProblems();
    await shoot(page, "02-overview-en.png");
    return `cookies: ${cookies.map((c) => c.name).join(", ")}`;
  });

  await step("unit scorecard opened from the ranking table", async () => {
    const link = page.locator("[data-testid=ranking-provincial] tbody tr").first().locator("a");
    const name = (await link.innerText()).trim();
    const href = await link.getAttribute("href");
    check(/^\/rounds\/1\/units\/[^/]+$/.test(href ?? ""), `ranking link has an unexpected href ${href}`);
    await clickTo(link, (url) => url.pathname === href, `open ${href}`);
    checkEqual(await page.getAttribute("html", "lang"), "en", `${href} html[lang] (language persists across pages)`);
    checkEqual((await page.getByRole("heading", { level: 1 }).innerText()).trim(), name, `${href} h1`);
    const total = await text(page, "[data-testid=unit-total]");
    check(/^\d{1,3}\.\d{2}$/.test(total), `${href} unit total is not an English number: ${JSON.stringify(total)}`);
    if (href === "/rounds/1/units/STTTT") checkEqual(total, "91.48", `${href} unit total`);
    const indicators = await count(page, "[data-testid=indicators] tbody tr");
    check(indicators >= 30, `${href} indicator table has only ${indicators} rows`);
    const gaps = await count(page, "[data-testid=gaps] tbody tr");
    check(gaps >= 1, `${href} gaps table is empty`);
    await chartsDrawn(page, 2);
    noBrowserProblems();
    await shoot(page, "03-unit.png");
    return `${name} ${total}, ${indicators} indicator rows, ${gaps} gaps`;
  });

  await step("a scorecard below the top band says what reaches the next band", async () => {
    await page.goto(`${BASE}/rounds/1/units/SKHDT`);
    const section = page.locator("[data-testid=next-band]");
    const heading = (await section.locator("h2").innerText()).replace(/\s+/g, " ").trim();
    checkEqual(heading, "To reach Good: +2.95 points", "SKHDT next band");
    const leaves = await section.locator("li").allInnerTexts();
    check(leaves.length >= 1 && leaves.every((l) => /\+\d+\.\d{2}$/.test(l.trim())), `SKHDT leaves: ${JSON.stringify(leaves)}`);
    noBrowserProblems();
    await shoot(page, "03b-next-band.png");
    return `${heading}; ${leaves.length} indicators`;
  });

  await step("map: the 12 districts drawn as areas, legend and approximate-boundaries note present", async () => {
    await clickTo(page.locator("header nav a[href='/map']"), (url) => url.pathname === "/map", "open the map");
    checkEqual(await count(page, "div.chart.map"), 1, "/map chart count");
    await chartsDrawn(page, 1);
    const legend = await count(page, "[data-testid=map-legend] li");
    check(legend >= 1, "/map legend has no entries");
    const areas = await mapAreas(page);
    checkEqual(areas.series, "map", "the map's series type");
    checkEqual(areas.features, 12, "district areas in the map's GeoJSON");
    checkEqual(areas.regions, 12, "districts with data on the map");
    check(areas.filled >= 12, `fewer filled areas than districts drawn: ${areas.filled}`);
    check(!areas.axes, "the map still has lat/lon axes");
    const note = await text(page, "[data-testid=map-approximate]");
    check(/approximate|gần đúng/i.test(note), `no approximate-boundaries note: ${note}`);
    noBrowserProblems();
    await shoot(page, "04-map.png");
    return `${areas.regions} areas, ${areas.filled} filled paths; ${legend} legend entries`;
  });

  // One card per KPI of the bundled catalogue the server imported on its first start.
  const kpis = (readFileSync(fileURLToPath(new URL("../data/sonla/monitoring/kpis.toml", import.meta.url)), "utf8")
    .match(/^\[\[kpi\]\]/gm) || []).length;
  await step(`monitoring dashboard: ${kpis} KPI cards, alerts`, async () => {
    await clickTo(
      page.locator("header nav a[href='/monitoring']"),
      (url) => url.pathname === "/monitoring",
      "open monitoring",
    );
    check(kpis > 0, "data/sonla/monitoring/kpis.toml has no [[kpi]]");
    checkEqual(await count(page, "[data-testid=kpi-card]"), kpis, "/monitoring KPI cards");
    check(await page.locator("[data-testid=alerts]").isVisible(), "/monitoring alerts section is not visible");
    const alerts = await count(page, "[data-testid=alerts] li");
    const charts = await chartsDrawn(page, 1);
    noBrowserProblems();
    await shoot(page, "05-monitoring.png");
    return `${alerts} alerts, ${charts} charts`;
  });

  await step("log in as admin", async () => {
    await page.goto(`${BASE}/login`);
    await page.fill("input[name=username]", "admin");
    await page.fill("input[name=password]", PASSWORD);
    await clickTo(
      page.locator("form[action='/login'] button[type=submit]"),
      (url) => url.pathname === "/admin",
      "log in",
      10_000,
    );
    const rounds = await count(page, "[data-testid=rounds] tbody tr");
    checkEqual(rounds, 2, "/admin rounds before the upload (2024 published, 2025 in preparation)");
    check(await page.locator("[data-testid=upload-round]").isVisible(), "/admin has no upload form");
    noBrowserProblems();
    await shoot(page, "06-admin.png");
    return `${rounds} round listed`;
  });

  await step("a broken package is refused with file:line errors and nothing is stored", async () => {
    const read = (name) => readFileSync(join(PACKAGE_DIR, name), "utf8");
    const lines = read("values.csv").split("\n");
    const index = lines.findIndex((line) => line.startsWith("VPUBND,3.3,"));
    check(index > 0, `${PACKAGE_DIR}values.csv has no VPUBND,3.3 row to break`);
    lines[index] = lines[index].replace(/^VPUBND,3\.3,[^,]*,/, "VPUBND,3.3,nhanh,");
    const brokenLine = index + 1;
    const file = (name, content) => ({ name, mimeType: "application/octet-stream", buffer: Buffer.from(content) });
    const form = page.locator("[data-testid=upload-round]");
    await form
      .locator("input[type=file][name=files]")
      .setInputFiles([
        file("assessment.toml", read("assessment.toml")),
        file("provincial.toml", read("frameworks/provincial.toml")),
        file("district.toml", read("frameworks/district.toml")),
        file("units.csv", read("units.csv")),
        file("values.csv", lines.join("\n")),
      ]);
    await form.locator("button[type=submit]").click();
    await page
      .locator("[data-testid=upload-errors]")
      .waitFor()
      .catch(() => {
        throw new CheckFailed(`the broken package was not refused: no upload errors on ${path(page.url())}`);
      });
    const errors = (await page.locator("[data-testid=upload-errors] li").allInnerTexts()).map((e) => e.trim());
    check(
      errors.some((e) => e.startsWith(`values.csv:${brokenLine}:`)),
      `upload errors do not name values.csv:${brokenLine}: ${JSON.stringify(errors)}`,
    );
    checkEqual(await count(page, "[data-testid=rounds] tbody tr"), 2, "rounds after the refused upload");
    await shoot(page, "06b-upload-refused.png");
    scenario.allow(/^HTTP 4\d\d for \/admin\/rounds$/); // a refused upload answers 422: the point of this step
    noBrowserProblems();
    return errors[0];
  });

  let roundId;
  await step("upload the 2025 package zip through the file input", async () => {
    const form = page.locator("[data-testid=upload-round]");
    await form.locator("input[type=file][name=files]").setInputFiles(ZIP);
    await clickTo(
      form.locator("button[type=submit]"),
      (url) => /^\/admin\/rounds\/\d+$/.test(url.pathname),
      "upload the package",
      60_000,
    );
    const url = new URL(page.url());
    checkEqual(url.searchParams.get("notice"), "imported", `${path(page.url())} notice`);
    roundId = url.pathname.split("/").pop();
    check(roundId !== "1", "the upload did not create a new round");
    checkEqual(await count(page, "[data-testid=upload-errors]"), 0, "upload errors shown");
    check(await page.locator("p.notice").isVisible(), `${path(page.url())} shows no notice`);
    const heading = await page.getByRole("heading", { level: 1 }).innerText();
    check(heading.includes("2025"), `${path(page.url())} h1 does not name 2025: ${heading}`);
    check(await page.locator("[data-testid=publish]").isVisible(), `${path(page.url())} has no publish form`);
    noBrowserProblems();
    await shoot(page, "07-uploaded.png");
    return `round ${roundId}: ${heading}`;
  });

  await step("publish the new round with a decision", async () => {
    const form = page.locator("[data-testid=publish]");
    await form.locator("input[name=decision]").fill(DECISION);
    await clickTo(
      form.locator("button[type=submit]"),
      (url) => url.searchParams.get("notice") === "published",
      "publish",
      60_000,
    );
    checkEqual(new URL(page.url()).pathname, `/admin/rounds/${roundId}`, "page after publishing");
    check(
      (await page.locator("main").innerText()).includes(DECISION),
      "the publication list does not show the decision",
    );
    check(
      await page.locator(`a[href='/rounds/${roundId}']`).isVisible(),
      `no link to the public page /rounds/${roundId}`,
    );
    noBrowserProblems();
    await shoot(page, "08-published.png");
    return DECISION;
  });

  await step("public page of the new round shows its results", async () => {
    await clickTo(
      page.locator(`main a[href='/rounds/${roundId}']`),
      (url) => url.pathname === `/rounds/${roundId}`,
      "open the public page of the new round",
    );
    await analysisSettled(page);
    const heading = await page.getByRole("heading", { level: 1 }).innerText();
    check(heading.includes("2025"), `/rounds/${roundId} h1 does not name 2025: ${heading}`);
    checkEqual(await text(page, "[data-testid=overall-mean]"), "74.80", `/rounds/${roundId} overall mean`);
    checkEqual(
      await count(page, "[data-testid=ranking-provincial] tbody tr"),
      20,
      `/rounds/${roundId} provincial rows`,
    );
    checkEqual(await count(page, "[data-testid=ranking-district] tbody tr"), 12, `/rounds/${roundId} district rows`);
    const unitLink = await page
      .locator("[data-testid=ranking-provincial] tbody tr")
      .first()
      .locator("a")
      .getAttribute("href");
    check(unitLink?.startsWith(`/rounds/${roundId}/units/`), `/rounds/${roundId} unit links point at ${unitLink}`);
    await chartsDrawn(page, 2);
    noBrowserProblems();
    await shoot(page, "09-public-new-round.png");
    return heading;
  });

  await step("a unit name holding markup shows as text on the map, its tooltip and the scorecard", async () => {
    const hostile = "<img src=x onerror=window.__xss=1>";
    await page.goto(`${BASE}/rounds/${roundId}/map`);
    await chartsDrawn(page, 1);
    // Show the tooltip of Son La City's area as a hover would.
    const shown = await page.evaluate(() => {
      const chart = echarts.getInstanceByDom(document.querySelector("div.chart.map"));
      const series = chart.getOption().series;
      for (let s = 0; s < series.length; s++) {
        const i = series[s].data.findIndex((d) => d.unit.includes("<img"));
        if (i >= 0) {
          chart.dispatchAction({ type: "showTip", seriesIndex: s, dataIndex: i });
          return true;
        }
      }
      return false;
    });
    check(shown, "the map has no area for Son La City with its uploaded name");
    const tooltip = page.locator("div.chart.map div").filter({ hasText: hostile }).last();
    await tooltip.waitFor({ state: "visible" });
    check((await tooltip.innerText()).includes(hostile), `the tooltip does not show the name as text: ${await tooltip.innerText()}`);
    checkEqual(await tooltip.locator("img").count(), 0, "images inserted from a unit name into the tooltip");
    await page.goto(`${BASE}/rounds/${roundId}/units/116`);
    check((await page.getByRole("heading", { level: 1 }).innerText()).includes(hostile), "the scorecard heading lost the name");
    checkEqual(await page.locator("main img").count(), 0, "images inserted from a unit name into the scorecard");
    checkEqual(await page.evaluate(() => window.__xss), undefined, "script from a unit name ran");
    noBrowserProblems();
    await shoot(page, "09b-hostile-name.png");
    return "shown as text; no script ran";
  });

  await step("overview lists both published rounds and compares with 2024", async () => {
    await page.goto(`${BASE}/`);
    await analysisSettled(page);
    const heading = await page.getByRole("heading", { level: 1 }).innerText();
    check(heading.includes("2025"), `/ does not show the latest round (2025): ${heading}`);
    const rounds = page.locator("p.rounds");
    checkEqual(await rounds.count(), 1, "/ list of published rounds");
    const listed = (await rounds.innerText()).trim();
    check(listed.includes("2024") && listed.includes("2025"), `/ published rounds list: ${JSON.stringify(listed)}`);
    const older = page.locator("p.rounds a[href='/rounds/1']");
    checkEqual((await older.innerText()).trim(), "2024", "/ link to the 2024 round");
    // Same values as 2024, so every unit's change is zero rather than "—" (no previous round).
    const changes = await page.locator("[data-testid=ranking-provincial] tbody tr td:nth-child(5)").allInnerTexts();
    check(
      changes.length === 20 && changes.every((c) => c.trim() !== "—"),
      `/ change column against 2024 is missing: ${JSON.stringify(changes.slice(0, 5))}`,
    );
    await clickTo(older, (url) => url.pathname === "/rounds/1", "open the 2024 round from the list");
    checkEqual(await text(page, "[data-testid=overall-mean]"), "74.80", "/rounds/1 overall mean");
    check(
      (await page.getByRole("heading", { level: 1 }).innerText()).includes("2024"),
      "/rounds/1 h1 does not name 2024",
    );
    noBrowserProblems();
    return `${listed.replace(/\s+/g, " ")}; change column e.g. ${changes[0].trim()}`;
  });

  await step("on a phone the overview and a scorecard fit the screen width", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [path, file] of [["/", "10-phone-overview.png"], ["/rounds/1/units/116", "11-phone-unit.png"]]) {
      await page.goto(BASE + path);
      if (path === "/") await analysisSettled(page);
      await page.waitForSelector(".chart[data-drawn=true]");
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      check(overflow <= 1, `${path} is ${overflow}px wider than a 390px phone screen`);
      await shoot(page, file);
    }
    noBrowserProblems();
    return "390 px wide, no horizontal scrolling of the page";
  });

  await step("print preview hides the navigation; every download link of the overview works", async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${BASE}/rounds/1`);
    await page.emulateMedia({ media: "print" });
    const hidden = await page.evaluate(() =>
      ["header.top", "header.top nav", "footer"].map((s) => {
        const el = document.querySelector(s);
        return el ? getComputedStyle(el).display === "none" || el.getBoundingClientRect().height === 0 : true;
      }),
    );
    checkEqual(JSON.stringify(hidden), "[true,true,true]", "print: header, navigation and footer hidden");
    check(await page.locator("[data-testid=ranking-provincial] tbody tr").first().isVisible(), "print: the ranking is printed");
    await shoot(page, "12-print-preview.png");
    await page.emulateMedia({ media: "screen" });
    const links = await page.evaluate(() =>
      [...document.querySelectorAll("a[download]")].map((a) => a.getAttribute("href")),
    );
    check(links.length >= 4, `the overview offers only ${links.length} downloads`);
    const magic = { docx: "PK", xlsx: "PK", zip: "PK", pdf: "%PDF" };
    const seen = [];
    for (const href of [...new Set(links)]) {
      const response = await page.request.get(BASE + href);
      checkEqual(response.status(), 200, `GET ${href}`);
      const body = await response.body();
      check(body.length > 0, `${href} is empty`);
      const disposition = response.headers()["content-disposition"] ?? "";
      check(/attachment/.test(disposition), `${href} is not sent as a download: ${disposition}`);
      const extension = new URL(BASE + href).pathname.split(".").pop();
      if (magic[extension]) {
        checkEqual(body.subarray(0, magic[extension].length).toString("latin1"), magic[extension], `${href} starts as a .${extension}`);
      } else if (extension === "csv") {
        check(/Hạng|Rank/.test(body.toString("utf8").split("\n")[0]), `${href}: no header row`);
      }
      seen.push(extension);
    }
    noBrowserProblems();
    return `${seen.length} downloads: ${seen.join(", ")}`;
  });

});
