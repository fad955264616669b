/** Ops that change the process table: start, stop, restart, reload, delete, scale, signal, reset. */
import { parseSignal } from "../../protocol/mod.ts";
import type { Instance } from "../../supervisor/mod.ts";
import type { DaemonContext } from "../context.ts";
import { withMetrics } from "./_metrics.ts";
import type { Handlers } from "./_types.ts";
import { specFromInput } from "./_spec.ts";
import { exportConfig, reloadFromConfig, startFromConfig } from "./config.ts";

/** The ops that may change the apps, after which cron schedules and watchers follow. */
export type AppOp =
  | "start"
  | "stop"
  | "restart"
  | "reload"
  | "delete"
  | "scale"
  | "export"
  | "signal"
  | "reset";

export function appHandlers(ctx: DaemonContext): Handlers<AppOp> {
  const sup = ctx.supervisor;
  // The rows of the instances an op touched, in id order, without building the whole list.
  const infos = (instances: Instance[]) =>
    withMetrics(ctx, [...instances].sort((a, b) => a.id - b.id).map((i) => sup.info(i)));
  return {
    start: {
      kind: "unary",
      run: async (args, req) => {
        if ("config" in args) {
          return await startFromConfig(ctx, args.config, args.wait ?? "ready");
        }
        if ("app" in args) {
          const created = await sup.create(specFromInput(args.app), { signal: req.signal });
          return infos(created);
        }
        const instances = sup.resolve(args.targets);
        const hasDependencies = instances.some((i) => Object.keys(i.spec.depends_on).length > 0);
        if (hasDependencies) await sup.startWithDependencies(instances, { signal: req.signal });
        else await sup.start(instances, { signal: req.signal });
        return infos(instances);
      },
    },
    stop: {
      kind: "unary",
      run: async (args, req) => {
        const instances = sup.resolve(args.targets);
        await sup.stop(instances, { force: args.force ?? false, signal: req.signal });
        return infos(instances);
      },
    },
    restart: {
      kind: "unary",
      run: async (args, req) => {
        const instances = sup.resolve(args.targets);
        const baseEnv = args.update_env;
        await sup.restart(instances, { signal: req.signal, ...(baseEnv ? { baseEnv } : {}) });
        return infos(instances);
      },
    },
    reload: {
      kind: "unary",
      run: async (args, req) => {
        if ("config" in args) return await reloadFromConfig(ctx, args.config, args.prune ?? false);
        const instances = sup.resolve(args.targets);
        const baseEnv = args.update_env;
        await sup.reload(instances, { signal: req.signal, ...(baseEnv ? { baseEnv } : {}) });
        return infos(instances);
      },
    },
    delete: {
      kind: "unary",
      run: async (args, req) => {
        const instances = sup.resolve(args.targets);
        const ids = instances.map((i) => i.id);
        const apps = await sup.delete(instances, { signal: req.signal });
        return { deleted_ids: ids, deleted_apps: apps };
      },
    },
    scale: {
      kind: "unary",
      run: async (args, req) => {
        await sup.scale(args.app, args.instances, { signal: req.signal });
        return infos(sup.resolve([args.app]));
      },
    },
    export: { kind: "unary", run: (args) => exportConfig(ctx, args) },
    signal: {
      kind: "unary",
      run: (args) => {
        const signal = parseSignal(args.signal);
        const ids = sup.signal(sup.resolve(args.targets), signal);
        return { signal, ids };
      },
    },
    reset: {
      kind: "unary",
      run: (args) => {
        const instances = sup.resolve(args.targets);
        sup.reset(instances);
        return infos(instances);
      },
    },
  };
}
