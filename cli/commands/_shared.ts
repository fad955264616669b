/** Helpers shared by commands: flag values, targets, and printing instance results. */
import type { InstanceInfo } from "../../src/protocol/messages.ts";
import type { ExactArgs, OpArgs, OpReply, UnaryOp } from "../../src/protocol/ops.ts";
import { InvalidValue } from "../../src/model/invalid.ts";
import { parseTimeSpec } from "../../src/model/time.ts";
import { usageError } from "../usage_error.ts";
import type { CommandContext, Parsed } from "./mod.ts";
import { print } from "../render/io.ts";
import { renderInstanceTable } from "../render/instances.ts";
import { measureFor } from "../render/width.ts";

/** The positional targets; at least one is required. */
export function targets(parsed: Parsed, command: string): string[] {
  if (parsed.positionals.length === 0) {
    throw usageError(`adasa ${command}: name at least one id, app name or all`);
  }
  return parsed.positionals;
}

/** A string flag as a whole number within bounds, or undefined when absent. */
export function intFlag(
  parsed: Parsed,
  flag: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  const raw = parsed.values[flag];
  if (raw === undefined) return undefined;
  const text = String(raw);
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw usageError(`--${flag}: expected a whole number from ${min} to ${max}, got "${text}"`);
  }
  return Number(text);
}

/** A time flag (`--since 10m`) as ms since the epoch, or undefined when absent. */
export function timeFlag(parsed: Parsed, flag: string, now: number): number | undefined {
  const raw = parsed.values[flag];
  if (typeof raw !== "string") return undefined;
  try {
    return parseTimeSpec(raw, now);
  } catch (error) {
    if (!(error instanceof InvalidValue)) throw error;
    throw usageError(`--${flag}: ${error.message}`);
  }
}

/** Prints the instances an operation touched: a table, or JSON with --json. */
export async function printInstances(ctx: CommandContext, rows: InstanceInfo[]): Promise<void> {
  if (ctx.json) print(JSON.stringify(rows));
  else if (rows.length) {
    // Names are the one free text of the table; the other cells are ASCII.
    const measure = await measureFor(rows.map((r) => r.name));
    print(renderInstanceTable(rows, { color: ctx.color, now: Date.now(), measure }));
  }
}

/** Runs one request on a fresh connection and closes it; typed as the client's `request`. */
export async function call<K extends UnaryOp, A extends OpArgs<K>>(
  ctx: CommandContext,
  op: K,
  args: ExactArgs<K, A>,
): Promise<OpReply<K, A>> {
  await using client = await ctx.connect();
  return await client.request<K, A>(op, args);
}
