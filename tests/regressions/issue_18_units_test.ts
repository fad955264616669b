/**
 * Issue #18: sizes and percents read the same everywhere. `list`, `describe`, the web page's
 * formatters and the `/metrics` help text come from src/model/units.ts, so a size is IEC
 * (`45.6MiB`), never `45.6MB` for 47,833,088 bytes.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { startDaemon } from "../_helpers/daemon.ts";
import { waitFor } from "../_helpers/wait.ts";
import type { InstanceInfo } from "../../src/protocol/messages.ts";
import { formatSize } from "../../src/model/units.ts";
import { UNITS_JS } from "../../src/web/assets.ts";
import { post, shellApp, startWeb } from "../web/_web.ts";

Deno.test("list, describe, /units.js and /metrics write sizes and percents alike (#18)", async () => {
  await using d = await startDaemon({ env: { ADASA_SAMPLE_INTERVAL_MS: "200" } });
  const web = await startWeb(d);
  await web.call(
    "/api/start",
    post(shellApp("units", "exec sleep 600", { max_memory: "300M", max_cpu: "90%" })),
  );
  const list = () => web.call("/api/list").then((r) => r.body as InstanceInfo[]);
  await waitFor(list, (rows) => rows[0]?.group_memory != null && rows[0]?.group_cpu != null, {
    what: "a sampled instance",
  });

  const listed = await d.cli(["list"]);
  assertEquals(listed.code, 0, listed.stderr);
  const row = listed.stdout.split("\n").find((l) => /\bunits\b/.test(l)) ?? "";
  assert(/\d+\.\d%\s+\d+(?:\.\d)?(?:B|KiB|MiB)\s*$/.test(row), `list row: ${row}`);
  assert(!/\d(?:KB|MB|GB)\b/.test(listed.stdout), listed.stdout);

  const described = await d.cli(["describe", "units"]);
  assertEquals(described.code, 0, described.stderr);
  assert(
    described.stdout.includes(`max_memory ${formatSize(300 * 2 ** 20)}, max_cpu 90.0%`),
    described.stdout,
  );

  const units = await web.call("/units.js");
  assertEquals(units.status, 200);
  assertEquals(units.body, UNITS_JS);

  const metrics = String((await web.call("/metrics")).body);
  assert(
    metrics.includes("# HELP adasa_instance_memory_bytes") &&
      metrics.includes("1048576 is 1.0MiB in list"),
    metrics,
  );
  assert(metrics.includes("150 is 150% in list"), metrics);
});
