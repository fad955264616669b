/**
 * pm2 under test: installed from the npm registry into a temporary prefix, with its own
 * temporary PM2_HOME and HOME, so nothing of the user's pm2 is read or touched.
 */
import {
  baseEnv,
  childrenOf,
  isAlive,
  killTracked,
  onCleanup,
  rawLines,
  run,
  sleep,
  track,
  type Tracked,
  waitGone,
} from "../_util.ts";
import type { CaptureTarget, Peer } from "../scenarios/types.ts";

export const PM2_VERSION = "7.0.4";

export async function startPm2(log: (m: string) => void): Promise<Peer> {
  const tmp = await Deno.makeTempDir({ prefix: "adasa-bench-pm2-" });
  onCleanup(() => Deno.remove(tmp, { recursive: true }).catch(() => {}));
  log(`pm2: npm install pm2@${PM2_VERSION} into ${tmp}/prefix`);
  const t0 = performance.now();
  await run("npm", [
    "install",
    "--prefix",
    `${tmp}/prefix`,
    `pm2@${PM2_VERSION}`,
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
  ], { env: { ...Deno.env.toObject() } });
  log(`pm2: installed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const bin = `${tmp}/prefix/node_modules/.bin/pm2`;
  const version = JSON.parse(
    await Deno.readTextFile(`${tmp}/prefix/node_modules/pm2/package.json`),
  ).version as string;
  const pm2Home = `${tmp}/pm2home`;
  await Deno.mkdir(`${tmp}/home`);
  const env = { ...baseEnv(`${tmp}/home`), PM2_HOME: pm2Home, NO_COLOR: "1" };
  const pm2 = (args: string[], okCodes = [0]) => run(bin, args, { env, cwd: tmp, okCodes });

  let god: Tracked | null = null;
  const seen = new Map<number, Tracked>();
  const remember = () => {
    if (!god) return;
    for (const pid of childrenOf(god.pid)) {
      const t = track(pid);
      if (t) seen.set(pid, t);
    }
  };
  let disposed = false;
  const dispose = async () => {
    if (disposed) return;
    disposed = true;
    remember();
    try {
      const kill = new Deno.Command(bin, {
        args: ["kill"],
        env,
        clearEnv: true,
        cwd: tmp,
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).spawn();
      const done = await Promise.race([
        kill.status.then(() => true),
        sleep(20_000).then(() => false),
      ]);
      if (!done) {
        try {
          kill.kill("SIGKILL");
        } catch { /* gone */ }
        await kill.status;
      }
    } catch { /* not installed */ }
    if (god) killTracked(god);
    for (const t of seen.values()) killTracked(t, "SIGKILL", { group: true });
    await waitGone([...(god ? [god.pid] : []), ...seen.keys()], 5_000);
  };
  onCleanup(dispose);

  await pm2(["ping"]);
  const pid = Number((await Deno.readTextFile(`${pm2Home}/pm2.pid`)).trim());
  god = track(pid);
  if (!god || !isAlive(pid)) throw new Error(`pm2: no daemon at pid ${pid}`);

  let files = 0;
  const ecosystem = async (apps: Record<string, unknown>[]) => {
    const file = `${tmp}/ecosystem-${files++}.json`;
    await Deno.writeTextFile(file, JSON.stringify({ apps }, null, 2));
    return file;
  };
  const sleepApp = (name: string) => ({
    name,
    script: "sleep",
    args: ["3600"],
    interpreter: "none",
    cwd: "/tmp",
    autorestart: true,
    restart_delay: 0,
  });

  return {
    name: "pm2",
    version,
    daemonPid: pid,
    how: {
      ping: "pm2 ping",
      list: "pm2 jlist",
      startOne: "pm2 start sleep --name N -- 3600",
      startFile: "pm2 start ecosystem.json",
      stop: "pm2 stop all",
    },
    startFileIsStandIn: false,
    ping: async () => (await pm2(["ping"])).ms,
    list: async () => (await pm2(["jlist"])).ms,
    defineApps: async () => {},
    async startOne(name) {
      const ms =
        (await pm2(["start", "sleep", "--name", name, "--restart-delay", "0", "--", "3600"]))
          .ms;
      remember();
      return ms;
    },
    async startFile(names) {
      const file = await ecosystem(names.map(sleepApp));
      const ms = (await pm2(["start", file])).ms;
      remember();
      return ms;
    },
    stopAll: async () => (await pm2(["stop", "all"])).ms,
    async removeAll() {
      remember();
      await pm2(["delete", "all"], [0, 1]);
    },
    async startCrashApp(name) {
      const file = await ecosystem([{ ...sleepApp(name), min_uptime: 100, max_restarts: 100000 }]);
      await pm2(["start", file]);
      remember();
    },
    async startCapture(name, command, args): Promise<CaptureTarget> {
      const out = `${tmp}/logs/${name}-out.log`;
      const file = await ecosystem([{
        name,
        script: command,
        args,
        interpreter: "none",
        cwd: "/tmp",
        autorestart: false,
        out_file: out,
        error_file: `${tmp}/logs/${name}-err.log`,
      }]);
      await pm2(["start", file]);
      remember();
      return {
        tailFile: out,
        timed: false,
        lines: () => rawLines([out]),
        async cleanup() {
          await pm2(["delete", name], [0, 1]);
          await Deno.remove(`${tmp}/logs`, { recursive: true }).catch(() => {});
        },
      };
    },
    dispose,
  };
}
