/** What every handler may use: the composed daemon. */
import type { Store } from "../store/mod.ts";
import type { Supervisor } from "../supervisor/mod.ts";
import type { DaemonPaths } from "./paths.ts";
import type { LogWiring } from "./log_wiring.ts";
import type { Monitoring } from "./monitoring.ts";
import type { Triggers } from "./triggers.ts";
import type { FleetCounters } from "./fleet_counters.ts";
import type { WebService } from "../web/mod.ts";

export interface DaemonContext {
  paths: DaemonPaths;
  store: Store;
  supervisor: Supervisor;
  logs: LogWiring;
  monitoring: Monitoring;
  triggers: Triggers;
  /** The dashboard's HTTP server (off until `web_start` or ADASA_WEB_PORT). */
  web: WebService;
  startedAt: number;
  /** Problems the daemon found with its store at start (shown by `daemon status`). */
  storeWarnings: string[];
  /** Writes that failed since start (disk full and the like). */
  counters: { persistErrors: number };
  /** Exits and restarts per app and reason, for `/metrics`. */
  fleet: FleetCounters;
  /** Begins a graceful shutdown; resolves once the reply can still be sent. */
  requestShutdown(): void;
}
