/** `adasa logs`: history by time or the last N lines, merged across instances; --follow. */
import { MAX_LOG_LINES } from "../../src/model/limits.ts";
import { print } from "../render/io.ts";
import { renderLogJson, renderLogLine } from "../render/log_line.ts";
import { usageError } from "../usage_error.ts";
import { intFlag, timeFlag } from "./_shared.ts";
import type { CommandContext, Parsed } from "./mod.ts";
import type { LogsArgs } from "../../src/protocol/ops.ts";

export async function run(parsed: Parsed, ctx: CommandContext): Promise<number> {
  const v = parsed.values;
  if (v.out === true && v.err === true) {
    throw usageError("adasa logs: --out and --err exclude each other");
  }
  const now = Date.now();
  const args: LogsArgs = {
    targets: parsed.positionals,
    follow: v.follow === true,
  };
  const since = timeFlag(parsed, "since", now);
  const until = timeFlag(parsed, "until", now);
  if (since !== undefined) args.since = since;
  if (until !== undefined) args.until = until;
  const lines = intFlag(parsed, "lines", 0, MAX_LOG_LINES);
  if (lines !== undefined) args.lines = lines;
  if (v.out === true) args.stream = "out";
  if (v.err === true) args.stream = "err";
  if (typeof v.grep === "string") args.grep = v.grep;
  if (v.regex === true) args.regex = true;
  const prefix = v["no-prefix"] !== true && v.raw !== true;
  await using client = await ctx.connect();
  const encoder = new TextEncoder();
  for await (const frame of client.stream("logs", args)) {
    const batch = frame.data;
    const text = batch.map((line) =>
      ctx.json ? renderLogJson(line) : renderLogLine(line, { prefix, color: ctx.color })
    )
      .join("\n");
    if (args.follow) print(text);
    else await writeAll(encoder.encode(text + "\n"));
  }
  return 0;
}

async function writeAll(bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await Deno.stdout.write(bytes.subarray(offset));
}
