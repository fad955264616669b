/**
 * Turns one app of a parsed config file into an AppSpecInput: reads its env_file, expands
 * `${VAR}`, reads every field through the shared table, resolves paths, merges the
 * environment layers, and validates the result with normalizeAppSpec, the one validator.
 */
import { resolve } from "node:path";
import { AdasaError, type AppSpecInput, normalizeAppSpec } from "../protocol/mod.ts";
import { describe, FieldError } from "./_readers.ts";
import { readText, resolveScript } from "./_files.ts";
import { parseEnvFile } from "./env_file.ts";
import { expandString, expandTree } from "./expand.ts";
import { type AppDraft, applyField, newDraft } from "./fields.ts";
import { pm2StopSignal } from "./pm2_defaults.ts";
import type { AppExtras } from "./types.ts";

/** What every app of one file shares. */
export interface AppContext {
  /** The config file's folder: the default cwd, and the base of relative cwd and env_file. */
  dir: string;
  env: Record<string, string>;
  profile?: string;
  cpuCount: number;
  /** The file is in one of pm2's formats (not TOML): apps written for pm2 get pm2's defaults. */
  pm2Defaults?: boolean;
}

/** One app, mapped. Messages start with the app's path (`apps[1].instances: ...`). */
export interface MappedApp {
  input: AppSpecInput | null;
  extras: AppExtras;
  /** Profiles (`env_<name>`) this app defines. */
  profiles: string[];
  problems: string[];
  warnings: string[];
}

/** Maps the app at `at` (like `apps[1]`). */
export async function mapApp(raw: unknown, at: string, ctx: AppContext): Promise<MappedApp> {
  const out: MappedApp = { input: null, extras: {}, profiles: [], problems: [], warnings: [] };
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    out.problems.push(`${at}: expected a map of fields, got ${describe(raw)}`);
    return out;
  }
  const { env_file: envFileField, ...fields } = raw as Record<string, unknown>;
  const fileVars = await readEnvFiles(envFileField, `${at}.env_file`, ctx, out.problems);
  const broken = new Set<string>();
  const expanded = expandTree(fields, { ...ctx.env, ...fileVars }, "", {
    error: (path, message) => {
      broken.add(path.split(/[.[]/)[0]!);
      out.problems.push(`${at}.${path}: ${message}`);
    },
    unset: (path, name) => out.warnings.push(`${at}.${path}: \${${name}} is not set; using ""`),
  }) as Record<string, unknown>;
  const draft = newDraft();
  for (const [key, value] of Object.entries(expanded)) {
    if (broken.has(key)) continue;
    try {
      applyField(key, value, draft, ctx.cpuCount);
    } catch (error) {
      if (!(error instanceof FieldError)) throw error;
      out.problems.push(`${at}.${key}${error.subpath}: ${error.message}`);
    }
  }
  out.warnings.push(...draft.warnings.map((w) => `${at}.${w}`));
  out.profiles = Object.keys(draft.profiles);
  if (out.problems.length === 0) await finishApp(draft, fileVars, at, ctx, out);
  if (out.input) {
    const mode = pm2ExecMode(draft.spec, expanded.instances, out.input.command);
    if (mode) out.input.exec_mode = mode;
  }
  return out;
}

async function readEnvFiles(
  field: unknown,
  at: string,
  ctx: AppContext,
  problems: string[],
): Promise<Record<string, string>> {
  if (field === undefined) return {};
  const paths = typeof field === "string" ? [field] : field;
  if (!Array.isArray(paths) || paths.length === 0 || paths.some((p) => typeof p !== "string")) {
    problems.push(`${at}: expected a path or a list of paths, got ${describe(field)}`);
    return {};
  }
  const vars: Record<string, string> = {};
  for (const [i, raw] of (paths as string[]).entries()) {
    const where = typeof field === "string" ? at : `${at}[${i}]`;
    const expanded = expandString(raw, ctx.env);
    if (expanded.errors.length) {
      problems.push(...expanded.errors.map((e) => `${where}: ${e}`));
      continue;
    }
    const path = resolve(ctx.dir, expanded.value);
    const read = await readText(path);
    const parsed = read.ok ? parseEnvFile(read.text) : null;
    if (!read.ok) problems.push(`${where}: ${read.message}`);
    else if (parsed && !parsed.ok) {
      problems.push(`${where}: ${path} line ${parsed.line}: ${parsed.message}`);
    } else if (parsed?.ok) Object.assign(vars, parsed.vars);
  }
  return vars;
}

async function finishApp(
  draft: AppDraft,
  fileVars: Record<string, string>,
  at: string,
  ctx: AppContext,
  out: MappedApp,
): Promise<void> {
  const command = draft.spec.command;
  if (typeof command !== "string") {
    out.problems.push(`${at}.script: missing; name the program to run (or use "command")`);
    return;
  }
  const cwd = resolve(ctx.dir, typeof draft.spec.cwd === "string" ? draft.spec.cwd : ".");
  const profileEnv = ctx.profile === undefined ? {} : draft.profiles[ctx.profile] ?? {};
  // A spawn without PATH in its environment searches the daemon's own.
  const path = ctx.env.PATH ?? Deno.env.get("PATH") ?? "";
  const program = await programOf(draft, command, cwd, path);
  if ("problem" in program) {
    out.problems.push(`${at}.${draft.source.command ?? "script"}: ${program.problem}`);
    return;
  }
  if (program.ignoredArgs) {
    out.warnings.push(`${at}.args: ignored: a command line in script runs alone, as in pm2`);
  }
  const input: AppSpecInput = {
    ...draft.spec,
    ...program.spec,
    cwd,
    env: { ...fileVars, ...draft.env, ...profileEnv },
    base_env: { ...ctx.env },
  };
  const pm2Signal = ctx.pm2Defaults ? pm2StopSignal(draft, ctx.env, out.warnings) : null;
  if (pm2Signal !== null) input.stop_signal = pm2Signal;
  try {
    // With the extras too: croner checks cron_restart before anything is stored.
    input.name = normalizeAppSpec({ ...input, ...draft.extras }).name;
  } catch (error) {
    if (!(error instanceof AdasaError)) throw error;
    out.problems.push(`${at}.${specProblem(error.message, draft)}`);
    return;
  }
  out.input = input;
  out.extras = draft.extras;
}

type Program =
  | { spec: Partial<AppSpecInput> & { command: string }; ignoredArgs: boolean }
  | { problem: string };

/**
 * What runs, as pm2 decides it: a `script` with blanks that is not a file is a command line
 * run by `bash -c "<script>"` as in pm2 (Adasa's shell line, /bin/sh, without bash), its args
 * dropped as pm2 drops them; otherwise a file (relative to cwd) or a command from PATH, else `script not found`.
 */
async function programOf(
  draft: AppDraft,
  command: string,
  cwd: string,
  path: string,
): Promise<Program> {
  if (draft.spec.shell === true) return { spec: { command }, ignoredArgs: false };
  const local = resolve(cwd, command);
  if (draft.spec.shell === undefined && /\s/.test(command.trim()) && !(await isFile(local))) {
    const args = draft.spec.args;
    const ignoredArgs = Array.isArray(args) && args.length > 0;
    // pm2 runs it as `bash -c "<line>"` (lib/Common.js), so bash's rules apply and a simple
    // command is exec'd by bash itself; Adasa's shell line (/bin/sh) where there is no bash.
    if (await inPath("bash", path)) {
      return { spec: { command: "bash", args: ["-c", command.trim()] }, ignoredArgs };
    }
    return { spec: { command: command.trim(), shell: true, args: [] }, ignoredArgs };
  }
  const resolved = await resolveScript(command, cwd);
  if (resolved.startsWith("/")) {
    return (await exists(resolved))
      ? { spec: { command: resolved }, ignoredArgs: false }
      : { problem: `script not found: ${resolved}` };
  }
  if (await inPath(resolved, path)) return { spec: { command: resolved }, ignoredArgs: false };
  return { problem: `script not found: ${local} (nor ${JSON.stringify(command)} in PATH)` };
}

/** Whether `name` is a file in one of the folders of `path` (a PATH value). */
async function inPath(name: string, path: string): Promise<boolean> {
  for (const dir of path.split(":")) {
    if (dir && await isFile(`${dir}/${name}`)) return true;
  }
  return false;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * pm2's rule (Common.sink.determineExecMode): an app that gives `instances` but no `exec_mode`
 * runs in cluster mode when node runs it, so its instances share their port. Literally as pm2
 * compares: a number >= 1, 0 or -1, or a string >= 1 ("max" is not, and stays fork).
 */
function pm2ExecMode(
  spec: Record<string, unknown>,
  instances: unknown,
  command: string,
): "cluster" | null {
  if (spec.exec_mode !== undefined || instances === undefined) return null;
  const counts = typeof instances === "number"
    ? instances >= 1 || instances === 0 || instances === -1
    : typeof instances === "string" && Number(instances) >= 1;
  if (!counts || spec.shell === true) return null;
  const byNode = typeof spec.interpreter === "string"
    ? /(^|\/)(node|nodejs)(\d+)?$/.test(spec.interpreter)
    : /\.(js|mjs|cjs)$/.test(command);
  return byNode ? "cluster" : null;
}

/** Names normalizeAppSpec's complaint by the field the file used (`min_uptime`, not `_ms`). */
function specProblem(message: string, draft: AppDraft): string {
  if (message.startsWith("Invalid app name")) return `name: i${message.slice(1)}`;
  const match = /^([a-z_]+)([^:]*): (.*)$/.exec(message);
  if (!match) return `${draft.source.name ?? "name"}: ${message}`;
  return `${draft.source[match[1]!] ?? match[1]}${match[2]}: ${match[3]}`;
}
