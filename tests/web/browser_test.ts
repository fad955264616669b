/**
 * The dashboard driven in headless Chromium (Debian's /usr/bin/chromium, through playwright-core
 * from the npm registry): the table shows a started app, the restart button restarts it after
 * the confirmation, and the charts draw the points that the history holds; at 1280x800 and at
 * phone size (390x844), with screenshots in the test's temp folder.
 * Without Chromium the test is ignored, under a name that says so, except in CI (CI=true), where
 * it fails: .ci/run installs Chromium, so its absence there is a broken setup, not a skip.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { startDaemon } from "../_helpers/daemon.ts";
import { waitFor } from "../_helpers/wait.ts";
import type { InstanceInfo } from "../../src/protocol/messages.ts";
import { post, shellApp, startWeb, type Web } from "./_web.ts";

const CHROMIUM = "/usr/bin/chromium";
const PLAYWRIGHT = "npm:playwright-core@1.65.1";
const CHROME_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
// The first series' stroke in chart.js.
const SERIES_RGB = [0x25, 0x63, 0xeb];

function chromiumInstalled(): boolean {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
}

const installed = chromiumInstalled();
const inCi = Deno.env.get("CI") === "true";
const NAME = "dashboard in headless Chromium shows the app, restarts it, and charts its history";

Deno.test({
  name: installed || inCi ? NAME : `${NAME} (IGNORED: ${CHROMIUM} is not installed)`,
  ignore: !installed && !inCi,
  fn: async () => {
    if (!installed) {
      throw new Error(
        `${CHROMIUM} is missing in CI: .ci/run should install it (apt-get install chromium)`,
      );
    }
    const shots = await Deno.makeTempDir({ prefix: "adasa-web-browser-" });
    let passed = false;
    try {
      await driveDashboard(shots);
      passed = true;
    } catch (error) {
      throw new Error(`${(error as Error).message} (screenshots kept in ${shots})`, {
        cause: error,
      });
    } finally {
      if (passed && Deno.env.get("ADASA_KEEP_SCREENSHOTS") !== "1") {
        await Deno.remove(shots, { recursive: true });
      }
    }
  },
});

async function driveDashboard(shots: string): Promise<void> {
  await using d = await startDaemon({ env: { ADASA_SAMPLE_INTERVAL_MS: "200" } });
  const web = await startWeb(d);
  const script = "while true; do echo serving; sleep 0.3; done";
  const started = await web.call("/api/start", post(shellApp("web-demo", script)));
  const id = (started.body as InstanceInfo[])[0]!.id;
  await waitFor(
    () => web.call("/api/stats?targets=web-demo&since=15m&max_points=300"),
    (r) => (r.body as { points: unknown[] }).points.length >= 2,
    { what: "two points of history (the page's default window)", timeoutMs: 15_000 },
  );
  const { chromium } = await import(PLAYWRIGHT);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROME_ARGS });
  try {
    // The page forbids eval (CSP); the checks below are strings evaluated in it, so bypass it.
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
    await checkDesktop(page, web, id, shots);
    await checkPhone(page, id, shots);
  } finally {
    await browser.close();
  }
}

// deno-lint-ignore no-explicit-any -- playwright's types come with the dynamic import
type Page = any;

async function checkDesktop(page: Page, web: Web, id: number, shots: string): Promise<void> {
  await page.goto(web.url);
  const row = `tr[data-id="${id}"]`;
  await page.waitForSelector(`${row}[data-status="online"]`, { timeout: 15_000 });
  assertEquals(await page.textContent(`${row} td.name`), "web-demo");
  assert(!page.url().includes("token="), "the token is removed from the address bar");
  await page.waitForFunction(
    `Number(document.querySelector("#chart-memory")?.dataset.points) > 0 &&
      Number(document.querySelector("#chart-cpu")?.dataset.points) > 0`,
  );
  assert(await seriesPixels(page, "#chart-memory") > 0, "the memory chart drew its series");
  await page.screenshot({ path: `${shots}/dashboard_1280x800.png`, fullPage: true });
  const pidBefore = (await rowOf(web, id)).pid;
  await page.click(`${row} button[data-action="restart"]`);
  await page.waitForSelector("#confirm-dialog[open]");
  await page.click("#confirm-ok");
  const restarts = JSON.stringify(`${row} td.restarts`);
  await page.waitForFunction(`document.querySelector(${restarts})?.textContent === "1"`, null, {
    timeout: 15_000,
  });
  const after = await rowOf(web, id);
  assertEquals(after.restarts, 1);
  assert(after.pid !== pidBefore, `a new process: ${pidBefore} then ${after.pid}`);
}

async function checkPhone(page: Page, id: number, shots: string): Promise<void> {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForFunction("document.documentElement.scrollWidth <= 390");
  const button = await page.$(`tr[data-id="${id}"] button[data-action="restart"]`);
  const box = await button.boundingBox();
  assert(
    box && box.x >= 0 && box.x + box.width <= 390,
    `restart button on screen: ${JSON.stringify(box)}`,
  );
  assert(await seriesPixels(page, "#chart-memory") > 0, "the memory chart drew at phone width");
  await page.screenshot({ path: `${shots}/dashboard_390x844.png`, fullPage: true });
  for (const name of ["dashboard_1280x800.png", "dashboard_390x844.png"]) {
    assert((await Deno.stat(`${shots}/${name}`)).size > 1000, `${name} was written`);
  }
}

/** Pixels of the first series' colour on a chart's canvas (run in the page, hence a string). */
function seriesPixels(page: Page, figure: string): Promise<number> {
  return page.evaluate(`(() => {
    const canvas = document.querySelector(${JSON.stringify(`${figure} canvas`)});
    if (!canvas) return 0;
    const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
    const rgb = ${JSON.stringify(SERIES_RGB)};
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      const near = Math.abs(data[i] - rgb[0]) + Math.abs(data[i + 1] - rgb[1]) +
        Math.abs(data[i + 2] - rgb[2]);
      if (near < 60 && data[i + 3] > 200) n++;
    }
    return n;
  })()`);
}

async function rowOf(web: Web, id: number): Promise<InstanceInfo> {
  const rows = (await web.call("/api/list")).body as InstanceInfo[];
  return rows.find((r) => r.id === id)!;
}
