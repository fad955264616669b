/** Shortcuts for the web tests: serve a test daemon's dashboard and call its API over HTTP. */
import type { TestDaemon } from "../_helpers/daemon.ts";

export interface Web {
  base: string;
  token: string;
  url: string;
  /** fetch with the bearer token; the body is read, so no response is left open. */
  call(path: string, init?: RequestInit): Promise<{ status: number; body: unknown }>;
}

/** The one definition of web_start's reply, beside its op. */
export type { WebStatus } from "../../src/protocol/ops.ts";

/** Starts the daemon's web server on a free port of 127.0.0.1. */
export async function startWeb(
  d: TestDaemon,
  args: Record<string, unknown> = {},
): Promise<Web> {
  await using client = await d.connect();
  const status = await client.request("web_start", { port: 0, ...args });
  const url = new URL(status.url);
  const token = url.searchParams.get("token") ?? "";
  const base = `http://${url.host}`;
  return {
    base,
    token,
    url: status.url,
    call: (path, init = {}) => call(`${base}${path}`, token, init),
  };
}

/** One request; JSON bodies are parsed, others returned as text. */
export async function call(
  url: string,
  token: string | null,
  init: RequestInit = {},
): Promise<{ status: number; body: unknown }> {
  const headers = new Headers(init.headers);
  if (token !== null) headers.set("authorization", `Bearer ${token}`);
  if (init.body !== undefined) headers.set("content-type", "application/json");
  const response = await fetch(url, { ...init, headers });
  const text = await response.text();
  const json = response.headers.get("content-type")?.startsWith("application/json");
  return { status: response.status, body: json ? JSON.parse(text) : text };
}

/** A POST with a JSON body. */
export function post(body: unknown): RequestInit {
  return { method: "POST", body: JSON.stringify(body) };
}

/** The `error` of an error reply. */
export function errorOf(body: unknown): { code: string; message: string } {
  return (body as { error: { code: string; message: string } }).error;
}

/** An app definition for POST /api/start: `sh -c script` in /tmp with this PATH. */
export function shellApp(name: string, script: string, extra: Record<string, unknown> = {}) {
  return {
    app: {
      name,
      command: "/bin/sh",
      args: ["-c", script],
      cwd: "/tmp",
      base_env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" },
      min_uptime_ms: 200,
      ...extra,
    },
  };
}
