/**
 * The dashboard's HTTP server inside the daemon: started by the `web_start` op or by
 * ADASA_WEB_PORT, stopped by `web_stop` or when the daemon stops. One server at a time; starting
 * again with other settings replaces it.
 */
import type { OpTable } from "../ipc/server.ts";
import { AdasaError, type WebStatus } from "../protocol/mod.ts";
import { getLogger } from "../logger.ts";
import { checkToken, newToken, readTokenFile, writeTokenFile } from "./token.ts";

/** Default port (the one pm2's web interface used). */
export const DEFAULT_WEB_PORT = 9615;
/** Default address: this machine only. */
export const DEFAULT_WEB_HOST = "127.0.0.1";
const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

// What `web_start` returns is defined with the op.
export type { WebStatus };

/** What to serve. */
export interface WebSettings {
  port: number;
  host: string;
  /** A token chosen by the user; otherwise web.token's, or a new one. */
  token?: string;
  /** Serve /metrics without the token (for a scraper that cannot send one). */
  metricsPublic: boolean;
}

interface Running {
  server: Deno.HttpServer<Deno.NetAddr>;
  streams: Set<AbortController>;
  status: WebStatus;
  token: string;
}

/** The server's lifecycle. Dispose to stop it. */
export class WebService implements AsyncDisposable {
  readonly #tokenFile: string;
  readonly #ops: () => OpTable;
  #running: Running | null = null;

  /** `ops` is read on each start, so the table can be built after this service. */
  constructor(options: { home: string; ops: () => OpTable }) {
    this.#tokenFile = `${options.home}/web.token`;
    this.#ops = options.ops;
  }

  /** The running server's status, or null. */
  get status(): WebStatus | null {
    return this.#running?.status ?? null;
  }

  /**
   * Serves on `settings.host:port`, replacing a server with other settings.
   *
   * @throws {AdasaError} INVALID_ARGUMENT for a bad token or address, ALREADY_EXISTS when the
   * port is taken
   */
  async start(settings: WebSettings): Promise<WebStatus> {
    const current = this.#running;
    if (current && this.#sameSettings(current, settings)) return current.status;
    const { token, warnings } = this.#resolveToken(settings);
    await this.stop();
    const streams = new Set<AbortController>();
    const ops = this.#ops();
    const options = {
      ops,
      token,
      metricsPublic: settings.metricsPublic,
      streams,
      boundHost: settings.host,
      machine: Deno.hostname(),
    };
    // The router, the API and the page's files (uPlot included) load with the first server:
    // most daemons never serve one (#17).
    const { route } = await import("./router.ts");
    const server = serveOn(settings, (req) => route(req, options));
    const port = server.addr.port;
    const status: WebStatus = {
      url: `http://${urlHost(settings.host)}:${port}/?token=${token}`,
      host: settings.host,
      port,
      token_file: this.#tokenFile,
      metrics_public: settings.metricsPublic,
      started_at: Date.now(),
      warnings,
    };
    for (const warning of warnings) getLogger("web").warn("{warning}", { warning });
    this.#running = { server, streams, status, token };
    return status;
  }

  /** Stops the server; open event streams are ended first. Returns whether one was running. */
  async stop(): Promise<boolean> {
    const running = this.#running;
    if (!running) return false;
    this.#running = null;
    for (const abort of running.streams) abort.abort();
    await running.server.shutdown();
    return true;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  #sameSettings(running: Running, settings: WebSettings): boolean {
    const s = running.status;
    return s.host === settings.host && (settings.port === 0 || s.port === settings.port) &&
      s.metrics_public === settings.metricsPublic &&
      (settings.token === undefined || settings.token === running.token);
  }

  /**
   * A given token is saved. Otherwise loopback reuses web.token's (or makes one), and any other
   * address gets a NEW token (#16.7): the loopback one may sit in browser history and shell
   * logs, and would now cross the network in clear text.
   */
  #resolveToken(settings: WebSettings): { token: string; warnings: string[] } {
    const warnings: string[] = [];
    const loopback = LOOPBACK.has(settings.host);
    if (!loopback) {
      warnings.push(
        `Serving on ${settings.host} over plain HTTP: the token and everything the API returns ` +
          "cross the network unencrypted; put a TLS proxy in front, or use an SSH tunnel to 127.0.0.1",
      );
    }
    if (settings.token !== undefined) {
      const token = checkToken(settings.token);
      writeTokenFile(this.#tokenFile, token);
      return { token, warnings };
    }
    const existing = readTokenFile(this.#tokenFile);
    if (existing && loopback) return { token: existing, warnings };
    const token = newToken();
    writeTokenFile(this.#tokenFile, token);
    if (existing) {
      warnings.push(
        `Made a new token for ${settings.host} (${this.#tokenFile}); the previous one no longer works`,
      );
    }
    return { token, warnings };
  }
}

function serveOn(
  settings: WebSettings,
  handler: (req: Request) => Promise<Response>,
): Deno.HttpServer<Deno.NetAddr> {
  try {
    return Deno.serve({
      hostname: settings.host,
      port: settings.port,
      onListen: () => {}, // the default prints to stdout, which the daemon does not own
    }, handler);
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      throw new AdasaError("ALREADY_EXISTS", `Port ${settings.port} on ${settings.host} is in use`);
    }
    throw new AdasaError(
      "INVALID_ARGUMENT",
      `Cannot serve on ${settings.host}:${settings.port}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") return Deno.hostname();
  return host.includes(":") ? `[${host}]` : host;
}
