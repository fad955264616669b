/** Ops that change the process table: start, stop, restart, reload, delete, scale, signal, reset. */
import { AdasaError, arg, parseSignal } from "../../protocol/mod.ts";
import type { Instance } from "../../supervisor/mod.ts";
import type { DaemonContext } from "../context.ts";
import { withMetrics } from "./_metrics.ts";
import type { Handlers } from "./_types.ts";
import { specFromInput } from "./_spec.ts";
import { exportConfig, reloadFromConfig, startFromConfig } from "./config.ts";

function targetsOf(args: Record<string, unknown>): string[] {
  const targets = arg.stringArray(args, "targets");
  if (!targets || targets.length === 0) {
    throw new AdasaError("INVALID_ARGUMENT", "args.targets: name an id, an app or all");
  }
  return targets;
}

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
        const config = arg.object(args, "config");
        if (config) return await startFromConfig(ctx, config);
        const app = arg.object(args, "app");
        if (app) {
          const created = await sup.create(specFromInput(app), { signal: req.signal });
          return infos(created);
        }
        const instances = sup.resolve(targetsOf(args));
        const hasDependencies = instances.some((i) => Object.keys(i.spec.depends_on).length > 0);
        if (hasDependencies) await sup.startWithDependencies(instances, { signal: req.signal });
        else await sup.start(instances, { signal: req.signal });
        return infos(instances);
      },
    },
    stop: {
      kind: "unary",
      run: async (args, req) => {
        const instances = sup.resolve(targetsOf(args));
        await sup.stop(instances, { force: arg.boolean(args, "force"), signal: req.signal });
        return infos(instances);
      },
    },
    restart: {
      kind: "unary",
      run: async (args, req) => {
        const instances = sup.resolve(targetsOf(args));
        const baseEnv = arg.stringMap(args, "update_env");
        await sup.restart(instances, { signal: req.signal, ...(baseEnv ? { baseEnv } : {}) });
        return infos(instances);
      },
    },
    reload: {
      kind: "unary",
      run: async (args, req) => {
        const config = arg.object(args, "config");
        if (config) return await reloadFromConfig(ctx, config, arg.boolean(args, "prune"));
        const instances = sup.resolve(targetsOf(args));
        const baseEnv = arg.stringMap(args, "update_env");
        await sup.reload(instances, { signal: req.signal, ...(baseEnv ? { baseEnv } : {}) });
        return infos(instances);
      },
    },
    delete: {
      kind: "unary",
      run: async (args, req) => {
        const instances = sup.resolve(targetsOf(args));
        const ids = instances.map((i) => i.id);
        const apps = await sup.delete(instances, { signal: req.signal });
        for (const id of ids) ctx.logs.capture.forget(id);
        return { deleted_ids: ids, deleted_apps: apps };
      },
    },
    scale: {
      kind: "unary",
      run: async (args, req) => {
        const name = arg.string(args, "app");
        const count = arg.integer(args, "instances", { min: 1, max: 1024 });
        if (count === undefined) {
          throw new AdasaError("INVALID_ARGUMENT", "args.instances is required");
        }
        await sup.scale(name, count, { signal: req.signal });
        return infos(sup.resolve([name]));
      },
    },
    export: { kind: "unary", run: (args) => exportConfig(ctx, args) },
    signal: {
      kind: "unary",
      run: (args) => {
        const signal = parseSignal(arg.string(args, "signal"));
        const ids = sup.signal(sup.resolve(targetsOf(args)), signal);
        return { signal, ids };
      },
    },
    reset: {
      kind: "unary",
      run: (args) => {
        const instances = sup.resolve(targetsOf(args));
        sup.reset(instances);
        return infos(instances);
      },
    },
  };
}
