/** `adasa start`: create an app from a command or script, or start existing apps. */
import { AdasaError } from "../../src/protocol/errors.ts";
import { InvalidValue } from "../../src/model/invalid.ts";
import { parsePercent, parseSize } from "../../src/model/sizes.ts";
import { type InstanceInfo, LIMIT_ACTIONS } from "../../src/protocol/messages.ts";
import type { AppInput, StartFileReply } from "../../src/protocol/ops.ts";
import { usageError } from "../usage_error.ts";
import { call, intFlag, printInstances } from "./_shared.ts";
import { configArg, isConfigFile } from "./_config_file.ts";
import { print, printError } from "../render/io.ts";
import type { CommandContext, Parsed } from "./mod.ts";

const CREATE_FLAGS = [
  "name",
  "instances",
  "cwd",
  "env",
  "interpreter",
  "interpreter-args",
  "shell",
  "restart",
  "no-autorestart",
  "min-uptime",
  "max-restarts",
  "restart-delay",
  "backoff-max",
  "stop-signal",
  "kill-timeout",
  "stop-exit-codes",
  "max-memory",
  "max-cpu",
  "limit-action",
  "log-rotate",
  "log-retain-files",
  "log-retain",
];

export async function run(parsed: Parsed, ctx: CommandContext): Promise<number> {
  const [first] = parsed.positionals;
  if (first === undefined) {
    throw usageError("adasa start: name a command, a script, or an app to start");
  }
  if (parsed.positionals.length === 1 && isConfigFile(first)) {
    return await startFile(first, parsed, ctx);
  }
  const creating = parsed.rest.length > 0 ||
    CREATE_FLAGS.some((f) => parsed.values[f] !== undefined);
  if (!creating && (parsed.positionals.length > 1 || looksLikeTarget(first))) {
    try {
      await printInstances(
        ctx,
        await call(ctx, "start", { targets: parsed.positionals }),
      );
      return 0;
    } catch (error) {
      const fallBack = error instanceof AdasaError && error.code === "NOT_FOUND" &&
        parsed.positionals.length === 1 && !/^\d+$/.test(first) && first !== "all";
      if (!fallBack) throw error;
    }
  }
  if (parsed.positionals.length > 1) {
    throw usageError(
      `adasa start: pass the program's arguments after --, e.g. adasa start ${first} -- ...`,
    );
  }
  const rows = await call(ctx, "start", { app: appInput(first, parsed) });
  await printInstances(ctx, rows);
  return failedToStart(rows);
}

/** A program that could not be spawned is errored at once: say why and exit 1. */
function failedToStart(rows: InstanceInfo[]): number {
  const failed = rows.find((r) => r.status === "errored");
  if (!failed) return 0;
  throw new AdasaError("INTERNAL", `Cannot start "${failed.name}": ${failed.reason ?? "errored"}`);
}

/** `adasa start <file>`: every app of the file; `--env <profile>` picks env_<profile>. */
async function startFile(path: string, parsed: Parsed, ctx: CommandContext): Promise<number> {
  const envs = (parsed.values.env as string[] | undefined) ?? [];
  if (envs.length > 1 || envs.some((e) => e.includes("="))) {
    throw usageError("adasa start <file>: --env takes one profile name, e.g. --env production");
  }
  const progress = ctx.json ? null : watchProgress(ctx);
  let reply: StartFileReply;
  try {
    reply = await call(
      ctx,
      "start",
      { config: configArg(path, { profile: envs[0], strict: parsed.values.strict === true }) },
    );
  } finally {
    await progress?.stop();
  }
  for (const warning of reply.warnings) printError(`adasa: warning: ${warning}`);
  if (ctx.json) print(JSON.stringify(reply));
  else await printInstances(ctx, reply.instances);
  const failed = (reply.apps ?? []).filter((a) =>
    a.status === "failed" || a.status === "not_started"
  );
  for (const app of failed) {
    printError(`adasa: ${app.name} ${app.status.replace("_", " ")}: ${app.reason ?? "unknown"}`);
  }
  if (failed.length) return 1;
  return failedToStart(reply.instances);
}

const PROGRESS_POLL_MS = 100;

/**
 * Prints a line as each app becomes ready (or completes) while `start <file>` runs, by polling
 * `list` on a second connection; apps that were ready before are not repeated.
 */
function watchProgress(ctx: CommandContext): { stop(): Promise<void> } {
  const started = Date.now();
  let before: Map<string, string> | null = null;
  let running = true;
  const poll = async () => {
    const now = appProgress(await call(ctx, "list", {}));
    for (const [name, state] of now) {
      if (before && state !== "-" && before.get(name) !== state) {
        print(`${state.padEnd(10)} ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      }
    }
    before = now;
  };
  const loop = (async () => {
    while (running) {
      await poll();
      await new Promise((resolve) => setTimeout(resolve, PROGRESS_POLL_MS));
    }
  })().catch(() => {}); // progress is a courtesy; the reply says what happened
  return {
    async stop() {
      running = false;
      await loop;
      await poll().catch(() => {}); // the apps that became ready since the last look
    },
  };
}

/** Per app: `ready` when every instance is ready, `completed` when every one exited 0. */
function appProgress(rows: InstanceInfo[]): Map<string, string> {
  const byApp = new Map<string, InstanceInfo[]>();
  for (const row of rows) byApp.set(row.name, [...byApp.get(row.name) ?? [], row]);
  const out = new Map<string, string>();
  for (const [name, list] of byApp) {
    if (list.every((r) => r.status === "exited" && r.exit_code === 0)) out.set(name, "completed");
    else if (list.every((r) => r.ready === "ready")) out.set(name, "ready");
    else out.set(name, "-");
  }
  return out;
}

/** A word that names ids/apps rather than a program: no slash and no file of that name here. */
function looksLikeTarget(word: string): boolean {
  if (word === "all" || /^\d+$/.test(word)) return true;
  if (word.includes("/")) return false;
  try {
    Deno.statSync(word);
    return false;
  } catch {
    return true;
  }
}

function appInput(command: string, parsed: Parsed): AppInput {
  const v = parsed.values;
  const cwd = typeof v.cwd === "string" ? absolute(v.cwd, Deno.cwd()) : Deno.cwd();
  const input: Record<string, unknown> = {
    command: isLocalFile(command) ? absolute(command, Deno.cwd()) : command,
    args: parsed.rest,
    cwd,
    env: parseEnv(v.env),
    base_env: Deno.env.toObject(),
  };
  if (typeof v.name === "string") input.name = v.name;
  if (typeof v.interpreter === "string") input.interpreter = v.interpreter;
  if (typeof v["interpreter-args"] === "string") {
    input.interpreter_args = v["interpreter-args"].split(" ").filter(Boolean);
  }
  if (v.shell === true) input.shell = true;
  if (typeof v.restart === "string") input.restart = v.restart;
  if (v["no-autorestart"] === true) input.restart = "never";
  if (typeof v["stop-signal"] === "string") input.stop_signal = v["stop-signal"];
  const numbers: Array<[string, string, number]> = [
    ["instances", "instances", 1],
    ["min-uptime", "min_uptime_ms", 0],
    ["max-restarts", "max_restarts", 0],
    ["restart-delay", "restart_delay_ms", 0],
    ["backoff-max", "backoff_max_ms", 0],
    ["kill-timeout", "kill_timeout_ms", 0],
    ["log-retain-files", "log_retain_files", 1],
  ];
  for (const [flag, field, min] of numbers) {
    const value = intFlag(parsed, flag, min);
    if (value !== undefined) input[field] = value;
  }
  if (typeof v["stop-exit-codes"] === "string") {
    input.stop_exit_codes = parseCodes(v["stop-exit-codes"]);
  }
  if (typeof v["max-memory"] === "string") {
    input.max_memory = flagValue("max-memory", v["max-memory"], parseSize);
  }
  if (typeof v["max-cpu"] === "string") {
    input.max_cpu = flagValue("max-cpu", v["max-cpu"], parsePercent);
  }
  if (typeof v["limit-action"] === "string") {
    const action = v["limit-action"];
    if (!(LIMIT_ACTIONS as readonly string[]).includes(action)) {
      throw usageError(`--limit-action: expected ${LIMIT_ACTIONS.join(", ")}, got "${action}"`);
    }
    input.limit_action = action;
  }
  for (
    const [flag, field] of [["log-rotate", "log_rotate_bytes"], ["log-retain", "log_retain_bytes"]]
  ) {
    const value = v[flag!];
    if (typeof value === "string") input[field!] = flagValue(flag!, value, parseSize);
  }
  return input;
}

/** Parses a flag's value; an error names the flag as well as the value. */
function flagValue<T>(flag: string, text: string, parse: (text: string) => T): T {
  try {
    return parse(text);
  } catch (error) {
    if (!(error instanceof InvalidValue)) throw error;
    throw usageError(`--${flag}: ${error.message}`);
  }
}

function parseEnv(raw: unknown): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of (raw as string[] | undefined) ?? []) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw usageError(`--env: expected KEY=VALUE, got "${pair}"`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

function parseCodes(text: string): number[] {
  return text.split(",").map((part) => {
    if (!/^\d+$/.test(part.trim())) {
      throw usageError(`--stop-exit-codes: "${part}" is not an exit code`);
    }
    return Number(part.trim());
  });
}

function isLocalFile(word: string): boolean {
  if (word.startsWith("/")) return false;
  try {
    return Deno.statSync(word).isFile;
  } catch {
    return false;
  }
}

function absolute(path: string, base: string): string {
  if (path.startsWith("/")) return path;
  const parts = `${base}/${path}`.split("/");
  const out: string[] = [];
  for (const part of parts) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return "/" + out.join("/");
}
