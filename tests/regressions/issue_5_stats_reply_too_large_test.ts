/**
 * `adasa stats all --json` asked for 10,000 points per instance; with many apps and a long
 * history the reply went over the 16 MiB frame limit and failed ("Cannot frame … bytes").
 * The daemon now caps the points of one reply.
 */
import { DatabaseSync } from "node:sqlite";
import { assert } from "../_helpers/assert.ts";
import { startDaemon } from "../_helpers/daemon.ts";
import { startApp } from "../_helpers/apps.ts";

Deno.test("stats of many apps over a long history with a huge max_points fits in one reply", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const ids: number[] = [];
  for (let i = 0; i < 20; i++) {
    ids.push((await startApp(client, { name: `a${i}`, command: "sleep", args: ["60"] }))[0]!.id);
  }
  // Three hours of one-second samples per instance, written beside the running daemon (WAL).
  const now = Date.now();
  const db = new DatabaseSync(`${daemon.home}/adasa.db`);
  try {
    db.exec("PRAGMA busy_timeout = 5000");
    const insert = db.prepare(
      `INSERT INTO stats (at, instance_id, app, pid, cpu, memory, group_cpu, group_memory)
       VALUES (?, ?, ?, 1, 1.5, 1000000, 1.5, 1000000)`,
    );
    db.exec("BEGIN");
    ids.forEach((id, i) => {
      for (let s = 1; s <= 10_800; s++) insert.run(now - s * 1000, id, `a${i}`);
    });
    db.exec("COMMIT");
  } finally {
    db.close();
  }
  const reply = await client.request("stats", {
    targets: ["all"],
    since: now - 3 * 3_600_000,
    until: now,
    max_points: 100_000,
  });
  assert(reply.points.length > 1_000, `${reply.points.length} points`);
  assert(reply.points.length <= 50_000, `${reply.points.length} points`);
});
