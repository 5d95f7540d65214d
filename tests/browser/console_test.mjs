// A real browser on the console: Debian's chromium driven by playwright-core (from console/web's
// committed lockfile; no browser is downloaded). Run by tests/integration/console/console_test.cc
// after a pipeline run, with the console serving that run:
//
//   node tests/browser/console_test.mjs --url http://127.0.0.1:PORT --out DIR --topic T --group G \
//        --dlq-expect N [--replay]
//
// It checks what a person would look at: the topic, the group with its lag at 0, a chart with
// points, the poison records in the dead-letter view with their reasons (and the filter), and,
// with --replay, selecting them and replaying from the page. Screenshots go to DIR. Exit code 0
// when every check held; otherwise 1 and the failed check on stderr.
import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
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
  return out;
}

const checks = [];
function check(name, ok, detail = "") {
  checks.push({ name, ok, detail });
  if (!ok) throw new Error(`check failed: ${name}${detail ? ": " + detail : ""}`);
}

async function main() {
  const opt = args();
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
    await page.goto(opt.url, { waitUntil: "load" });

    // The topic and the group, at lag 0.
    const topicRow = page.locator(`[data-testid=topic-row][data-topic="${opt.topic}"]`);
    await topicRow.waitFor({ timeout: 30_000 });
    check("the topic is listed", await topicRow.count() === 1);
    await page.locator("[data-testid=group-id]", { hasText: opt.group }).waitFor({ timeout: 30_000 });
    await page.locator('[data-testid=group-lag][data-lag="0"]').waitFor({ timeout: 60_000 });
    const partitionLags = await page.locator("[data-testid=group-partition]").evaluateAll((rows) => rows.map((r) => r.dataset.lag));
    check("every partition of the group is at lag 0", partitionLags.length > 0 && partitionLags.every((l) => l === "0"),
          JSON.stringify(partitionLags));
    const engines = await page.locator("[data-testid=engine]").evaluateAll((e) => e.map((x) => [x.dataset.engine, x.dataset.up]));
    check("the engines are up", engines.length >= 2 && engines.every(([, up]) => up === "true"), JSON.stringify(engines));

    // A chart with points (the history fills once a second).
    await page.waitForFunction(() => [...document.querySelectorAll(".chart")].some((c) => Number(c.dataset.points) >= 2),
                               null, { timeout: 30_000 });
    const points = await page.locator(".chart").evaluateAll((cs) => cs.map((c) => [c.id, Number(c.dataset.points)]));
    check("a chart has data points", points.some(([, n]) => n >= 2), JSON.stringify(points));
    await page.waitForFunction(() => Number(document.getElementById("chart-lag").dataset.points) >= 2, null,
                               { timeout: 30_000 });
    check("the lag chart is drawn", await page.locator("#chart-lag canvas").count() > 0);
    await page.screenshot({ path: path.join(opt.out, "console-overview.png"), fullPage: true });

    // The dead letters, each with its reason; the filter narrows to one reason.
    const rows = page.locator("[data-testid=dlq-row]");
    await page.waitForFunction((n) => document.querySelectorAll("[data-testid=dlq-row]").length >= n, opt.dlqExpect,
                               { timeout: 30_000 });
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
    await page.waitForFunction((r) => {
      const rs = [...document.querySelectorAll("[data-testid=dlq-row]")];
      return rs.length > 0 && rs.every((x) => x.dataset.reason === r);
    }, one, { timeout: 15_000 });
    check(`the filter shows only ${one}`, true);
    await page.locator("[data-testid=dlq-filter]").selectOption("");
    await page.waitForFunction((n) => document.querySelectorAll("[data-testid=dlq-row]").length >= n, opt.dlqExpect,
                               { timeout: 15_000 });
    await page.screenshot({ path: path.join(opt.out, "console-dlq.png"), fullPage: true });

    if (opt.replay) {
      await page.locator("[data-testid=dlq-select-all]").check();
      const button = page.locator("[data-testid=dlq-replay]");
      check("replay is enabled once records are selected", await button.isEnabled());
      await button.click();
      const result = page.locator("[data-testid=dlq-result]");
      await page.waitForFunction(() => {
        const r = document.querySelector("[data-testid=dlq-result]");
        return r && (r.dataset.replayed !== undefined || r.dataset.failed !== undefined);
      }, null, { timeout: 60_000 });
      const text = await result.textContent();
      const replayed = Number(await result.getAttribute("data-replayed"));
      check(`the page says it replayed ${reasons.length}`, replayed === reasons.length && text.startsWith(`Replayed ${reasons.length}`), text);
      await page.screenshot({ path: path.join(opt.out, "console-replayed.png"), fullPage: true });
    }
    check("no error in the page", consoleErrors.length === 0, consoleErrors.join("; "));
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
