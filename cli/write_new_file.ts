/**
 * Writes a file by way of a temporary file beside it, then renames it into place, so a reader
 * sees the old file or the new one, never half. The temporary file is created with
 * `createNew` (O_CREAT|O_EXCL, #16.11): a symlink or file planted at its path is never
 * followed or truncated, and its name is random, so it cannot be planted in advance.
 */
import { AdasaError } from "../src/protocol/errors.ts";

const ATTEMPTS = 5;

export interface WriteOptions {
  /** The new file's mode (creation mode, reduced by the umask; never widened). */
  mode: number;
  /** The temporary path for one attempt (default: `.<name>.<random>.tmp` beside `path`). */
  tempPath?: (path: string) => string;
}

/**
 * Replaces `path` with `text`.
 *
 * @throws {AdasaError} ALREADY_EXISTS when every temporary path tried already existed
 */
export async function writeNewFile(
  path: string,
  text: string,
  options: WriteOptions,
): Promise<void> {
  const tempPath = options.tempPath ?? randomTempPath;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const temp = tempPath(path);
    let file: Deno.FsFile;
    try {
      file = await Deno.open(temp, { write: true, createNew: true, mode: options.mode });
    } catch (error) {
      if (error instanceof Deno.errors.AlreadyExists) continue;
      throw error;
    }
    try {
      await writeAll(file, new TextEncoder().encode(text));
      file.close();
      await Deno.rename(temp, path);
    } catch (error) {
      try {
        file.close();
      } catch {
        // closed above
      }
      await Deno.remove(temp).catch(() => {}); // best effort: the write's error is the one to tell
      throw error;
    }
    return;
  }
  throw new AdasaError(
    "ALREADY_EXISTS",
    `Cannot write ${path}: its temporary file already existed ${ATTEMPTS} times (${
      tempPath(path)
    })`,
  );
}

function randomTempPath(path: string): string {
  const slash = path.lastIndexOf("/");
  const dir = slash === -1 ? "." : path.slice(0, slash) || "/";
  const name = path.slice(slash + 1);
  const random = Array.from(
    crypto.getRandomValues(new Uint8Array(8)),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
  return `${dir}/.${name}.${random}.tmp`;
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await file.write(bytes.subarray(offset));
}
