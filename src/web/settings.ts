/** The web server's settings from `web_start`'s arguments or from the daemon's environment. */
import { AdasaError, type OpArgs } from "../protocol/mod.ts";
import { DEFAULT_WEB_HOST, DEFAULT_WEB_PORT, type WebSettings } from "./service.ts";

/**
 * Reads `{ port?, host?, token?, metrics_public? }`, whose types and port range `web_start`'s
 * schema checked.
 *
 * @throws {AdasaError} INVALID_ARGUMENT for a host that is no address
 */
export function settingsFromArgs(args: OpArgs<"web_start">): WebSettings {
  const port = args.port ?? DEFAULT_WEB_PORT;
  const host = args.host ?? DEFAULT_WEB_HOST;
  if (host === "" || host.length > 255 || /[\s/]/.test(host)) {
    throw new AdasaError("INVALID_ARGUMENT", `args.host: not an address: "${host.slice(0, 64)}"`);
  }
  const { token } = args;
  return {
    port,
    host,
    ...(token === undefined ? {} : { token }),
    metricsPublic: args.metrics_public ?? false,
  };
}

/**
 * ADASA_WEB_PORT (and optionally ADASA_WEB_HOST, ADASA_WEB_METRICS_PUBLIC=1), or null when the
 * port is unset.
 *
 * @throws {AdasaError} INVALID_ARGUMENT naming the variable
 */
export function settingsFromEnv(get: (name: string) => string | undefined): WebSettings | null {
  const raw = get("ADASA_WEB_PORT");
  if (raw === undefined || raw === "") return null;
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65_535) {
    throw new AdasaError(
      "INVALID_ARGUMENT",
      `ADASA_WEB_PORT: expected a port number, got "${raw}"`,
    );
  }
  const host = get("ADASA_WEB_HOST");
  return settingsFromArgs({
    port: Number(raw),
    ...(host ? { host } : {}),
    metrics_public: get("ADASA_WEB_METRICS_PUBLIC") === "1",
  });
}
