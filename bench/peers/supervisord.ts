/**
 * supervisord under test: Debian's `supervisor` package (installed with apt-get when missing),
 * run in the foreground as our own child from a config file in a temporary folder, with its
 * own unix socket; any system supervisord is left alone.
 */
import {
  baseEnv,
  childrenOf,
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

async function which(name: string): Promise<string | null> {
  const out = await run("sh", ["-c", `command -v ${name}`], {
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" },
    okCodes: [0, 1, 127],
  });
  return out.code === 0 ? out.stdout.trim() : null;
}

/** Installs Debian's supervisor package when supervisord is not on the PATH. */
async function ensureInstalled(log: (m: string) => void): Promise<void> {
  if (await which("supervisord")) return;
  log("supervisord: not installed; running apt-get install -y supervisor");
  const env = { ...Deno.env.toObject(), DEBIAN_FRONTEND: "noninteractive" };
  const first = await run("apt-get", ["install", "-y", "supervisor"], { env, okCodes: [0, 100] });
  if (first.code !== 0) {
    await run("apt-get", ["update"], { env });
    await run("apt-get", ["install", "-y", "supervisor"], { env });
  }
  if (!(await which("supervisord"))) throw new Error("supervisord: still missing after apt-get");
  log("supervisord: installed from Debian's supervisor package");
}

function program(name: string, fields: Record<string, string | number | boolean>): string {
  return `[program:${name}]\n${Object.entries(fields).map(([k, v]) => `${k}=${v}`).join("\n")}\n`;
}

export async function startSupervisord(log: (m: string) => void): Promise<Peer> {
  await ensureInstalled(log);
  const tmp = await Deno.makeTempDir({ prefix: "adasa-bench-supervisord-" });
  onCleanup(() => Deno.remove(tmp, { recursive: true }).catch(() => {}));
  const conf = `${tmp}/supervisord.conf`;
  await Deno.mkdir(`${tmp}/conf.d`);
  await Deno.mkdir(`${tmp}/logs`);
  await Deno.writeTextFile(
    conf,
    [
      "[unix_http_server]",
      `file=${tmp}/supervisor.sock`,
      "chmod=0700",
      "[supervisord]",
      `logfile=${tmp}/supervisord.log`,
      `pidfile=${tmp}/supervisord.pid`,
      `childlogdir=${tmp}/logs`,
      "loglevel=warn",
      "nodaemon=true",
      "user=root",
      "[rpcinterface:supervisor]",
      "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
      "[supervisorctl]",
      `serverurl=unix://${tmp}/supervisor.sock`,
      "[include]",
      `files = ${tmp}/conf.d/*.conf`,
      "",
    ].join("\n"),
  );
  const env = baseEnv(tmp);
  const version = (await run("supervisord", ["--version"], { env })).stdout.trim();
  const ctl = (args: string[], okCodes = [0]) =>
    run("supervisorctl", ["-c", conf, ...args], { env, cwd: tmp, okCodes });
  const child = new Deno.Command("supervisord", {
    args: ["-n", "-c", conf],
    env,
    clearEnv: true,
    cwd: tmp,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const self = track(child.pid);
  const seen = new Map<number, Tracked>();
  const remember = () => {
    for (const pid of childrenOf(child.pid)) {
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
      child.kill("SIGTERM");
    } catch { /* gone */ }
    const ended = await Promise.race([
      child.status.then(() => true),
      sleep(15_000).then(() => false),
    ]);
    if (!ended && self) killTracked(self);
    await child.status;
    for (const t of seen.values()) killTracked(t, "SIGKILL", { group: true });
    await waitGone([...seen.keys()], 5_000);
  };
  onCleanup(dispose);
  const deadline = Date.now() + 20_000;
  while ((await ctl(["pid"], [0, 1, 2, 3, 4, 5, 6, 7])).code !== 0) {
    if (Date.now() > deadline) throw new Error("supervisord did not answer within 20 s");
    await sleep(50);
  }

  const writeConf = async (file: string, text: string) => {
    await Deno.writeTextFile(`${tmp}/conf.d/${file}.conf`, text);
    await ctl(["update"]);
    remember();
  };
  const sleepProgram = (name: string, autostart: boolean) =>
    program(name, {
      command: "sleep 3600",
      directory: "/tmp",
      autostart,
      autorestart: true,
      startsecs: 0,
      startretries: 100000,
      stopwaitsecs: 10,
      stdout_logfile: "NONE",
      stderr_logfile: "NONE",
    });

  return {
    name: "supervisord",
    version,
    daemonPid: child.pid,
    how: {
      ping: "supervisorctl pid",
      list: "supervisorctl status",
      startOne: "supervisorctl start N (defined with autostart=false)",
      startFile: "supervisorctl update (100 [program:x] sections in one file)",
      stop: "supervisorctl stop all",
    },
    startFileIsStandIn: false,
    ping: async () => (await ctl(["pid"])).ms,
    // `status` exits 3 when some program is not running; the time is what counts.
    list: async () => (await ctl(["status"], [0, 3])).ms,
    async defineApps(names) {
      await writeConf("apps", names.map((n) => sleepProgram(n, false)).join("\n"));
    },
    async startOne(name) {
      const ms = (await ctl(["start", name])).ms;
      remember();
      return ms;
    },
    async startFile(names) {
      await Deno.writeTextFile(
        `${tmp}/conf.d/apps.conf`,
        names.map((n) => sleepProgram(n, true)).join("\n"),
      );
      const ms = (await ctl(["update"])).ms;
      remember();
      return ms;
    },
    stopAll: async () => (await ctl(["stop", "all"], [0, 1])).ms,
    async removeAll() {
      remember();
      for await (const e of Deno.readDir(`${tmp}/conf.d`)) {
        await Deno.remove(`${tmp}/conf.d/${e.name}`);
      }
      await ctl(["update"]);
    },
    async startCrashApp(name) {
      await writeConf(name, sleepProgram(name, true));
    },
    async startCapture(name, command, args): Promise<CaptureTarget> {
      const out = `${tmp}/logs/${name}.log`;
      await writeConf(
        name,
        program(name, {
          command: [command, ...args].join(" "),
          directory: "/tmp",
          autostart: true,
          autorestart: false,
          startsecs: 0,
          stdout_logfile: out,
          stdout_logfile_maxbytes: 0,
          stdout_logfile_backups: 0,
          stderr_logfile: `${tmp}/logs/${name}-err.log`,
          stderr_logfile_maxbytes: 0,
        }),
      );
      return {
        tailFile: out,
        timed: false,
        lines: () => rawLines([out]),
        async cleanup() {
          await Deno.remove(`${tmp}/conf.d/${name}.conf`).catch(() => {});
          await ctl(["update"]);
          await Deno.remove(out).catch(() => {});
        },
      };
    },
    dispose,
  };
}
