/**
 * The only Deno.Command call. Starts one instance in its own session and process group, so a
 * stop can signal the whole group. Checks cwd and command first, so a typo is reported as
 * "command not found: ./srv", not as a restart loop.
 *
 * The new session comes from util-linux's `setsid` when it is installed: it calls setsid(2)
 * and execs the program in the same pid, and lets the runtime use its fast spawn path.
 * `detached: true` does the same but forks the whole daemon first, which costs 3 to 6 ms per
 * spawn with a daemon-sized heap (measured: 100 spawns 139 ms with setsid, 606 ms detached).
 */
import type { AppSpec } from "../protocol/mod.ts";

/** How a child ended: a code, or the signal that killed it (code null). */
export interface ExitStatus {
  code: number | null;
  signal: string | null;
}

/** A running child. */
export interface SpawnedChild {
  pid: number;
  status: Promise<ExitStatus>;
  stdout: ReadableStream<Uint8Array>;
  stderr: ReadableStream<Uint8Array>;
}

/** Spawning failed for a reason the user can fix; the message is that reason. */
export class SpawnError extends Error {
  override name = "SpawnError";
}

/**
 * The program and arguments an app runs, after its interpreter and shell flags. `preload` is
 * the Node runtime's file, required first by a Node program (see node/runtime.ts).
 */
export function invocation(
  spec: AppSpec,
  preload: string | null = null,
): { program: string; args: string[] } {
  const requires = preload ? ["--require", preload] : [];
  if (spec.shell) {
    const line = [spec.command, ...spec.args].join(" ");
    return { program: "/bin/sh", args: ["-c", line] };
  }
  if (spec.interpreter) {
    return {
      program: spec.interpreter,
      args: [...requires, ...spec.interpreter_args, spec.command, ...spec.args],
    };
  }
  return { program: spec.command, args: [...requires, ...spec.args] };
}

/**
 * Starts the app's program with `env` as its whole environment.
 *
 * @throws {SpawnError} when the cwd or the program is missing or not executable
 */
export function spawnChild(spec: AppSpec, env: Record<string, string>): SpawnedChild {
  const { program, args } = invocation(spec, env[NODE_PRELOAD_VAR] ?? null);
  const resolved = checkSpawnable(spec, env);
  return spawnResolved(program, resolved, args, { cwd: spec.cwd, env });
}

/** The variable naming the Node runtime's preload in the environment of a Node app. */
export const NODE_PRELOAD_VAR = "ADASA_NODE_PRELOAD";

/**
 * Starts a program of the daemon's own (a cluster balancer) in its own session, as an
 * instance is started.
 *
 * @throws {SpawnError} when the program is missing or not executable
 */
export function spawnInSession(
  program: string,
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): SpawnedChild {
  const resolved = resolveProgram(program, options.cwd, options.env.PATH ?? "");
  return spawnResolved(program, resolved, args, options);
}

/** Spawns `resolved` (the file `program` names) in its own session. */
function spawnResolved(
  program: string,
  resolved: string,
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): SpawnedChild {
  const viaSetsid = SETSID !== null;
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(viaSetsid ? SETSID! : resolved, {
      args: viaSetsid ? [resolved, ...args] : args,
      cwd: options.cwd,
      env: options.env,
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      detached: !viaSetsid,
    }).spawn();
  } catch (error) {
    // execve's own refusal (EACCES on a folder of the path, a noexec mount) says so too.
    const why = error instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : outOfDescriptors(error)
      ? outOfDescriptorsText()
      : (error as Error).message;
    throw new SpawnError(`cannot start ${program}: ${why}`, { cause: error });
  }
  return {
    pid: child.pid,
    status: child.status.then((s) => ({
      code: s.signal ? null : s.code,
      signal: s.signal ?? null,
    })),
    stdout: child.stdout,
    stderr: child.stderr,
  };
}

/**
 * Checks what a spawn needs, the way execvp would find it: the cwd, the program (in PATH or
 * by path) and, with an interpreter, the script. Returns the program's path.
 *
 * @throws {SpawnError} one line naming what is missing
 */
export function checkSpawnable(spec: AppSpec, env: Record<string, string>): string {
  const { program } = invocation(spec);
  checkCwd(spec.cwd);
  const resolved = resolveProgram(program, spec.cwd, env.PATH ?? "");
  if (spec.interpreter && !spec.shell) checkScript(spec.command, spec.cwd);
  return resolved;
}

/** An interpreter's script must exist: `node nothere.js` is an error, not a crash loop. */
function checkScript(script: string, cwd: string): void {
  if (script.startsWith("-") || script === "") return;
  const full = script.startsWith("/") ? script : `${cwd.replace(/\/$/, "")}/${script}`;
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(full);
  } catch (error) {
    if (error instanceof Deno.errors.PermissionDenied) {
      throw new SpawnError(`permission denied: ${script}`);
    }
    throw new SpawnError(`script not found: ${full}`);
  }
  if (info.isDirectory) throw new SpawnError(`script is a directory: ${full}`);
}

/** EMFILE (this process) or ENFILE (the whole system): each child takes two pipes. */
function outOfDescriptors(error: unknown): boolean {
  return error instanceof Error && /os error 2[34]\b|too many open files/i.test(error.message);
}

function outOfDescriptorsText(): string {
  const limit = openFileLimit();
  return `the daemon is out of file descriptors (open-file limit ${limit ?? "unknown"}; each ` +
    "app takes about 3): raise the hard limit (ulimit -Hn, systemd LimitNOFILE=) and restart " +
    "the daemon";
}

/** The soft open-file limit of this process, from /proc/self/limits; null when unreadable. */
export function openFileLimit(): number | null {
  try {
    const text = Deno.readTextFileSync("/proc/self/limits");
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(text);
    return match ? (match[1] === "unlimited" ? Infinity : Number(match[1])) : null;
  } catch {
    return null;
  }
}

const SETSID = findSetsid();

function findSetsid(): string | null {
  if (Deno.env.get("ADASA_NO_SETSID") === "1") return null;
  for (const path of ["/usr/bin/setsid", "/bin/setsid"]) {
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // not here
    }
  }
  return null;
}

function checkCwd(cwd: string): void {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(cwd);
  } catch (error) {
    if (error instanceof Deno.errors.PermissionDenied) {
      throw new SpawnError(`permission denied: cwd ${cwd}`, { cause: error });
    }
    throw new SpawnError(`cwd does not exist: ${cwd}`, { cause: error });
  }
  if (!info.isDirectory) throw new SpawnError(`cwd is not a directory: ${cwd}`);
}

/**
 * Where a program name was found in a PATH lately. A hit is used again for a second, after one
 * stat that finds it still executable: a batch of 100 starts of one program then walks PATH
 * once, not 200 times with a failing stat (and its error object) per folder before it (#17).
 */
const FOUND = new Map<string, { file: string; until: number }>();
const FOUND_FOR_MS = 1_000;
const FOUND_MAX = 256;

/** Finds the file that will be executed, the way execvp would. */
function resolveProgram(program: string, cwd: string, path: string): string {
  if (program.includes("/")) {
    const full = program.startsWith("/") ? program : `${cwd}/${program}`;
    assertExecutable(full, program);
    return full;
  }
  const key = `${program}\0${path}`;
  const hit = FOUND.get(key);
  const now = performance.now();
  if (hit && hit.until > now && isExecutableFile(hit.file)) return hit.file;
  const file = searchPath(program, path);
  if (FOUND.size >= FOUND_MAX) FOUND.clear();
  FOUND.set(key, { file, until: now + FOUND_FOR_MS });
  return file;
}

function isExecutableFile(file: string): boolean {
  try {
    const info = Deno.statSync(file);
    return info.isFile && ((info.mode ?? 0) & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** The first executable `program` in the folders of `path`, or the one-line refusal. */
function searchPath(program: string, path: string): string {
  // As execvp: a file found but not executable (EACCES) is reported if no later folder has one.
  let denied: string | null = null;
  for (const dir of path.split(":")) {
    if (!dir) continue;
    const candidate = `${dir}/${program}`;
    try {
      const info = Deno.statSync(candidate);
      if (info.isFile && ((info.mode ?? 0) & 0o111) !== 0) return candidate;
      if (info.isFile) denied ??= candidate;
    } catch (error) {
      if (error instanceof Deno.errors.PermissionDenied) denied ??= candidate;
      // otherwise not in this folder
    }
  }
  if (denied) throw new SpawnError(`permission denied: ${denied} is not executable`);
  throw new SpawnError(`command "${program}" not found in PATH`);
}

function assertExecutable(full: string, shown: string): void {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(full);
  } catch (error) {
    if (error instanceof Deno.errors.PermissionDenied) {
      throw new SpawnError(`permission denied: ${shown}`, { cause: error });
    }
    throw new SpawnError(`program not found: ${full}`, { cause: error });
  }
  if (!info.isFile) throw new SpawnError(`not a file: ${shown}`);
  if (((info.mode ?? 0) & 0o111) === 0) {
    throw new SpawnError(`permission denied: ${shown} is not executable`);
  }
}

/**
 * Runs a check command through `/bin/sh -c` in `cwd` with `env`; resolves with its exit code
 * and the last line it printed, or code null when it was killed (timeout or `signal`).
 */
export async function runCheckCommand(
  line: string,
  options: { cwd: string; env: Record<string, string>; timeoutMs: number; signal: AbortSignal },
): Promise<{ code: number | null; output: string }> {
  const stop = AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]);
  const out = await new Deno.Command("/bin/sh", {
    args: ["-c", line],
    cwd: options.cwd,
    env: options.env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: stop,
  }).output();
  const text = new TextDecoder().decode(out.stderr.length ? out.stderr : out.stdout).trim();
  return { code: out.signal ? null : out.code, output: text.split("\n").at(-1) ?? "" };
}
