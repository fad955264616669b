/** Whether an exited program is started again, by its app's restart mode. */
import type { RestartMode } from "../protocol/mod.ts";

/**
 * pm2's rules: an exit code listed in `stop_exit_codes` never restarts; `on_failure` restarts
 * on a non-zero code or a signal; `always` restarts on any other exit; `never` never does.
 * Caller must pass the exit as seen by `child.status`: a code, or a signal and a null code.
 */
export function shouldRestart(
  exit: { code: number | null; signal: string | null },
  policy: { restart: RestartMode; stop_exit_codes: readonly number[] },
): boolean {
  if (exit.code !== null && policy.stop_exit_codes.includes(exit.code)) return false;
  switch (policy.restart) {
    case "always":
      return true;
    case "never":
      return false;
    case "on_failure":
      return exit.signal !== null || exit.code !== 0;
  }
}
