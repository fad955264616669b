/**
 * `adasa env <id>`: the environment of an instance, `KEY: value` per line as pm2's `env`
 * prints it. A running process's own environment (/proc/<pid>/environ) is the truth; a
 * stopped one shows what its next start gets from the definition.
 */
import { AdasaError } from "../../src/protocol/errors.ts";
import { usageError } from "../usage_error.ts";
import { print } from "../render/io.ts";
import type { Description } from "../../src/protocol/ops.ts";
import { call } from "./_shared.ts";
import type { CommandContext, Parsed } from "./mod.ts";

export async function run(parsed: Parsed, ctx: CommandContext): Promise<number> {
  const [target, ...extra] = parsed.positionals;
  if (target === undefined || extra.length) throw usageError("usage: adasa env <id>");
  const rows = await call(ctx, "describe", { target, show_env: true });
  if (rows.length !== 1) {
    throw usageError(
      `adasa env: "${target}" has ${rows.length} instances; name one by id (${
        rows.map((r) => r.id).join(", ")
      })`,
    );
  }
  const env = await environmentOf(rows[0]!);
  if (ctx.json) print(JSON.stringify(env));
  else print(Object.entries(env).map(([key, value]) => `${key}: ${value}`).join("\n"));
  return 0;
}

async function environmentOf(d: Description): Promise<Record<string, string>> {
  if (d.pid !== null) {
    try {
      const raw = await Deno.readTextFile(`/proc/${d.pid}/environ`);
      return Object.fromEntries(
        raw.split("\0").filter((pair) => pair.includes("=")).map((pair) => {
          const at = pair.indexOf("=");
          return [pair.slice(0, at), pair.slice(at + 1)];
        }),
      );
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) {
        throw new AdasaError("INTERNAL", `Cannot read the environment of pid ${d.pid}`, {
          cause: error,
        });
      }
    }
  }
  const spec = d.spec as { base_env?: Record<string, string>; env?: Record<string, string> };
  return { ...spec.base_env, ...spec.env };
}
