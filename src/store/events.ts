/** The `events` table: the timeline of every transition and user action. */
import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import type { EventRecord } from "../protocol/mod.ts";

/** An event to append; `id` is assigned by the database. */
export type NewEvent = Omit<EventRecord, "id" | "output">;

/** Which events to read. Times are ms since the epoch; bounds are inclusive. */
export interface EventQuery {
  instanceIds?: number[];
  apps?: string[];
  since?: number;
  until?: number;
  /** Most recent N matching rows (returned oldest first). */
  limit?: number;
  /** Only events of this name. */
  event?: string;
  /** Only transitions: events with a `to_state`. */
  transitions?: boolean;
}

/** Prepared statements over `events`. */
export class EventStatements {
  readonly #db: DatabaseSync;
  readonly #insert: StatementSync;
  readonly #queries = new Map<string, StatementSync>();
  readonly #annotateExit: StatementSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#insert = db.prepare(
      `INSERT INTO events (at, instance_id, app, event, from_state, to_state, pid, exit_code,
         signal, uptime_ms, reason)
       VALUES (:at, :instance_id, :app, :event, :from_state, :to_state, :pid, :exit_code,
         :signal, :uptime_ms, :reason)`,
    );
    this.#annotateExit = db.prepare(
      `UPDATE events SET output = ? WHERE id = (
         SELECT max(id) FROM events WHERE instance_id = ? AND pid = ? AND event = 'exit')`,
    );
  }

  /** Attaches the last stderr lines to the `exit` event of `pid` of an instance. */
  annotateExit(instanceId: number, pid: number, output: string): void {
    this.#annotateExit.run(output, instanceId, pid);
  }

  insert(event: NewEvent): void {
    this.#insert.run({
      at: event.at,
      instance_id: event.instance_id,
      app: event.app,
      event: event.event,
      from_state: event.from_state,
      to_state: event.to_state,
      pid: event.pid,
      exit_code: event.exit_code,
      signal: event.signal,
      uptime_ms: event.uptime_ms,
      reason: event.reason,
    });
  }

  /** Reads events. Target lists go in as JSON arrays, so one statement serves any count. */
  query(query: EventQuery): EventRecord[] {
    const clauses: string[] = [];
    const params: SQLInputValue[] = [];
    const ids = query.instanceIds;
    const apps = query.apps;
    if (ids && apps) {
      clauses.push(
        "(instance_id IN (SELECT value FROM json_each(?)) OR app IN (SELECT value FROM json_each(?)))",
      );
      params.push(JSON.stringify(ids), JSON.stringify(apps));
    } else if (ids) {
      clauses.push("instance_id IN (SELECT value FROM json_each(?))");
      params.push(JSON.stringify(ids));
    } else if (apps) {
      clauses.push("app IN (SELECT value FROM json_each(?))");
      params.push(JSON.stringify(apps));
    }
    if (query.event !== undefined) {
      clauses.push("event = ?");
      params.push(query.event);
    }
    if (query.transitions) clauses.push("to_state IS NOT NULL");
    if (query.since !== undefined) {
      clauses.push("at >= ?");
      params.push(query.since);
    }
    if (query.until !== undefined) {
      clauses.push("at <= ?");
      params.push(query.until);
    }
    params.push(query.limit ?? -1);
    const where = clauses.length ? `WHERE ${clauses.join(" AND ")}` : "";
    const sql = `SELECT * FROM (SELECT * FROM events ${where} ORDER BY at DESC, id DESC LIMIT ?)
      ORDER BY at, id`;
    let statement = this.#queries.get(sql);
    if (!statement) {
      // One statement per shape of filter (at most 64 shapes), prepared on first use.
      statement = this.#db.prepare(sql);
      this.#queries.set(sql, statement);
    }
    return statement.all(...params) as unknown as EventRecord[];
  }
}
