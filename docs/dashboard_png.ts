/**
 * Makes docs/dashboard.png: a real daemon in a temp home runs two demo apps for a while, then
 * headless Chromium (/usr/bin/chromium, through playwright-core) photographs the dashboard at
 * 1280x800. The daemon and its apps are stopped and the home removed afterwards.
 *
 *   deno run -A docs/dashboard_png.ts [seconds of history, default 240]
 */
import { startDaemon } from "../tests/_helpers/daemon.ts";
import { post, shellApp, startWeb } from "../tests/web/_web.ts";

const OUT = new URL("./dashboard.png", import.meta.url).pathname;
const seconds = Number(Deno.args[0] ?? 240);

await using d = await startDaemon({ env: { ADASA_SAMPLE_INTERVAL_MS: "1000" } });
const web = await startWeb(d);
// A web API of two instances that answer and busy themselves a little, and a worker that exits
// with code 1 every 40 s or so, so the table, charts and events have something to show.
const api = [
  "while true; do",
  'echo "GET /orders 200 $((RANDOM % 40 + 3))ms";',
  "i=0; while [ $i -lt $((RANDOM % 30000 + 5000)) ]; do i=$((i+1)); done;",
  "sleep 1; done",
].join(" ");
const worker = [
  'echo "worker: picking up jobs";',
  'n=0; while [ $n -lt 40 ]; do n=$((n+1)); echo "job $n done"; sleep 1; done;',
  'echo "worker: lost the queue connection" >&2; exit 1',
].join(" ");
for (
  const spec of [
    shellApp("api", api, { instances: 2, exec_mode: "fork", command: "/bin/bash" }),
    shellApp("worker", worker, { command: "/bin/bash" }),
  ]
) {
  const reply = await web.call("/api/start", post(spec));
  if (reply.status !== 200) throw new Error(`start: ${JSON.stringify(reply.body)}`);
}
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));

const { chromium } = await import("npm:playwright-core@1.65.1");
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(web.url);
  await page.waitForSelector('tr[data-status="online"]');
  await page.selectOption("#app-select", "api");
  await page.waitForSelector('#event-list li[data-event="created"]');
  await page.waitForFunction(
    'Number(document.querySelector("#chart-cpu")?.dataset.points) > 1',
  );
  await page.screenshot({ path: OUT });
} finally {
  await browser.close();
}
// deno-lint-ignore no-console -- a script's one line of output
console.log(`${OUT}: ${(await Deno.stat(OUT)).size} bytes`);
