/**
 * The Node runtime: what a Node app gets beyond its program. Every Node app runs with the
 * preload (`node --require`, see preload.cjs), so `process.send` exists as under pm2; a
 * clustered app's workers also get the address of the app's balancer, started here at the
 * first spawn. Nothing of this runs for other programs: the files are written and the
 * balancers started only when a Node app is spawned.
 */
import type { AppSpec } from "../../protocol/mod.ts";
import { getLogger } from "../../logger.ts";
import { NODE_PRELOAD_VAR } from "../spawn.ts";
import { Balancers } from "./balancers.ts";
import { installNodeFiles, type NodeFiles } from "./files.ts";

/** An interpreter or program that is Node (`node`, `/usr/bin/node`, `nodejs`, `node20`). */
const NODE_PROGRAM = /(^|\/)(node|nodejs)(\d+(\.\d+)*)?$/;

/** Whether the app's program is Node, so it gets the preload. */
export function isNodeApp(spec: Pick<AppSpec, "shell" | "interpreter" | "command">): boolean {
  if (spec.shell) return false;
  return NODE_PROGRAM.test(spec.interpreter ?? spec.command);
}

/** Whether the app runs as a Node cluster: workers sharing ports through a balancer. */
export function isClustered(spec: AppSpec): boolean {
  return spec.exec_mode === "cluster" && isNodeApp(spec);
}

export interface NodeRuntimeDeps {
  /** `<home>/node`: the runtime's files and the balancers' sockets. */
  dir: string;
  /** Whether an app still has live instances. */
  wanted(appId: number): boolean;
  /** Variables every process of the daemon carries. */
  tag: Record<string, string>;
}

/** The daemon's Node runtime. */
export class NodeRuntime {
  readonly #deps: NodeRuntimeDeps;
  readonly #balancers: Balancers;
  #files: NodeFiles | null = null;

  constructor(deps: NodeRuntimeDeps) {
    this.#deps = deps;
    this.#balancers = new Balancers({
      dir: deps.dir,
      script: () => this.#installed().balancer,
      wanted: deps.wanted,
      tag: deps.tag,
    });
  }

  /**
   * The variables the runtime adds to an instance's environment (none for a program that is
   * not Node). For a clustered app, starts its balancer if it does not run.
   */
  environment(spec: AppSpec, appId: number, env: Record<string, string>): Record<string, string> {
    if (!isNodeApp(spec)) return {};
    let files: NodeFiles;
    try {
      files = this.#installed();
    } catch (error) {
      // A full or read-only disk: the app still runs, without process.send or cluster ports.
      getLogger("node").error("Node runtime files not written, {app} runs without them: {error}", {
        app: spec.name,
        error: String(error),
      });
      return {};
    }
    const added: Record<string, string> = {
      [NODE_PRELOAD_VAR]: files.preload,
      ADASA_STOP_SIGNAL: spec.stop_signal,
    };
    if (spec.shutdown_with_message) added.ADASA_SHUTDOWN_MESSAGE = "1";
    if (isClustered(spec)) {
      const program = spec.interpreter ?? spec.command;
      added.ADASA_CLUSTER = this.#balancers.ensure(appId, { program, env });
      added.ADASA_CLUSTER_WORKER = files.worker;
    }
    return added;
  }

  /** Stops the balancers (daemon shutdown, after the apps). */
  close(): Promise<void> {
    return this.#balancers.close();
  }

  #installed(): NodeFiles {
    this.#files ??= installNodeFiles(this.#deps.dir);
    return this.#files;
  }
}
