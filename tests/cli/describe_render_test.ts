/** `describe`'s "why" and "last exit" come from the events, as `adasa events` shows them (#18). */
import { strictEqual } from "node:assert/strict";
import { lastExitText, whyText } from "../../cli/render/describe.ts";
import { formatTime } from "../../cli/render/units.ts";
import type { EventRecord } from "../../src/protocol/messages.ts";
import { eventRecord } from "../_helpers/events.ts";

const AT = new Date(2026, 11, 1, 23, 0, 0).getTime();

function event(fields: Partial<EventRecord>): EventRecord {
  return eventRecord({ at: AT, instance_id: 3, app: "web", ...fields });
}

const CRASH = "exited with code 1 before min_uptime; unstable restart 6";

Deno.test("whyText() shows a reason only while it explains the current state", () => {
  const cases: Array<[string, Parameters<typeof whyText>[0], string]> = [
    [
      "online after ready keeps no old crash reason",
      {
        status: "online",
        reason: CRASH,
        last_transition: event({ event: "ready", from_state: "launching", to_state: "online" }),
      },
      "",
    ],
    [
      "waiting after a crash says why",
      {
        status: "waiting",
        reason: CRASH,
        last_transition: event({ from_state: "launching", to_state: "waiting", reason: CRASH }),
      },
      CRASH,
    ],
    [
      "a transition to another state than the current one explains nothing",
      {
        status: "online",
        reason: null,
        last_transition: event({ to_state: "waiting", reason: CRASH }),
      },
      "",
    ],
    [
      "a reason that repeats the state is left out",
      {
        status: "stopped",
        reason: "stopped",
        last_transition: event({ to_state: "stopped", reason: "stopped" }),
      },
      "",
    ],
    ["no transition yet", { status: "stopped", reason: null, last_transition: null }, ""],
  ];
  for (const [what, d, want] of cases) strictEqual(whyText(d), want, what);
});

Deno.test("lastExitText() says signal or code as the exit event does, never code null", () => {
  const none = { exit_signal: null, exit_code: null, exited_at: null };
  const cases: Array<[string, Parameters<typeof lastExitText>[0], string]> = [
    [
      "a stop",
      {
        ...none,
        last_exit: event({ signal: "SIGTERM", pid: 7, uptime_ms: 8000, reason: "stopped" }),
      },
      `signal=SIGTERM at ${formatTime(AT)} (pid 7, uptime 8s; stopped)`,
    ],
    [
      "a clean exit",
      { ...none, last_exit: event({ exit_code: 0 }) },
      `code=0 at ${formatTime(AT)}`,
    ],
    ["an exit of unknown cause", { ...none, last_exit: event({}) }, `exited at ${formatTime(AT)}`],
    ["never exited", { ...none, last_exit: null }, "-"],
    [
      "a daemon without last_exit: the instance's fields, still no code null",
      { exit_signal: null, exit_code: null, exited_at: AT },
      `exited at ${formatTime(AT)}`,
    ],
  ];
  for (const [what, d, want] of cases) strictEqual(lastExitText(d), want, what);
});
