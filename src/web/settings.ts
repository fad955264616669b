/** The web server's settings from `web_start`'s arguments or from the daemon's environment. */
import { AdasaError, arg } from "../protocol/mod.ts";
import { DEFAULT_WEB_HOST, DEFAULT_WEB_PORT, type WebSettings } from "./service.ts";

/**
 * Reads `{ port?, host?, token?, metrics_public? }`.
 *
 * @throws {AdasaError} INVALID_ARGUMENT naming the field
 */
export function settingsFromArgs(args: Record<string, unknown>): WebSettings {
  const port = arg.integer(args, "port", { min: 0, max: 65_535 }) ?? DEFAULT_WEB_PORT;
  const host = arg.optionalString(args, "host") ?? DEFAULT_WEB_HOST;
  if (host === "" || host.length > 255 || /[\s/]/.test(host)) {
    throw new AdasaError("INVALID_ARGUMENT", `args.host: not an address: "${host.slice(0, 64)}"`);
  }
  const token = arg.optionalString(args, "token");
  return {
    port,
    host,
    ...(token === undefined ? {} : { token }),
    metricsPublic: arg.boolean(args, "metrics_public"),
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
