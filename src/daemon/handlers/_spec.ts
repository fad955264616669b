/** A new app's definition from a client's input: interpreter by extension, then validation. */
import { type AppSpec, normalizeAppSpec } from "../../protocol/mod.ts";
import { interpreterFor } from "../../supervisor/mod.ts";
import { appLogDir } from "../../logs/mod.ts";
import { checkCron } from "../triggers.ts";

/** Validates a new app and picks its interpreter by extension unless one is given. */
export function specFromInput(input: Record<string, unknown>): AppSpec {
  const withInterpreter = { ...input };
  if (withInterpreter.interpreter === undefined && withInterpreter.shell !== true) {
    const cwd = typeof input.cwd === "string" ? input.cwd : null;
    const picked = typeof input.command === "string" ? interpreterFor(input.command, cwd) : null;
    if (picked) {
      withInterpreter.interpreter = picked.interpreter;
      withInterpreter.interpreter_args ??= picked.args;
    }
  }
  if (withInterpreter.interpreter === "none") withInterpreter.interpreter = null;
  const spec = normalizeAppSpec(withInterpreter);
  // Everything that could refuse the app later is checked before anything is stored (#13).
  appLogDir("/logs", spec.name);
  if (spec.cron_restart !== null) checkCron(spec.cron_restart);
  return spec;
}
