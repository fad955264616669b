/** Reading files named by a config, with errors short enough for a one-line message. */
import { isAbsolute, resolve } from "node:path";

/** The text of a file, or why it cannot be read ("no such file", "permission denied", ...). */
export async function readText(
  path: string,
): Promise<{ ok: true; text: string } | { ok: false; message: string }> {
  try {
    return { ok: true, text: await Deno.readTextFile(path) };
  } catch (error) {
    return { ok: false, message: `cannot read ${JSON.stringify(path)}: ${whyNot(error)}` };
  }
}

function whyNot(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "no such file";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof Deno.errors.IsADirectory) return "it is a directory";
  return String((error as Error).message ?? error).replace(/ \(os error \d+\).*$/, "");
}

/**
 * Where a script runs from: absolute as given; with a `/`, relative to `cwd`; a bare name is
 * a file in `cwd` when one exists there (as pm2 does), and otherwise a command found in PATH.
 */
export async function resolveScript(command: string, cwd: string): Promise<string> {
  if (isAbsolute(command)) return command;
  const local = resolve(cwd, command);
  if (command.includes("/")) return local;
  try {
    return (await Deno.stat(local)).isFile ? local : command;
  } catch {
    return command; // not in cwd: the daemon looks it up in PATH when it spawns
  }
}
