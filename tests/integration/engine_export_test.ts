/**
 * `adasa export --format systemd|compose|kubernetes` round-trips every example config file of
 * the test suite (the pm2 corpus and tests/fixtures) through a real daemon, and each result
 * passes its engine's own validator: `systemd-analyze verify`, `docker-compose config`, and
 * the Kubernetes API schema.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { startDaemon, type TestDaemon } from "../_helpers/daemon.ts";
import { hasTool, verifyCompose, verifyKubernetes, verifySystemd } from "../_helpers/engines.ts";
import { listCases, prepareWorkspace } from "../pm2_compat/_corpus.ts";
import type { EngineExportReply } from "../../src/protocol/mod.ts";

const FIXTURES = new URL("../fixtures/", import.meta.url).pathname;
/** The config files of tests/fixtures that hold apps (bad/ holds files Adasa refuses). */
const FIXTURE_FILES = [
  "config/ecosystem.config.js",
  "config_e2e/apps.json",
  "config_e2e/apps.toml",
  "config_e2e/cluster.json",
  "config_e2e/cron.toml",
  "config_e2e/ecosystem.config.js",
  "config_e2e/export_source.toml",
  "config_e2e/process.json",
  "config_e2e/processes.toml",
  "config_e2e/reload_v1.toml",
  "config_e2e/reload_v2.toml",
];

interface Source {
  label: string;
  path: string;
  cwd: string;
  env: Record<string, string>;
  profile?: string;
}

function sources(root: string): { list: Source[]; cleanup: () => void } {
  const list: Source[] = FIXTURE_FILES.map((file) => ({
    label: file,
    path: `${FIXTURES}${file}`,
    cwd: `${FIXTURES}${file.slice(0, file.lastIndexOf("/"))}`,
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", HOME: root },
  }));
  const workspaces = listCases().map((c) => ({ c, ws: prepareWorkspace(c) }));
  for (const { c, ws } of workspaces) {
    const envAt = c.args?.indexOf("--env") ?? -1;
    list.push({
      label: `corpus ${c.name}`,
      path: `${ws.work}/${c.file}`,
      cwd: ws.work,
      env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", HOME: ws.home },
      ...(envAt >= 0 ? { profile: c.args![envAt + 1]! } : {}),
    });
  }
  return { list, cleanup: () => workspaces.forEach(({ ws }) => ws[Symbol.dispose]()) };
}

async function exportOf(
  d: TestDaemon,
  source: Source,
  format: "systemd" | "compose" | "kubernetes",
): Promise<EngineExportReply> {
  await using client = await d.connect();
  const config = {
    path: source.path,
    cwd: source.cwd,
    env: source.env,
    strict: false,
    ...(source.profile ? { profile: source.profile } : {}),
  };
  return await client.request("export", { format, config });
}

async function writeFiles(dir: string, reply: EngineExportReply): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  for (const file of reply.files) await Deno.writeTextFile(`${dir}/${file.path}`, file.text);
}

/** Every source exported to `format`; the problems of the ones that failed, by label. */
async function roundTrip(
  format: "systemd" | "compose" | "kubernetes",
  check: (dir: string, reply: EngineExportReply) => Promise<string | null>,
): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: `adasa-${format}-` });
  const { list, cleanup } = sources(root);
  try {
    await using d = await startDaemon();
    const problems: string[] = [];
    const done: { label: string; dir: string; reply: EngineExportReply }[] = [];
    for (const [i, source] of list.entries()) {
      try {
        const reply = await exportOf(d, source, format);
        const dir = `${root}/out/${i}`;
        await writeFiles(dir, reply);
        done.push({ label: source.label, dir, reply });
      } catch (error) {
        problems.push(`${source.label}: export failed: ${(error as Error).message}`);
      }
    }
    // The validators run a few at a time: docker-compose takes a second or two to start.
    const queue = [...done];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const problem = await check(next.dir, next.reply);
        if (problem) problems.push(`${next.label}: ${problem}`);
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    const exported = done.length;
    assertEquals(problems, []);
    assertEquals(exported, list.length);
    assert(list.length >= FIXTURE_FILES.length + 30, `only ${list.length} files`);
  } finally {
    cleanup();
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test({
  name: "export --format systemd: every example config file passes systemd-analyze verify",
  ignore: !hasTool("systemd-analyze"),
  fn: () =>
    roundTrip("systemd", async (dir) => {
      const result = await verifySystemd(dir);
      return result.ok ? null : result.output;
    }),
});

Deno.test({
  name: "export --format compose: every example config file passes docker-compose config",
  ignore: !hasTool("docker-compose"),
  fn: () =>
    roundTrip("compose", async (dir) => {
      const result = await verifyCompose(`${dir}/compose.yaml`);
      return result.ok ? null : result.output;
    }),
});

Deno.test("export --format kubernetes: every example config file passes the Kubernetes API schema", () =>
  roundTrip("kubernetes", (_dir, reply) => {
    const problems = verifyKubernetes(reply.files[0]!.text);
    return Promise.resolve(problems.length ? problems.join("; ") : null);
  }));

if (!hasTool("docker-compose")) {
  // deno-lint-ignore no-console
  console.warn("engine_export_test: docker-compose is not installed; the Compose test is skipped");
}
if (!hasTool("systemd-analyze")) {
  // deno-lint-ignore no-console
  console.warn("engine_export_test: systemd-analyze is not installed; the systemd test is skipped");
}
