/** Read-only ops: list, describe, events. */
import { AdasaError, type AppSpec } from "../../protocol/mod.ts";
import type { DaemonContext } from "../context.ts";
import { withMetrics } from "./_metrics.ts";
import type { Handlers } from "./_types.ts";

const EVENTS_DEFAULT_LIMIT = 200;

/** Env values are secrets until the user asks for them (`--show-env`). */
export function redactSpec(spec: AppSpec, showEnv: boolean): AppSpec {
  if (showEnv) return spec;
  const hide = (env: Record<string, string>) =>
    Object.fromEntries(Object.keys(env).map((k) => [k, "<hidden>"]));
  return { ...spec, env: hide(spec.env), base_env: hide(spec.base_env) };
}

export function queryHandlers(ctx: DaemonContext): Handlers<"list" | "describe" | "events"> {
  const sup = ctx.supervisor;
  return {
    list: { kind: "unary", run: () => withMetrics(ctx, sup.list()) },
    describe: {
      kind: "unary",
      run: (args) => {
        const showEnv = args.show_env ?? false;
        const instances = sup.resolve([args.target]);
        return instances.map((instance) => {
          const app = sup.appOf(instance);
          const [info] = withMetrics(ctx, [sup.info(instance)]);
          const events = ctx.store.events;
          const lastExit = events.query({ instanceIds: [instance.id], limit: 1, event: "exit" })[0];
          const lastTransition =
            events.query({ instanceIds: [instance.id], limit: 1, transitions: true })[0];
          return {
            ...info!,
            app_id: app.id,
            spec: redactSpec(app.spec, showEnv),
            logs: `${ctx.paths.logsDir}/${app.spec.name}/current.log`,
            log_dropped_bytes: ctx.logs.capture.droppedBytes(instance.id),
            last_stderr: lastExit?.output ?? null,
            database: ctx.paths.db,
            recent_events: events.query({ instanceIds: [instance.id], limit: 10 }),
            last_exit: lastExit ?? null,
            last_transition: lastTransition ?? null,
          };
        });
      },
    },
    events: {
      kind: "unary",
      run: (args) => {
        const targets = args.targets ?? [];
        const ids = targets.filter((t) => /^\d+$/.test(t)).map(Number);
        const apps = targets.filter((t) => !/^\d+$/.test(t) && t !== "all");
        const { since, until } = args;
        if (since !== undefined && until !== undefined && since > until) {
          throw new AdasaError("INVALID_ARGUMENT", "--since is after --until");
        }
        return ctx.store.events.query({
          ...(ids.length ? { instanceIds: ids } : {}),
          ...(apps.length ? { apps } : {}),
          ...(since !== undefined ? { since } : {}),
          ...(until !== undefined ? { until } : {}),
          limit: args.limit ?? EVENTS_DEFAULT_LIMIT,
        });
      },
    },
  };
}
