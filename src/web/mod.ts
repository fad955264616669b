/**
 * @module
 * The local web dashboard, its JSON API and `/metrics`, served by the daemon with Deno.serve.
 * Every API call goes through the daemon's op table (the same handlers as the socket), behind a
 * bearer token kept in `ADASA_HOME/web.token` (0600). The page's files are plain ES modules
 * served from memory; uPlot draws the charts. May import src/protocol, src/ipc/server.ts (the op
 * table's types) and src/logger.ts; the daemon wires it in.
 *
 * @example
 * ```ts
 * import { WebService } from "./mod.ts";
 * await using web = new WebService({ home, ops: () => opTable });
 * const { url } = await web.start({ port: 0, host: "127.0.0.1", metricsPublic: false });
 * ```
 */
export { DEFAULT_WEB_HOST, DEFAULT_WEB_PORT, WebService } from "./service.ts";
export type { WebSettings, WebStatus } from "./service.ts";
export { settingsFromArgs, settingsFromEnv } from "./settings.ts";
export { renderMetrics } from "./metrics.ts";
export type { DaemonFigures } from "./metrics.ts";
