/**
 * One run of a check against a process: an HTTP GET that must answer 2xx, a TCP connect, or a
 * command that must exit 0. Shared by readiness and liveness. Never throws: a failure is a
 * result with the reason as text.
 */
import type { Check } from "../protocol/mod.ts";
import { runCheckCommand } from "./spawn.ts";

/** What one probe found. */
export interface ProbeResult {
  ok: boolean;
  detail: string;
}

/** Where a command check runs. */
export interface ProbeTarget {
  cwd: string;
  env: Record<string, string>;
}

/** Runs `check` once within `timeoutMs`; `signal` cancels it. */
export async function runProbe(
  check: Check,
  target: ProbeTarget,
  options: { timeoutMs: number; signal: AbortSignal },
): Promise<ProbeResult> {
  try {
    switch (check.kind) {
      case "http":
        return await probeHttp(check.url, options);
      case "tcp":
        return await probeTcp(check.host, check.port, options);
      case "command":
        return await probeCommand(check.command, target, options);
    }
  } catch (error) {
    if (options.signal.aborted) return { ok: false, detail: "cancelled" };
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, detail: `${describeCheck(check)}: ${message.split("\n")[0]}` };
  }
}

/** A check as a short text: `GET http://…`, `tcp 127.0.0.1:5432`, `command "pg_isready"`. */
export function describeCheck(check: Check): string {
  if (check.kind === "http") return `GET ${check.url}`;
  if (check.kind === "tcp") return `tcp ${check.host}:${check.port}`;
  return `command ${JSON.stringify(check.command)}`;
}

async function probeHttp(
  url: string,
  options: { timeoutMs: number; signal: AbortSignal },
): Promise<ProbeResult> {
  const signal = AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]);
  const response = await fetch(url, { signal, redirect: "manual" });
  await response.body?.cancel();
  const ok = response.status >= 200 && response.status < 300;
  return { ok, detail: `GET ${url}: HTTP ${response.status}` };
}

async function probeTcp(
  host: string,
  port: number,
  options: { timeoutMs: number; signal: AbortSignal },
): Promise<ProbeResult> {
  const connecting = Deno.connect({ hostname: host, port });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((
    resolve,
  ) => (timer = setTimeout(resolve, options.timeoutMs, null)));
  try {
    const conn = await Promise.race([connecting, timeout]);
    if (conn === null) {
      connecting.then((late) => late.close(), () => {});
      return { ok: false, detail: `tcp ${host}:${port}: no answer within ${options.timeoutMs} ms` };
    }
    conn.close();
    return { ok: true, detail: `tcp ${host}:${port}: connected` };
  } finally {
    clearTimeout(timer);
  }
}

async function probeCommand(
  line: string,
  target: ProbeTarget,
  options: { timeoutMs: number; signal: AbortSignal },
): Promise<ProbeResult> {
  const { code, output } = await runCheckCommand(line, { ...target, ...options });
  const what = `command ${JSON.stringify(line)}`;
  if (code === null) return { ok: false, detail: `${what}: killed after ${options.timeoutMs} ms` };
  const said = output ? `: ${output}` : "";
  return { ok: code === 0, detail: `${what} exited with code ${code}${said}` };
}
