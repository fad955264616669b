/**
 * `adasa start`: a config file (by pm2's rule for its name), a script or command with the
 * flags given, a program after `--`, or existing apps by id, name or all.
 */
import { AdasaError } from "../../src/protocol/errors.ts";
import type { InstanceInfo } from "../../src/protocol/messages.ts";
import type { AppInput, StartFileReply } from "../../src/protocol/ops.ts";
import { resolvePath } from "../../src/model/settings.ts";
import { SettingError } from "../../src/model/values.ts";
import { usageError } from "../usage_error.ts";
import { call, printInstances } from "./_shared.ts";
import { configArg, isConfigFile } from "./_config_file.ts";
import { SETTING_FLAGS } from "./_start_flags.ts";
import { print, printError } from "../render/io.ts";
import type { CommandContext, Parsed } from "./mod.ts";

export async function run(parsed: Parsed, ctx: CommandContext): Promise<number> {
  const [first] = parsed.positionals;
  const file = first !== undefined && parsed.positionals.length === 1 && isConfigFile(first);
  if (parsed.values["no-wait"] === true && !file) {
    // A start of one program or of existing apps already answers once they are spawned.
    throw usageError("adasa start: --no-wait applies to a config file (adasa start apps.json)");
  }
  if (first === undefined) {
    // `adasa start --name x -- sleep 300`: the program is the first word after --.
    if (parsed.rest.length === 0) {
      throw usageError("adasa start: name a command, a script, or an app to start");
    }
    return await create(parsed.rest[0]!, parsed.rest.slice(1), parsed, ctx);
  }
  if (file) {
    return await startFile(first, parsed, ctx);
  }
  const creating = parsed.rest.length > 0 ||
    SETTING_FLAGS.some(({ flag }) => parsed.values[flag.name] !== undefined) ||
    parsed.values.env !== undefined;
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
  return await create(first, parsed.rest, parsed, ctx);
}

async function create(
  command: string,
  args: string[],
  parsed: Parsed,
  ctx: CommandContext,
): Promise<number> {
  const rows = await call(ctx, "start", { app: appInput(command, args, parsed) });
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
  // With --no-wait the reply comes once every app is spawned: no readiness to show meanwhile.
  const wait = parsed.values["no-wait"] === true ? "spawned" as const : "ready" as const;
  const progress = ctx.json || wait === "spawned" ? null : watchProgress(ctx);
  let reply: StartFileReply;
  try {
    const config = configArg(path, { profile: envs[0], strict: parsed.values.strict === true });
    reply = await call(ctx, "start", wait === "spawned" ? { config, wait } : { config });
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

/**
 * The definition `adasa start <script>` sends: each flag of the settings table read by its
 * field's value type (the same as in config files), so a bad value is refused here naming the
 * flag. A command line (`"npm run start"`) runs through the shell, as pm2 runs it with bash.
 */
function appInput(word: string, args: string[], parsed: Parsed): AppInput {
  const v = parsed.values;
  const here = Deno.cwd();
  const input: Record<string, unknown> = {
    args,
    env: parseEnv(v.env),
    base_env: Deno.env.toObject(),
  };
  for (const { flag, setting } of SETTING_FLAGS) {
    const given = v[flag.name];
    if (given === undefined) continue;
    const raw = flag.read ? flag.read(given) : given;
    try {
      const value = setting.value.parse(raw, { cpus: navigator.hardwareConcurrency || 1 });
      if (value !== undefined) input[setting.field] = value;
    } catch (error) {
      if (!(error instanceof SettingError)) throw error;
      throw usageError(`--${flag.name}: ${error.message}`);
    }
  }
  const cwd = resolvePath(here, typeof input.cwd === "string" ? input.cwd : ".");
  input.cwd = cwd;
  const line = input.shell !== true && /\s/.test(word) && !isFile(resolvePath(here, word));
  if (input.shell === true || line) {
    input.command = line && args.length ? [word, ...args.map(shellQuote)].join(" ") : word;
    input.shell = true;
    if (line) input.args = [];
  } else {
    input.command = scriptPath(word, here);
  }
  for (const field of ["out_file", "error_file", "log_file"]) {
    if (typeof input[field] === "string") input[field] = resolvePath(here, input[field] as string);
  }
  // `-i N` on a Node script means cluster mode, as in pm2.
  if (v.instances !== undefined && input.exec_mode === undefined && isNodeScript(word, input)) {
    input.exec_mode = "cluster";
  }
  return input;
}

/** The script's absolute path, a command found in PATH, or the one-line refusal. */
function scriptPath(word: string, here: string): string {
  const local = resolvePath(here, word);
  if (isFile(local)) return local;
  if (!word.includes("/") && inPath(word)) return word;
  throw new AdasaError("INVALID_ARGUMENT", `script not found: ${local}`);
}

function isNodeScript(word: string, input: Record<string, unknown>): boolean {
  const interpreter = typeof input.interpreter === "string" ? input.interpreter : null;
  if (interpreter !== null) return /(^|\/)node$/.test(interpreter);
  return /\.(m?js|cjs)$/.test(word) && input.shell !== true;
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

function inPath(name: string): boolean {
  return (Deno.env.get("PATH") ?? "").split(":").some((dir) =>
    dir !== "" && isFile(`${dir}/${name}`)
  );
}

/** A word quoted for /bin/sh unless it is plain. */
function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
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
