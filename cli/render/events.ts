/** One line per event, for `adasa events` and `describe`. Pure. */
import type { EventRecord } from "../../src/protocol/messages.ts";
import { formatDuration, formatTime } from "./units.ts";

export function renderEventLine(e: EventRecord): string {
  const who = e.instance_id === null ? (e.app ?? "-") : `${e.app ?? "?"}#${e.instance_id}`;
  const move = e.from_state && e.to_state ? ` ${e.from_state} -> ${e.to_state}` : "";
  const exit = exitText(e) ? ` ${exitText(e)}` : "";
  const uptime = e.uptime_ms !== null ? ` uptime=${formatDuration(e.uptime_ms)}` : "";
  const pid = e.pid !== null ? ` pid=${e.pid}` : "";
  const reason = e.reason ? ` (${e.reason})` : "";
  return `${formatTime(e.at)}  ${who}  ${e.event}${move}${pid}${exit}${uptime}${reason}`;
}

/** How a process ended, as the event says: `signal=SIGTERM`, `code=0`, or "" when neither is known. */
export function exitText(e: Pick<EventRecord, "signal" | "exit_code">): string {
  if (e.signal) return `signal=${e.signal}`;
  return e.exit_code !== null && e.exit_code !== undefined ? `code=${e.exit_code}` : "";
}
