/** Event rows for renderer tests: every column empty unless given. */
import type { EventRecord } from "../../src/protocol/messages.ts";
import type { NewEvent } from "../../src/store/mod.ts";

export function eventRecord(fields: Partial<EventRecord>): EventRecord {
  return {
    id: 1,
    at: 0,
    instance_id: null,
    app: null,
    event: "exit",
    from_state: null,
    to_state: null,
    pid: null,
    exit_code: null,
    signal: null,
    uptime_ms: null,
    reason: null,
    output: null,
    ...fields,
  };
}

/** A row to insert into the events table: every column empty unless given. */
export function newEvent(fields: Partial<NewEvent>): NewEvent {
  return {
    at: 0,
    instance_id: null,
    app: null,
    event: "start",
    from_state: null,
    to_state: null,
    pid: null,
    exit_code: null,
    signal: null,
    uptime_ms: null,
    reason: null,
    ...fields,
  };
}
