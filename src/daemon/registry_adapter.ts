/** The supervisor's RegistryPort, implemented over the store: each call is one transaction. */
import { AdasaError } from "../protocol/mod.ts";
import type { Store } from "../store/mod.ts";
import type { AppEvent, RegistryPort, TransitionRecord } from "../supervisor/mod.ts";

export function registryOver(store: Store): RegistryPort {
  const { registry, events } = store;
  return storeFailuresAsErrors(store.path, {
    createApp(spec, instances, at) {
      return store.transaction(() => {
        const appId = registry.insertApp(spec, at);
        const instanceIds = instances.map((row) =>
          registry.insertInstance({ app_id: appId, ...row }, at)
        );
        events.insert(
          appEvent({ at, app: spec.name, instance_id: null, event: "created", reason: null }),
        );
        return { appId, instanceIds };
      });
    },
    updateApp(appId, spec, at) {
      store.transaction(() => registry.updateApp(appId, spec, at));
    },
    addInstances(appId, instances, at) {
      return store.transaction(() =>
        instances.map((row) => registry.insertInstance({ app_id: appId, ...row }, at))
      );
    },
    removeInstances(ids) {
      store.transaction(() => ids.forEach((id) => registry.deleteInstance(id)));
    },
    deleteApp(appId) {
      store.transaction(() => registry.deleteApp(appId));
    },
    recordTransition(record: TransitionRecord) {
      store.transaction(() => {
        registry.updateInstance(record.snapshot);
        events.insert({
          at: record.at,
          instance_id: record.snapshot.id,
          app: record.app,
          event: record.event,
          from_state: record.from,
          to_state: record.to,
          pid: record.pid,
          exit_code: record.exit?.code ?? null,
          signal: record.exit?.signal ?? null,
          uptime_ms: record.uptime_ms,
          reason: record.reason,
        });
      });
    },
    recordEvent(event: AppEvent) {
      store.transaction(() => events.insert(appEvent(event)));
    },
  });
}

/**
 * A failed write (disk full, read-only file) becomes STORE_FAILED naming the database, so the
 * client is told the change was not made; the transaction was rolled back.
 */
function storeFailuresAsErrors(path: string, port: RegistryPort): RegistryPort {
  const wrapped = {} as Record<string, unknown>;
  for (const [name, method] of Object.entries(port)) {
    wrapped[name] = (...args: unknown[]) => {
      try {
        return (method as (...a: unknown[]) => unknown)(...args);
      } catch (error) {
        if (error instanceof AdasaError) throw error;
        throw new AdasaError(
          "STORE_FAILED",
          `Could not write to ${path}: ${(error as Error).message}; nothing was changed`,
          { cause: error },
        );
      }
    };
  }
  return wrapped as unknown as RegistryPort;
}

function appEvent(event: AppEvent) {
  return {
    ...event,
    from_state: null,
    to_state: null,
    pid: null,
    exit_code: null,
    signal: null,
    uptime_ms: null,
  };
}
