/**
 * Adasa under test: the built daemon in a temporary ADASA_HOME, driven through the built
 * CLI (dist/adasa, run by its shebang) and, where a scenario needs no CLI, one socket client.
 */
import { AdasaClient } from "../../src/ipc/client.ts";
import { BUNDLED_DAEMON_FLAGS, DAEMON_V8_FLAGS } from "../../cli/daemon_process.ts";
import { VERSION } from "../../src/protocol/version.ts";
import { NL, parseRecord } from "../../src/logs/format.ts";
import {
  baseEnv,
  childrenOf,
  killTracked,
  onCleanup,
  ROOT,
  run,
  sleep,
  track,
  type Tracked,
  waitGone,
} from "../_util.ts";
import type { CaptureTarget, Peer } from "../scenarios/types.ts";

export const CLI = `${ROOT}dist/adasa`;

/** Builds dist/adasa (the bundle users run). */
export async function buildCli(): Promise<void> {
  await run(Deno.execPath(), ["task", "build"], {
    cwd: ROOT,
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", HOME: Deno.env.get("HOME") ?? "/" },
  });
}

export interface AdasaDaemon {
  home: string;
  pid: number;
  env: Record<string, string>;
  client: AdasaClient;
  /** Stops the daemon (SIGTERM, then SIGKILL) and every child it had, by pid. */
  stop(): Promise<void>;
}

/**
 * The daemon as the built CLI starts it: dist/adasad.js with the CLI's V8 flags; from source
 * (main.ts) only when there is no build.
 */
function daemonArgs(): string[] {
  const bundled = `${ROOT}dist/adasad.js`;
  try {
    if (Deno.statSync(bundled).isFile) {
      return ["run", "--allow-all", ...BUNDLED_DAEMON_FLAGS, bundled];
    }
  } catch { /* not built */ }
  return ["run", "--allow-all", DAEMON_V8_FLAGS, "--config", `${ROOT}deno.json`, `${ROOT}main.ts`];
}

/** Starts the daemon (see daemonArgs) with `--background` on `home`; waits until it answers. */
export async function startAdasaDaemon(home: string, timeoutMs = 20_000): Promise<AdasaDaemon> {
  const env = { ...baseEnv(home), ADASA_HOME: home, NO_COLOR: "1" };
  const child = new Deno.Command(Deno.execPath(), {
    args: [...daemonArgs(), "--background"],
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const self = track(child.pid);
  const seen = new Map<number, Tracked>();
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const pid of childrenOf(child.pid)) {
      const t = track(pid);
      if (t) seen.set(pid, t);
    }
    try {
      client?.close();
    } catch { /* closed */ }
    try {
      child.kill("SIGTERM");
    } catch { /* gone */ }
    const ended = await Promise.race([
      child.status.then(() => true),
      sleep(10_000).then(() => false),
    ]);
    if (!ended && self) killTracked(self);
    await child.status;
    for (const t of seen.values()) {
      killTracked(t, "SIGKILL", { group: true }); // each instance leads its process group
    }
    await waitGone([...seen.keys()], 5_000);
  };
  onCleanup(stop);
  let client: AdasaClient | undefined;
  const deadline = Date.now() + timeoutMs;
  while (true) {
    try {
      client = await AdasaClient.connect({ home });
      await client.request("ping");
      break;
    } catch (error) {
      client?.close();
      client = undefined;
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`Adasa daemon on ${home} did not answer within ${timeoutMs / 1000} s`, {
          cause: error,
        });
      }
      await sleep(20);
    }
  }
  return { home, pid: child.pid, env, client, stop };
}

/** A daemon that the built CLI `cli` auto-started on a fresh home, with its stop (by pid). */
export async function startDaemonThroughCli(cli: string, prefix = "adasa-bench-") {
  const tmp = await Deno.makeTempDir({ prefix });
  const home = `${tmp}/home`;
  const env = { ...baseEnv(home), ADASA_HOME: home, NO_COLOR: "1" };
  const adasa = (args: string[]) => run(cli, args, { env, cwd: tmp });
  await adasa(["ping"]);
  const pid = Number((await Deno.readTextFile(`${home}/daemon.pid`)).trim());
  const daemon = track(pid);
  if (!daemon) throw new Error(`no daemon pid in ${home}/daemon.pid`);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    const kids = childrenOf(pid).map(track).filter((t) => t !== null);
    try {
      await adasa(["daemon", "stop"]);
    } catch { /* killed below */ }
    if (!await waitGone([pid], 10_000)) killTracked(daemon, "SIGKILL");
    for (const k of kids) killTracked(k, "SIGKILL", { group: true });
    await waitGone(kids.map((k) => k.pid), 5_000);
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  };
  onCleanup(stop);
  return { tmp, home, env, pid, adasa, stop };
}

const SLEEP_APP = { command: "sleep", args: ["3600"], cwd: "/tmp" };

export async function startAdasa(log: (m: string) => void): Promise<Peer> {
  const tmp = await Deno.makeTempDir({ prefix: "adasa-bench-" });
  onCleanup(() => Deno.remove(tmp, { recursive: true }).catch(() => {}));
  const home = `${tmp}/home`;
  const daemon = await startAdasaDaemon(home);
  const { env, client } = daemon;
  const cli = (args: string[]) => run(CLI, args, { env, cwd: tmp });
  const appBase = { ...SLEEP_APP, base_env: { PATH: env.PATH! } };
  let fileMode: boolean | undefined;

  const removeAll = async () => {
    try {
      await client.request("delete", { targets: ["all"] });
    } catch { /* nothing to delete */ }
  };

  /** `adasa start <file>` when the CLI takes a config file; found out on first use. */
  const tryFile = async (names: string[]): Promise<number | null> => {
    const file = `${tmp}/apps.json`;
    await Deno.writeTextFile(
      file,
      JSON.stringify({ apps: names.map((name) => ({ name, ...SLEEP_APP })) }, null, 2),
    );
    const out = await run(CLI, ["start", file], { env, cwd: tmp, okCodes: [0, 1, 2, 3, 4, 5] });
    if (fileMode === undefined) {
      const rows = await client.request("list");
      const have = new Set(rows.map((r) => r.name));
      fileMode = out.code === 0 && names.every((n) => have.has(n));
      if (!fileMode) {
        log(
          "adasa: `adasa start <file.json>` is not available yet; measuring pipelined `start` " +
            "requests over one socket instead",
        );
        await removeAll();
      }
      return fileMode ? out.ms : null;
    }
    if (out.code !== 0) throw new Error(`adasa start ${file}: ${out.stderr.trim()}`);
    return out.ms;
  };

  const peer: Peer = {
    name: "adasa",
    version: VERSION,
    daemonPid: daemon.pid,
    how: {
      ping: "adasa ping",
      list: "adasa list --json",
      startOne: "adasa start --name N sleep -- 3600",
      startFile: "adasa start apps.json",
      stop: "adasa stop all",
    },
    get startFileIsStandIn() {
      return fileMode === false;
    },
    ping: async () => (await cli(["ping"])).ms,
    list: async () => (await cli(["list", "--json"])).ms,
    defineApps: async () => {},
    startOne: async (name) =>
      (await cli(["start", "--name", name, "--cwd", "/tmp", "sleep", "--", "3600"])).ms,
    async startFile(names) {
      if (fileMode !== false) {
        const ms = await tryFile(names);
        if (ms !== null) return ms;
      }
      peer.how.startFile = "stand-in: 100 pipelined `start` requests on one socket";
      const t0 = performance.now();
      await Promise.all(
        names.map((name) => client.request("start", { app: { name, ...appBase } })),
      );
      return performance.now() - t0;
    },
    async startFileNoWait(names) {
      const file = `${tmp}/apps.json`;
      const apps = names.map((name) => ({ name, ...SLEEP_APP }));
      await Deno.writeTextFile(file, JSON.stringify({ apps }, null, 2));
      return (await cli(["start", file, "--no-wait"])).ms;
    },
    stopAll: async () => (await cli(["stop", "all"])).ms,
    removeAll,
    async startCrashApp(name) {
      await client.request("start", {
        app: { name, ...appBase, min_uptime_ms: 50, restart_delay_ms: 0, max_restarts: 1000 },
      });
    },
    async startCapture(name, command, args) {
      const dir = `${home}/logs/${name}`;
      const keep = `${tmp}/kept-${name}`;
      await Deno.mkdir(keep, { recursive: true });
      const kept = new Set<string>();
      // Closed segments past the default retention (100 MiB per app) are deleted while the
      // capture runs; hard links keep them so that every line can be counted afterwards.
      const poll = () => {
        try {
          for (const e of Deno.readDirSync(dir)) {
            if (!/^\d+\.log$/.test(e.name) || kept.has(e.name)) continue;
            try {
              Deno.linkSync(`${dir}/${e.name}`, `${keep}/${e.name}`);
              kept.add(e.name);
            } catch { /* deleted already: counted as lost */ }
          }
        } catch { /* no folder yet */ }
      };
      await client.request("start", {
        app: { name, command, args, cwd: "/tmp", base_env: appBase.base_env, restart: "never" },
      });
      const target: CaptureTarget = {
        tailFile: `${dir}/current.log`,
        timed: true,
        poll,
        async *lines() {
          poll();
          const names = [...kept].sort();
          for (const file of names) {
            const bytes = await Deno.readFile(`${keep}/${file}`);
            for (let at = 0; at < bytes.length;) {
              const r = parseRecord(bytes, at, bytes.length);
              if (!r) throw new Error(`${file}: bad record at byte ${at}`);
              let start = r.body;
              while (start < r.end) {
                const nl = bytes.indexOf(NL, start);
                const end = nl < 0 || nl >= r.end ? r.end : nl;
                yield bytes.subarray(start, end);
                start = end + 1;
              }
              at = r.end;
            }
          }
        },
        async cleanup() {
          try {
            await client.request("delete", { targets: [name] });
          } catch { /* gone */ }
          await Deno.remove(keep, { recursive: true }).catch(() => {});
        },
      };
      return target;
    },
    dispose: daemon.stop,
  };
  return peer;
}
