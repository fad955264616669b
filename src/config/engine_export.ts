/**
 * `adasa export --format systemd|compose|kubernetes`: app definitions as the files of another
 * engine. Loaded on demand by the daemon, so neither its start nor the CLI's carries it.
 */
import type { AppSpec } from "../protocol/mod.ts";
import type { EngineExport } from "./engine_common.ts";
import type { Engine } from "./engine_map.ts";
import { exportSystemd } from "./engine_systemd.ts";
import { exportCompose } from "./engine_compose.ts";
import { exportKubernetes } from "./engine_kubernetes.ts";

export type { EngineExport, EngineFile } from "./engine_common.ts";
export { type Engine, ENGINE_MAP, ENGINES } from "./engine_map.ts";

/** The files of `engine` for `specs`, and a warning for each setting it has no equivalent for. */
export function exportForEngine(specs: readonly AppSpec[], engine: Engine): EngineExport {
  if (engine === "systemd") return exportSystemd(specs);
  if (engine === "compose") return exportCompose(specs);
  return exportKubernetes(specs);
}
