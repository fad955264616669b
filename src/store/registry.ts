/** The `apps` and `instances` tables: the registry of what the daemon manages. */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import {
  type AppSpec,
  type Desired,
  type InstanceRuntime,
  type State,
  upgradeStoredSpec,
} from "../protocol/mod.ts";

/** An app row, with its definition parsed. */
export interface AppRow {
  id: number;
  name: string;
  spec: AppSpec;
  created_at: number;
  updated_at: number;
}

/** An instance row as stored. */
export interface InstanceRow extends InstanceRuntime {
  app_id: number;
  instance: number;
  created_at: number;
}

export type { InstanceRuntime };

/** Prepared statements over `apps` and `instances`, made once. */
export class RegistryStatements {
  readonly #insertApp: StatementSync;
  readonly #updateApp: StatementSync;
  readonly #deleteApp: StatementSync;
  readonly #allApps: StatementSync;
  readonly #insertInstance: StatementSync;
  readonly #updateInstance: StatementSync;
  readonly #deleteInstance: StatementSync;
  readonly #allInstances: StatementSync;
  readonly #setDesired: StatementSync;

  constructor(db: DatabaseSync) {
    this.#insertApp = db.prepare(
      "INSERT INTO apps (name, spec, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id",
    );
    this.#updateApp = db.prepare("UPDATE apps SET spec = ?, updated_at = ? WHERE id = ?");
    this.#deleteApp = db.prepare("DELETE FROM apps WHERE id = ?");
    this.#allApps = db.prepare(
      "SELECT id, name, spec, created_at, updated_at FROM apps ORDER BY id",
    );
    this.#insertInstance = db.prepare(
      `INSERT INTO instances (app_id, instance, state, desired, created_at)
       VALUES (?, ?, ?, ?, ?) RETURNING id`,
    );
    this.#updateInstance = db.prepare(
      `UPDATE instances SET state = :state, desired = :desired, pid = :pid,
         pid_start_ticks = :pid_start_ticks, restarts = :restarts,
         unstable_restarts = :unstable_restarts, started_at = :started_at,
         exited_at = :exited_at, exit_code = :exit_code, exit_signal = :exit_signal,
         reason = :reason
       WHERE id = :id`,
    );
    this.#deleteInstance = db.prepare("DELETE FROM instances WHERE id = ?");
    this.#allInstances = db.prepare("SELECT * FROM instances ORDER BY id");
    this.#setDesired = db.prepare("UPDATE instances SET desired = ? WHERE id = ?");
  }

  insertApp(spec: AppSpec, now: number): number {
    const row = this.#insertApp.get(spec.name, JSON.stringify(spec), now, now) as { id: number };
    return row.id;
  }

  updateApp(id: number, spec: AppSpec, now: number): void {
    this.#updateApp.run(JSON.stringify(spec), now, id);
  }

  deleteApp(id: number): void {
    this.#deleteApp.run(id);
  }

  /** Every app with its definition as stored text, so a bad one can be handled on its own. */
  allAppsStored(): Array<Omit<AppRow, "spec"> & { spec: string }> {
    return this.#allApps.all() as Array<Omit<AppRow, "spec"> & { spec: string }>;
  }

  allApps(): AppRow[] {
    const rows = this.#allApps.all() as Array<Omit<AppRow, "spec"> & { spec: string }>;
    return rows.map((row) => ({ ...row, spec: upgradeStoredSpec(JSON.parse(row.spec)) }));
  }

  insertInstance(
    row: { app_id: number; instance: number; state: State; desired: Desired },
    now: number,
  ): number {
    const result = this.#insertInstance.get(
      row.app_id,
      row.instance,
      row.state,
      row.desired,
      now,
    ) as { id: number };
    return result.id;
  }

  updateInstance(runtime: InstanceRuntime): void {
    this.#updateInstance.run({
      id: runtime.id,
      state: runtime.state,
      desired: runtime.desired,
      pid: runtime.pid,
      pid_start_ticks: runtime.pid_start_ticks,
      restarts: runtime.restarts,
      unstable_restarts: runtime.unstable_restarts,
      started_at: runtime.started_at,
      exited_at: runtime.exited_at,
      exit_code: runtime.exit_code,
      exit_signal: runtime.exit_signal,
      reason: runtime.reason,
    });
  }

  setDesired(id: number, desired: Desired): void {
    this.#setDesired.run(desired, id);
  }

  deleteInstance(id: number): void {
    this.#deleteInstance.run(id);
  }

  allInstances(): InstanceRow[] {
    return this.#allInstances.all() as unknown as InstanceRow[];
  }
}
