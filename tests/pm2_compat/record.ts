// deno-lint-ignore-file no-console -- a recording tool run by hand
/**
 * Records what a real pm2 gives each corpus file's apps into `corpus/<case>/expected.json`,
 * the expectations the committed tests hold Adasa to (CI machines have no pm2).
 *
 *   npm install --prefix /tmp/pm2x pm2@7.0.4
 *   deno run -A tests/pm2_compat/record.ts [case...]      (PM2_BIN overrides the pm2 path)
 *
 * Each case gets its own PM2_HOME in a temp folder, and `pm2 kill` runs after it.
 */
import {
  type Case,
  expectedPath,
  findCase,
  listCases,
  prepareWorkspace,
  type Workspace,
} from "./_corpus.ts";
import { type Facts, observeInstances, observeLogs, observePorts, type Row } from "./_facts.ts";
import { pm2Policies } from "./_policies.ts";

const PM2 = Deno.env.get("PM2_BIN") ?? "/tmp/pm2x/node_modules/.bin/pm2";
const SETTLE_MS = 3000;
const STATUS_TIMEOUT_MS = 15_000;

interface Pm2Process {
  name: string;
  pm_id: number;
  pid: number;
  pm2_env: Record<string, unknown> & { status: string; env?: Record<string, string> };
}

async function pm2(ws: Workspace, args: string[]): Promise<{ code: number; out: string }> {
  const result = await new Deno.Command(PM2, {
    args,
    cwd: ws.work,
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: ws.home,
      PM2C_REPORT: ws.report,
      PM2_HOME: `${ws.root}/pm2`,
    },
    stdin: "null",
  }).output();
  const text = new TextDecoder().decode(result.stdout) + new TextDecoder().decode(result.stderr);
  return { code: result.code, out: text };
}

async function jlist(ws: Workspace): Promise<Pm2Process[]> {
  const { out } = await pm2(ws, ["jlist"]);
  const start = out.indexOf("[");
  return start === -1 ? [] : JSON.parse(out.slice(start, out.lastIndexOf("]") + 1));
}

/** The variables a file sets for an app: pm2's env for it, less pm2's own and the shell's. */
function declaredKeys(p: Pm2Process): string[] {
  const shell = new Set(["PATH", "HOME", "PWD", "PM2_HOME", "PM2C_REPORT", "unique_id", p.name]);
  const keys = Object.keys(p.pm2_env.env ?? {}).filter((k) =>
    !shell.has(k) && !k.startsWith("PM2_")
  );
  const instanceVar = typeof p.pm2_env.instance_var === "string"
    ? p.pm2_env.instance_var
    : "NODE_APP_INSTANCE";
  return [...new Set([...keys, instanceVar, "NODE_APP_INSTANCE", "PORT"])].sort();
}

async function record(c: Case): Promise<{ facts: Facts; env_keys: Record<string, string[]> }> {
  using ws = prepareWorkspace(c);
  try {
    const started = await pm2(ws, ["start", c.file, ...(c.args ?? [])]);
    let processes = await jlist(ws);
    if (started.code !== 0 || processes.length === 0) {
      const lines = started.out.split("\n");
      const line = lines.find((l) => /ERROR|Error/.test(l)) ?? lines.find((l) => /fail/i.test(l)) ??
        started.out;
      return { facts: refused(stripColours(line).trim()), env_keys: {} };
    }
    const deadline = Date.now() + STATUS_TIMEOUT_MS;
    while (processes.some((p) => p.pm2_env.status === "launching") && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      processes = await jlist(ws);
    }
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    processes = await jlist(ws);
    const envKeys: Record<string, string[]> = {};
    for (const p of processes) envKeys[p.name] ??= declaredKeys(p);
    const rows: Row[] = processes.map((p) => ({
      name: p.name,
      id: p.pm_id,
      pid: p.pid,
      status: p.pm2_env.status,
    }));
    const instances = observeInstances(rows, ws, (app) => envKeys[app] ?? []);
    const apps: Facts["apps"] = {};
    for (const [name, list] of Object.entries(instances)) {
      apps[name] = {
        instances: list,
        policies: { ...pm2Policies(processes.find((p) => p.name === name)!.pm2_env) },
      };
    }
    return {
      facts: {
        refused: null,
        apps,
        ports: await observePorts(c.ports ?? []),
        logs: observeLogs(ws),
      },
      env_keys: envKeys,
    };
  } finally {
    await pm2(ws, ["kill"]);
  }
}

function refused(message: string): Facts {
  return { refused: message, apps: {}, ports: {}, logs: {} };
}

if (import.meta.main) {
  // From pm2's package.json: `pm2 --version` would spawn a pm2 daemon of its own.
  const pm2Version = JSON.parse(
    Deno.readTextFileSync(new URL("../package.json", `file://${Deno.realPathSync(PM2)}`)),
  ).version;
  const cases = Deno.args.length ? Deno.args.map(findCase) : listCases();
  for (const c of cases) {
    const { facts, env_keys } = await record(c);
    const expected = { recorded_with: `pm2 ${pm2Version}`, env_keys, facts };
    Deno.writeTextFileSync(expectedPath(c), JSON.stringify(expected, null, 2) + "\n");
    console.log(
      `${c.name}: ${
        facts.refused ? `refused: ${facts.refused}` : `${Object.keys(facts.apps).length} apps`
      }`,
    );
  }
}

function stripColours(text: string): string {
  return text.replaceAll(String.fromCharCode(27), "").replace(/\[[0-9;]*m/g, "");
}
