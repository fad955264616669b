/**
 * File shapes end to end: a real daemon, real Node processes, and config files in another
 * folder than the one `adasa start` runs in. The processes must run where pm2 7 runs them
 * (cwd from the shell's folder, script from the app's cwd) with what the file computed from
 * the shell's environment and from a package installed beside it; a bad file stores nothing.
 */
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { list, waitForInstance } from "../_helpers/apps.ts";
import { startDaemon } from "../_helpers/daemon.ts";
import { procText } from "../_helpers/proc.ts";
import type { AdasaClient } from "../../src/ipc/client.ts";
import type { InstanceInfo } from "../../src/protocol/messages.ts";

const SERVER = "setInterval(() => {}, 60_000);\n";

/** A stand-in for dotenv: `import "dotenv/config"` loads `.env` of process.cwd(). */
const FAKE_DOTENV: Record<string, string> = {
  "conf/node_modules/dotenv/package.json": JSON.stringify({
    name: "dotenv",
    exports: { ".": "./main.js", "./config": "./config.js" },
  }),
  "conf/node_modules/dotenv/main.js": `const fs = require("node:fs");
exports.config = () => {
  for (const line of fs.readFileSync(process.cwd() + "/.env", "utf8").split("\\n")) {
    const m = /^(\\w+)=(.*)$/.exec(line);
    if (m) process.env[m[1]] = m[2];
  }
};`,
  "conf/node_modules/dotenv/config.js": 'require("./main.js").config();',
};

async function project(files: Record<string, string>) {
  const root = await Deno.makeTempDir({ prefix: "adasa-e2e-shapes-" });
  const proj = `${root}/proj`;
  for (const [path, text] of Object.entries({ "s.js": SERVER, "sub/s.js": SERVER, ...files })) {
    await Deno.mkdir(`${proj}/${path}`.replace(/\/[^/]+$/, ""), { recursive: true });
    await Deno.writeTextFile(`${proj}/${path}`, text);
  }
  return { proj, [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }) };
}

/** What the kernel says about the process of a listed instance. */
function processOf(row: InstanceInfo) {
  const pid = row.pid!;
  const environ = procText(pid, "environ") ?? "";
  return {
    cwd: Deno.readLinkSync(`/proc/${pid}/cwd`),
    argv: (procText(pid, "cmdline") ?? "").split("\0").filter((a) => a !== ""),
    env: Object.fromEntries(
      environ.split("\0").filter((l) => l.includes("=")).map((l) => {
        const eq = l.indexOf("=");
        return [l.slice(0, eq), l.slice(eq + 1)];
      }),
    ),
  };
}

async function online(client: AdasaClient, name: string): Promise<InstanceInfo[]> {
  const rows = (await list(client)).filter((r) => r.name === name);
  assert(rows.length > 0, `${name} is listed`);
  return await Promise.all(
    rows.map((r) => waitForInstance(client, r.id, (x) => x.status === "online", `${name} online`)),
  );
}

const SHELL_ENV = { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", WORKERS: "2" };

Deno.test("adasa start conf/ecosystem.config.mjs from proj: import 'dotenv/config', process.env and pm2's paths, in real Node processes", async () => {
  await using p = await project({
    ...FAKE_DOTENV,
    ".env": "DB_URL=postgres://db/app\n",
    "conf/ecosystem.config.mjs": `import "dotenv/config";
export const apps = [
  { name: "api", script: "s.js", cwd: "sub", args: "--port 3000",
    instances: Number(process.env.WORKERS),
    env: { DB_URL: process.env.DB_URL, STARTED_IN: process.cwd() } },
  { name: "plain", script: "./s.js" },
];`,
  });
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  const started = await daemon.cli(["start", "conf/ecosystem.config.mjs"], {
    cwd: p.proj,
    env: SHELL_ENV,
  });
  assertEquals(started.code, 0, started.stderr);
  const api = await online(client, "api");
  assertEquals(api.length, 2, "instances: Number(process.env.WORKERS)");
  for (const row of api) {
    const proc = processOf(row);
    assertEquals(proc.cwd, `${p.proj}/sub`, "a relative cwd is the shell's folder's");
    assertEquals(proc.argv.slice(-3), [`${p.proj}/sub/s.js`, "--port", "3000"]);
    assertEquals([proc.env.DB_URL, proc.env.STARTED_IN], ["postgres://db/app", p.proj]);
  }
  const [plain] = await online(client, "plain");
  const proc = processOf(plain!);
  assertEquals([proc.cwd, proc.argv.at(-1)], [p.proj, `${p.proj}/s.js`], "no cwd: the shell's");
});

Deno.test("adasa start ecosystem.yml and a JSON file with comments start real processes with pm2's paths", async () => {
  await using p = await project({
    "conf/ecosystem.yml":
      "apps:\n  - name: yml\n    script: s.js\n    cwd: sub\n    env:\n      FROM: yaml\n",
    "conf/process.json":
      '{\n  // one app, as an object\n  "apps": { "name": "jsonc", "script": "s.js", "env": { "FROM": "jsonc", }, },\n}\n',
  });
  await using daemon = await startDaemon();
  await using client = await daemon.connect();
  for (const file of ["conf/ecosystem.yml", "conf/process.json"]) {
    const started = await daemon.cli(["start", file], { cwd: p.proj, env: SHELL_ENV });
    assertEquals(started.code, 0, `${file}: ${started.stderr}`);
  }
  const [yml] = await online(client, "yml");
  const [json] = await online(client, "jsonc");
  assertEquals([processOf(yml!).cwd, processOf(yml!).env.FROM], [`${p.proj}/sub`, "yaml"]);
  assertEquals([processOf(json!).argv.at(-1), processOf(json!).env.FROM], [
    `${p.proj}/s.js`,
    "jsonc",
  ]);
  assertEquals((await list(client)).length, 2, "no app named after the file was created");
});

Deno.test("a bad file, or one reaching into the daemon's home, exits 2 naming the file and stores nothing", async () => {
  await using daemon = await startDaemon();
  await Deno.writeTextFile(`${daemon.home}/secret.json`, '{"token": "do-not-leak"}');
  await using p = await project({
    "conf/syntax.config.js":
      'module.exports = {\n  apps: [{ name: "a", script: "s.js" }]\n  x: 1,\n};\n',
    "conf/home.config.js": `const s = require(${JSON.stringify(`${daemon.home}/secret.json`)});
module.exports = { apps: [{ name: "leak", script: "s.js", env: { T: s.token } }] };`,
  });
  const syntax = await daemon.cli(["start", "conf/syntax.config.js"], { cwd: p.proj });
  assertEquals(syntax.code, 2, syntax.stderr);
  assertMatch(
    syntax.stderr,
    /conf\/syntax\.config\.js:3:3: evaluating the file failed: SyntaxError/,
  );
  const home = await daemon.cli(["start", "conf/home.config.js"], { cwd: p.proj });
  assertEquals(home.code, 2, home.stderr);
  assertMatch(home.stderr, /home\.config\.js:1:\d+: evaluating the file failed: .*read access/);
  assert(!home.stderr.includes("do-not-leak"));
  const listed = await daemon.cli(["list", "--json"]);
  assertEquals(JSON.parse(listed.stdout), [], "nothing was stored");
});
