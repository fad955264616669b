/** What every scenario needs of a process manager, and what a scenario reports. */
import type { Stats } from "../_util.ts";

/** One process manager under test, driven through its own CLI where a user would use it. */
export interface Peer {
  /** "adasa", "pm2" or "supervisord". */
  readonly name: string;
  readonly version: string;
  /** The daemon whose children are the managed programs. */
  readonly daemonPid: number;
  /** How each scenario is done with this tool, for the table's notes. */
  readonly how: Record<"ping" | "list" | "startOne" | "startFile" | "stop", string>;
  /** Whether `how.startFile` is a stand-in rather than the real thing. */
  readonly startFileIsStandIn: boolean;
  /** One CLI round trip; returns its wall time. */
  ping(): Promise<number>;
  /** Lists the managed processes through the CLI; returns its wall time. */
  list(): Promise<number>;
  /** Makes apps known without starting them, where the tool needs that (supervisord). */
  defineApps(names: string[]): Promise<void>;
  /** Starts one `sleep 3600` app with one CLI command; returns its wall time. */
  startOne(name: string): Promise<number>;
  /** Starts `sleep 3600` apps from one config file; returns the command's wall time. */
  startFile(names: string[]): Promise<number>;
  /** The same, answering once every app is spawned (adasa's --no-wait), where the tool can. */
  startFileNoWait?(names: string[]): Promise<number>;
  /** Stops every app with one CLI command; returns its wall time. */
  stopAll(): Promise<number>;
  /** Forgets every app (untimed). */
  removeAll(): Promise<void>;
  /** Starts `sleep 3600` that restarts at once (no delay) when it dies. */
  startCrashApp(name: string): Promise<void>;
  /** Starts a program once (no restart) with its output captured; returns where it lands. */
  startCapture(name: string, command: string, args: string[]): Promise<CaptureTarget>;
  /** Stops the daemon and every process it started, by pid. Safe to call twice. */
  dispose(): Promise<void>;
}

/** Where a captured program's stdout goes. */
export interface CaptureTarget {
  /** A file whose end is the newest output (a symlink is fine). */
  tailFile: string;
  /** Every line of the capture, in order, once it is complete (reads the files). */
  lines(): AsyncGenerator<Uint8Array>;
  /** Whether the stored format keeps a time for every line. */
  timed: boolean;
  /** Called every few ms while the capture runs (to keep rotated files, for instance). */
  poll?(): void;
  /** Removes what the capture left. */
  cleanup(): Promise<void>;
}

/** One measured quantity for one tool. */
export interface Measure {
  /** The value compared and judged: a median for latencies. */
  value: number;
  stats?: Stats;
  /** Extra text for the cell, e.g. "0 lost". */
  note?: string;
}

/** One line of the results table. */
export interface Row {
  key: string;
  title: string;
  unit: "ms" | "MB" | "%" | "MB/s" | "s";
  /** Per tool name. */
  values: Record<string, Measure>;
  /** Per tool name: how it was measured, when it differs from the title. */
  how?: Record<string, string>;
  /** Whether a lower number is better (false for throughput). */
  lowerIsBetter: boolean;
}

/** What scenarios get. */
export interface ScenarioContext {
  peers: Peer[];
  quick: boolean;
  /** Repetitions for latencies. */
  runs: number;
  log(message: string): void;
}
