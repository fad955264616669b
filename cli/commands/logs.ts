/** `adasa logs`: history by time or the last N lines, merged across instances; --follow. */
import { MAX_LOG_LINES } from "../../src/model/limits.ts";
import { pm2FilesOf } from "../../src/model/pm2_log_files.ts";
import { paint } from "../render/color.ts";
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
  if (v["ignore-case"] === true) args.ignore_case = true;
  const prefix = v["no-prefix"] !== true && v.raw !== true;
  await using client = await ctx.connect();
  const encoder = new TextEncoder();
  let printed = 0;
  let told = false;
  for await (const frame of client.stream("logs", args)) {
    const batch = frame.data;
    printed += batch.length;
    if (batch.length === 0) {
      if (printed === 0 && !told) told = await tellEmpty(parsed, ctx, args);
      continue;
    }
    const text = batch.map((line) =>
      ctx.json ? renderLogJson(line) : renderLogLine(line, { prefix, color: ctx.color })
    )
      .join("\n");
    if (args.follow) print(text);
    else await writeAll(encoder.encode(text + "\n"));
  }
  if (printed === 0 && !told) await tellEmpty(parsed, ctx, args);
  return 0;
}

/**
 * Nothing to show: on a terminal, say so and where the files are (#18.6), rather than print
 * nothing; a pipe still gets nothing at all. Returns whether it said so.
 */
async function tellEmpty(parsed: Parsed, ctx: CommandContext, args: LogsArgs): Promise<boolean> {
  if (ctx.json || !Deno.stdout.isTerminal()) return false;
  const names = parsed.positionals.filter((t) => t !== "all" && !/^\d+$/.test(t));
  const what = args.grep !== undefined || args.stream !== undefined ||
      args.since !== undefined || args.until !== undefined
    ? "No lines match"
    : "No output yet";
  const from = names.length > 0 ? ` from ${names.join(", ")}` : "";
  const files = names.length === 1 ? `${ctx.home}/logs/${names[0]}/` : `${ctx.home}/logs/<app>/`;
  const pm2 = names.length === 1 ? await pm2FilesOfApp(ctx, names[0]!) : [];
  const also = pm2.length > 0 ? `; pm2-style: ${pm2.join(", ")}` : "";
  const next = args.follow ? "; waiting for new lines" : "";
  print(paint(`${what}${from} (log files: ${files}${also})${next}`, "gray", ctx.color));
  return true;
}

/** The pm2-style files an app's instances write, if it names any (one more request). */
async function pm2FilesOfApp(ctx: CommandContext, app: string): Promise<string[]> {
  try {
    await using client = await ctx.connect();
    const spec = (await client.request("describe", { target: app }))[0]?.spec;
    if (!spec) return [];
    // Instance i of the app writes the files of index i: together, those of 0..instances-1.
    const paths = Array.from({ length: spec.instances }, (_, i) => pm2FilesOf(spec, i))
      .flatMap((files) => files ? [files.out, files.err, files.both] : []);
    return [...new Set(paths.filter((p): p is string => p !== null))];
  } catch {
    return []; // the hint is a courtesy; the read itself succeeded
  }
}

async function writeAll(bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await Deno.stdout.write(bytes.subarray(offset));
}
