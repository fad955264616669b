/**
 * One contract, seven ways in: the same app definitions written as Adasa JSON, TOML
 * `[[apps]]`, the predecessor's TOML `[[processes]]`, and pm2 ecosystem files in JSON,
 * CommonJS (.js, .cjs) and ESM (.mjs) must load to the same AppSpecInputs and extras.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { loadConfigFile } from "../../src/config/mod.ts";
import { stringifyToml } from "../../src/config/json_toml.ts";
import type { ConfigResult } from "../../src/config/mod.ts";

/** A format-neutral app definition, in the units a test can write every way. */
interface Def {
  name?: string;
  script: string;
  args?: string[];
  cwd?: string;
  env?: Record<string, string>;
  instances?: number;
  autorestart?: boolean;
  max_restarts?: number;
  restart_delay_ms?: number;
  kill_timeout_ms?: number;
  /** Whole megabytes, so "300M" and bytes say the same. */
  max_memory_mb?: number;
  stop_signal?: string;
  env_production?: Record<string, string>;
}

interface Format {
  name: string;
  file: string;
  make(apps: Def[]): string;
  /** A pm2 format: apps that name their program with `script` stop with pm2's SIGINT. */
  pm2?: boolean;
}

type Doc = Record<string, unknown>;
const drop = (o: Doc) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

function native(d: Def): Doc {
  return drop({
    name: d.name,
    command: d.script,
    args: d.args,
    cwd: d.cwd,
    env: d.env,
    instances: d.instances,
    restart: d.autorestart === false ? "never" : undefined,
    max_restarts: d.max_restarts,
    restart_delay_ms: d.restart_delay_ms,
    kill_timeout_ms: d.kill_timeout_ms,
    max_memory: d.max_memory_mb === undefined ? undefined : d.max_memory_mb * 1024 * 1024,
    stop_signal: d.stop_signal,
    env_production: d.env_production,
  });
}

function processes(d: Def): Doc {
  return drop({
    name: d.name,
    script: d.script,
    args: d.args,
    cwd: d.cwd,
    env: d.env,
    instances: d.instances,
    autorestart: d.autorestart,
    max_restarts: d.max_restarts,
    restart_delay_secs: d.restart_delay_ms === undefined ? undefined : d.restart_delay_ms / 1000,
    stop_timeout_secs: d.kill_timeout_ms === undefined ? undefined : d.kill_timeout_ms / 1000,
    max_memory: d.max_memory_mb === undefined ? undefined : `${d.max_memory_mb}M`,
    stop_signal: d.stop_signal,
    env_production: d.env_production,
  });
}

/** pm2's names; args as pm2's usual single string. */
function pm2(d: Def): Doc {
  return drop({
    name: d.name,
    script: d.script,
    args: d.args?.map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(" "),
    cwd: d.cwd,
    env: d.env,
    instances: d.instances,
    autorestart: d.autorestart,
    max_restarts: d.max_restarts,
    restart_delay: d.restart_delay_ms,
    kill_timeout: d.kill_timeout_ms,
    max_memory_restart: d.max_memory_mb === undefined ? undefined : `${d.max_memory_mb}M`,
    stop_signal: d.stop_signal, // not pm2's, but every format shares one field table
    env_production: d.env_production,
  });
}

const FORMATS: Format[] = [
  { name: "JSON apps", file: "adasa.json", make: (a) => JSON.stringify({ apps: a.map(native) }) },
  {
    name: "TOML [[apps]]",
    file: "adasa.toml",
    make: (a) => stringifyToml({ apps: a.map(native) }),
  },
  {
    name: "TOML [[processes]]",
    file: "procs.toml",
    make: (a) => stringifyToml({ processes: a.map(processes) }),
  },
  {
    name: "pm2 .json",
    file: "process.json",
    make: (a) => JSON.stringify({ apps: a.map(pm2) }),
    pm2: true,
  },
  {
    name: "pm2 .js",
    file: "ecosystem.config.js",
    pm2: true,
    make: (a) =>
      `const path = require("node:path");\nmodule.exports = ${
        JSON.stringify({ apps: a.map(pm2) })
      };`,
  },
  {
    name: "pm2 .cjs",
    file: "ecosystem.config.cjs",
    pm2: true,
    make: (a) => `module.exports = ${JSON.stringify({ apps: a.map(pm2) })};`,
  },
  {
    name: "pm2 .mjs",
    file: "ecosystem.config.mjs",
    pm2: true,
    make: (a) => `export default ${JSON.stringify({ apps: a.map(pm2) })};`,
  },
];

interface Case {
  name: string;
  apps: Def[];
  /** `dir` is the temp folder holding the file and the scripts. */
  expected(dir: string): Pick<ConfigResult, "apps" | "extras">;
  profile?: string;
}

const ENV = { HOME: "/home/test", REGION: "eu" };

/** Runs every case against every format: one test per format, each case a step. */
function runConformance(format: Format, cases: Case[]): void {
  Deno.test(`loadConfigFile(${format.name}) loads the shared definitions`, async (t) => {
    for (const c of cases) {
      await t.step(c.name, async () => {
        const dir = await Deno.makeTempDir({ prefix: "adasa-conf-" });
        try {
          await Deno.writeTextFile(`${dir}/server.js`, "");
          await Deno.writeTextFile(`${dir}/worker.py`, "");
          await Deno.writeTextFile(`${dir}/${format.file}`, format.make(c.apps));
          const result = await loadConfigFile(format.file, {
            cwd: dir,
            env: ENV,
            cpuCount: 4,
            ...(c.profile ? { profile: c.profile } : {}),
          });
          assertEquals(result.problems, []);
          assertEquals(result.warnings, []);
          assertEquals({ apps: result.apps, extras: result.extras }, expectedIn(format, c, dir));
        } finally {
          await Deno.remove(dir, { recursive: true });
        }
      });
    }
  });
}

/** A case's expectation in `format`: pm2's formats add pm2's stop signal where none is set. */
function expectedIn(format: Format, c: Case, dir: string): Pick<ConfigResult, "apps" | "extras"> {
  const expected = c.expected(dir);
  if (!format.pm2) return expected;
  const apps = expected.apps.map((app) => ({ stop_signal: "SIGINT", ...app }));
  return { ...expected, apps };
}

const CASES: Case[] = [
  {
    name: "two apps with every shared field",
    apps: [
      {
        name: "api",
        script: "./server.js",
        args: ["--port", "3000", "--title", "my api"],
        env: { NODE_ENV: "production", URL: "https://${REGION}.example.com" },
        instances: 2,
        max_restarts: 5,
        restart_delay_ms: 2000,
        kill_timeout_ms: 5000,
        max_memory_mb: 300,
      },
      { name: "jobs", script: "worker.py", cwd: "jobs/..", autorestart: false },
    ],
    expected: (dir) => ({
      apps: [
        {
          name: "api",
          command: `${dir}/server.js`,
          args: ["--port", "3000", "--title", "my api"],
          cwd: dir,
          env: { NODE_ENV: "production", URL: "https://eu.example.com" },
          base_env: ENV,
          instances: 2,
          // instances without exec_mode, run by node: cluster, as pm2 decides.
          exec_mode: "cluster",
          max_restarts: 5,
          restart_delay_ms: 2000,
          kill_timeout_ms: 5000,
        },
        {
          name: "jobs",
          command: `${dir}/worker.py`,
          cwd: dir,
          env: {},
          base_env: ENV,
          restart: "never",
        },
      ],
      extras: { api: { max_memory: 300 * 1024 * 1024 }, jobs: {} },
    }),
  },
  {
    name: "a bare command found in PATH keeps its name; the name defaults to the script's",
    apps: [{ script: "sleep", args: ["60"] }],
    expected: (dir) => ({
      apps: [{ name: "sleep", command: "sleep", args: ["60"], cwd: dir, env: {}, base_env: ENV }],
      extras: { sleep: {} },
    }),
  },
  {
    name: "--env production merges env_production over env",
    profile: "production",
    apps: [{
      name: "web",
      script: "server.js",
      env: { NODE_ENV: "development", PORT: "3000" },
      env_production: { NODE_ENV: "production" },
      stop_signal: "SIGINT",
    }],
    expected: (dir) => ({
      apps: [{
        name: "web",
        command: `${dir}/server.js`,
        cwd: dir,
        env: { NODE_ENV: "production", PORT: "3000" },
        base_env: ENV,
        stop_signal: "SIGINT",
      }],
      extras: { web: {} },
    }),
  },
];

for (const format of FORMATS) runConformance(format, CASES);
