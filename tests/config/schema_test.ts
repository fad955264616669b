/**
 * The settings table is the one source: the README's field table is its text, `adasa schema`
 * accepts the repository's config fixtures and refuses what the loader refuses.
 */
import { Ajv2020 } from "npm:ajv@8.17.1/dist/2020.js";
import { assert, assertEquals } from "../_helpers/assert.ts";
import { configJsonSchema, policyRows, readmeRows } from "../../src/model/docs.ts";
import { SETTINGS } from "../../src/model/settings.ts";
import { evaluateEcosystem } from "../../src/config/pm2_ecosystem.ts";
import { parseJsonText, parseTomlText } from "../../src/config/json_toml.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const FIXTURES = `${ROOT}tests/fixtures/`;

Deno.test("the README's field table is the settings table's text, row for row", async () => {
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  const start = readme.indexOf("| field (aliases) | meaning | default |");
  assert(start > 0, "the README has a field table");
  const table = readme.slice(start).split("\n").slice(2);
  const rows = table.slice(0, table.findIndex((line) => !line.startsWith("|")));
  assertEquals(rows, readmeRows());
});

Deno.test("the README's policy table is the settings table's, flags included", async () => {
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  const start = readme.indexOf("| setting | flag | default | meaning |");
  assert(start > 0, "the README has a policy table");
  const table = readme.slice(start).split("\n").slice(2);
  assertEquals(table.slice(0, table.findIndex((line) => !line.startsWith("|"))), policyRows());
});

Deno.test("every setting a user writes has a README line and a default or is required", () => {
  for (const s of SETTINGS) {
    if (s.field === "base_env") continue;
    assert(s.doc, `${s.field} has a README line`);
    assert(
      s.fallback !== undefined || s.fallbackOf || ["command", "cwd"].includes(s.field),
      `${s.field} has a default`,
    );
  }
});

async function fixtureData(path: string): Promise<unknown> {
  if (/\.(c|m)?js$/.test(path)) {
    const cwd = path.slice(0, path.lastIndexOf("/"));
    const result = await evaluateEcosystem(path, { env: {}, cwd });
    if (!result.ok) throw new Error(result.message);
    return result.data;
  }
  const text = await Deno.readTextFile(path);
  const result = path.endsWith(".toml") ? parseTomlText(text) : parseJsonText(text);
  if (!result.ok) throw new Error(result.message);
  return result.data;
}

function validator() {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  return ajv.compile(configJsonSchema());
}

Deno.test("adasa schema accepts every good config fixture of the repository", async () => {
  const validate = validator();
  const files = [
    "config/ecosystem.config.js",
    "config_e2e/apps.json",
    "config_e2e/apps.toml",
    "config_e2e/cluster.json",
    "config_e2e/cron.toml",
    "config_e2e/ecosystem.config.js",
    "config_e2e/export_source.toml",
    "config_e2e/probe.config.cjs",
    "config_e2e/probe.config.js",
    "config_e2e/probe.config.mjs",
    "config_e2e/process.json",
    "config_e2e/processes.toml",
    "config_e2e/reload_v1.toml",
    "config_e2e/reload_v2.toml",
  ];
  for (const file of files) {
    const ok = validate(await fixtureData(`${FIXTURES}${file}`));
    assert(ok, `${file}: ${JSON.stringify(validate.errors)}`);
  }
});

Deno.test("adasa schema refuses the values the loader refuses", async () => {
  const validate = validator();
  const bad = [
    "config_e2e/bad/instances_word.json",
    "config_e2e/bad/missing_script.json",
    "config_e2e/bad/env_value_type.json",
  ];
  for (const file of bad) {
    assert(!validate(await fixtureData(`${FIXTURES}${file}`)), `${file} is refused`);
  }
  const cases: unknown[] = [
    { apps: [{ script: "x", kill_timeout: "soon" }] },
    { apps: [{ script: "x", exec_mode: "threads" }] },
    { apps: [{ script: "x", max_memory_restart: "lots" }] },
    { apps: [{ script: "x", stop_signal: "SIGFOO" }] },
    { apps: [{ script: "x", watch: 3 }] },
    { apps: "api" },
  ];
  for (const data of cases) assert(!validate(data), JSON.stringify(data));
});
