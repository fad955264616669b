/** pm2's default exec mode for an app that gives `instances` without `exec_mode` (#15.2). */
import { loadConfigFile } from "../../src/config/mod.ts";
import { assertEquals } from "../_helpers/assert.ts";

const CASES: Array<[string, Record<string, unknown>, string | undefined]> = [
  ["instances 2, a .js script", { script: "server.js", instances: 2 }, "cluster"],
  ["instances 1", { script: "server.js", instances: 1 }, "cluster"],
  ["instances -1", { script: "server.js", instances: -1 }, "cluster"],
  ["instances 0", { script: "server.js", instances: 0 }, "cluster"],
  ['instances "3"', { script: "server.js", instances: "3" }, "cluster"],
  ["node as interpreter", { script: "server", interpreter: "node", instances: 2 }, "cluster"],
  ['instances "max" (pm2 compares it as no number)', {
    script: "server.js",
    instances: "max",
  }, undefined],
  ["no instances", { script: "server.js" }, undefined],
  ["exec_mode fork kept", { script: "server.js", instances: 2, exec_mode: "fork" }, "fork"],
  ["a Python script", { script: "worker.py", instances: 2 }, undefined],
];

Deno.test("an app with instances and no exec_mode runs in cluster mode when node runs it, as pm2", async () => {
  const dir = await Deno.makeTempDir({ prefix: "adasa-mode-" });
  try {
    for (const name of ["server.js", "server", "worker.py"]) {
      await Deno.writeTextFile(`${dir}/${name}`, "");
    }
    for (const [what, app, want] of CASES) {
      await Deno.writeTextFile(`${dir}/ecosystem.json`, JSON.stringify({ apps: [app] }));
      const result = await loadConfigFile("ecosystem.json", { cwd: dir, env: {} });
      assertEquals(result.problems, [], what);
      assertEquals(result.apps[0]!.exec_mode, want, what);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
