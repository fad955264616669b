/** Event rows for renderer tests: every column empty unless given. */
import type { EventRecord } from "../../src/protocol/messages.ts";

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
