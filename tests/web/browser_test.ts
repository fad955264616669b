/**
 * The dashboard driven in headless Chromium (Debian's /usr/bin/chromium, through playwright-core
 * from the npm registry): the table shows a started app, the restart button restarts it after
 * the confirmation, and the charts draw the points that the history holds; the app bar restarts,
 * reloads, stops and starts every instance of a two-instance app, and that app's recent events
 * show beside its charts; at 1280x800 and at phone size (390x844), with screenshots in the
 * test's temp folder.
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
const NAME =
  "dashboard in headless Chromium shows the app, restarts it, charts its history, and acts on a whole app beside its events";

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
  const pair = await web.call(
    "/api/start",
    post(shellApp("web-pair", "exec sleep 600", { instances: 2, exec_mode: "fork" })),
  );
  const pairIds = (pair.body as InstanceInfo[]).map((r) => r.id);
  assertEquals(pairIds.length, 2, JSON.stringify(pair.body));
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
    await checkAppActions(page, web, pairIds);
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

/** The app bar acts on every instance of the selected app; its events sit beside its charts. */
async function checkAppActions(page: Page, web: Web, ids: number[]): Promise<void> {
  await page.selectOption("#app-select", "web-pair");
  await page.waitForFunction(
    `document.querySelector("#app-instances")?.textContent === "2 instances"`,
  );
  assertEquals(await page.textContent("#events-title"), "Recent events of web-pair");
  await page.waitForSelector(`#event-list li[data-event="created"]`);
  const listed: string[] = await page.evaluate(
    `[...document.querySelectorAll("#event-list li strong")].map((e) => e.textContent)`,
  );
  const own = new RegExp(`#(${ids.join("|")})$`);
  // App events (created) carry no instance; every other one is of web-pair's instances.
  assert(
    listed.length > 0 && listed.every((t) => own.test(t) || !t.includes("#")),
    `web-pair's: ${listed.join(", ")}`,
  );
  const charts = await (await page.$(".charts")).boundingBox();
  const events = await (await page.$(".app-events")).boundingBox();
  assert(
    events.x >= charts.x + charts.width && events.y < charts.y + charts.height,
    `events beside the charts: ${JSON.stringify({ charts, events })}`,
  );

  const rowsOf = async () => {
    const rows = (await web.call("/api/list")).body as InstanceInfo[];
    return ids.map((i) => rows.find((r) => r.id === i)!);
  };
  const appButton = (op: string) => `#app-actions button[data-app-action="${op}"]`;
  const act = async (op: string) => {
    await page.click(appButton(op));
    await page.waitForSelector("#confirm-dialog[open]");
    const text = await page.textContent("#confirm-text");
    assert(text.includes("web-pair") && ids.every((i) => text.includes(`#${i}`)), text);
    await page.click("#confirm-ok");
  };
  const cellsAre = (column: string, value: string) =>
    page.waitForFunction(
      `${JSON.stringify(ids)}.every((i) =>
        document.querySelector(\`tr[data-id="\${i}"] ${column}\`)?.textContent === ${
        JSON.stringify(value)
      })`,
      null,
      { timeout: 15_000 },
    );
  const statusIs = (status: string) =>
    page.waitForFunction(
      `${JSON.stringify(ids)}.every((i) =>
        document.querySelector(\`tr[data-id="\${i}"]\`)?.dataset.status === ${
        JSON.stringify(status)
      })`,
      null,
      { timeout: 15_000 },
    );
  await statusIs("online");
  assert(await page.isDisabled(appButton("start")), "Start is off while every instance is up");

  for (const [op, restarts] of [["restart", "1"], ["reload", "2"]] as const) {
    const before = (await rowsOf()).map((r) => r.pid);
    await act(op);
    await cellsAre("td.restarts", restarts);
    const after = await rowsOf();
    for (const [i, row] of after.entries()) {
      assert(row.pid !== null && row.pid !== before[i], `${op}: #${row.id} has a new process`);
    }
    // The panel shows the command's events for both instances once it is done.
    for (const i of ids) {
      await page.waitForSelector(`#event-list li[data-event="${op}"] >> text=#${i}`, {
        timeout: 15_000,
      });
    }
  }
  await act("stop");
  await statusIs("stopped");
  assertEquals((await rowsOf()).map((r) => r.pid), [null, null]);
  await page.waitForFunction(
    `!document.querySelector(${JSON.stringify(appButton("start"))}).disabled`,
  );
  assert(await page.isDisabled(appButton("stop")), "Stop is off once every instance is down");
  await act("start");
  await statusIs("online");
  assert((await rowsOf()).every((r) => r.pid !== null), "both run again");
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
