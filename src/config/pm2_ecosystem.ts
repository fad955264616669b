/**
 * Evaluates a pm2 ecosystem file (`module.exports = { apps }` in .js/.cjs, `export default`
 * in .mjs) in a Deno subprocess that may read files and the environment but not write, spawn
 * or use the network, so user code never runs in the calling process.
 */
import { PM2_LOADER_SOURCE, RESULT_MARKER } from "./_pm2_loader.ts";
import type { ParseResult } from "./json_toml.ts";

/** Default limit for evaluating an ecosystem file. */
export const ECOSYSTEM_TIMEOUT_MS = 10_000;

/**
 * Runs the ecosystem file at the absolute path `file` and returns what it exports.
 * Caller must pass the environment the file sees as `process.env`.
 */
export async function evaluateEcosystem(
  file: string,
  options: { env: Record<string, string>; timeoutMs?: number },
): Promise<ParseResult> {
  const timeoutMs = options.timeoutMs ?? ECOSYSTEM_TIMEOUT_MS;
  const loader = `data:application/javascript;base64,${btoa(PM2_LOADER_SOURCE)}`;
  const command = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-config",
      "--no-lock",
      "--no-prompt",
      "--allow-read",
      "--allow-env",
      "--allow-sys",
      loader,
      file,
    ],
    env: options.env,
    clearEnv: true,
    stdin: "null",
    signal: AbortSignal.timeout(timeoutMs),
  });
  let output: Deno.CommandOutput;
  try {
    output = await command.output();
  } catch (error) {
    return { ok: false, message: `cannot run deno to evaluate the file: ${String(error)}` };
  }
  if (output.signal !== null) {
    return { ok: false, message: `evaluating the file took longer than ${timeoutMs} ms` };
  }
  return readLoaderOutput(new TextDecoder().decode(output.stdout), output.stderr);
}

function readLoaderOutput(stdout: string, stderr: Uint8Array): ParseResult {
  const at = stdout.lastIndexOf(RESULT_MARKER);
  if (at < 0) {
    const why = new TextDecoder().decode(stderr).trim().split("\n").at(-1) ?? "";
    return { ok: false, message: `evaluating the file failed: ${why || "no result"}` };
  }
  const result = JSON.parse(stdout.slice(at + RESULT_MARKER.length)) as
    | { ok: true; json: string }
    | { ok: false; error: string; line: number | null };
  if (!result.ok) {
    const where = result.line === null ? "" : ` at line ${result.line}`;
    return { ok: false, message: `evaluating the file failed${where}: ${result.error}` };
  }
  return { ok: true, data: JSON.parse(result.json) };
}
