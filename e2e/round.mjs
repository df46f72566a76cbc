// Browser end-to-end test of a whole assessment round run in the app, as four people
// in four browsers: an admin creates and opens a round for two units; each reporter
// fills the form (a bad value is kept and marked while the others save field by field;
// a reload loses nothing; no sideways scroll at 390 px) and submits after confirming,
// with evidence (one uploads a file); the appraiser changes
// one indicator with a reason, returns the other unit, which is resubmitted, and
// finalises both; the admin approves and publishes; the public scorecard shows the
// three scores; the audit log shows every step.
//
// Environment: CHISO_URL, CHISO_ADMIN_PASSWORD, CHISO_SCREENSHOTS, CHISO_CHROMIUM (as run.mjs).
// Normally run by `cargo test -p chiso --test e2e`, which starts a fresh server.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Scenario, analysisSettled, check, checkEqual, clickTo, count, env, path, text } from "./lib.mjs";

const BASE = env("CHISO_URL").replace(/\/+$/, "");
const ADMIN_PASSWORD = env("CHISO_ADMIN_PASSWORD");
const SHOTS = join(env("CHISO_SCREENSHOTS"), "round");
const CHROMIUM = env("CHISO_CHROMIUM", "/usr/bin/chromium");
const PACKAGE_DIR = fileURLToPath(new URL("../data/sonla/2024/", import.meta.url));
const PASSWORD = "nguoi-dung-2025";
const DECISION = "Quyết định số 3001/QĐ-UBND ngày 30/12/2025";
const UNITS = { STTTT: "bc.sttt", 116: "bc.mocchau" };
const REASON = "Chỉ có 1 thông báo kết luận được gửi kèm";
const RETURN_COMMENT = "Bổ sung số liệu chỉ số 1.4";
const NOTICE = "Thông báo số 12/TB-SKHCN ngày 20/12/2025";
const CONTEST_REASON = "Ban Chỉ đạo đã họp 4 lần, gửi kèm biên bản các cuộc họp quý III và IV";
const ANSWER_REASON = "Biên bản bổ sung hợp lệ: 4 cuộc họp";

const read = (name) => readFileSync(join(PACKAGE_DIR, name), "utf8");

/** The bundled 2024 values of a unit: [indicator, value] in file order. */
function bundledValues(unit) {
  return read("values.csv")
    .split("\n")
    .slice(1)
    .map((line) => line.split(","))
    .filter((fields) => fields[0] === unit && fields[2] !== "")
    .map((fields) => [fields[1], fields[2].replace(/^"|"$/g, "")]);
}

/** The package's frameworks, units and a 2025 assessment.toml: a round without values. */
function roundFiles() {
  const file = (name, content) => ({ name, mimeType: "application/octet-stream", buffer: Buffer.from(content) });
  const assessment = read("assessment.toml").replace(/^year = 2024$/m, "year = 2025").replace(/2024/g, "2025");
  return [
    file("assessment.toml", assessment),
    // Sở Nội vụ verifies 1.3 of the departments' framework (verification per indicator).
    file("provincial.toml", read("frameworks/provincial.toml").replace('code = "1.3"\n', 'code = "1.3"\nverifier = "SNV"\n')),
    file("district.toml", read("frameworks/district.toml")),
    file("units.csv", read("units.csv")),
  ];
}

const scenario = new Scenario(SHOTS, CHROMIUM);
const step = (title, body) => scenario.step(title, body);

async function signIn(username, password) {
  const page = await scenario.newPage();
  await page.goto(`${BASE}/login`);
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", password);
  await clickTo(
    page.locator("form[action='/login'] button[type=submit]"),
    (url) => url.pathname !== "/login",
    `sign in as ${username}`,
  );
  return page;
}

/** The unit form's notice after a save, or the error it shows. */
async function notice(page) {
  const shown = await page.locator("p.notice, [data-testid=form-error]").allInnerTexts();
  return shown.map((t) => t.trim()).join(" | ");
}

/** Types every answer into the unit's form the way its input asks for it; `kpi:` leaves are read-only. */
async function fillForm(page, values) {
  let typed = 0;
  for (const [code, value] of values) {
    const select = page.locator(`select[name="v:${code}"]`);
    const ratio = page.locator(`input[name="a:${code}"]`);
    const input = page.locator(`input[name="v:${code}"]`);
    if ((await select.count()) === 1) {
      await select.selectOption(value);
    } else if ((await ratio.count()) === 1) {
      const [a, b] = value.split("/");
      await ratio.fill(a);
      await page.locator(`input[name="b:${code}"]`).fill(b);
    } else if ((await input.count()) === 1) {
      await input.fill(value);
    } else {
      const row = page.locator(`tr#i-${code.replaceAll(".", "\\.")} .readonly`);
      check((await row.count()) === 1, `${path(page.url())}: no input for ${code} and it is not read-only`);
      continue;
    }
    typed += 1;
  }
  return typed;
}

/** Submits the form through its confirmation step, which explains the lock. */
async function submitConfirmed(page, what) {
  await page.locator("button[name=submit]").click();
  const confirm = page.locator("[data-testid=confirm-submit]");
  await confirm.waitFor();
  const says = await confirm.innerText();
  check(/khoá/.test(says), `${what}: the confirmation does not explain the lock: ${says}`);
  await clickTo(confirm.locator("button[name=confirm]"), (url) => url.search.includes("message=submitted"), what);
}

/** The message under a field of the unit form, once it is not "saving". */
async function fieldMessage(page, code, pattern) {
  const note = page.locator(`[data-msg-for="${code}"]`);
  await page.waitForFunction(
    ([c, source]) => new RegExp(source).test(document.querySelector(`[data-msg-for="${c}"]`)?.textContent ?? ""),
    [code, pattern.source],
    { timeout: 10_000 },
  );
  return (await note.innerText()).trim();
}

/** Attaches evidence to every indicator that needs it: the first as an uploaded PDF, the others as references. */
async function addEvidence(page, unit) {
  const needing = await page
    .locator("tr:has(span.tag) td.name strong")
    .allInnerTexts()
    .then((codes) => codes.map((c) => c.trim()));
  check(needing.length > 0, `${unit}: the form marks no indicator as needing evidence`);
  for (const [i, code] of needing.entries()) {
    if (i === 0) {
      const form = page.locator("[data-testid=evidence-file]");
      await form.locator("select[name=indicator]").selectOption(code);
      await form.locator("input[type=file]").setInputFiles({
        name: `bien-ban-${code}.pdf`,
        mimeType: "application/pdf",
        buffer: Buffer.from("%PDF-1.4\n% biên bản họp ban chỉ đạo\n"),
      });
      await clickTo(form.locator("button[type=submit]"), (url) => url.search.includes("message=evidence"), `${unit}: upload evidence for ${code}`);
    } else {
      const form = page.locator("[data-testid=evidence-reference]");
      await form.locator("select[name=indicator]").selectOption(code);
      await form.locator("input[name=number]").fill(`${100 + i}/QĐ-${unit}`);
      await form.locator("input[name=date]").fill("2025-03-15");
      await form.locator("input[name=summary]").fill(`Minh chứng chỉ số ${code}`);
      await clickTo(form.locator("button[type=submit]"), (url) => url.search.includes("message=evidence"), `${unit}: refer to a document for ${code}`);
    }
  }
  return needing;
}

await scenario.run(async () => {
  let admin;
  let roundId;

  await step("the admin adds two reporters, an appraiser of the council and one of Sở Nội vụ", async () => {
    admin = await signIn("admin", ADMIN_PASSWORD);
    const people = [
      [UNITS.STTTT, "Báo cáo viên Sở TT&TT", "reporter", "STTTT"],
      [UNITS[116], "Báo cáo viên Mộc Châu", "reporter", "116"],
      ["thamdinh", "Thành viên hội đồng thẩm định", "appraiser", ""],
      ["xacminh.snv", "Thẩm định viên Sở Nội vụ", "appraiser", "SNV"],
    ];
    for (const [username, name, role, unit] of people) {
      await admin.goto(`${BASE}/admin/users`);
      const form = admin.locator("[data-testid=add-user]");
      await form.locator("input[name=username]").fill(username);
      await form.locator("input[name=display_name]").fill(name);
      await form.locator("select[name=role]").selectOption(role);
      await form.locator("input[name=unit_code]").fill(unit);
      await form.locator("input[name=password]").fill(PASSWORD);
      await form.locator("button[type=submit]").click();
      await admin.locator(`[data-testid=users] td:text-is("${username}")`).waitFor();
    }
    scenario.noBrowserProblems();
    return people.map((p) => p[0]).join(", ");
  });

  await step("the admin creates a 2025 round from the frameworks and units, for two units, and opens it", async () => {
    await admin.goto(`${BASE}/admin`);
    const form = admin.locator("[data-testid=create-round]");
    await form.locator("input[type=file]").setInputFiles(roundFiles());
    await clickTo(form.locator("button[type=submit]"), (url) => /^\/work\/rounds\/\d+$/.test(url.pathname), "create the round", 60_000);
    roundId = new URL(admin.url()).pathname.split("/").pop();
    // Leave out every unit but the two, one click (and one page load) each.
    const buttons = 'form[action$="/assign"]:not([action$="/STTTT/assign"]):not([action$="/116/assign"]) button';
    const stillIn = () =>
      admin.evaluate(
        (selector) => [...document.querySelectorAll(selector)].filter((b) => b.textContent.includes("Bỏ ra")).length,
        buttons,
      );
    for (let left = await stillIn(); left > 0; left = await stillIn()) {
      await admin.locator(buttons).filter({ hasText: "Bỏ ra" }).first().click();
      await admin.waitForFunction(
        ([selector, n]) =>
          [...document.querySelectorAll(selector)].filter((b) => b.textContent.includes("Bỏ ra")).length < n,
        [buttons, left],
      );
    }
    const assigned = await count(admin, "tbody tr:not(.unassigned)");
    checkEqual(assigned, 2, `/work/rounds/${roundId} units taking part`);
    await clickTo(admin.locator("[data-testid=next-stage] button"), (url) => url.search.includes("message=stage"), "open the round");
    const stage = await text(admin, "[data-testid=stage]");
    check(/tự đánh giá/i.test(stage), `stage after opening: ${stage}`);
    await scenario.shoot(admin, "01-board-open.png");
    scenario.noBrowserProblems();
    return `round ${roundId}: ${stage}`;
  });

  const reporters = {};
  for (const unit of ["STTTT", "116"]) {
    await step(`reporter of ${unit} fills the form (points as they type), adds evidence and submits`, async () => {
      const page = await signIn(UNITS[unit], PASSWORD);
      reporters[unit] = page;
      checkEqual(new URL(page.url()).pathname, "/work", `${UNITS[unit]} lands on`);
      await clickTo(page.locator(`a[href="/work/rounds/${roundId}/units/${unit}"]`), (url) => url.pathname.endsWith(`/units/${unit}`), "open own unit");
      // A reporter cannot open another unit's form.
      const other = unit === "STTTT" ? "116" : "STTTT";
      const refused = await page.request.get(`${BASE}/work/rounds/${roundId}/units/${other}`);
      checkEqual(refused.status(), 403, `${UNITS[unit]} opening ${other}'s form`);
      const values = bundledValues(unit);
      if (unit === "STTTT") {
        // A bad value stays in its field, marked, while the others save as they are left.
        await page.locator('input[name="v:3.1"]').fill("abc");
        await page.locator('input[name="v:1.2"]').fill("4");
        await page.locator('input[name="v:1.4"]').fill("200");
        await page.locator('input[name="v:1.4"]').blur();
        const bad = await fieldMessage(page, "3.1", /abc/);
        checkEqual(await page.locator('input[name="v:3.1"]').getAttribute("aria-invalid"), "true", "3.1 marked invalid");
        checkEqual(await page.locator('input[name="v:3.1"]').inputValue(), "abc", "the bad value is kept");
        await fieldMessage(page, "1.2", /^Đã lưu$/);
        await fieldMessage(page, "1.4", /^Đã lưu$/);
        await page.waitForFunction(() => /^2\/\d+ đã trả lời, \d+ thiếu minh chứng$/.test(document.querySelector("[data-testid=progress]")?.textContent.trim() ?? ""), null, { timeout: 10_000 })
          .catch(async () => check(false, `progress after two saves: ${await text(page, "[data-testid=progress]")}`));
        await scenario.shoot(page, "02-bad-value-kept.png");
        // Corrected, it saves; a reload mid-form loses nothing.
        await page.locator('input[name="v:3.1"]').fill("97.5%");
        await page.locator('input[name="v:3.1"]').blur();
        await fieldMessage(page, "3.1", /^Đã lưu$/);
        check((await page.locator('input[name="v:3.1"]').getAttribute("aria-invalid")) === null, `3.1 still marked (${bad})`);
        await page.reload();
        checkEqual(await page.locator('input[name="v:1.2"]').inputValue(), "4", "1.2 after a reload");
        checkEqual(await page.locator('input[name="v:3.1"]').inputValue(), "97.5%", "3.1 after a reload");
        // At phone width the form is cards: nothing scrolls sideways.
        await page.setViewportSize({ width: 390, height: 844 });
        const widths = await page.evaluate(() => [
          document.documentElement.scrollWidth,
          window.innerWidth,
          [...document.querySelectorAll("main *")]
            .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 3)
            .map((el) => `${el.tagName.toLowerCase()}.${el.className}`)
            .join(", "),
        ]);
        check(widths[0] <= widths[1], `the form scrolls sideways at 390 px: scrollWidth ${widths[0]} > ${widths[1]} (${widths[2]})`);
        await scenario.shoot(page, "02-form-390px.png");
        await page.setViewportSize({ width: 1280, height: 900 });
      }
      // Live points: the engine's points for the first number typed appear without saving.
      const typed = await fillForm(page, values);
      const [firstCode] = values.find(([c]) => c === "1.2") ?? values[1];
      await page.waitForFunction(
        (code) => {
          const cell = document.querySelector(`[data-points-for="${code}"]`);
          return cell && cell.textContent.trim() !== "—" && cell.textContent.trim() !== "0";
        },
        firstCode,
        { timeout: 10_000 },
      );
      await clickTo(page.locator("button[name=save]"), (url) => url.search.includes("message=saved"), "save the draft");
      // Submitting without evidence is refused and names what is missing.
      await page.locator("button[name=submit]").click();
      await page.locator("[data-testid=error-summary]").waitFor();
      const error = await text(page, "[data-testid=error-summary]");
      check(/minh chứng/.test(error), `submission without evidence: ${error}`);
      check((await count(page, '[data-testid=error-summary] a[href^="#i-"]')) > 0, "the summary links to the indicators");
      check(await page.evaluate(() => document.activeElement?.dataset.testid === "error-summary"), "the summary has the focus");
      scenario.allow(/^HTTP 422 for \/work\/rounds\/\d+\/units\/\w+\/save$/);
      await page.goto(`${BASE}/work/rounds/${roundId}/units/${unit}`);
      const evidenced = await addEvidence(page, unit);
      await submitConfirmed(page, `${unit}: submit`);
      const state = await text(page, "[data-testid=unit-state]");
      check(/Đã nộp/.test(state), `${unit} state after submitting: ${state}`);
      checkEqual(await page.locator("button[name=submit]").count(), 0, `${unit}: the submitted form still has a submit button`);
      await scenario.shoot(page, `02-submitted-${unit}.png`);
      scenario.noBrowserProblems();
      return `${typed} answers, evidence for ${evidenced.join(", ")}; ${state}`;
    });
  }

  let appraiser;
  await step("the admin moves the round to appraisal; the appraiser sees both units in the queue", async () => {
    await admin.goto(`${BASE}/work/rounds/${roundId}`);
    await clickTo(admin.locator("[data-testid=next-stage] button"), (url) => url.search.includes("message=stage"), "start the appraisal");
    appraiser = await signIn("thamdinh", PASSWORD);
    await appraiser.goto(`${BASE}/work/rounds/${roundId}`);
    const queue = await appraiser.locator("[data-testid=queue] li").allInnerTexts();
    checkEqual(queue.length, 2, "units waiting for appraisal");
    scenario.noBrowserProblems();
    return queue.map((q) => q.trim()).join(", ");
  });

  await step("the appraiser changes 1.2 of STTTT with a reason (refused without one)", async () => {
    await appraiser.goto(`${BASE}/work/rounds/${roundId}/units/STTTT`);
    const before = await text(appraiser, "[data-testid=appraised-total]");
    const form = appraiser.locator('[data-testid="appraise-1.2"]');
    await form.locator("input[name=value]").fill("1");
    await form.locator("button[type=submit]").click();
    await appraiser.locator("[data-testid=form-error]").waitFor();
    scenario.allow(/^HTTP 4\d\d for \/work\/rounds\/\d+\/units\/STTTT\/appraise$/);
    await appraiser.goto(`${BASE}/work/rounds/${roundId}/units/STTTT`);
    const again = appraiser.locator('[data-testid="appraise-1.2"]');
    await again.locator("input[name=value]").fill("1");
    await again.locator("input[name=reason]").fill(REASON);
    await clickTo(again.locator("button[type=submit]"), (url) => url.search.includes("message=appraised"), "appraise 1.2");
    const after = await text(appraiser, "[data-testid=appraised-total]");
    check(after !== before, `the appraised total did not change (${before})`);
    check((await appraiser.locator("main").innerText()).includes(REASON), "the reason is not shown on the form");
    await scenario.shoot(appraiser, "03-appraised.png");
    scenario.noBrowserProblems();
    return `appraised total ${before} → ${after}`;
  });

  await step("the appraiser returns 116 with a comment; its reporter revises and resubmits", async () => {
    await appraiser.goto(`${BASE}/work/rounds/${roundId}/units/116`);
    const form = appraiser.locator("[data-testid=return]");
    await form.locator("textarea[name=comment]").fill(RETURN_COMMENT);
    await clickTo(form.locator("button[type=submit]"), (url) => url.search.includes("message=returned"), "return 116");
    const page = reporters[116];
    await page.goto(`${BASE}/work/rounds/${roundId}/units/116`);
    const state = await text(page, "[data-testid=unit-state]");
    check(/Trả lại/.test(state), `116 after being returned: ${state}`);
    check((await page.locator("[data-testid=history]").innerText()).includes(RETURN_COMMENT), "the comment is not in the history");
    await page.locator('input[name="v:1.4"]').fill("180");
    await submitConfirmed(page, "resubmit 116");
    const history = await page.locator("[data-testid=history] li").evaluateAll((els) => els.map((e) => e.dataset.event));
    check(history.includes("resubmit"), `the history has no resubmission: ${history.join(" | ")}`);
    scenario.noBrowserProblems();
    return `history: ${history.length} entries`;
  });

  await step("Sở Nội vụ's appraiser sees only the indicator it verifies, on a phone too", async () => {
    const verifier = await signIn("xacminh.snv", PASSWORD);
    await verifier.setViewportSize({ width: 390, height: 844 });
    await verifier.goto(`${BASE}/work/rounds/${roundId}/queue`);
    const rows = await verifier.locator('[data-testid^="queue-row-"]').evaluateAll((els) => els.map((e) => e.dataset.testid));
    checkEqual(rows.join(","), "queue-row-STTTT-1.3", "the verifier's queue");
    const wide = await verifier.evaluate(() => document.documentElement.scrollWidth);
    check(wide <= 390, `the queue scrolls sideways at 390 px (${wide} px wide)`);
    await scenario.shoot(verifier, "03b-verifier-queue-390.png");
    await verifier.goto(`${BASE}/work/rounds/${roundId}/units/STTTT`);
    const forms = await verifier.locator('[data-testid^="appraise-"]').evaluateAll((els) => els.map((e) => e.dataset.testid));
    checkEqual(forms.join(","), "appraise-1.3", "the indicators the verifier may appraise on the form");
    checkEqual(await verifier.locator("[data-testid=finalise]").count(), 0, "a department finalises a whole unit");
    const wideForm = await verifier.evaluate(() => document.documentElement.scrollWidth);
    check(wideForm <= 390, `the unit form scrolls sideways at 390 px (${wideForm} px wide)`);
    scenario.noBrowserProblems();
    return `queue: ${rows.join(", ")}; form: ${forms.join(", ")}`;
  });

  await step("the appraiser finalises both units", async () => {
    for (const unit of ["STTTT", "116"]) {
      await appraiser.goto(`${BASE}/work/rounds/${roundId}/units/${unit}`);
      await clickTo(appraiser.locator("[data-testid=finalise] button"), (url) => url.search.includes("message=finalised"), `finalise ${unit}`);
    }
    const counts = await appraiser.locator("main").innerText();
    check(/Đã thẩm định: 1/.test(counts), `the board does not count the appraised units: ${counts.slice(0, 300)}`);
    scenario.noBrowserProblems();
    return "2 appraised";
  });

  let contestedTotal;
  await step("the admin publishes preliminary results; the public overview marks them as not final", async () => {
    await admin.goto(`${BASE}/work/rounds/${roundId}`);
    const form = admin.locator("[data-testid=publish-preliminary]");
    await form.locator("input[name=decision]").fill(NOTICE);
    await form.locator("input[name=deadline]").fill("2099-12-31");
    await Promise.all([admin.waitForNavigation({ timeout: 60_000 }), form.locator("button[type=submit]").click()]);
    const said = (await admin.locator("p.notice, p.error").allInnerTexts()).join(" | ");
    checkEqual(new URL(admin.url()).pathname, `/work/rounds/${roundId}`, `publishing preliminary results (the page says: ${said})`);
    const stage = await text(admin, "[data-testid=stage]");
    check(/sơ bộ/i.test(stage), `stage after the preliminary publication: ${stage}`);
    const visitor = await scenario.newPage();
    await visitor.goto(`${BASE}/rounds/${roundId}`);
    const mark = await text(visitor, "[data-testid=preliminary]");
    check(/sơ bộ/i.test(mark) && /chưa phải kết quả chính thức/.test(mark), `the public mark: ${mark}`);
    // The first view starts the robustness analysis and the page reloads when it is
    // done: capture the page after that, not during the reload.
    await analysisSettled(visitor);
    await scenario.shoot(visitor, "04a-public-preliminary.png");
    scenario.noBrowserProblems();
    return `${stage}; ${mark}`;
  });

  await step("the reporter of STTTT contests 1.2 with the minutes; the council accepts it with a new value", async () => {
    const page = reporters.STTTT;
    await page.goto(`${BASE}/work/rounds/${roundId}/units/STTTT`);
    const before = await text(page, "[data-testid=appraised-total]");
    const form = page.locator("[data-testid=contest-form]");
    await form.locator("select[name=indicator]").selectOption("1.2");
    await form.locator("textarea[name=reason]").fill(CONTEST_REASON);
    await form.locator("input[type=file]").setInputFiles({
      name: "bien-ban-quy-3-4.pdf",
      mimeType: "application/pdf",
      buffer: Buffer.from("%PDF-1.4\n% minutes of the third and fourth meetings\n"),
    });
    await clickTo(form.locator("button[type=submit]"), (url) => url.pathname.endsWith("/units/STTTT"), "contest 1.2", 30_000);
    await page.locator('[data-testid="contest-STTTT-1.2"][data-status=open]').waitFor();

    await admin.goto(`${BASE}/work/rounds/${roundId}`);
    await admin.locator("[data-testid=next-stage] button").click();
    const refused = admin.locator("p.notice").filter({ hasText: "chưa được trả lời" });
    await refused.waitFor({ timeout: 15_000 });
    check(/sơ bộ/i.test(await text(admin, "[data-testid=stage]")), "approval went through with a contest open");
    scenario.allow(/^HTTP 409 for \/work\/rounds\/\d+\/stage$/);

    await appraiser.goto(`${BASE}/work/rounds/${roundId}`);
    const answer = appraiser.locator('[data-testid="contest-STTTT-1.2"] form');
    await answer.locator("input[name=answer][value=accept]").check();
    await answer.locator("input[name=value]").fill("4");
    await answer.locator("textarea[name=reason]").fill(ANSWER_REASON);
    await clickTo(answer.locator("button[type=submit]"), (url) => url.pathname === `/work/rounds/${roundId}`, "accept the contest");
    await appraiser.locator('[data-testid="contest-STTTT-1.2"][data-status=accepted]').waitFor();

    await page.goto(`${BASE}/work/rounds/${roundId}/units/STTTT`);
    contestedTotal = await text(page, "[data-testid=appraised-total]");
    check(contestedTotal !== before, `the accepted contest did not change the appraised total (${before})`);
    const history = await page.locator("[data-testid=history] li").evaluateAll((els) => els.map((e) => e.dataset.event));
    check(history.includes("contest") && history.includes("contest_accepted"), `history: ${history.join(", ")}`);
    await scenario.shoot(page, "04b-contest-accepted.png");
    scenario.noBrowserProblems();
    return `appraised total ${before} → ${contestedTotal}`;
  });

  await step("the admin approves and publishes with the decision; the answer is in the final results", async () => {
    await admin.goto(`${BASE}/work/rounds/${roundId}`);
    await clickTo(admin.locator("[data-testid=next-stage] button"), (url) => url.search.includes("message=stage"), "approve");
    const form = admin.locator("[data-testid=publish-round]");
    await form.locator("input[name=decision]").fill(DECISION);
    await clickTo(form.locator("button[type=submit]"), (url) => url.pathname === `/rounds/${roundId}`, "publish", 60_000);
    await analysisSettled(admin);
    const heading = await admin.getByRole("heading", { level: 1 }).innerText();
    check(heading.includes("2025"), `the public page does not name 2025: ${heading}`);
    const main = await admin.locator("main").innerText();
    check(main.includes(DECISION), "the public page does not show the decision");
    checkEqual(await admin.locator("[data-testid=preliminary]").count(), 0, "the preliminary mark after the final publication");
    const visitor = await scenario.newPage();
    await visitor.goto(`${BASE}/rounds/${roundId}/units/STTTT`);
    const three = (await visitor.locator("[data-testid=three-scores]").innerText()).replace(/\s+/g, " ");
    check(three.includes(contestedTotal.replace(/\s+/g, " ").trim()), `the final results do not carry the accepted contest (${contestedTotal}): ${three}`);
    scenario.noBrowserProblems();
    return heading;
  });

  await step("the public scorecard shows the three scores, anonymously", async () => {
    const visitor = await scenario.newPage();
    await visitor.goto(`${BASE}/rounds/${roundId}/units/STTTT`);
    const three = visitor.locator("[data-testid=three-scores]");
    check((await three.count()) === 1, "no three-score table on the scorecard");
    const table = (await three.innerText()).replace(/\s+/g, " ");
    check(/Tự đánh giá/.test(table) && /thẩm định/i.test(table), `three scores: ${table.slice(0, 200)}`);
    await scenario.shoot(visitor, "04-public-three-scores.png");
    scenario.noBrowserProblems();
    return table.slice(0, 120);
  });

  await step("the audit log shows every step", async () => {
    await admin.goto(`${BASE}/admin/audit`);
    const log = await admin.locator("main").innerText();
    const actions = [
      "user.create",
      "round.workflow.create",
      "round.stage",
      "round.values.set",
      "evidence.add",
      "unit.submit",
      "unit.appraise",
      "unit.return",
      "unit.finalise",
      "unit.contest",
      "unit.contest.answer",
      "round.publish",
    ];
    const missing = actions.filter((a) => !log.includes(a));
    check(missing.length === 0, `the audit log lacks: ${missing.join(", ")}`);
    await scenario.shoot(admin, "05-audit.png");
    scenario.noBrowserProblems();
    return `${actions.length} kinds of action`;
  });
});
