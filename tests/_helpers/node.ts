/** Node processes and HTTP requests for the Node runtime's tests (Node 20 at /usr/bin/node). */
import { waitFor } from "./wait.ts";

export const NODE = "/usr/bin/node";
export const FIXTURES = new URL("../fixtures/node/", import.meta.url).pathname;

/** A TCP port free at the time of the call. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "0.0.0.0", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** A Node process that is SIGKILLed (by pid) and awaited on dispose. */
export interface NodeProcess extends AsyncDisposable {
  pid: number;
  status: Promise<Deno.CommandStatus>;
  /** Everything it wrote to stderr, once it ended. */
  stderr: Promise<string>;
  stop(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
}

export function spawnNode(args: string[], env: Record<string, string> = {}): NodeProcess {
  const child = new Deno.Command(NODE, {
    args,
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", ...env },
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const stop = async (signal: Deno.Signal = "SIGKILL") => {
    try {
      Deno.kill(child.pid, signal);
    } catch {
      // ended already
    }
    const status = await child.status;
    await stderr;
    return status;
  };
  return {
    pid: child.pid,
    status: child.status,
    stderr,
    stop,
    [Symbol.asyncDispose]: async () => void await stop(),
  };
}

/** What tests/fixtures/node/server.js answers. */
export interface ServerReply {
  pid: number;
  instance: string | null;
  remote: string;
  port: number;
}

/** HTTP on a new connection each time (no pooling), as a polling client without keep-alive. */
export class FreshHttp implements Disposable {
  readonly #client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });

  async get(url: string, timeoutMs = 5_000): Promise<ServerReply> {
    const response = await fetch(url, {
      client: this.#client,
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    return await response.json() as ServerReply;
  }

  /** Waits until `url` answers, and returns the answer. */
  async waitUp(url: string): Promise<ServerReply> {
    let reply: ServerReply | null = null;
    await waitFor(
      async () => {
        try {
          reply = await this.get(url, 1_000);
          return "up";
        } catch (error) {
          return String(error);
        }
      },
      (state) => state === "up",
      { what: `${url} answering`, timeoutMs: 15_000 },
    );
    return reply!;
  }

  [Symbol.dispose](): void {
    this.#client.close();
  }
}

/** A temp folder outside any ADASA_HOME (config files are never evaluated from a home), removed on dispose. */
export async function tempDir(): Promise<AsyncDisposable & { path: string }> {
  const path = await Deno.makeTempDir({ prefix: "adasa-eco-" });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}
