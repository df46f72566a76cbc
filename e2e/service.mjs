// Browser end-to-end test of the public-service quality index (/service) on
// `chiso serve --demo`, which stores a snapshot of generated service records (the
// source `chiso-demo`): the province's total and groups, its trend chart, the
// rankings of departments and communes, an earlier month, a commune's page (every
// indicator, its largest losses, its months), the CSV download, and the English
// page — on a desktop (1280×800) and a phone (390×844, nothing scrolls sideways).
// Then the administrator's side: the data sources page lists the demo source as
// good; a source whose server does not answer is registered, pulled at once, and
// shown failing with its error and next retry, while the public page keeps the
// last good data. (The empty state is the HTTP tests'.)
//
// Environment: CHISO_URL, CHISO_ADMIN_PASSWORD, CHISO_SCREENSHOTS, CHISO_CHROMIUM
// (as run.mjs); the server pulls due sources every CHISO_FEED_TICK_MS.
// Normally run by `cargo test -p chiso --test e2e`, which starts a fresh server.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Scenario, check, checkEqual, clickTo, env, path } from "./lib.mjs";

const BASE = env("CHISO_URL").replace(/\/+$/, "");
const SHOTS = join(env("CHISO_SCREENSHOTS"), "service");
const CHROMIUM = env("CHISO_CHROMIUM", "/usr/bin/chromium");
const ADMIN_PASSWORD = env("CHISO_ADMIN_PASSWORD");
const DESKTOP = { viewport: { width: 1280, height: 800 } };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

const scenario = new Scenario(SHOTS, CHROMIUM);
const step = (title, body) => scenario.step(title, body);

/** The page's width against the window's, and the first elements reaching past it. */
async function sideways(page) {
  return page.evaluate(() => [
    document.documentElement.scrollWidth,
    window.innerWidth,
    [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && !el.closest(".table-wrap"))
      .slice(0, 3)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}`)
      .join(", "),
  ]);
}

async function noSideways(page, what) {
  const [wide, inner, which] = await sideways(page);
  check(wide <= inner, `${what} scrolls sideways at ${inner} px: ${wide} > ${inner} (${which})`);
}

/** Waits until the chart `testid` is drawn, and says how many SVG paths it has. */
async function drawn(page, testid) {
  try {
    await page.waitForFunction((id) => document.querySelector(`[data-testid=${id}]`)?.dataset.drawn === "true", testid, { timeout: 15_000 });
  } catch {
    check(false, `${path(page.url())}: the chart ${testid} was not drawn`);
  }
  return page.locator(`[data-testid=${testid}] svg path`).count();
}

await scenario.run(async () => {
  for (const [device, options] of [["desktop", DESKTOP], ["phone", PHONE]]) {
    const page = await scenario.newPage(options);
    let hasData = false;
    let unitHref = null;

    await step(`${device}: /service in Vietnamese — the province, its groups and trend, the rankings`, async () => {
      await page.goto(`${BASE}/service`);
      checkEqual(await page.getAttribute("html", "lang"), "vi", "html[lang]");
      checkEqual((await page.getByRole("heading", { level: 1 }).innerText()).trim(), "Chỉ số phục vụ người dân, doanh nghiệp", "the title");
      check(await page.locator("nav a[href='/service']").isVisible(), "the navigation does not link /service");
      // `chiso serve --demo` stores the demo snapshot before it listens.
      hasData = (await page.locator("[data-testid=service-empty]").count()) === 0;
      check(hasData, "chiso serve --demo stored no service snapshot: /service shows its empty state");
      check(await page.locator("[data-testid=service-demo]").isVisible(), "generated data is not marked as such");
      check(/Dữ liệu minh họa do chiso sinh tự động/.test(await page.locator("[data-testid=service-demo]").innerText()), "the demo notice's words");
      const total = (await page.locator("[data-testid=service-total]").innerText()).trim();
      check(/^\d{1,3},\d{2}$/.test(total), `the province's total is not a Vietnamese number: ${JSON.stringify(total)}`);
      checkEqual(await page.locator("[data-testid^=service-group-]").count(), 6, "group cards");
      const paths = await drawn(page, "service-trend-chart");
      check(paths > 0, "the trend chart has no line");
      const departments = await page.locator("[data-testid=service-ranking-department] tbody tr").count();
      const communes = await page.locator("[data-testid=service-ranking-commune] tbody tr").count();
      check(departments > 0 && communes > 0, `rankings: ${departments} departments, ${communes} communes`);
      const provenance = await page.locator("[data-testid=service-provenance]").innerText();
      check(/giờ Việt Nam/.test(provenance) && /dòng đã đọc/.test(provenance), `provenance: ${provenance}`);
      if (device === "phone") {
        await noSideways(page, "/service");
        check(!(await page.locator("[data-testid=service-ranking-commune] th.grp").first().isVisible()), "group columns shown on a phone");
      } else {
        check(await page.locator("[data-testid=service-ranking-commune] th.grp").first().isVisible(), "group columns hidden on a desktop");
      }
      await scenario.shoot(page, `${device}-01-service.png`);
      unitHref = await page.locator("[data-testid=service-ranking-commune] tbody tr a").first().getAttribute("href");
      scenario.noBrowserProblems();
      return `total ${total}; ${departments} departments, ${communes} communes ranked`;
    });

    if (hasData) {
      await step(`${device}: an earlier month through the period selector`, async () => {
        const options = await page.locator("[data-testid=service-period] option").evaluateAll((os) => os.map((o) => o.value));
        if (options.length < 2) return `only ${options.length} period`;
        const earlier = options[1];
        await page.locator("[data-testid=service-period]").selectOption(earlier);
        await clickTo(page.locator("[data-testid=service-period-form] button"), (url) => url.searchParams.get("period") === earlier, "show an earlier month");
        checkEqual(await page.locator("[data-testid=service-period]").inputValue(), earlier, "the month selected");
        check(await page.locator("[data-testid=service-latest]").isVisible(), "no way back to the latest month");
        await drawn(page, "service-trend-chart");
        if (device === "phone") await noSideways(page, `/service?period=${earlier}`);
        await scenario.shoot(page, `${device}-02-earlier-month.png`);
        scenario.noBrowserProblems();
        return `${options.length} months; shown ${earlier}`;
      });

      if (device === "desktop") {
        await step("desktop: the communes' ranking downloads as CSV", async () => {
          await page.goto(`${BASE}/service`);
          const [download] = await Promise.all([page.waitForEvent("download"), page.locator("[data-testid=service-csv-commune]").click()]);
          const csv = readFileSync(await download.path(), "utf8");
          const lines = csv.trim().split("\n");
          check(lines[0].startsWith("Kỳ,Hạng,Mã,Đơn vị,Tổng điểm,Thay đổi,"), `the CSV header: ${lines[0]}`);
          const rows = await page.locator("[data-testid=service-ranking-commune] tbody tr").count();
          checkEqual(lines.length, rows + 1, "CSV lines (a header and every commune)");
          return `${download.suggestedFilename()}: ${lines.length - 1} communes`;
        });
      }

      await step(`${device}: a commune's page — every indicator, its largest losses, its months`, async () => {
        await page.goto(new URL(unitHref, BASE).href);
        const name = (await page.locator("[data-testid=service-unit-name]").innerText()).trim();
        check(name.length > 0, "the unit has no name");
        checkEqual(await page.locator("[data-testid=service-indicators] tr.indicator").count(), 23, "indicators listed");
        check(/^\d+ \/ \d+$/.test((await page.locator("[data-testid=service-unit-rank]").innerText()).trim()), "the rank within its level");
        const losses = await page.locator("[data-testid=service-losses] li").count();
        const highlighted = await page.locator("[data-testid=service-indicators] tr.loss-big").count();
        check(losses === 0 || highlighted > 0, `${losses} losses listed but none highlighted`);
        const paths = await drawn(page, "service-unit-chart");
        check(paths > 0, "the unit's chart has no line");
        check((await page.locator("[data-testid=service-series-table] tbody tr").count()) >= 1, "the months table is empty");
        check(await page.locator("[data-testid=service-demo]").isVisible(), "the unit page does not mark generated data");
        if (device === "phone") await noSideways(page, path(page.url()));
        await scenario.shoot(page, `${device}-03-unit.png`);
        scenario.noBrowserProblems();
        return `${name}: ${losses} largest losses, ${highlighted} highlighted`;
      });

      await step(`${device}: the province as a unit`, async () => {
        await page.goto(`${BASE}/service/province`);
        checkEqual((await page.locator("[data-testid=service-unit-name]").innerText()).trim(), "Toàn tỉnh", "the province's name");
        checkEqual(await page.locator("[data-testid=service-indicators] tr.indicator").count(), 23, "the province's indicators");
        await drawn(page, "service-unit-chart");
        if (device === "phone") await noSideways(page, "/service/province");
        scenario.noBrowserProblems();
      });
    }

    await step(`${device}: the language switch gives an English page`, async () => {
      await page.goto(`${BASE}/service`);
      await clickTo(page.getByRole("link", { name: "English" }), (url) => url.pathname === "/service", "switch to English");
      checkEqual(await page.getAttribute("html", "lang"), "en", "html[lang] after clicking English");
      checkEqual((await page.getByRole("heading", { level: 1 }).innerText()).trim(), "Public-service quality index (Decision 766)", "the English title");
      const text = await page.locator("main").innerText();
      for (const word of ["Toàn tỉnh", "Tổng điểm", "Xếp hạng", "Tháng", "Sở, ban, ngành", "thiếu"]) {
        check(!text.includes(word), `${JSON.stringify(word)} on the English page`);
      }
      if (hasData) {
        check(/Illustrative data generated by chiso/.test(await page.locator("[data-testid=service-demo]").innerText()), "the English demo notice");
        const total = (await page.locator("[data-testid=service-total]").innerText()).trim();
        check(/^\d{1,3}\.\d{2}$/.test(total), `the total is not an English number: ${JSON.stringify(total)}`);
        await drawn(page, "service-trend-chart");
        const labels = JSON.parse(await page.locator("[data-testid=service-trend-chart]").getAttribute("data-chart")).labels;
        check(labels.every((l) => /^[A-Z][a-z]{2} \d{4}$/.test(l)), `chart labels not in English: ${labels}`);
        const units = await page.locator("[data-testid=service-ranking-department] tbody tr a").allInnerTexts();
        check(units.every((u) => !/^Sở /.test(u)), `departments named in Vietnamese on the English page: ${units.filter((u) => /^Sở /.test(u))}`);
        const communes = await page.locator("[data-testid=service-ranking-commune] tbody tr a").allInnerTexts();
        const vietnamese = communes.filter((u) => /^(Xã|Phường) /.test(u));
        check(vietnamese.length === 0, `communes named in Vietnamese on the English page: ${vietnamese.slice(0, 5)}`);
      }
      if (device === "phone") await noSideways(page, "/service in English");
      await scenario.shoot(page, `${device}-04-english.png`);
      if (hasData) {
        await page.goto(new URL(unitHref, BASE).href);
        checkEqual(await page.getAttribute("html", "lang"), "en", "the language persists on the unit page");
        const text = await page.locator("main").innerText();
        check(!/thiếu dữ liệu|Tổng điểm|Nhóm /.test(text), "Vietnamese words on the English unit page");
        await drawn(page, "service-unit-chart");
        if (device === "phone") await noSideways(page, `${path(page.url())} in English`);
        await scenario.shoot(page, `${device}-05-unit-english.png`);
      }
      scenario.noBrowserProblems();
    });
  }
  for (const [device, options] of [["desktop", DESKTOP], ["phone", PHONE]]) {
    const page = await scenario.newPage(options);
    await step(`${device}: the administrator signs in and sees the data sources`, async () => {
      await page.goto(`${BASE}/login`);
      await page.fill("input[name=username]", "admin");
      await page.fill("input[name=password]", ADMIN_PASSWORD);
      await clickTo(page.locator("form[action='/login'] button[type=submit]"), (url) => url.pathname === "/admin", "sign in", 10_000);
      await clickTo(page.locator("a[href='/admin/service']").first(), (url) => url.pathname === "/admin/service", "open the data sources");
      const demo = page.locator("[data-testid=sources] tbody tr", { hasText: "chiso-demo" });
      checkEqual(await demo.count(), 1, "the demo source listed");
      checkEqual(await demo.getAttribute("data-state"), "ok", "the demo source's state");
      if (device === "phone") await noSideways(page, "/admin/service");
      await scenario.shoot(page, `${device}-06-admin-sources.png`);
      scenario.noBrowserProblems();
    });

    await step(`${device}: a source that does not answer fails, and the public page keeps its data`, async () => {
      const form = page.locator("[data-testid=add-source]");
      // Port 9 (discard) on this machine: nothing listens, the connection is refused.
      await form.locator("input[name=name]").fill(`Một cửa (${device})`);
      await form.locator("input[name=location]").fill("http://127.0.0.1:9/xuat/{file}.csv");
      await form.locator("textarea[name=mapping]").fill("MaHoSo = id");
      await clickTo(form.locator("button[type=submit]"), (url) => /^\/admin\/service\/\d+$/.test(url.pathname), "add the source");
      const status = page.locator("[data-testid=source-status]");
      let state = await status.getAttribute("data-state");
      for (let tries = 0; state !== "failing" && tries < 60; tries++) {
        await page.waitForTimeout(500);
        await page.reload();
        state = await status.getAttribute("data-state");
      }
      checkEqual(state, "failing", "the unreachable source's state");
      const error = await page.locator("[data-testid=source-error]").innerText();
      check(/127\.0\.0\.1:9\/xuat\/units\.csv: không kết nối được/.test(error), `the error names the file and the cause: ${error}`);
      check(!/request|error|refused/i.test(error), `English words in the Vietnamese error: ${error}`);
      check((await page.locator("[data-testid=pulls] tr[data-outcome=failed]").count()) >= 1, "the failed run is not listed");
      check((await page.locator("[data-testid=next-pull]").innerText()).trim().length > 0, "no next retry shown");
      if (device === "phone") await noSideways(page, path(page.url()));
      await scenario.shoot(page, `${device}-07-source-failing.png`);
      await page.goto(`${BASE}/service`);
      check(await page.locator("[data-testid=service-total]").isVisible(), "the public page lost its data after a failed pull");
      scenario.noBrowserProblems();
      return error;
    });
  }
});
