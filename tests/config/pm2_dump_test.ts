import { assertEquals } from "../_helpers/assert.ts";
import { loadConfigFile, parsePm2Dump } from "../../src/config/mod.ts";

const FIXTURES = new URL("../fixtures/config/", import.meta.url).pathname;
const MACHINE_ENV = { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: "/home/deploy" };

Deno.test("parsePm2Dump() folds instances, maps pm2_env fields and skips pm2's bookkeeping", async () => {
  const text = await Deno.readTextFile(`${FIXTURES}dump.pm2`);
  const result = parsePm2Dump(text, "dump.pm2", { env: MACHINE_ENV });
  assertEquals(result.problems, []);
  assertEquals(result.warnings, []);
  // pm2 stopped these with SIGINT, so they still are.
  const base = {
    base_env: MACHINE_ENV,
    max_restarts: 16,
    restart_delay_ms: 0,
    stop_signal: "SIGINT",
  };
  assertEquals(result.apps, [
    {
      ...base,
      name: "api",
      command: "/srv/api/dist/server.js",
      args: ["--port", "8080"],
      interpreter: "node",
      interpreter_args: ["--max-old-space-size=512"],
      cwd: "/srv/api",
      min_uptime_ms: 1000,
      kill_timeout_ms: 5000,
      instances: 2,
      exec_mode: "cluster",
      env: { NODE_ENV: "production", PORT: "8080" },
    },
    {
      ...base,
      name: "worker",
      command: "/srv/jobs/worker.py",
      args: ["--queue", "default"],
      interpreter: "python3",
      cwd: "/srv/jobs",
      min_uptime_ms: 5000,
      restart_delay_ms: 2000,
      kill_timeout_ms: 1600,
      stop_exit_codes: [0],
      instances: 1,
      exec_mode: "fork",
      env: { QUEUE: "default" },
      restart: "never",
    },
    {
      ...base,
      name: "backup",
      command: "/usr/local/bin/backup-agent",
      interpreter: "none",
      cwd: "/var/backups",
      min_uptime_ms: 1000,
      kill_timeout_ms: 1600,
      instances: 1,
      exec_mode: "fork",
      env: {},
    },
  ]);
  assertEquals(result.extras, {
    api: { max_memory: 314572800 },
    worker: { cron_restart: "0 3 * * *" },
    backup: {},
  });
});

Deno.test("parsePm2Dump() gives one line for a dump that is not a list of processes", () => {
  assertEquals(parsePm2Dump('{"name": "x"}', "dump.pm2").problems, [
    "dump.pm2: expected a list of processes, got a map",
  ]);
  assertEquals(parsePm2Dump("[{}, 3]", "dump.pm2").problems, [
    'dump.pm2: [0]: expected a process with a "name", got a map',
    'dump.pm2: [1]: expected a process with a "name", got 3',
  ]);
  assertEquals(parsePm2Dump("[", "dump.pm2").problems, [
    "dump.pm2:1:2: invalid JSON: invalid end of input",
  ]);
});

Deno.test("loadConfigFile() reads a .pm2 dump and pm2's documented ecosystem example", async () => {
  const dump = await loadConfigFile("dump.pm2", { cwd: FIXTURES, env: MACHINE_ENV });
  assertEquals(dump.apps.map((a) => [a.name, a.instances]), [["api", 2], ["worker", 1], [
    "backup",
    1,
  ]]);
  const eco = await loadConfigFile("ecosystem.config.js", {
    cwd: FIXTURES,
    env: {},
    profile: "production",
    cpuCount: 4,
  });
  assertEquals(eco.problems, []);
  assertEquals(eco.apps.map((a) => [a.name, a.env]), [
    ["app1", { NODE_ENV: "production", PORT: "3000" }],
    ["worker", { QUEUE_URL: "redis://localhost:6379" }],
  ]);
  assertEquals(eco.apps[1]!.args, ["--queue", "default", "--verbose"]);
  assertEquals(eco.extras.app1, { max_memory: 300 * 1024 * 1024 });
});
