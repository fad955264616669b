/**
 * `adasa stats all --json` asked for 10,000 points per instance; with many apps the reply
 * went over the 16 MiB frame limit and failed. The daemon now caps the points of one reply.
 */
import { assert } from "../_helpers/assert.ts";
import { startDaemon } from "../_helpers/daemon.ts";
import { startApp } from "../_helpers/apps.ts";
import { waitFor } from "../_helpers/wait.ts";

Deno.test("stats of many apps with a huge max_points fits in one reply", async () => {
  await using daemon = await startDaemon({ env: { ADASA_SAMPLE_INTERVAL_MS: "100" } });
  await using client = await daemon.connect();
  for (let i = 0; i < 20; i++) {
    await startApp(client, { name: `a${i}`, command: "sleep", args: ["60"] });
  }
  const since = Date.now() - 60_000;
  const reply = await waitFor(
    () =>
      client.request<{ points: unknown[] }>("stats", {
        targets: ["all"],
        since,
        max_points: 100_000,
      }),
    (r) => r.points.length >= 40,
    { what: "two samples of each app" },
  );
  assert(reply.points.length <= 50_000, `${reply.points.length} points`);
});
