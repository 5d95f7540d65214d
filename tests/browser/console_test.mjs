// A real browser on the console: Debian's chromium driven by playwright-core (from console/web's
// committed lockfile; no browser is downloaded). Run by tests/integration/console/console_test.cc
// after a pipeline run, with the console serving that run:
//
//   node tests/browser/console_test.mjs --url http://127.0.0.1:PORT --out DIR --topic T --group G \
//        --dlq-expect N [--replay]
//
// It checks what a person would look at: the topic, the group with its lag at 0, a chart with
// points, the poison records in the dead-letter view with their reasons (and the filter), and,
// with --replay, selecting them and replaying from the page. Screenshots go to DIR
// (console-overview.png, console-dlq.png, console-replayed.png; console-failure.png when a check
// fails). Exit code 0 when every check held; otherwise 1, the failed check and what the page
// showed on stderr. The last line on stdout is the results as JSON.
import { createRequire } from "node:module";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const web = process.env.RDSTREAM_CONSOLE_WEB || path.join(here, "..", "..", "console", "web");
const { chromium } = createRequire(path.join(web, "package.json"))("playwright-core");

function args() {
  const out = { replay: false };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--replay") out.replay = true;
    else if (a.startsWith("--")) out[a.slice(2)] = argv[++i];
  }
  for (const required of ["url", "out", "topic", "group", "dlq-expect"]) {
    if (!out[required]) throw new Error(`missing --${required}`);
  }
  out.dlqExpect = Number(out["dlq-expect"]);
  if (!Number.isInteger(out.dlqExpect) || out.dlqExpect < 0) throw new Error(`--dlq-expect: not a count: ${out["dlq-expect"]}`);
  return out;
}

const checks = [];
let failureShot = null;
function check(name, ok, detail = "") {
  checks.push({ name, ok, detail });
  if (!ok) throw new Error(`check failed: ${name}${detail ? ": " + detail : ""}`);
}

// Waits until fn(arg) holds in the page; on a timeout, fails the check `name` with what the page
// showed (seen(), evaluated in the page) and the console's error banner, if any.
async function waitUntil(page, name, fn, arg, timeoutMs, seen) {
  try {
    await page.waitForFunction(fn, arg, { timeout: timeoutMs });
  } catch (error) {
    if (error.name !== "TimeoutError") throw error;
    const shown = seen ? await page.evaluate(seen).catch((e) => `(unreadable: ${e.message})`) : "";
    const banner = await page.locator("[data-testid=banner]:not(.hidden)").textContent({ timeout: 1000 }).catch(() => null);
    check(name, false, `not within ${timeoutMs / 1000} s; the page shows ${JSON.stringify(shown)}` +
                       (banner ? `; its error banner says: ${banner}` : ""));
  }
  checks.push({ name, ok: true, detail: "" });
}

async function main() {
  const opt = args();
  mkdirSync(opt.out, { recursive: true });
  const profile = mkdtempSync(path.join(tmpdir(), "rdstream-chromium-"));
  // The flags that keep Chromium off the network it cannot reach here (and out of the sandbox,
  // which needs privileges a CI container lacks).
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1440, height: 1000 },
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = browser.pages()[0] || await browser.newPage();
    const consoleErrors = [];
    page.on("pageerror", (e) => consoleErrors.push(e.message));
    page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
    const response = await page.goto(opt.url, { waitUntil: "load" }).catch((error) => {
      check(`the console answers at ${opt.url}`, false, error.message.split("\n")[0]);
    });
    check("the console serves its page", response && response.ok(), response ? `HTTP ${response.status()}` : "no response");
    failureShot = () => page.screenshot({ path: path.join(opt.out, "console-failure.png"), fullPage: true });

    // The topic and the group, at lag 0.
    await waitUntil(page, `the topic ${opt.topic} is listed`,
                    (t) => [...document.querySelectorAll("[data-testid=topic-row]")].some((r) => r.dataset.topic === t),
                    opt.topic, 30_000, () => [...document.querySelectorAll("[data-testid=topic-row]")].map((r) => r.dataset.topic));
    await waitUntil(page, `the group ${opt.group} is shown`,
                    (g) => document.querySelector("[data-testid=group-id]")?.textContent === g, opt.group, 30_000,
                    () => document.querySelector("[data-testid=group]")?.textContent);
    await waitUntil(page, "the group's lag falls to 0", () => document.querySelector("[data-testid=group-lag]")?.dataset.lag === "0",
                    null, 60_000, () => "lag " + document.querySelector("[data-testid=group-lag]")?.textContent);
    const partitionLags = await page.locator("[data-testid=group-partition]").evaluateAll((rows) => rows.map((r) => r.dataset.lag));
    check("every partition of the group is at lag 0", partitionLags.length > 0 && partitionLags.every((l) => l === "0"),
          JSON.stringify(partitionLags));
    const engines = await page.locator("[data-testid=engine]").evaluateAll((e) => e.map((x) => [x.dataset.engine, x.dataset.up]));
    check("the engines are up", engines.length >= 2 && engines.every(([, up]) => up === "true"), JSON.stringify(engines));

    // A chart with points (the history fills once a second).
    const chartPoints = () => [...document.querySelectorAll(".chart")].map((c) => [c.id, Number(c.dataset.points)]);
    await waitUntil(page, "a chart has at least 2 points",
                    () => [...document.querySelectorAll(".chart")].some((c) => Number(c.dataset.points) >= 2), null, 30_000, chartPoints);
    checks.at(-1).detail = JSON.stringify(await page.evaluate(chartPoints));
    await waitUntil(page, "the lag chart has at least 2 points",
                    () => Number(document.getElementById("chart-lag").dataset.points) >= 2, null, 30_000, chartPoints);
    check("the lag chart is drawn", await page.locator("#chart-lag canvas").count() > 0);
    await page.screenshot({ path: path.join(opt.out, "console-overview.png"), fullPage: true });

    // The dead letters, each with its reason; the filter narrows to one reason.
    const rows = page.locator("[data-testid=dlq-row]");
    const dlqShown = () => [...document.querySelectorAll("[data-testid=dlq-row]")].map((r) => r.dataset.reason);
    await waitUntil(page, `the dead letters list at least ${opt.dlqExpect} records`,
                    (n) => document.querySelectorAll("[data-testid=dlq-row]").length >= n, opt.dlqExpect, 30_000, dlqShown);
    const reasons = await rows.evaluateAll((rs) => rs.map((r) => r.dataset.reason));
    check(`at least ${opt.dlqExpect} dead letters, each with a reason`,
          reasons.length >= opt.dlqExpect && reasons.every((r) => r && r !== "unknown"), JSON.stringify(reasons));
    if (reasons.length === 0) {
      // Nothing to filter or replay (a run without dead letters: e.g. for the README's picture).
      check("no error in the page", consoleErrors.length === 0, consoleErrors.join("; "));
      return;
    }
    const one = reasons[0];
    await page.locator("[data-testid=dlq-filter]").selectOption(one);
    await waitUntil(page, `the filter on ${one} shows only ${one}`, (r) => {
      const rs = [...document.querySelectorAll("[data-testid=dlq-row]")];
      return rs.length > 0 && rs.every((x) => x.dataset.reason === r);
    }, one, 15_000, dlqShown);
    await page.locator("[data-testid=dlq-filter]").selectOption("");
    await waitUntil(page, "the filter back on all shows every record again",
                    (n) => document.querySelectorAll("[data-testid=dlq-row]").length >= n, reasons.length, 15_000, dlqShown);
    await page.screenshot({ path: path.join(opt.out, "console-dlq.png"), fullPage: true });

    if (opt.replay) {
      await page.locator("[data-testid=dlq-select-all]").check();
      const selected = await page.locator("[data-testid=dlq-select]:checked").count();
      check(`every dead letter shown is selected (at least ${opt.dlqExpect})`, selected >= opt.dlqExpect && selected >= reasons.length,
            `${selected} selected`);
      const button = page.locator("[data-testid=dlq-replay]");
      check("replay is enabled once records are selected", await button.isEnabled());
      await button.click();
      const result = page.locator("[data-testid=dlq-result]");
      await waitUntil(page, "the replay answers", () => {
        const r = document.querySelector("[data-testid=dlq-result]");
        return r && (r.dataset.replayed !== undefined || r.dataset.failed !== undefined);
      }, null, 60_000, () => document.querySelector("[data-testid=dlq-result]")?.textContent);
      const text = await result.textContent();
      const replayed = Number(await result.getAttribute("data-replayed"));
      check(`the page says it replayed ${selected}`, replayed === selected && text === `Replayed ${selected}`, text);
      await page.screenshot({ path: path.join(opt.out, "console-replayed.png"), fullPage: true });
    }
    check("no error in the page", consoleErrors.length === 0, consoleErrors.join("; "));
    const banner = await page.locator("[data-testid=banner]:not(.hidden)").count();
    check("no error banner", banner === 0, banner ? await page.locator("[data-testid=banner]").textContent() : "");
  } catch (error) {
    if (failureShot) await failureShot().catch(() => {});
    throw error;
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

main().then(
  () => { console.log(JSON.stringify({ ok: true, checks })); },
  (error) => {
    console.error(error.message);
    console.log(JSON.stringify({ ok: false, checks, error: error.message }));
    process.exit(1);
  },
);
