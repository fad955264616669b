/** Reading files named by a config, with errors short enough for a one-line message. */
import { isAbsolute, resolve } from "node:path";

/** The largest config, dump or `.env` file read: a file is data, not a way to bloat the daemon. */
export const TEXT_FILE_LIMIT_BYTES = 16 * 1024 * 1024;

/**
 * The text of a file, or why it cannot be read ("no such file", "permission denied", too
 * big, ...). Reads at most `TEXT_FILE_LIMIT_BYTES` + 1 bytes, so a FIFO or a device that never
 * ends costs no more than a big file.
 */
export async function readText(
  path: string,
): Promise<{ ok: true; text: string } | { ok: false; message: string }> {
  const failed = (why: string) => ({
    ok: false as const,
    message: `cannot read ${JSON.stringify(path)}: ${why}`,
  });
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path);
  } catch (error) {
    return failed(whyNot(error));
  }
  try {
    if ((await file.stat()).isDirectory) return failed("it is a directory");
    const chunks: Uint8Array[] = [];
    let size = 0;
    const buffer = new Uint8Array(64 * 1024);
    while (size <= TEXT_FILE_LIMIT_BYTES) {
      const n = await file.read(buffer);
      if (n === null) break;
      chunks.push(buffer.slice(0, n));
      size += n;
    }
    if (size > TEXT_FILE_LIMIT_BYTES) {
      return failed(
        `it is over the ${TEXT_FILE_LIMIT_BYTES / 1024 / 1024} MiB limit for config files`,
      );
    }
    const bytes = new Uint8Array(size);
    let at = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, at);
      at += chunk.length;
    }
    return { ok: true, text: new TextDecoder().decode(bytes) };
  } catch (error) {
    return failed(whyNot(error));
  } finally {
    file.close();
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
