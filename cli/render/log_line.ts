/** One captured line on screen: `<app>#<id> <time> | text`, stderr coloured on a TTY. Pure. */
import { paint } from "./color.ts";
import { formatTime } from "./units.ts";
import type { LogLine } from "../../src/protocol/ops.ts";

/**
 * Control characters other than tab and ESC could garble the terminal (a carriage return hides
 * the prefix, a NUL cuts the line): they are shown escaped. ESC stays, so colours come through.
 */
// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f]/g;

export function renderLogLine(line: LogLine, options: { prefix: boolean; color: boolean }): string {
  const text = line.text.replace(
    CONTROL,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
  const body = line.partial ? `${text} ⏎` : text;
  if (!options.prefix) return line.stream === "err" ? paint(body, "red", options.color) : body;
  const who = paint(
    `${line.app}#${line.instance_id}`,
    line.stream === "err" ? "red" : "cyan",
    options.color,
  );
  const time = paint(formatTime(line.time), "gray", options.color);
  return `${who} ${time} ${line.stream === "err" ? "E" : "|"} ${body}`;
}

/** The `--json` form: one object per line; `partial` marks a piece of a split long line. */
export function renderLogJson(line: LogLine): string {
  return JSON.stringify({
    time: new Date(line.time).toISOString(),
    at: line.time,
    app: line.app,
    instance: line.instance_id,
    stream: line.stream,
    text: line.text,
    partial: line.partial,
  });
}
