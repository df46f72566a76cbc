// What the browser scenarios share: checks that fail with a clear message, numbered
// steps, screenshots, and a watch on every page for script errors and failed requests.

import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

export const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === "") {
    console.error(`e2e: environment variable ${name} is required`);
    process.exit(2);
  }
  return value;
};

export class CheckFailed extends Error {}

export function check(condition, message) {
  if (!condition) throw new CheckFailed(message);
}

export function checkEqual(actual, expected, what) {
  check(actual === expected, `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

export const path = (url) => new URL(url).pathname + new URL(url).search;

export async function text(page, selector) {
  const locator = page.locator(selector);
  const count = await locator.count();
  check(count === 1, `${path(page.url())}: expected exactly one ${selector}, found ${count}`);
  return (await locator.innerText()).trim();
}

export async function count(page, selector) {
  return page.locator(selector).count();
}

/** Clicks, then waits until the URL satisfies `arrived`; on timeout says where the page is and what it shows. */
export async function clickTo(locator, arrived, what, timeout = 30_000) {
  const page = locator.page();
  await locator.click();
  try {
    await page.waitForURL(arrived, { timeout });
  } catch {
    const shown = await page
      .locator("[role=alert], .error, [data-testid=upload-errors]")
      .allInnerTexts()
      .catch(() => []);
    const says = shown.length > 0 ? `; the page says: ${shown.map((t) => t.trim()).join(" | ")}` : "";
    throw new CheckFailed(`${what}: still on ${path(page.url())} after ${timeout / 1000} s${says}`);
  }
}

/**
 * Waits until an overview's rank-interval analysis is no longer running: the page
 * polls it and reloads itself when it is ready, so checks made before then could
 * meet a page that is going away. For overview pages only (it waits for one).
 */
export async function analysisSettled(page, timeout = 60_000) {
  const settled = page.locator("[data-testid=robustness]:not([data-state=running])");
  try {
    await settled.waitFor({ timeout });
  } catch {
    throw new CheckFailed(`${path(page.url())}: the rank-interval analysis still runs after ${timeout / 1000} s`);
  }
  await page.waitForLoadState("load");
  return settled.getAttribute("data-state");
}

/** A browser with numbered steps; `run` reports the first failed check and exits. */
export class Scenario {
  constructor(shots, chromiumPath) {
    this.shots = shots;
    this.chromiumPath = chromiumPath;
    this.problems = [];
    this.stepNo = 0;
    this.stepTitle = "";
    this.lastPage = null;
    mkdirSync(shots, { recursive: true });
  }

  async launch() {
    this.browser = await chromium.launch({
      executablePath: this.chromiumPath,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  }

  /** A page in a context of its own (its own cookies: one person), watched for problems. */
  async newPage(options = {}) {
    const context = await this.browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: "vi-VN",
      ...options,
    });
    context.setDefaultTimeout(15_000);
    context.setDefaultNavigationTimeout(30_000);
    const page = await context.newPage();
    const problems = this.problems;
    page.on("pageerror", (error) => problems.push(`script error on ${path(page.url())}: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error" && !/favicon/.test(message.location()?.url ?? "")) {
        // 404 of a resource shows up as a console error too; the response handler names it better.
        if (!/Failed to load resource/.test(message.text()))
          problems.push(`console error on ${path(page.url())}: ${message.text()}`);
      }
    });
    page.on("response", (response) => {
      const url = response.url();
      if (response.status() >= 400 && !url.endsWith("/favicon.ico"))
        problems.push(`HTTP ${response.status()} for ${path(url)}`);
    });
    page.on("requestfailed", (request) => {
      const error = request.failure()?.errorText;
      // A load still running when the page navigates away (a script's fetch, the
      // favicon) is cut off by the browser: not a fault of the app. HTTP errors are
      // caught by the response handler above.
      if (error === "net::ERR_ABORTED") return;
      problems.push(`request failed: ${path(request.url())}: ${error}`);
    });
    this.lastPage = page;
    return page;
  }

  noBrowserProblems() {
    check(this.problems.length === 0, `the browser reported problems:\n  ${this.problems.join("\n  ")}`);
  }

  /** Forgets the problems that match `expected` (e.g. the 422 of a refusal that is the point of a step). */
  allow(expected) {
    const rest = this.problems.filter((p) => !expected.test(p));
    this.problems.length = 0;
    this.problems.push(...rest);
  }

  async shoot(page, file) {
    this.lastPage = page;
    // Three scenarios share two cores with the server, which typesets PDFs and runs
    // analyses meanwhile: a full-page capture may wait for a busy renderer.
    await page.screenshot({ path: join(this.shots, file), fullPage: true, timeout: 60_000 });
  }

  async step(title, body) {
    this.stepNo += 1;
    this.stepTitle = title;
    const started = Date.now();
    const detail = await body();
    const ms = Date.now() - started;
    console.log(`ok ${String(this.stepNo).padStart(2)} ${title}${detail ? ` — ${detail}` : ""} (${ms} ms)`);
  }

  /** Runs the steps in `body`; on the first failure says which step and page, and screenshots it. */
  async run(body) {
    let exitCode = 0;
    try {
      await this.launch();
      await body();
      console.log(`e2e: all ${this.stepNo} steps passed; screenshots in ${this.shots}`);
    } catch (error) {
      exitCode = 1;
      const where = this.lastPage?.url() ?? "(no page)";
      console.error(`FAILED at step ${this.stepNo} "${this.stepTitle}" (page ${where}):`);
      console.error(error instanceof CheckFailed ? error.message : (error?.stack ?? String(error)));
      if (this.problems.length > 0) console.error(`browser problems so far:\n  ${this.problems.join("\n  ")}`);
      try {
        await this.lastPage?.screenshot({ path: join(this.shots, "failure.png"), fullPage: true });
        console.error(`screenshot of the failing page: ${join(this.shots, "failure.png")}`);
      } catch {
        // the page may be gone; the message above is what matters
      }
    } finally {
      await this.browser?.close();
    }
    process.exit(exitCode);
  }
}
