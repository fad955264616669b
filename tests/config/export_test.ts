import { assertEquals } from "../_helpers/assert.ts";
import { exportApps, loadConfigFile } from "../../src/config/mod.ts";
import { specFromInput } from "../../src/daemon/handlers/_spec.ts";
import { type AppSpec, normalizeAppSpec } from "../../src/protocol/mod.ts";

const MACHINE_ENV = { PATH: "/usr/bin:/bin", HOME: "/home/other" };

/** The scripts the definitions name: a config file naming a missing script is refused. */
async function scripts(dir: string): Promise<void> {
  for (const name of ["server.js", "tool.js"]) await Deno.writeTextFile(`${dir}/${name}`, "");
}

function specs(dir: string): AppSpec[] {
  return [
    normalizeAppSpec({
      name: "api",
      command: `${dir}/server.js`,
      args: ["--title", "my 'quoted' api", "$HOME stays", "${NOT_EXPANDED}"],
      interpreter: "node",
      interpreter_args: ["--max-old-space-size=512"],
      cwd: dir,
      env: { PRICE: "$$5", URL: "http://x/${y}" },
      base_env: { PATH: "/opt/bin", SECRET_OF_THIS_MACHINE: "1" },
      instances: 3,
      restart: "on_failure",
      stop_exit_codes: [0, 3],
      min_uptime_ms: 2500,
      max_restarts: 4,
      restart_delay_ms: 100,
      backoff_initial_ms: 50,
      backoff_max_ms: 9000,
      stop_signal: "SIGINT",
      kill_timeout_ms: 4000,
    }),
    normalizeAppSpec({ name: "bin", command: `${dir}/tool.js`, interpreter: null, cwd: dir }),
    normalizeAppSpec({ name: "sh", command: "echo hi && sleep 5", shell: true, cwd: dir }),
    normalizeAppSpec({
      name: "pm2ish",
      command: `${dir}/server.js`,
      interpreter: "node",
      cwd: dir,
      instances: 2,
      exec_mode: "cluster",
      instance_var: "INSTANCE_ID",
      increment_var: "PORT",
      port: 3000,
      out_file: "/dev/null",
      error_file: `${dir}/err.log`,
      log_file: `${dir}/all.log`,
      merge_logs: true,
      log_date_format: "YYYY-MM-DD HH:mm:ss Z",
      time: true,
      shutdown_with_message: true,
      readiness: { kind: "message" },
    }),
  ];
}

for (const format of ["json", "toml"] as const) {
  Deno.test(`exportApps(${format}) reads back to the same AppSpecs, with this machine's base_env`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "adasa-export-" });
    await scripts(dir);
    await scripts(dir);
    try {
      const original = specs(dir);
      await Deno.writeTextFile(`${dir}/export.${format}`, exportApps(original, format));
      const result = await loadConfigFile(`export.${format}`, { cwd: dir, env: MACHINE_ENV });
      assertEquals(result.problems, []);
      assertEquals(result.warnings, []);
      const loaded = result.apps.map((input) => specFromInput(input));
      assertEquals(loaded, original.map((s) => ({ ...s, base_env: MACHINE_ENV })));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("exportApps() writes extras it is given, and loading returns them", async () => {
  const dir = await Deno.makeTempDir({ prefix: "adasa-export-" });
  await scripts(dir);
  try {
    const [api] = specs(dir);
    const extras = { api: { max_memory: 300 * 1024 * 1024, cron_restart: "0 3 * * *" } };
    await Deno.writeTextFile(`${dir}/e.toml`, exportApps([api!], "toml", { extras }));
    const result = await loadConfigFile("e.toml", { cwd: dir, env: {} });
    // Every field is written, so the defaults of the other extras come back too.
    assertEquals(result.extras, {
      api: { ...extras.api, limit_action: "restart", ignore_watch: [] },
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
