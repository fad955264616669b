/**
 * Runs one corpus file under Adasa (a real daemon in a temp ADASA_HOME, `adasa start <file>`
 * from the case's work folder, HOME in the temp folder) and observes it as record.ts observes
 * pm2, until it matches what pm2 gave or the time is up.
 */
import { startDaemon } from "../_helpers/daemon.ts";
import { toPm2Process } from "../../cli/render/pm2_shape.ts";
import { type Case, expectedPath, prepareWorkspace, type Workspace } from "./_corpus.ts";
import { type Facts, observeInstances, observeLogs, observePorts } from "./_facts.ts";
import { type CompareOptions, differences } from "./_compare.ts";
import { adasaPolicies } from "./_policies.ts";
import type { TestDaemon } from "../_helpers/daemon.ts";

/** The CLI runs with HOME in the temp folder; Deno's cache must stay where it is. */
const DENO_DIR = Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`;

/** What record.ts wrote for a case. */
export interface Expected {
  recorded_with: string;
  env_keys: Record<string, string[]>;
  facts: Facts;
}

export interface Outcome {
  facts: Facts;
  differences: string[];
}

export function readExpected(c: Case): Expected {
  return JSON.parse(Deno.readTextFileSync(expectedPath(c))) as Expected;
}

export async function runUnderAdasa(
  c: Case,
  expected: Expected,
  options: { timeoutMs?: number } & CompareOptions = {},
): Promise<Outcome> {
  using ws = prepareWorkspace(c);
  await using d = await startDaemon();
  const started = await d.cli(["start", c.file, ...(c.args ?? [])], {
    cwd: ws.work,
    env: { HOME: ws.home, DENO_DIR, PM2C_REPORT: ws.report },
  });
  const message = started.stderr.trim().split("\n").at(-1) ?? "";
  if (started.code !== 0 && await appCount(d) === 0) {
    const facts: Facts = {
      refused: message || `exit ${started.code}`,
      apps: {},
      ports: {},
      logs: {},
    };
    return { facts, differences: differences(expected.facts, facts, options) };
  }
  // pm2 start exits 0 for every file it runs; a failure Adasa reports is a difference too.
  const exitNote = started.code === 0 ? [] : [`adasa start exits ${started.code}: ${message}`];
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  while (true) {
    const facts = await observe(d, ws, c, expected);
    const found = [...exitNote, ...differences(expected.facts, facts, options)];
    if (found.length === 0 || Date.now() > deadline) return { facts, differences: found };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function appCount(d: TestDaemon): Promise<number> {
  await using client = await d.connect();
  return (await client.request("list")).length;
}

async function observe(d: TestDaemon, ws: Workspace, c: Case, expected: Expected): Promise<Facts> {
  await using client = await d.connect();
  const listed = await client.request("list");
  const rows = listed.length === 0
    ? []
    : await client.request("describe", { target: "all", show_env: false });
  const instances = observeInstances(
    rows.map((row) => {
      const p = toPm2Process(row);
      return { name: p.name, id: p.pm_id, pid: p.pid, status: String(p.pm2_env.status) };
    }),
    ws,
    (app) => expected.env_keys[app] ?? ["NODE_APP_INSTANCE", "PORT"],
  );
  const apps: Facts["apps"] = {};
  for (const [name, list] of Object.entries(instances)) {
    const spec = rows.find((row) => row.name === name)!.spec;
    apps[name] = { instances: list, policies: { ...adasaPolicies(spec) } };
  }
  return { refused: null, apps, ports: await observePorts(c.ports ?? []), logs: observeLogs(ws) };
}
