/**
 * #16.5: the ecosystem evaluator is confined. A file may not use the network (no fetch, no
 * remote or registry import), may not read the daemon's home or another process's /proc
 * entry, may not write or spawn, cannot make the caller hold its whole output, and is killed
 * at the time limit even when it ignores SIGTERM. Each used to work (or to bloat the daemon).
 */
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { loadConfigFile } from "../../src/config/mod.ts";
import type { LoadOptions } from "../../src/config/mod.ts";

async function scratch() {
  const dir = await Deno.makeTempDir({ prefix: "adasa-eval-" });
  return { dir, [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }) };
}

async function loadText(
  dir: string,
  file: string,
  text: string,
  options: Partial<LoadOptions> = {},
) {
  await Deno.writeTextFile(`${dir}/${file}`, text);
  return await loadConfigFile(file, { cwd: dir, env: { PATH: "/usr/bin:/bin" }, ...options });
}

/** A local HTTP server counting the requests it gets. */
function countingServer() {
  let hits = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () => {
    hits++;
    return new Response("export default { apps: [{ name: 'remote', script: 'sleep' }] };", {
      headers: { "content-type": "application/javascript" },
    });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    hits: () => hits,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

Deno.test("#16.5 an ecosystem file cannot reach the network, by fetch or by import", async () => {
  await using s = await scratch();
  await using server = countingServer();
  const fetched = await loadText(
    s.dir,
    "fetch.config.mjs",
    `await fetch(${JSON.stringify(server.url)});\nexport const apps = [];\n`,
  );
  assertMatch(fetched.problems.join("\n"), /fetch\.config\.mjs:1:\d+: .*net access/);
  const imported = await loadText(
    s.dir,
    "import.config.mjs",
    `export default (await import(${JSON.stringify(`${server.url}/x.js`)})).default;\n`,
  );
  assertMatch(imported.problems.join("\n"), /import\.config\.mjs:1:\d+: .*remote specifier/);
  const statics = await loadText(
    s.dir,
    "static.config.mjs",
    `import config from ${JSON.stringify(`${server.url}/y.js`)};\nexport default config;\n`,
  );
  assertEquals(statics.apps, []);
  assertEquals(server.hits(), 0, "no request left the evaluator");
  const npm = await loadText(
    s.dir,
    "npm.config.mjs",
    'import leftPad from "npm:left-pad@1.3.0";\nexport const apps = [];\n',
  );
  assertMatch(npm.problems.join("\n"), /npm\.config\.mjs:1:\d+: .*node_modules directory/);
});

/** Tries to read the home and another process's environment in every way a file can. */
async function readingHome(s: { dir: string }, namespaces: boolean) {
  const token = crypto.randomUUID().replaceAll("-", "");
  const home = `${s.dir}/home-${namespaces}`;
  await Deno.mkdir(home);
  await Deno.writeTextFile(`${home}/web.token`, token);
  await Deno.writeTextFile(`${home}/secret.json`, JSON.stringify({ token }));
  await Deno.writeTextFile(`${home}/secret.mjs`, `export const token = ${JSON.stringify(token)};`);
  // An ES module of the project that imports the home: require() of it must not load it.
  await Deno.writeTextFile(
    `${s.dir}/bridge.mjs`,
    `import s from ${
      JSON.stringify(`${home}/secret.json`)
    } with { type: "json" };\nexport const token = s.token;\n`,
  );
  // A stand-in for the daemon: a process whose environment holds a secret.
  const daemon = new Deno.Command("sleep", {
    args: ["30"],
    env: { DAEMON_SECRET: token },
    stdout: "null",
    stderr: "null",
  }).spawn();
  const options = { hidden: [home], namespaces };
  try {
    const tries = [
      `require("fs").readFileSync(${JSON.stringify(`${home}/web.token`)}, "utf8")`,
      `require(${JSON.stringify(`${home}/secret.json`)}).token`,
      `require("fs").readdirSync(${JSON.stringify(home)}).join()`,
      `require("fs").readFileSync("/proc/${daemon.pid}/environ", "utf8")`,
      `require("fs").readFileSync("/proc/self/../${daemon.pid}/environ", "utf8")`,
      `(await import(${
        JSON.stringify(`${home}/secret.json`)
      }, { with: { type: "json" } })).default.token`,
      `(await import(${JSON.stringify(`${home}/secret.mjs`)})).token`,
      `(await import("./bridge.mjs")).token`,
    ];
    const text = `import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const out = {};
${
      tries.map((t, i) =>
        `try { out.T${i} = String(${t}); } catch (e) { out.T${i} = "refused: " + e.message; }`
      ).join("\n")
    }
export const apps = [{ name: "probe", script: "sleep", env: out }];
`;
    const result = await loadText(s.dir, "probe.config.mjs", text, options);
    assertEquals(result.problems, []);
    const env = result.apps[0]!.env!;
    assertEquals(Object.keys(env).length, tries.length);
    for (const [key, value] of Object.entries(env)) {
      assert(value.startsWith("refused: "), `${key}: ${value}`);
    }
    assert(!JSON.stringify(result).includes(token), "the secret is nowhere in the result");
    const attempts = [
      // A static import of the home.
      `import s from ${
        JSON.stringify(`${home}/secret.json`)
      } with { type: "json" };\nexport const apps = [{ name: s.token, script: "sleep" }];\n`,
      // CommonJS requiring a project ES module that imports the home.
      'const { token } = require("./bridge.mjs");\nmodule.exports = { apps: [{ name: token, script: "sleep" }] };\n',
    ];
    for (const [i, attempt] of attempts.entries()) {
      const file = `attempt${i}.config.${i === 0 ? "mjs" : "js"}`;
      const loaded = await loadText(s.dir, file, attempt, options);
      assertEquals(loaded.apps, [], file);
      assert(!JSON.stringify(loaded).includes(token), JSON.stringify(loaded));
    }
  } finally {
    daemon.kill("SIGKILL");
    await daemon.status;
  }
}

Deno.test("#16.5 an ecosystem file cannot read the daemon's home or another process's environment", async (t) => {
  await using s = await scratch();
  await t.step("in namespaces", () => readingHome(s, true));
  await t.step("with Deno's permissions alone", () => readingHome(s, false));
});

Deno.test("#16.5 an ecosystem file cannot write files or spawn programs", async () => {
  await using s = await scratch();
  const result = await loadText(
    s.dir,
    "w.config.js",
    `const fs = require("fs"), cp = require("child_process");
const out = {};
try { fs.writeFileSync(${
      JSON.stringify(`${s.dir}/written`)
    }, "x"); out.write = "yes"; } catch (e) { out.write = "refused"; }
try { cp.execSync("touch " + ${
      JSON.stringify(`${s.dir}/spawned`)
    }); out.spawn = "yes"; } catch (e) { out.spawn = "refused"; }
module.exports = { apps: [{ name: "w", script: "sleep", env: out }] };`,
  );
  assertEquals(result.apps[0]?.env, { write: "refused", spawn: "refused" });
  for (const name of ["written", "spawned"]) {
    assertEquals(await Deno.stat(`${s.dir}/${name}`).then(() => true, () => false), false, name);
  }
});

Deno.test("#16.5 what a file prints is read through a bounded window: 256 MB of output leaves the caller's memory flat", async () => {
  await using s = await scratch();
  // This isolate's own heap and buffers at their peak during the load, not the process's RSS,
  // which also counts the test files running beside this one under --parallel.
  const used = () => {
    const m = Deno.memoryUsage();
    return m.heapUsed + m.external;
  };
  const before = used();
  let peak = before;
  const sampler = setInterval(() => peak = Math.max(peak, used()), 5);
  const result = await loadText(
    s.dir,
    "loud.config.js",
    `const line = "x".repeat(1024 * 1024 - 1) + "\\n";
for (let i = 0; i < 256; i++) process.stdout.write(line);
for (let i = 0; i < 64; i++) process.stderr.write(line);
module.exports = { apps: [{ name: "loud", script: "sleep" }] };`,
    { timeoutMs: 120_000 },
  );
  clearInterval(sampler);
  const grown = Math.max(peak, used()) - before;
  assertEquals(result.problems, []);
  assertEquals(result.apps.map((a) => a.name), ["loud"]);
  // Holding the output would take 320 MiB; read in a window, the peak is the garbage of the
  // reads that the collector has not taken yet (about 68 MiB here).
  assert(grown < 128 * 1024 * 1024, `the caller grew by ${Math.round(grown / 1048576)} MiB`);
});

Deno.test("#16.5 an exported value over the limit is refused with its size", async () => {
  await using s = await scratch();
  const result = await loadText(
    s.dir,
    "big.config.js",
    'module.exports = { apps: [{ name: "big", script: "sleep", env: { X: "x".repeat(9 * 1024 * 1024) } }] };',
  );
  assertMatch(
    result.problems.join("\n"),
    /^big\.config\.js: evaluating the file failed: the exported value is \d+ bytes as JSON, over the limit of 8388608$/,
  );
});

Deno.test("#16.5 a file that ignores SIGTERM is killed at the time limit, with nothing left running", async () => {
  await using s = await scratch();
  const result = await loadText(
    s.dir,
    "stuck.config.js",
    'process.on("SIGTERM", () => {});\nDeno.addSignalListener("SIGTERM", () => {});\nwhile (true) {}\n',
    { timeoutMs: 1000 },
  );
  assertEquals(result.problems, ["stuck.config.js: evaluating the file took longer than 1000 ms"]);
  const file = `${s.dir}/stuck.config.js`;
  const survivors: number[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      if ((await Deno.readTextFile(`/proc/${entry.name}/cmdline`)).includes(file)) {
        survivors.push(Number(entry.name));
      }
    } catch {
      // gone meanwhile
    }
  }
  assertEquals(survivors, [], "no evaluator process survives");
});

/** Evaluator processes (deno itself, not its namespace wrapper) running a file under `dir`. */
async function evaluatorsIn(dir: string): Promise<number> {
  let count = 0;
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const argv = (await Deno.readTextFile(`/proc/${entry.name}/cmdline`)).split("\0");
      if (argv[0] === Deno.execPath() && argv.some((a) => a.startsWith(`${dir}/`))) count++;
    } catch {
      // gone meanwhile
    }
  }
  return count;
}

Deno.test("#16.5 a burst of evaluations runs at most 4 evaluators at once; the others wait their turn", async () => {
  await using s = await scratch();
  const files = Array.from({ length: 6 }, (_, i) => `spin${i}.config.js`);
  for (const file of files) await Deno.writeTextFile(`${s.dir}/${file}`, "while (true) {}\n");
  let most = 0;
  let done = false;
  const watching = (async () => {
    while (!done) {
      most = Math.max(most, await evaluatorsIn(s.dir));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  const results = await Promise.all(
    files.map((file) => loadConfigFile(file, { cwd: s.dir, env: {}, timeoutMs: 2500 })),
  );
  done = true;
  await watching;
  assertEquals(
    results.map((r) => r.problems),
    files.map((f) => [`${f}: evaluating the file took longer than 2500 ms`]),
    "each got its whole time limit",
  );
  assert(most > 0, "the evaluators were seen");
  assert(most <= 4, `${most} evaluators ran at once`);
});
