import { assertEquals } from "../_helpers/assert.ts";
import { loadConfigFile, parsePm2Dump } from "../../src/config/mod.ts";

/** Loads `apps` written as the pm2 JSON file `process.json` in a temp folder. */
async function load(apps: unknown[], env: Record<string, string> = {}) {
  const dir = await Deno.makeTempDir({ prefix: "adasa-pm2-defaults-" });
  try {
    await Deno.writeTextFile(`${dir}/process.json`, JSON.stringify({ apps }));
    await Deno.writeTextFile(`${dir}/adasa.toml`, `[[apps]]\nname = "t"\nscript = "sleep"\n`);
    const json = await loadConfigFile("process.json", { cwd: dir, env });
    const toml = await loadConfigFile("adasa.toml", { cwd: dir, env });
    return { json, toml };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("an app written for pm2 (script) stops with pm2's SIGINT; one that names command or stop_signal keeps its own", async () => {
  const { json, toml } = await load([
    { name: "pm2-app", script: "sleep", args: "60" },
    { name: "native", command: "sleep", args: ["60"] },
    { name: "explicit", script: "sleep", stop_signal: "SIGTERM" },
  ]);
  assertEquals(json.problems, []);
  assertEquals(json.apps.map((a) => [a.name, a.stop_signal]), [
    ["pm2-app", "SIGINT"],
    ["native", undefined],
    ["explicit", "SIGTERM"],
  ]);
  // TOML is Adasa's own format, never pm2's: Adasa's default (SIGTERM) stays.
  assertEquals(toml.apps.map((a) => [a.name, a.stop_signal]), [["t", undefined]]);
});

Deno.test("PM2_KILL_SIGNAL in the environment picks pm2's stop signal; an unknown one warns and keeps SIGINT", async () => {
  const named = await load([{ name: "a", script: "sleep" }], { PM2_KILL_SIGNAL: "SIGTERM" });
  assertEquals(named.json.apps.map((a) => a.stop_signal), ["SIGTERM"]);
  const bogus = await load([{ name: "a", script: "sleep" }], { PM2_KILL_SIGNAL: "SIGNOPE" });
  assertEquals(bogus.json.apps.map((a) => a.stop_signal), ["SIGINT"]);
  assertEquals(bogus.json.warnings.length, 1);
  assertEquals(bogus.json.warnings[0]!.includes('PM2_KILL_SIGNAL: unknown signal "SIGNOPE"'), true);
  const dump = parsePm2Dump(
    JSON.stringify([{ name: "d", pm_exec_path: "/bin/sleep", pm_cwd: "/" }]),
    "dump.pm2",
    { env: { PM2_KILL_SIGNAL: "SIGUSR2" } },
  );
  assertEquals(dump.apps.map((a) => a.stop_signal), ["SIGUSR2"]);
});
