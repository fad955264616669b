// deno-lint-ignore-file no-sync-fn-in-async-fn -- the test writes small files in its temp folder
/**
 * #14: a program that exists but cannot be executed is "permission denied", as execvp says
 * (EACCES), not "command not found". Since #13 such a start is refused (SPAWN_FAILED) and
 * stores nothing, so there is no restart loop either.
 */
import { assertEquals, assertMatch, assertRejects } from "../_helpers/assert.ts";
import { list, startApp } from "../_helpers/apps.ts";
import { AdasaError } from "../../src/protocol/mod.ts";
import { startDaemon } from "../_helpers/daemon.ts";

Deno.test("a non-executable program in PATH or by path is permission denied, a missing one not found", async () => {
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const bin = `${daemon.home}/bin`;
  Deno.mkdirSync(bin);
  Deno.writeTextFileSync(`${bin}/mytool`, "#!/bin/sh\nsleep 5\n", { mode: 0o644 });
  const path = `${bin}:/usr/bin:/bin`;
  const cases: Array<[Record<string, unknown> & { command: string }, RegExp]> = [
    [
      { name: "in-path", command: "mytool", interpreter: null, env: { PATH: path } },
      new RegExp(`: permission denied: ${bin}/mytool is not executable$`),
    ],
    [
      { name: "by-path", command: `${bin}/mytool`, interpreter: null },
      new RegExp(`: permission denied: ${bin}/mytool is not executable$`),
    ],
    [
      { name: "missing", command: "nothere-at-all", interpreter: null, env: { PATH: path } },
      /: command "nothere-at-all" not found in PATH$/,
    ],
  ];
  for (const [app, reason] of cases) {
    const error = await assertRejects(() => startApp(client, app));
    assertEquals((error as AdasaError).code, "SPAWN_FAILED", app.name as string);
    assertMatch((error as Error).message, reason);
  }
  assertEquals(await list(client), []);
});
