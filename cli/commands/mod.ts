/**
 * The table of sub-commands: names, aliases, help, flags (see args.ts) and a
 * lazy loader, so `adasa ping` never loads the code of `adasa logs`.
 */
import type { AdasaClient } from "../../src/ipc/client.ts";
import { AdasaError } from "../../src/protocol/errors.ts";

/** A flag of a command, as parseArgs takes it, plus its help text. */
export interface FlagSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  help: string;
  /** Shown in help as the value's name, e.g. N or DIR. */
  value?: string;
  /** A string flag whose value may be left out (`--watch` alone reads `true`). */
  optional?: boolean;
}

/** What a command gets from main. */
export interface CommandContext {
  home: string;
  json: boolean;
  color: boolean;
  /** Connects to the daemon, starting it when none answers. */
  connect(): Promise<AdasaClient>;
}

/** A parsed command line. */
export interface Parsed {
  /** The command's canonical name (aliases resolved). */
  command: string;
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  /** Words after `--`, passed to the program verbatim. */
  rest: string[];
}

export interface CommandModule {
  run(parsed: Parsed, ctx: CommandContext): Promise<number>;
}

/** A command's flags by name. */
export type Flags = Record<string, FlagSpec>;

export interface CommandSpec {
  name: string;
  aliases?: string[];
  summary: string;
  usage: string;
  /**
   * The command's flags, or a loader of them: start's come from the settings table, which only
   * start, run and their help need, so other commands never evaluate it (read with flagsOf).
   */
  flags: Flags | (() => Promise<Flags>);
  /** Whether words after `--` are accepted. */
  takesRest?: boolean;
  load(): Promise<CommandModule>;
}

async function loadStartFlags(): Promise<Flags> {
  return (await import("./_start_flags.ts")).START_FLAGS;
}

const force: FlagSpec = { type: "boolean", short: "f", help: "Send SIGKILL at once" };
const updateEnv: FlagSpec = {
  type: "boolean",
  help: "Replace the app's environment with this shell's",
};
const since: FlagSpec = {
  type: "string",
  value: "T",
  help: "From T: 90s, 10m, 6h, 2d, HH:MM, ISO 8601",
};
const until: FlagSpec = { type: "string", value: "T", help: "Up to T (same forms as --since)" };

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "start",
    summary: "Start a program, a script, or existing apps by id, name or all",
    usage: "adasa start <command|script|target...> [options] [-- args...]",
    takesRest: true,
    flags: loadStartFlags,
    load: () => import("./start.ts"),
  },
  {
    name: "stop",
    summary: "Stop instances (the whole process group)",
    usage: "adasa stop <id|name|all>... [--force]",
    flags: { force },
    load: () => import("./stop.ts"),
  },
  {
    name: "restart",
    summary: "Restart instances",
    usage: "adasa restart <id|name|all>... [--update-env]",
    flags: { "update-env": updateEnv },
    load: () => import("./restart.ts"),
  },
  {
    name: "reload",
    // pm2's names for "start what is new in the file, restart what changed".
    aliases: ["startOrReload", "startOrRestart", "startOrGracefulReload"],
    summary: "Restart instances one at a time; with a config file, apply its changes",
    usage: "adasa reload <id|name|all>... [--update-env] | adasa reload <file> [--prune] [--env P]",
    flags: {
      "update-env": updateEnv,
      prune: { type: "boolean", help: "With a config file: delete apps that are not in it" },
      env: {
        type: "string",
        value: "PROFILE",
        help: "With a config file: the env_<profile> to use",
      },
      strict: { type: "boolean", help: "With a config file: warnings are errors" },
    },
    load: () => import("./restart.ts"),
  },
  {
    name: "delete",
    aliases: ["del", "rm"],
    summary: "Stop and forget instances or apps",
    usage: "adasa delete <id|name|all>...",
    flags: {},
    load: () => import("./delete.ts"),
  },
  {
    name: "scale",
    summary: "Set the number of instances of an app",
    usage: "adasa scale <name> <K>",
    flags: {},
    load: () => import("./scale.ts"),
  },
  {
    name: "signal",
    aliases: ["sendSignal"],
    summary: "Send a signal to running instances",
    usage: "adasa signal <SIGNAL> <id|name|all>...",
    flags: {},
    load: () => import("./signal.ts"),
  },
  {
    name: "list",
    aliases: ["ls", "status", "l", "ps"],
    summary: "Show every instance",
    usage: "adasa list [--json]",
    flags: {},
    load: () => import("./list.ts"),
  },
  {
    name: "describe",
    aliases: ["show", "info", "desc"],
    summary: "Show an app or instance in detail",
    usage: "adasa describe <id|name> [--show-env]",
    flags: { "show-env": { type: "boolean", help: "Show environment values (hidden by default)" } },
    load: () => import("./describe.ts"),
  },
  {
    name: "events",
    summary: "Show the timeline of starts, exits, restarts and stops",
    usage: "adasa events [id|name...] [--since T] [--until T] [--limit N]",
    flags: {
      since,
      until,
      limit: { type: "string", short: "n", value: "N", help: "Most recent N events (default 200)" },
    },
    load: () => import("./events.ts"),
  },
  {
    name: "logs",
    summary: "Show captured output: the last lines, a time window, or --follow",
    usage:
      "adasa logs [id|name|all...] [--lines N] [--since T] [--until T] [-f] [--out|--err] [--grep P [--regex] [-i]]",
    flags: {
      lines: { type: "string", short: "n", value: "N", help: "The last N lines (default 15)" },
      since,
      until,
      follow: { type: "boolean", short: "f", help: "Keep printing new lines" },
      out: { type: "boolean", help: "Only stdout" },
      err: { type: "boolean", help: "Only stderr" },
      grep: { type: "string", value: "TEXT", help: "Only lines containing TEXT" },
      regex: { type: "boolean", help: "Read --grep as a regular expression" },
      "ignore-case": { type: "boolean", short: "i", help: "--grep matches letters in either case" },
      "no-prefix": { type: "boolean", help: "No app, id and time in front of each line" },
      raw: { type: "boolean", help: "Same as --no-prefix (pm2's name)" },
      nostream: {
        type: "boolean",
        help: "Print and exit without following (the default; pm2's flag)",
      },
    },
    load: () => import("./logs.ts"),
  },
  {
    name: "flush",
    summary: "Empty the logs of apps (all when none is named)",
    usage: "adasa flush [id|name|all...]",
    flags: {},
    load: () => import("./flush.ts"),
  },
  {
    name: "stats",
    summary: "CPU and memory history: charts, with min, avg, p95 and max",
    usage: "adasa stats <id|name|all>... [--since T] [--until T] [--json|--csv]",
    flags: {
      since: { ...since, help: "From T (default 1h): 90s, 10m, 6h, 2d, HH:MM, ISO 8601" },
      until,
      csv: { type: "boolean", help: "The rows as CSV" },
    },
    load: () => import("./stats.ts"),
  },
  {
    name: "monit",
    summary: "Full-screen monitor: details, live logs, restart/stop/reload",
    usage: "adasa monit [--interval MS]",
    flags: { interval: { type: "string", value: "MS", help: "Refresh period (default 2000)" } },
    load: () => import("./monit.ts"),
  },
  {
    name: "schema",
    summary: "Print the JSON Schema of config files, for editors",
    usage: "adasa schema",
    flags: {},
    load: () => import("./schema.ts"),
  },
  {
    name: "export",
    summary: "Write app definitions as a config file, or as systemd, Compose or Kubernetes files",
    usage: "adasa export [id|name...|FILE [name...]] [--format FMT] [-o FILE|DIR]",
    flags: {
      format: {
        type: "string",
        value: "FMT",
        help: "json (default), toml, systemd, compose or kubernetes",
      },
      env: {
        type: "string",
        value: "NAME",
        help: "With a config file: apply its env_NAME profile, as adasa start does",
      },
      output: {
        type: "string",
        short: "o",
        value: "PATH",
        help: "Write to PATH instead of stdout (a folder for systemd, compose, kubernetes)",
      },
    },
    load: () => import("./export.ts"),
  },
  {
    name: "import-pm2",
    summary: "Create the apps of a pm2 dump (pm2 save) and start them",
    usage: "adasa import-pm2 [path] (default ~/.pm2/dump.pm2)",
    flags: {},
    load: () => import("./import_pm2.ts"),
  },
  {
    name: "startup",
    summary: "Print (or --install) a systemd unit that runs the daemon at boot",
    usage: "adasa startup [--system] [--user NAME] [--install]",
    flags: {
      system: { type: "boolean", help: "A system unit (default: a user unit)" },
      user: { type: "string", value: "NAME", help: "With --system: the user to run as" },
      install: { type: "boolean", help: "Write the unit and enable it with systemctl" },
    },
    load: () => import("./startup.ts"),
  },
  {
    name: "unstartup",
    summary: "Disable and remove the unit that adasa startup installed",
    usage: "adasa unstartup [--system]",
    flags: { system: { type: "boolean", help: "The system unit" } },
    load: () => import("./startup.ts"),
  },
  {
    name: "web",
    summary: "Serve the web dashboard, HTTP API and /metrics (127.0.0.1, token in web.token)",
    usage: "adasa web [--port P] [--host H --token T] [--metrics-public] | adasa web --stop",
    flags: {
      port: { type: "string", short: "p", value: "P", help: "Port (default 9615; 0 picks one)" },
      host: {
        type: "string",
        value: "H",
        help: "Address to bind (default 127.0.0.1); another needs a token",
      },
      token: {
        type: "string",
        value: "T",
        help: "Use this token (32+ characters; saved to web.token)",
      },
      "metrics-public": { type: "boolean", help: "Serve /metrics without the token" },
      stop: { type: "boolean", help: "Stop the web server" },
    },
    load: () => import("./web.ts"),
  },
  {
    name: "run",
    summary: "Run a file or script in the foreground, as pm2-runtime does in containers",
    usage: "adasa run <file|command|script> [start options] [-- args...]",
    takesRest: true,
    flags: loadStartFlags,
    load: () => import("./run.ts"),
  },
  {
    name: "jlist",
    summary: "Every instance as pm2's jlist prints it (one JSON array)",
    usage: "adasa jlist",
    flags: {},
    load: () => import("./jlist.ts"),
  },
  {
    name: "prettylist",
    summary: "The same as jlist, indented",
    usage: "adasa prettylist",
    flags: {},
    load: () => import("./jlist.ts"),
  },
  {
    name: "pid",
    summary: "The pids of running instances, one per line",
    usage: "adasa pid [id|name]",
    flags: {},
    load: () => import("./pid.ts"),
  },
  {
    name: "env",
    summary: "The environment of an instance, KEY: value per line",
    usage: "adasa env <id>",
    flags: {},
    load: () => import("./env.ts"),
  },
  {
    name: "reset",
    summary: "Zero the restart counters of instances",
    usage: "adasa reset <id|name|all>...",
    flags: {},
    load: () => import("./reset.ts"),
  },
  {
    name: "save",
    aliases: ["dump"],
    summary: "Nothing to do: every change is already stored (pm2 habit)",
    usage: "adasa save",
    flags: {},
    load: () => import("./pm2_persistence.ts"),
  },
  {
    name: "resurrect",
    summary: "Start the daemon if none runs; it restores the stored apps",
    usage: "adasa resurrect",
    flags: {},
    load: () => import("./pm2_persistence.ts"),
  },
  {
    name: "update",
    summary: "Restart the daemon (a new version takes over); apps come back as stored",
    usage: "adasa update",
    flags: {},
    load: () => import("./pm2_persistence.ts"),
  },
  {
    name: "kill",
    summary: "Stop every app, then the daemon (pm2 kill; the same as adasa daemon stop)",
    usage: "adasa kill",
    flags: {},
    load: () => import("./kill.ts"),
  },
  {
    name: "ping",
    summary: "Check that the daemon answers",
    usage: "adasa ping",
    flags: {},
    load: () => import("./ping.ts"),
  },
  {
    name: "daemon",
    summary: "Manage the daemon: start, stop, status, restart, run",
    usage: "adasa daemon <start|stop|status|restart|run>",
    flags: {},
    load: () => import("./daemon.ts"),
  },
];

/** Finds a command by name or alias. */
export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name || (c.aliases ?? []).includes(name));
}

/** A command's flags, loading them when the table names a loader. */
export async function flagsOf(spec: CommandSpec): Promise<Flags> {
  return typeof spec.flags === "function" ? await spec.flags() : spec.flags;
}

/**
 * Runs a parsed command, on this machine's daemon or through a tunnel alike. An unknown app
 * name gets a "did you mean" from the app names `reconnect` reads (null: no daemon to ask).
 */
export async function runCommand(
  spec: CommandSpec,
  parsed: Parsed,
  ctx: CommandContext,
  reconnect: () => Promise<AdasaClient | null>,
): Promise<number> {
  const command = await spec.load();
  try {
    return await command.run(parsed, ctx);
  } catch (error) {
    if (!(error instanceof AdasaError) || error.code !== "NOT_FOUND") throw error;
    const { suggestAppName } = await import("../suggest_app.ts");
    throw await suggestAppName(error, reconnect);
  }
}
