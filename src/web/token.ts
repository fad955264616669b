/**
 * The dashboard's bearer token: 32 random bytes in hex, kept in `ADASA_HOME/web.token` (0600)
 * so that a URL printed once keeps working across daemon restarts.
 */
import { AdasaError } from "../protocol/mod.ts";

/** Shortest token accepted from a user: 128 bits of hex, or a long passphrase. */
const MIN_TOKEN_LENGTH = 32;
const TOKEN_PATTERN = /^[\x21-\x7e]+$/;

/** A new token: 32 random bytes as 64 hex digits. */
export function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Throws INVALID_ARGUMENT unless `token` is long enough and printable without escaping. */
export function checkToken(token: string): string {
  if (token.length < MIN_TOKEN_LENGTH || !TOKEN_PATTERN.test(token)) {
    throw new AdasaError(
      "INVALID_ARGUMENT",
      `args.token must be at least ${MIN_TOKEN_LENGTH} printable characters without blanks`,
    );
  }
  return token;
}

/** The token in `path`, or null when the file is absent or empty. */
export function readTokenFile(path: string): string | null {
  try {
    const text = Deno.readTextFileSync(path).trim();
    return text === "" ? null : checkToken(text);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw new AdasaError("INVALID_ARGUMENT", `Cannot use ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * Writes the token to a temp file (0600) and renames it over `path`, so no reader sees half.
 * The temp file is created exclusively, so a link planted at its path is never followed.
 */
export function writeTokenFile(path: string, token: string): void {
  const temp = `${path}.${Deno.pid}.tmp`;
  const open = () => Deno.openSync(temp, { write: true, createNew: true, mode: 0o600 });
  let file: Deno.FsFile;
  try {
    file = open();
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    Deno.removeSync(temp); // a leftover; unlink does not follow a link
    file = open();
  }
  try {
    file.writeSync(new TextEncoder().encode(`${token}\n`));
  } finally {
    file.close();
  }
  Deno.renameSync(temp, path);
}

/**
 * Compares a presented token with the expected one in time that depends only on their lengths,
 * so response timing does not reveal how many leading characters were right.
 */
export function tokensMatch(presented: string, expected: string): boolean {
  const a = new TextEncoder().encode(presented);
  const b = new TextEncoder().encode(expected);
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= (a[i % Math.max(1, a.length)] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}
