// deno-lint-ignore-file no-sync-fn-in-async-fn -- tests write small temp files synchronously
/**
 * #13.3: a cron pattern croner refuses (`99 * * * *`) is refused before anything is stored, in
 * one line naming the field, and the daemon keeps answering. #13.6: a name with a backslash (or
 * an invisible character) fails the one name predicate the log folder uses: refused, nothing
 * created, instead of an app whose output is never read.
 */
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { list } from "../_helpers/apps.ts";
import { startDaemon } from "../_helpers/daemon.ts";

Deno.test("#13.3: cron_restart 99 * * * * in a file is refused by croner before anything is stored", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const file = `${daemon.home}/cron.json`;
  Deno.writeTextFileSync(
    file,
    JSON.stringify({
      apps: [{ name: "nightly", script: "sleep", args: "60", cron_restart: "99 * * * *" }],
    }),
  );
  const started = await daemon.cli(["start", file]);
  assertEquals(started.code, 2, started.stderr);
  assertMatch(
    started.stderr.trim(),
    /^adasa: \S*cron\.json: apps\[0\]\.cron_restart: invalid cron pattern "99 \* \* \* \*": .*minute.*99$/,
  );
  assertEquals(await list(client), []);
  // The daemon still answers every op, and a good pattern is accepted.
  const ok = await daemon.cli([
    "start",
    "--name",
    "nightly",
    "--cron",
    "0 3 * * *",
    "--",
    "sleep",
    "60",
  ]);
  assertEquals(ok.code, 0, ok.stderr);
  assertEquals((await list(client)).map((r) => r.name), ["nightly"]);
});

Deno.test("#13.6: names with a backslash, a zero-width or a bidi character are refused, creating nothing", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  for (const name of ["a\\b", "pay\u200bments", "evil\u202egnp.exe"]) {
    const viaCli = await daemon.cli(["start", "--name", name, "--", "sleep", "60"]);
    assert(viaCli.code !== 0, `${JSON.stringify(name)} refused`);
    assertMatch(viaCli.stderr.trim(), /^adasa: Invalid app name /);
    const file = `${daemon.home}/names.json`;
    Deno.writeTextFileSync(file, JSON.stringify({ apps: [{ name, script: "sleep" }] }));
    const viaFile = await daemon.cli(["start", file]);
    assertEquals(viaFile.code, 2, viaFile.stderr);
    assertMatch(viaFile.stderr.trim(), /apps\[0\]\.name: invalid app name /);
  }
  assertEquals(await list(client), []);
});
